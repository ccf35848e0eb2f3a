#include "prod/driver_support.hpp"

#include <chrono>

namespace clawnet::prod {

namespace {
std::chrono::steady_clock::time_point process_epoch() {
  static const auto epoch = std::chrono::steady_clock::now();
  return epoch;
}
}  // namespace

TimeMs steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - process_epoch())
      .count();
}

DeadlineTimer::DeadlineTimer(boost::asio::io_context& io, std::function<void()> on_due)
    : timer_(io), on_due_(std::move(on_due)) {}

void DeadlineTimer::arm(TimeMs deadline_ms) {
  if (deadline_ms == armed_ms_) return;
  armed_ms_ = deadline_ms;
  timer_.cancel();
  if (deadline_ms == time_never) return;
  timer_.expires_at(process_epoch() + std::chrono::milliseconds(deadline_ms));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    armed_ms_ = time_never;
    on_due_();
  });
}

void DeadlineTimer::cancel() {
  armed_ms_ = time_never;
  timer_.cancel();
}

MqttOptions mqtt_options(const BrokerConfig& broker, std::string_view default_client_id) {
  MqttOptions options;
  options.host = broker.host;
  options.port = broker.port;
  options.client_id = broker.client_id.empty() ? std::string(default_client_id) : broker.client_id;
  options.username = broker.username;
  options.password = broker.password;
  options.keepalive_s = static_cast<int>(broker.keepalive_s);
  options.reconnect_min_ms = broker.reconnect_min_ms;
  options.reconnect_max_ms = broker.reconnect_max_ms;
  return options;
}

}  // namespace clawnet::prod
