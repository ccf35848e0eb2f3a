// Command-to-GPIO latency: a player's MQTT publish of a motion command, through
// a local mosquitto, clawcab's driver and ClawMachine, to the (simulated) GPIO
// line being set. Prints p50 / p99 / max over `samples` commands.
// Usage: prod_command_latency_bench [samples]   (default 500)
#include "prod/clawcab_driver.hpp"
#include "prod/gpio_simulated.hpp"

#include "core/limits.hpp"
#include "core/protocol.hpp"
#include "tests/prod/broker_process.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <string_view>

namespace {

using namespace clawnet;
using namespace clawnet::prod;
using Clock = std::chrono::steady_clock;

// Runs `io` until `done()`; false if `limit` passed first.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    io.run_one_for(std::chrono::milliseconds(50));
  }
  return true;
}

double percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1));
  return values.at(index);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t samples = 500;
  if (argc == 2) {
    const std::string_view text = argv[1];
    if (std::from_chars(text.data(), text.data() + text.size(), samples).ec != std::errc{} || samples < 10) {
      std::fprintf(stderr, "usage: prod_command_latency_bench [samples >= 10]\n");
      return 2;
    }
  }
  testing::BrokerProcess broker;
  if (auto error = broker.start("allow_anonymous true\n")) {
    std::fprintf(stderr, "broker: %s\n", error->c_str());
    return 1;
  }
  Config config;
  config.broker.port = broker.port();
  config.claw.commands_per_second_max = limits::commands_per_second_max;
  boost::asio::io_context io;
  ClawcabDriver* driver = nullptr;
  SimulatedGpio gpio(io, sim::CabinetConfig{}, 1, [&](Switch which, bool pressed) {
    if (driver != nullptr) driver->on_switch(which, pressed);
  });
  ClawcabDriver clawcab(io, config, gpio, [](std::string_view) {});
  driver = &clawcab;

  const TopicMap topics("clawnet");
  const std::string channel = "p-00112233445566778899aabbccddeeff";
  const std::string player_topic = *topics.topic_of(channel);
  bool granted = false;
  MqttOptions options;
  options.port = broker.port();
  options.client_id = channel;
  MqttCallbacks callbacks;
  callbacks.on_message = [&](std::string_view, std::string_view payload) {
    const DecodeResult decoded = decode(payload);
    if (const auto* message = std::get_if<Message>(&decoded)) {
      if (const auto* control = std::get_if<Control>(message)) granted = control->granted;
    }
  };
  MqttTransport player(io, options, callbacks);
  player.subscribe(player_topic, 1);
  options.client_id = "bench-server";
  MqttTransport server(io, options, {});
  player.start();
  server.start();
  clawcab.start();
  if (!run_until(io, [&] { return clawcab.machine().state_name() == "Ready" && server.link_up() && player.link_up(); })) {
    std::fprintf(stderr, "the claw did not become ready (state %s)\n", std::string(clawcab.machine().state_name()).c_str());
    return 1;
  }
  server.publish("clawnet/clawcomm", encode(ChannelListen{channel, 1, limits::turn_duration_ms_max}), 1, false);
  if (!run_until(io, [&] { return granted; })) {
    std::fprintf(stderr, "no control granted (state %s)\n", std::string(clawcab.machine().state_name()).c_str());
    return 1;
  }

  // Leave the left end first (its switch refuses "left"); pace under the rate limit.
  Seq seq = 0;
  player.publish(player_topic, encode(Command{CommandKind::right_on, 1, ++seq}), 1, false);
  const auto moved = Clock::now() + std::chrono::milliseconds(300);
  run_until(io, [&] { return Clock::now() >= moved; });
  player.publish(player_topic, encode(Command{CommandKind::right_off, 1, ++seq}), 1, false);
  run_until(io, [&] { return !gpio.motor_on(Motor::gantry_right); });
  const auto pace = std::chrono::milliseconds(1000 / limits::commands_per_second_max + 2);
  std::vector<double> latencies_us;
  for (std::size_t i = 0; i < samples; ++i) {
    // Head for the middle, so no end switch is ever reached.
    const sim::CabinetView view = gpio.physics().view();
    const bool right = view.x_mm < view.geometry.width_mm / 2;
    const Motor motor = right ? Motor::gantry_right : Motor::gantry_left;
    const CommandKind on = right ? CommandKind::right_on : CommandKind::left_on;
    const CommandKind off = right ? CommandKind::right_off : CommandKind::left_off;
    const auto sent = Clock::now();
    player.publish(player_topic, encode(Command{on, 1, ++seq}), 1, false);
    if (!run_until(io, [&] { return gpio.motor_on(motor); })) {
      const ClawCounters& c = clawcab.machine().counters();
      std::fprintf(stderr, "command %zu never reached the GPIO (state %s, rate limited %llu, rejected %llu, limit stops %llu)\n", i,
                   std::string(clawcab.machine().state_name()).c_str(), static_cast<unsigned long long>(c.rate_limited),
                   static_cast<unsigned long long>(c.rejected_messages), static_cast<unsigned long long>(gpio.limit_stops()));
      return 1;
    }
    latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - sent).count());
    player.publish(player_topic, encode(Command{off, 1, ++seq}), 1, false);
    run_until(io, [&] { return !gpio.motor_on(motor); });
    const auto next = sent + 2 * pace;
    run_until(io, [&] { return Clock::now() >= next; });
  }
  std::printf("command-to-GPIO latency over %zu commands (local mosquitto, QoS 1, simulated GPIO):\n", samples);
  std::printf("  p50 %.0f us   p99 %.0f us   max %.0f us\n", percentile(latencies_us, 0.50),
              percentile(latencies_us, 0.99), percentile(latencies_us, 1.0));
  clawcab.stop();
  return 0;
}
