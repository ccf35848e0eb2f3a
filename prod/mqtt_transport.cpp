#include "prod/mqtt_transport.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <map>
#include <mutex>
#include <cstring>
#include <stdexcept>

namespace clawnet::prod {

namespace asio = boost::asio;

namespace {

void initialise_library_once() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

}  // namespace

struct MqttTransport::Impl {
  Impl(asio::io_context& io_in, MqttOptions options_in, MqttCallbacks callbacks_in)
      : io(io_in), options(std::move(options_in)), callbacks(std::move(callbacks_in)), socket(io_in),
        misc_timer(io_in), reconnect_timer(io_in), reconnect_delay_ms(options.reconnect_min_ms) {}

  asio::io_context& io;
  MqttOptions options;
  MqttCallbacks callbacks;
  mosquitto* client = nullptr;
  asio::posix::stream_descriptor socket;
  asio::steady_timer misc_timer;
  asio::steady_timer reconnect_timer;
  std::int64_t reconnect_delay_ms;
  // Bumped whenever the socket is released, so that stale wait handlers return.
  std::uint64_t generation = 0;
  bool running = false;
  bool connected_socket = false;  // We hold mosquitto's socket in `socket`.
  bool link = false;              // A CONNACK accepted us on this socket.
  bool write_armed = false;
  struct SubscriptionOptions {
    int qos = 1;
    bool no_local = false;
  };
  std::map<std::string, SubscriptionOptions, std::less<>> subscriptions;  // Renewed on connect.
  std::map<int, std::string> pending_subscribes;     // SUBSCRIBE id -> filter

  void error(std::string text) const {
    if (callbacks.on_error) callbacks.on_error(text);
  }

  void connect() {
    if (!running) return;
    assert(!connected_socket);
    const int rc = mosquitto_connect_async(client, options.host.c_str(), options.port, options.keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(client) < 0) {
      error(fmt::format("connect to {}:{} failed: {}", options.host, options.port,
                        rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc)));
      schedule_reconnect();
      return;
    }
    socket.assign(mosquitto_socket(client));
    connected_socket = true;
    arm_read();
    arm_write();
  }

  void schedule_reconnect() {
    if (!running) return;
    reconnect_timer.expires_after(std::chrono::milliseconds(reconnect_delay_ms));
    reconnect_delay_ms = std::min(reconnect_delay_ms * 2, options.reconnect_max_ms);
    reconnect_timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) connect();
    });
  }

  // libmosquitto closed (or will close) its socket: let go of it without closing.
  void connection_lost(int rc) {
    if (!connected_socket) return;
    generation += 1;
    write_armed = false;
    boost::system::error_code ignored;
    socket.cancel(ignored);
    (void)socket.release();
    connected_socket = false;
    if (rc != MOSQ_ERR_SUCCESS) error(fmt::format("connection lost: {}", mosquitto_strerror(rc)));
    pending_subscribes.clear();
    if (link) {
      link = false;
      if (callbacks.on_link) callbacks.on_link(false);
    }
    schedule_reconnect();
  }

  // From the public methods: the caller may be in the middle of carrying out a
  // batch of effects, so a lost connection is handled (on_link(false)) on a later
  // turn of the loop, never inside publish() / subscribe().
  bool check_socket_later() {
    if (!connected_socket) return false;
    if (mosquitto_socket(client) == socket.native_handle()) return true;
    asio::post(io, [this, armed = generation] {
      if (armed == generation) check_socket();
    });
    return false;
  }

  // After any library call: if the library dropped the socket, follow it.
  bool check_socket() {
    if (!connected_socket) return false;
    if (mosquitto_socket(client) != socket.native_handle()) {
      connection_lost(MOSQ_ERR_CONN_LOST);
      return false;
    }
    return true;
  }

  void arm_read() {
    socket.async_wait(asio::posix::stream_descriptor::wait_read,
                      [this, armed = generation](const boost::system::error_code& ec) {
                        if (ec || armed != generation) return;
                        const int rc = mosquitto_loop_read(client, 1);
                        if (rc != MOSQ_ERR_SUCCESS) {
                          connection_lost(rc);
                          return;
                        }
                        if (!check_socket()) return;
                        arm_write();
                        arm_read();
                      });
  }

  void arm_write() {
    if (!connected_socket || write_armed || !mosquitto_want_write(client)) return;
    write_armed = true;
    socket.async_wait(asio::posix::stream_descriptor::wait_write,
                      [this, armed = generation](const boost::system::error_code& ec) {
                        if (ec || armed != generation) return;
                        write_armed = false;
                        const int rc = mosquitto_loop_write(client, 1);
                        if (rc != MOSQ_ERR_SUCCESS) {
                          connection_lost(rc);
                          return;
                        }
                        if (check_socket()) arm_write();
                      });
  }

  void arm_misc_timer() {
    misc_timer.expires_after(std::chrono::seconds(1));
    misc_timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec || !running) return;
      if (connected_socket) {
        (void)mosquitto_loop_misc(client);
        if (check_socket()) arm_write();
      }
      arm_misc_timer();
    });
  }

  void send_subscribe(const std::string& filter, SubscriptionOptions wanted) {
    int id = 0;
    const int rc = mosquitto_subscribe_v5(client, &id, filter.c_str(), wanted.qos,
                                          wanted.no_local ? MQTT_SUB_OPT_NO_LOCAL : 0, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
      error(fmt::format("subscribe {} failed: {}", filter, mosquitto_strerror(rc)));
      return;
    }
    pending_subscribes[id] = filter;
  }

  // --- libmosquitto callbacks (run inside loop_read / loop_write) -------------------
  static Impl& self(void* user) { return *static_cast<Impl*>(user); }

  static void on_connect(mosquitto*, void* user, int reason, int, const mosquitto_property*) {
    Impl& impl = self(user);
    if (reason != 0) {
      impl.error(fmt::format("broker refused the connection: {}", mosquitto_reason_string(reason)));
      return;  // The broker closes the socket; loop_read reports it.
    }
    impl.link = true;
    impl.reconnect_delay_ms = impl.options.reconnect_min_ms;
    for (const auto& [filter, wanted] : impl.subscriptions) impl.send_subscribe(filter, wanted);
    if (impl.callbacks.on_link) impl.callbacks.on_link(true);
  }

  static void on_message(mosquitto*, void* user, const mosquitto_message* message, const mosquitto_property*) {
    Impl& impl = self(user);
    if (!impl.callbacks.on_message) return;
    const std::string_view payload(static_cast<const char*>(message->payload),
                                   static_cast<std::size_t>(std::max(message->payloadlen, 0)));
    impl.callbacks.on_message(message->topic, payload);
  }

  static void on_subscribe(mosquitto*, void* user, int id, int count, const int* granted, const mosquitto_property*) {
    Impl& impl = self(user);
    const auto it = impl.pending_subscribes.find(id);
    if (it == impl.pending_subscribes.end()) return;
    const std::string filter = std::move(it->second);
    impl.pending_subscribes.erase(it);
    const bool ok = count >= 1 && granted[0] < 0x80;
    if (impl.callbacks.on_subscribed) impl.callbacks.on_subscribed(filter, ok);
  }

  static void on_publish(mosquitto*, void* user, int id, int reason, const mosquitto_property*) {
    Impl& impl = self(user);
    if (impl.callbacks.on_publish_result) impl.callbacks.on_publish_result(id, reason);
  }
};

MqttTransport::MqttTransport(asio::io_context& io, MqttOptions options, MqttCallbacks callbacks)
    : impl_(std::make_unique<Impl>(io, std::move(options), std::move(callbacks))) {
  initialise_library_once();
  Impl& impl = *impl_;
  assert(!impl.options.client_id.empty());
  impl.client = mosquitto_new(impl.options.client_id.c_str(), true, &impl);
  if (impl.client == nullptr) throw std::runtime_error("mosquitto_new failed");
  mosquitto_int_option(impl.client, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  if (!impl.options.username.empty()) {
    mosquitto_username_pw_set(impl.client, impl.options.username.c_str(),
                              impl.options.password.empty() ? nullptr : impl.options.password.c_str());
  }
  if (impl.options.will.has_value()) {
    const MqttWill& will = *impl.options.will;
    const int rc = mosquitto_will_set_v5(impl.client, will.topic.c_str(), static_cast<int>(will.payload.size()),
                                         will.payload.data(), will.qos, will.retain, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) throw std::invalid_argument(fmt::format("bad will: {}", mosquitto_strerror(rc)));
  }
  mosquitto_connect_v5_callback_set(impl.client, &Impl::on_connect);
  mosquitto_message_v5_callback_set(impl.client, &Impl::on_message);
  mosquitto_subscribe_v5_callback_set(impl.client, &Impl::on_subscribe);
  mosquitto_publish_v5_callback_set(impl.client, &Impl::on_publish);
}

MqttTransport::~MqttTransport() {
  stop();
  mosquitto_destroy(impl_->client);
}

void MqttTransport::start() {
  Impl& impl = *impl_;
  if (impl.running) return;
  impl.running = true;
  impl.reconnect_delay_ms = impl.options.reconnect_min_ms;
  impl.arm_misc_timer();
  impl.connect();
}

void MqttTransport::stop() {
  Impl& impl = *impl_;
  if (!impl.running) return;
  impl.running = false;
  impl.misc_timer.cancel();
  impl.reconnect_timer.cancel();
  if (impl.connected_socket) {
    // Best effort: queue DISCONNECT and push it out before letting go.
    mosquitto_disconnect_v5(impl.client, 0, nullptr);
    if (impl.connected_socket && mosquitto_socket(impl.client) == impl.socket.native_handle()) {
      (void)mosquitto_loop_write(impl.client, 1);
    }
    impl.connection_lost(MOSQ_ERR_SUCCESS);
  }
}

bool MqttTransport::link_up() const { return impl_->link; }

std::optional<int> MqttTransport::publish(std::string_view topic, std::string_view payload, int qos, bool retain) {
  Impl& impl = *impl_;
  if (!impl.link) return std::nullopt;
  int id = 0;
  const std::string topic_text(topic);
  const int rc = mosquitto_publish_v5(impl.client, &id, topic_text.c_str(), static_cast<int>(payload.size()),
                                      payload.data(), qos, retain, nullptr);
  if (rc != MOSQ_ERR_SUCCESS) {
    impl.error(fmt::format("publish to {} failed: {}", topic, mosquitto_strerror(rc)));
    impl.check_socket_later();
    return std::nullopt;
  }
  if (impl.check_socket_later()) impl.arm_write();
  return id;
}

bool MqttTransport::subscribe(std::string_view filter, int qos, bool no_local) {
  Impl& impl = *impl_;
  const std::string text(filter);
  if (mosquitto_sub_topic_check(text.c_str()) != MOSQ_ERR_SUCCESS) return false;
  const Impl::SubscriptionOptions wanted{qos, no_local};
  impl.subscriptions[text] = wanted;
  if (impl.link) {
    impl.send_subscribe(text, wanted);
    if (impl.check_socket_later()) impl.arm_write();
  }
  return true;
}

void MqttTransport::unsubscribe(std::string_view filter) {
  Impl& impl = *impl_;
  const auto it = impl.subscriptions.find(filter);
  if (it == impl.subscriptions.end()) return;
  const std::string text = it->first;
  impl.subscriptions.erase(it);
  if (impl.link) {
    (void)mosquitto_unsubscribe_v5(impl.client, nullptr, text.c_str(), nullptr);
    if (impl.check_socket_later()) impl.arm_write();
  }
}

}  // namespace clawnet::prod
