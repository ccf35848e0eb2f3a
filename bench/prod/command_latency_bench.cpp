// Command-to-GPIO latency: a player's MQTT publish of a motion command, through
// a local mosquitto, clawcab's driver and ClawMachine, to the (simulated) GPIO
// line being set. Prints p50 / p99 / max over `samples` commands.
// Usage: prod_command_latency_bench [samples]   (default 500)
#include "prod/clawcab_driver.hpp"
#include "prod/gpio_simulated.hpp"
#include "prod/mqtt_transport.hpp"
#include "prod/topics.hpp"

#include "core/limits.hpp"
#include "core/protocol.hpp"
#include "tests/prod/broker_process.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>
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

// The sample count from the command line (default 500), or nullopt if it is bad.
std::optional<std::size_t> parse_samples(int argc, char** argv) {
  std::size_t samples = 500;
  if (argc != 2) return samples;
  const std::string_view text = argv[1];
  if (std::from_chars(text.data(), text.data() + text.size(), samples).ec != std::errc{} || samples < 10) {
    return std::nullopt;
  }
  return samples;
}

// The player's side: numbered commands of turn 1 on its channel's topic.
struct PlayerLink {
  MqttTransport& transport;
  std::string topic;
  Seq seq = 0;
  void send(CommandKind kind) { transport.publish(topic, encode(Command{kind, 1, ++seq}), 1, false); }
};

// Waits until the claw is Ready and both clients are up, then gives the
// player turn 1 and waits for its control message. False on a timeout.
bool start_turn(boost::asio::io_context& io, ClawcabDriver& clawcab, MqttTransport& server, MqttTransport& player,
                const std::string& channel, const bool& granted) {
  if (!run_until(io, [&] { return clawcab.machine().state_name() == "Ready" && server.link_up() && player.link_up(); })) {
    std::fprintf(stderr, "the claw did not become ready (state %s)\n", std::string(clawcab.machine().state_name()).c_str());
    return false;
  }
  server.publish("clawnet/clawcomm", encode(ChannelListen{channel, 1, limits::turn_duration_ms_max}), 1, false);
  if (!run_until(io, [&] { return granted; })) {
    std::fprintf(stderr, "no control granted (state %s)\n", std::string(clawcab.machine().state_name()).c_str());
    return false;
  }
  return true;
}

// Leaves the left end first (its switch refuses "left").
void leave_left_end(boost::asio::io_context& io, PlayerLink& player, const SimulatedGpio& gpio) {
  player.send(CommandKind::right_on);
  const auto moved = Clock::now() + std::chrono::milliseconds(300);
  run_until(io, [&] { return Clock::now() >= moved; });
  player.send(CommandKind::right_off);
  run_until(io, [&] { return !gpio.motor_on(Motor::gantry_right); });
}

// One command toward the middle (so no end switch is ever reached): the time
// from its publish to the GPIO line, or nullopt if the line was never set.
// Returns after the pause that keeps the next command under the rate limit.
std::optional<double> one_latency_us(boost::asio::io_context& io, PlayerLink& player, const SimulatedGpio& gpio) {
  const auto pace = std::chrono::milliseconds(1000 / limits::commands_per_second_max + 2);
  const CabinetView view = gpio.physics().view();
  const bool right = view.x_mm < view.geometry.width_mm / 2;
  const Motor motor = right ? Motor::gantry_right : Motor::gantry_left;
  const auto sent = Clock::now();
  player.send(right ? CommandKind::right_on : CommandKind::left_on);
  if (!run_until(io, [&] { return gpio.motor_on(motor); })) return std::nullopt;
  const double latency_us = std::chrono::duration<double, std::micro>(Clock::now() - sent).count();
  player.send(right ? CommandKind::right_off : CommandKind::left_off);
  run_until(io, [&] { return !gpio.motor_on(motor); });
  const auto next = sent + 2 * pace;
  run_until(io, [&] { return Clock::now() >= next; });
  return latency_us;
}

void report_lost_command(std::size_t index, const ClawcabDriver& clawcab, const SimulatedGpio& gpio) {
  const ClawCounters& c = clawcab.machine().counters();
  std::fprintf(stderr, "command %zu never reached the GPIO (state %s, rate limited %llu, rejected %llu, limit stops %llu)\n",
               index, std::string(clawcab.machine().state_name()).c_str(), static_cast<unsigned long long>(c.rate_limited),
               static_cast<unsigned long long>(c.rejected_messages), static_cast<unsigned long long>(gpio.limit_stops()));
}

void print_latencies(const std::vector<double>& latencies_us) {
  std::printf("command-to-GPIO latency over %zu commands (local mosquitto, QoS 1, simulated GPIO):\n",
              latencies_us.size());
  std::printf("  p50 %.0f us   p99 %.0f us   max %.0f us\n", percentile(latencies_us, 0.50),
              percentile(latencies_us, 0.99), percentile(latencies_us, 1.0));
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<std::size_t> samples = parse_samples(argc, argv);
  if (!samples) {
    std::fprintf(stderr, "usage: prod_command_latency_bench [samples >= 10]\n");
    return 2;
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
  SimulatedGpio gpio(io, CabinetConfig{}, 1, [&](Switch which, bool pressed) {
    if (driver != nullptr) driver->on_switch(which, pressed);
  });
  ClawcabDriver clawcab(io, config, gpio, [](std::string_view) {});
  driver = &clawcab;

  const std::string channel = "p-00112233445566778899aabbccddeeff";
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
  MqttTransport player_transport(io, options, callbacks);
  PlayerLink player{player_transport, *TopicMap("clawnet").topic_of(channel)};
  player_transport.subscribe(player.topic, 1);
  options.client_id = "bench-server";
  MqttTransport server(io, options, {});
  player_transport.start();
  server.start();
  clawcab.start();
  if (!start_turn(io, clawcab, server, player_transport, channel, granted)) return 1;

  leave_left_end(io, player, gpio);
  std::vector<double> latencies_us;
  for (std::size_t i = 0; i < *samples; ++i) {
    const std::optional<double> latency_us = one_latency_us(io, player, gpio);
    if (!latency_us) {
      report_lost_command(i, clawcab, gpio);
      return 1;
    }
    latencies_us.push_back(*latency_us);
  }
  print_latencies(latencies_us);
  clawcab.stop();
  return 0;
}
