// What both daemons' drivers share: the steady clock as TimeMs, one timer that
// wakes a machine at its next deadline, and MQTT options from the config.
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "core/time.hpp"
#include "prod/config.hpp"
#include "prod/mqtt_transport.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <string_view>

namespace clawnet::prod {

// Milliseconds of the steady clock since the first call in this process.
TimeMs steady_now_ms();

// One steady_timer for a machine's next_deadline(): arm() after every batch of
// effects; `on_due` runs when the deadline has come (never early).
class DeadlineTimer {
 public:
  DeadlineTimer(boost::asio::io_context& io, std::function<void()> on_due);
  // time_never cancels.
  void arm(TimeMs deadline_ms);
  void cancel();

 private:
  boost::asio::steady_timer timer_;
  std::function<void()> on_due_;
  TimeMs armed_ms_ = time_never;
};

MqttOptions mqtt_options(const BrokerConfig& broker, std::string_view default_client_id);

}  // namespace clawnet::prod
