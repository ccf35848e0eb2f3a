// ClawcabMetrics: clawcab's Prometheus metrics (docs/deploy.md, "Metrics"),
// served on GET /metrics of its own port when metrics.port is set. Fed by
// ClawcabDriver; no claw logic.
//
//   clawnet_claw_deadman_trips_total          counter  gantry stopped for want of a command refresh
//   clawnet_claw_motor_limit_trips_total      counter  a direction ran claw.motor_on_ms_max
//   clawnet_claw_limit_switch_stops_total     counter  a motor stopped by its end switch
//   clawnet_claw_prizes_detected_total        counter  wins seen by the prize chute sensor
//   clawnet_claw_chute_faults_total           counter  the chute sensor pressed when a drop began or ended
//   clawnet_claw_faults_total                 counter  faults (motors off until reboot)
//   clawnet_claw_commands_accepted_total      counter  player commands obeyed
//   clawnet_claw_rejected_total{reason}       counter  rate_limited | invalid (malformed, wrong channel,
//                                                      turn or seq, motor limit) | unexpected_event
//   clawnet_broker_link                       gauge    1 while connected to the broker, else 0
//   clawnet_claw_command_gpio_seconds         histogram  MQTT message read -> the GPIO write it caused
//
// Contract:
//  - refresh() moves the counters to the machine's counts (read at scrape time).
//  - observe_command_to_gpio() takes one steady-clock duration in microseconds.
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "core/claw_machine.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <memory>

namespace clawnet::prod {

class ClawcabMetrics {
 public:
  ClawcabMetrics();
  ClawcabMetrics(const ClawcabMetrics&) = delete;
  ClawcabMetrics& operator=(const ClawcabMetrics&) = delete;

  void refresh(const ClawCounters& counters, bool broker_link);
  void observe_command_to_gpio(std::int64_t duration_us);

  const prometheus::Registry& registry() const { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Counter& deadman_trips_;
  prometheus::Counter& motor_limit_trips_;
  prometheus::Counter& limit_switch_stops_;
  prometheus::Counter& prizes_detected_;
  prometheus::Counter& chute_faults_;
  prometheus::Counter& faults_;
  prometheus::Counter& commands_accepted_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Counter& rejected_rate_limited_;
  prometheus::Counter& rejected_invalid_;
  prometheus::Counter& rejected_unexpected_event_;
  prometheus::Gauge& broker_link_;
  prometheus::Histogram& command_gpio_seconds_;
};

}  // namespace clawnet::prod
