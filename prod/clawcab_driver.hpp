// ClawcabDriver: runs a ClawMachine on Boost.Asio against the broker and a Gpio.
// No claw logic of its own: inputs go to the machine, its effects are carried
// out in order (Publish, Subscribe, Unsubscribe -> the Transport, SetMotor -> Gpio,
// Log -> the log function), and one timer wakes it at next_deadline().
//
// Transport (prod/transport.hpp), Role::claw: every ClawStatusMessage the machine
// publishes on the secure channel is also announced as the claw's status
// (docs/deploy.md, "Presence").
// Metrics: with metrics.port set, GET /metrics on metrics.address:metrics.port
// (its own HttpServer, nothing else served; prod/clawcab_metrics.hpp).
// Log lines: the machine's rejections go through a LogAggregator (one line per
// reason per aggregation_interval_ms under a flood); everything else at once.
// Each input is one machine call; the transport reads one packet or answer per
// readiness, so the loop stays fair between the network, switches and timers.
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "core/claw_machine.hpp"
#include "prod/clawcab_metrics.hpp"
#include "prod/config.hpp"
#include "prod/driver_support.hpp"
#include "prod/gpio.hpp"
#include "prod/http_server.hpp"
#include "prod/log_aggregator.hpp"
#include "prod/transport.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <memory>
#include <string_view>

namespace clawnet::prod {

using LogFunction = std::function<void(std::string_view text)>;

class ClawcabDriver {
 public:
  // REQUIRES: validate_config(config) passed. `gpio` outlives the driver.
  ClawcabDriver(boost::asio::io_context& io, const Config& config, Gpio& gpio, LogFunction log);
  ~ClawcabDriver();

  // Boots the machine with the switches as they are, connects, and listens for
  // metrics if configured. Returns an error naming the metrics address, or nullopt.
  std::optional<std::string> start();
  // Motors off, clean DISCONNECT (the claw's status stays as last published).
  void stop();
  // Wire the Gpio's switch handler here.
  void on_switch(Switch which, bool pressed);

  const ClawMachine& machine() const { return machine_; }
  // The metrics port (0 when off).
  std::uint16_t metrics_port() const { return metrics_http_ ? metrics_http_->port() : 0; }

 private:
  void on_message(std::string_view channel, std::string_view payload);
  void on_link(bool up);
  void on_subscribed(std::string_view channel, bool granted);
  void carry_out();
  void log_machine_line(std::string_view text);

  Gpio& gpio_;
  LogFunction log_;
  ClawMachine machine_;
  DeadlineTimer timer_;
  std::unique_ptr<Transport> transport_;
  ClawcabMetrics metrics_;
  std::unique_ptr<HttpServer> metrics_http_;  // Null when metrics.port is 0.
  // When the message being handled was read: its GPIO writes are timed from it.
  std::optional<std::chrono::steady_clock::time_point> message_read_at_;
  LogAggregator rejections_;
  DeadlineTimer flush_timer_;
};

}  // namespace clawnet::prod
