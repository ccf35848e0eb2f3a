// e2e_player: one player as its own process, on a real MQTT client, driven by the
// end-to-end test through stdin and reporting on stdout (one line per event).
//
// Usage: e2e_player PORT CHANNEL   (password in E2E_PLAYER_PASSWORD)
// Connects as client id = username = CHANNEL with a retained will "timeout" on its
// presence topic (docs/deploy.md, "Presence"), subscribes to its channel and the
// lobby, then publishes "join" (retained, so a restarted clawd reads it again).
// Prints:  up | msg TOPIC PAYLOAD | puback TOPIC REASON | error TEXT
// Reads:   pub TOPIC PAYLOAD    publish QoS 1 as is (the refusal tests)
//          cmd KIND             {"command":KIND,"turn":T,"seq":S} on its channel,
//                               T from the last {"control":true}, S counting from 1
//          hold KIND            send KIND now and every 200 ms (the protocol's refresh)
//          release KIND         stop holding, send KIND once (e.g. rightOff)
// End of stdin: exits at once, without DISCONNECT (a vanished client).
#include "core/protocol.hpp"
#include "prod/mqtt_transport.hpp"
#include "prod/topics.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/json.hpp>

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

namespace {

using namespace clawnet::prod;
namespace asio = boost::asio;

constexpr auto hold_refresh = std::chrono::milliseconds(200);

class Player {
 public:
  Player(asio::io_context& io, std::uint16_t port, std::string channel, std::string password)
      : topics_("clawnet"), channel_(std::move(channel)), input_(io, ::dup(STDIN_FILENO)), hold_timer_(io) {
    MqttOptions options;
    options.port = port;
    options.client_id = channel_;
    options.username = channel_;
    options.password = std::move(password);
    options.reconnect_min_ms = 100;
    options.reconnect_max_ms = 500;
    options.will = MqttWill{topics_.presence_topic(channel_), "timeout", 1, true};
    MqttCallbacks callbacks;
    callbacks.on_message = [this](std::string_view topic, std::string_view payload) { on_message(topic, payload); };
    callbacks.on_link = [this](bool up) {
      if (up) subscribed_ = 0;
      std::cout << (up ? "link up" : "link down") << std::endl;
    };
    callbacks.on_subscribed = [this](std::string_view filter, bool granted) {
      if (!granted) std::cout << "error subscription refused: " << filter << std::endl;
      if (++subscribed_ == 2) {
        // Told present only once control messages can reach us.
        publish(topics_.presence_topic(channel_), "join", true);
        std::cout << "up" << std::endl;
      }
    };
    callbacks.on_publish_result = [this](int id, int reason) {
      auto topic = pending_.find(id);
      std::cout << "puback " << (topic != pending_.end() ? topic->second : "?") << " " << reason << std::endl;
      if (topic != pending_.end()) pending_.erase(topic);
    };
    callbacks.on_error = [](std::string_view text) { std::cout << "error " << text << std::endl; };
    transport_ = std::make_unique<MqttTransport>(io, options, std::move(callbacks));
    transport_->subscribe(*topics_.topic_of(channel_), 1);
    transport_->subscribe(*topics_.topic_of("lobby"), 1);
    transport_->start();
    read_command();
  }

 private:
  void publish(const std::string& topic, const std::string& payload, bool retain = false) {
    const auto id = transport_->publish(topic, payload, 1, retain);
    if (id.has_value()) {
      pending_[*id] = topic;
    } else {
      std::cout << "error not published on " << topic << std::endl;
    }
  }

  void on_message(std::string_view topic, std::string_view payload) {
    std::cout << "msg " << topic << " " << payload << std::endl;
    boost::system::error_code ec;
    const boost::json::value value = boost::json::parse(payload, ec);
    if (ec || !value.is_object()) return;
    const auto& object = value.as_object();
    const auto* control = object.if_contains("control");
    const auto* turn = object.if_contains("turn");
    if (control != nullptr && control->is_bool() && control->as_bool() && turn != nullptr && turn->is_int64()) {
      turn_ = turn->as_int64();
      seq_ = 0;
    }
  }

  void send_command(const std::string& kind) {
    const std::string payload = R"({"command":")" + kind + R"(","turn":)" + std::to_string(turn_) +
                                R"(,"seq":)" + std::to_string(++seq_) + "}";
    publish(*topics_.topic_of(channel_), payload);
  }

  void refresh_hold() {
    if (held_.empty()) return;
    send_command(held_);
    hold_timer_.expires_after(hold_refresh);
    hold_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) refresh_hold();
    });
  }

  void read_command() {
    asio::async_read_until(input_, input_buffer_, '\n', [this](const boost::system::error_code& ec, std::size_t) {
      if (ec) ::_exit(0);  // The test is gone: vanish without DISCONNECT.
      std::istream lines(&input_buffer_);
      std::string line;
      std::getline(lines, line);
      run(line);
      read_command();
    });
  }

  void run(const std::string& line) {
    const auto space = line.find(' ');
    const std::string verb = line.substr(0, space);
    const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
    if (verb == "pub") {
      const auto split = rest.find(' ');
      publish(rest.substr(0, split), split == std::string::npos ? "" : rest.substr(split + 1));
    } else if (verb == "cmd") {
      send_command(rest);
    } else if (verb == "hold") {
      held_ = rest;
      hold_timer_.cancel();
      refresh_hold();
    } else if (verb == "release") {
      held_.clear();
      hold_timer_.cancel();
      send_command(rest);
    } else {
      std::cout << "error unknown command: " << line << std::endl;
    }
  }

  TopicMap topics_;
  std::string channel_;
  asio::posix::stream_descriptor input_;
  asio::streambuf input_buffer_;
  asio::steady_timer hold_timer_;
  std::unique_ptr<MqttTransport> transport_;
  std::map<int, std::string> pending_;
  int subscribed_ = 0;
  std::int64_t turn_ = 0;
  std::int64_t seq_ = 0;
  std::string held_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: e2e_player PORT CHANNEL (password in E2E_PLAYER_PASSWORD)\n";
    return 2;
  }
  std::uint16_t port = 0;
  const std::string_view port_text = argv[1];
  if (std::from_chars(port_text.data(), port_text.data() + port_text.size(), port).ec != std::errc{} || port == 0) {
    std::cerr << "bad port: " << port_text << "\n";
    return 2;
  }
  const char* password = std::getenv("E2E_PLAYER_PASSWORD");
  if (password == nullptr) {
    std::cerr << "E2E_PLAYER_PASSWORD is not set\n";
    return 2;
  }
  if (!clawnet::is_player_channel(argv[2])) {
    std::cerr << "not a player channel: " << argv[2] << "\n";
    return 2;
  }
  asio::io_context io;
  Player player(io, port, argv[2], password);
  io.run();
  return 0;
}
