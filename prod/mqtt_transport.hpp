// MqttTransport: one MQTT 5 client connection (libmosquitto) driven by an Asio
// io_context, with no threads of its own.
//
// How it runs: mosquitto_socket() is wrapped in a posix::stream_descriptor;
// readiness calls mosquitto_loop_read / mosquitto_loop_write (write while
// mosquitto_want_write()), and a 1 s timer calls mosquitto_loop_misc (keepalive).
// A lost connection releases the descriptor (libmosquitto owns and closes the
// socket) and reconnects after a backoff that doubles from reconnect_min_ms up to
// reconnect_max_ms and resets once a CONNACK accepts us.
//
// Contract:
//  - Every callback runs on the io_context's thread, from inside run().
//  - on_link(true) follows each accepted CONNACK; on_link(false) follows each loss
//    of an accepted connection (never twice in a row).
//  - Subscriptions are remembered and renewed after every reconnect (clean start);
//    on_subscribed(filter, granted) reports each SUBACK, granted = reason < 0x80.
//  - publish() at QoS 1 reports the broker's PUBACK reason through
//    on_publish_result(id, reason): 0 accepted, 0x87 not authorized, ...
//  - A configured will is registered before every connect; stop() sends a clean
//    DISCONNECT, so the will is not published.
// Not thread-safe: call from the io_context's thread only.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace clawnet::prod {

struct MqttWill {
  std::string topic;
  std::string payload;
  int qos = 1;
  bool retain = true;
};

struct MqttOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  std::string client_id;  // Required.
  std::string username;   // Empty: no credentials.
  std::string password;
  int keepalive_s = 10;
  std::int64_t reconnect_min_ms = 250;
  std::int64_t reconnect_max_ms = 10'000;
  std::optional<MqttWill> will;
};

struct MqttCallbacks {
  std::function<void(std::string_view topic, std::string_view payload)> on_message;
  std::function<void(bool up)> on_link;
  std::function<void(std::string_view filter, bool granted)> on_subscribed;
  std::function<void(int id, int reason)> on_publish_result;
  // Operating errors worth a log line (refused CONNACK, connect failures).
  std::function<void(std::string_view text)> on_error;
};

// MQTT 5 reason codes the drivers look at.
inline constexpr int mqtt_reason_not_authorized = 0x87;

class MqttTransport {
 public:
  MqttTransport(boost::asio::io_context& io, MqttOptions options, MqttCallbacks callbacks);
  ~MqttTransport();
  MqttTransport(const MqttTransport&) = delete;
  MqttTransport& operator=(const MqttTransport&) = delete;

  // Starts connecting (and reconnecting until stop()).
  void start();
  // Sends DISCONNECT (no will) and stops reconnecting; on_link(false) if it was up.
  void stop();

  bool link_up() const;
  // Returns the message id, or nullopt when not connected or the arguments are
  // invalid (the reason goes to on_error).
  std::optional<int> publish(std::string_view topic, std::string_view payload, int qos, bool retain);
  // Remembers `filter` and subscribes now if connected. Returns false on an invalid filter.
  // `no_local` (MQTT 5): the broker does not send our own publishes back to us.
  bool subscribe(std::string_view filter, int qos, bool no_local = false);
  void unsubscribe(std::string_view filter);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace clawnet::prod
