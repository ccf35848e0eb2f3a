#include "prod/clawcab_metrics.hpp"

#include "prod/metrics_support.hpp"

#include <prometheus/family.h>

#include <algorithm>
#include <string>

namespace clawnet::prod {

namespace {

prometheus::Counter& counter(prometheus::Registry& registry, const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

// Commands reach the GPIO in well under a millisecond unless something is wrong.
const prometheus::Histogram::BucketBoundaries command_buckets_s = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                                   0.005,  0.01,    0.025,  0.05,  0.1};

}  // namespace

ClawcabMetrics::ClawcabMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      deadman_trips_(counter(*registry_, "clawnet_claw_deadman_trips_total",
                             "Gantry stopped for want of a command refresh")),
      motor_limit_trips_(counter(*registry_, "clawnet_claw_motor_limit_trips_total",
                                 "A direction ran its longest continuous time")),
      limit_switch_stops_(counter(*registry_, "clawnet_claw_limit_switch_stops_total",
                                  "Motors stopped by their end switch")),
      prizes_detected_(counter(*registry_, "clawnet_claw_prizes_detected_total", "Wins seen by the prize chute sensor")),
      chute_faults_(counter(*registry_, "clawnet_claw_chute_faults_total",
                            "The prize chute sensor pressed when a drop began or ended")),
      faults_(counter(*registry_, "clawnet_claw_faults_total", "Faults: motors off until reboot")),
      commands_accepted_(counter(*registry_, "clawnet_claw_commands_accepted_total", "Player commands obeyed")),
      rejected_(prometheus::BuildCounter()
                    .Name("clawnet_claw_rejected_total")
                    .Help("Rejected messages and events by reason")
                    .Register(*registry_)),
      rejected_rate_limited_(rejected_.Add({{"reason", "rate_limited"}})),
      rejected_invalid_(rejected_.Add({{"reason", "invalid"}})),
      rejected_unexpected_event_(rejected_.Add({{"reason", "unexpected_event"}})),
      broker_link_(prometheus::BuildGauge()
                       .Name("clawnet_broker_link")
                       .Help("1 while connected to the MQTT broker, else 0")
                       .Register(*registry_)
                       .Add({})),
      command_gpio_seconds_(prometheus::BuildHistogram()
                                .Name("clawnet_claw_command_gpio_seconds")
                                .Help("From an MQTT message read to the GPIO write it caused")
                                .Register(*registry_)
                                .Add({}, command_buckets_s)) {}

void ClawcabMetrics::refresh(const ClawCounters& counters, bool broker_link) {
  set_counter(deadman_trips_, counters.deadman_trips);
  set_counter(motor_limit_trips_, counters.motor_limit_trips);
  set_counter(limit_switch_stops_, counters.limit_switch_stops);
  set_counter(prizes_detected_, counters.prizes_detected);
  set_counter(chute_faults_, counters.chute_faults);
  set_counter(faults_, counters.faults);
  set_counter(commands_accepted_, counters.commands_accepted);
  // rejected_messages counts the rate-limited ones too.
  set_counter(rejected_rate_limited_, counters.rate_limited);
  set_counter(rejected_invalid_, counters.rejected_messages - std::min(counters.rejected_messages, counters.rate_limited));
  set_counter(rejected_unexpected_event_, counters.rejected_events);
  broker_link_.Set(broker_link ? 1 : 0);
}

void ClawcabMetrics::observe_command_to_gpio(std::int64_t duration_us) {
  command_gpio_seconds_.Observe(static_cast<double>(duration_us) / 1e6);
}

}  // namespace clawnet::prod
