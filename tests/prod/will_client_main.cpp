// A client that dies without DISCONNECT, for last-will tests: it connects with a
// retained will, publishes a retained "online" payload, prints "up" and waits to
// be killed. Usage: will_client PORT CLIENT_ID TOPIC WILL_PAYLOAD ONLINE_PAYLOAD
// Credentials, if any, come from CLAWNET_TEST_USERNAME / CLAWNET_TEST_PASSWORD.
#include "prod/mqtt_transport.hpp"

#include <boost/asio/io_context.hpp>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: will_client PORT CLIENT_ID TOPIC WILL_PAYLOAD ONLINE_PAYLOAD\n";
    return 2;
  }
  std::uint16_t port = 0;
  const std::string_view port_text = argv[1];
  if (std::from_chars(port_text.data(), port_text.data() + port_text.size(), port).ec != std::errc{}) {
    std::cerr << "bad port: " << port_text << "\n";
    return 2;
  }
  boost::asio::io_context io;
  clawnet::prod::MqttOptions options;
  options.port = port;
  options.client_id = argv[2];
  options.keepalive_s = 5;
  options.will = clawnet::prod::MqttWill{argv[3], argv[4], 1, true};
  if (const char* username = std::getenv("CLAWNET_TEST_USERNAME")) options.username = username;
  if (const char* password = std::getenv("CLAWNET_TEST_PASSWORD")) options.password = password;
  const std::string topic = argv[3];
  const std::string online = argv[5];
  clawnet::prod::MqttTransport* self = nullptr;
  clawnet::prod::MqttCallbacks callbacks;
  callbacks.on_link = [&](bool up) {
    if (up) self->publish(topic, online, 1, true);
  };
  callbacks.on_publish_result = [](int, int reason) {
    std::cout << (reason == 0 ? "up" : "refused") << std::endl;
  };
  callbacks.on_error = [](std::string_view text) { std::cerr << text << "\n"; };
  clawnet::prod::MqttTransport transport(io, options, callbacks);
  self = &transport;
  transport.start();
  io.run();
  return 0;
}
