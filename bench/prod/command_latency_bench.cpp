// Command-to-GPIO latency: a player's publish of a motion command, through the
// network (a local mosquitto, or the PubNub fixture with the deployment's key sets
// and an Access Manager token), clawcab's driver and ClawMachine, to the
// (simulated) GPIO line being set. Prints p50 / p99 / max over `samples` commands
// for each network.
// Usage: prod_command_latency_bench [samples] [mqtt|pubnub|both]   (500 both)
#include "prod/clawcab_driver.hpp"
#include "prod/gpio_simulated.hpp"
#include "prod/mqtt_transport.hpp"
#include "prod/pubnub_client.hpp"
#include "prod/topics.hpp"

#include "core/limits.hpp"
#include "core/protocol.hpp"
#include "tests/prod/broker_process.hpp"
#include "tests/prod/pubnub_fixture_process.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

struct Arguments {
  std::size_t samples = 500;
  std::string_view networks = "both";  // mqtt | pubnub | both
};

// [samples] [mqtt|pubnub|both], or nullopt if one is bad.
std::optional<Arguments> parse_arguments(int argc, char** argv) {
  Arguments arguments;
  if (argc > 3) return std::nullopt;
  if (argc >= 2) {
    const std::string_view text = argv[1];
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), arguments.samples);
    if (error != std::errc{} || end != text.data() + text.size() || arguments.samples < 10) return std::nullopt;
  }
  if (argc == 3) arguments.networks = argv[2];
  if (arguments.networks != "mqtt" && arguments.networks != "pubnub" && arguments.networks != "both") return std::nullopt;
  return arguments;
}

// The two parties besides clawcab, on one transport: the server, which gives the
// player turn 1 on the secure channel, and the player, which sends commands on its
// channel and hears {"control":true} there.
class Network {
 public:
  virtual ~Network() = default;
  virtual std::string_view name() const = 0;
  // Config lines for clawcab to reach this network.
  virtual void configure(Config& config) const = 0;
  virtual void start() = 0;
  virtual bool ready() const = 0;  // Both parties are linked and the player subscribed.
  virtual void give_turn(std::string_view payload) = 0;
  virtual void send_player(std::string_view payload) = 0;
  bool granted = false;
};

constexpr std::string_view player_channel = "p-00112233445566778899aabbccddeeff";

void hear_control(Network& network, std::string_view payload) {
  const DecodeResult decoded = decode(payload);
  if (const auto* message = std::get_if<Message>(&decoded)) {
    if (const auto* control = std::get_if<Control>(message)) network.granted = control->granted;
  }
}

// A local mosquitto, QoS 1.
class MqttNetwork final : public Network {
 public:
  MqttNetwork(boost::asio::io_context& io, std::uint16_t port) : port_(port) {
    MqttOptions options;
    options.port = port;
    options.client_id = std::string(player_channel);
    MqttCallbacks callbacks;
    callbacks.on_message = [this](std::string_view, std::string_view payload) { hear_control(*this, payload); };
    player_ = std::make_unique<MqttTransport>(io, options, callbacks);
    options.client_id = "bench-server";
    server_ = std::make_unique<MqttTransport>(io, options, MqttCallbacks{});
    player_->subscribe(player_topic_, 1);
  }
  std::string_view name() const override { return "local mosquitto, QoS 1"; }
  void configure(Config& config) const override { config.broker.port = port_; }
  void start() override {
    player_->start();
    server_->start();
  }
  bool ready() const override { return player_->link_up() && server_->link_up(); }
  void give_turn(std::string_view payload) override { server_->publish("clawnet/clawcomm", payload, 1, false); }
  void send_player(std::string_view payload) override { player_->publish(player_topic_, payload, 1, false); }

 private:
  std::uint16_t port_;
  std::string player_topic_ = *TopicMap("clawnet").topic_of(std::string(player_channel));
  std::unique_ptr<MqttTransport> player_;
  std::unique_ptr<MqttTransport> server_;
};

// The PubNub fixture (tests/pubnub) with the deployment's two key sets: the server
// signs with the players' secret and grants the player a token, as clawd does.
class PubnubNetwork final : public Network {
 public:
  PubnubNetwork(boost::asio::io_context& io, std::uint16_t port, testing::PubnubKeySet players,
                testing::PubnubKeySet secure)
      : port_(port), players_(std::move(players)), secure_(std::move(secure)) {
    server_secure_ = std::make_unique<PubnubClient>(io, options(secure_, "bench-server", true), PubnubCallbacks{});
    server_players_ = std::make_unique<PubnubClient>(io, options(players_, "bench-server", true), PubnubCallbacks{});
    PubnubCallbacks callbacks;
    callbacks.on_message = [this](std::string_view, std::string_view json, std::string_view) { hear_control(*this, json); };
    callbacks.on_subscribed = [this](std::string_view) { subscribed_ = true; };
    player_ = std::make_unique<PubnubClient>(io, options(players_, std::string(player_channel), false), callbacks);
  }
  std::string_view name() const override { return "PubNub fixture, Access Manager token"; }
  void configure(Config& config) const override {
    config.broker.kind = TransportKind::pubnub;
    config.pubnub.origin = "127.0.0.1";
    config.pubnub.port = port_;
    config.pubnub.tls = false;
    config.pubnub.players = {players_.publish_key, players_.subscribe_key, players_.secret_key};
    config.pubnub.secure = {secure_.publish_key, secure_.subscribe_key, ""};
  }
  void start() override {
    server_secure_->start();
    server_players_->start();
    const std::vector<pubnub::ChannelRights> rights{{"clawnet." + std::string(player_channel),
                                                     pubnub::right_read | pubnub::right_write}};
    server_players_->grant(rights, 60, std::string(player_channel), [this](PubnubClient::Result<std::string> token) {
      if (token.index() == 1) {
        std::fprintf(stderr, "grant: %s\n", std::get<1>(token).c_str());
        return;  // The player never subscribes: start_turn times out and says so.
      }
      player_->set_auth(std::get<0>(token));
      player_->subscribe("clawnet." + std::string(player_channel));
      player_->start();
    });
  }
  // The server only publishes: its clients have no subscribe loop to report a link.
  bool ready() const override { return subscribed_; }
  void give_turn(std::string_view payload) override { server_secure_->publish("clawnet.clawcomm", payload); }
  void send_player(std::string_view payload) override {
    player_->publish("clawnet." + std::string(player_channel), payload);
  }

 private:
  PubnubOptions options(const testing::PubnubKeySet& keys, std::string uuid, bool with_secret) const {
    PubnubOptions options;
    options.origin = "127.0.0.1";
    options.port = port_;
    options.tls = false;
    options.identity = {keys.publish_key, keys.subscribe_key, with_secret ? keys.secret_key : "", std::move(uuid), ""};
    return options;
  }

  std::uint16_t port_;
  testing::PubnubKeySet players_;
  testing::PubnubKeySet secure_;
  bool subscribed_ = false;
  std::unique_ptr<PubnubClient> server_secure_;
  std::unique_ptr<PubnubClient> server_players_;
  std::unique_ptr<PubnubClient> player_;
};

// The player's numbered commands of turn 1.
struct PlayerLink {
  Network& network;
  Seq seq = 0;
  void send(CommandKind kind) { network.send_player(encode(Command{kind, 1, ++seq})); }
};

// Waits until the claw is Ready and both parties are up, then gives the player
// turn 1 and waits for its control message. False on a timeout.
bool start_turn(boost::asio::io_context& io, ClawcabDriver& clawcab, Network& network) {
  if (!run_until(io, [&] { return clawcab.machine().state_name() == "Ready" && network.ready(); })) {
    std::fprintf(stderr, "the claw or the network did not become ready (claw %s)\n",
                 std::string(clawcab.machine().state_name()).c_str());
    return false;
  }
  network.give_turn(encode(ChannelListen{std::string(player_channel), 1, limits::turn_duration_ms_max}));
  if (!run_until(io, [&] { return network.granted; })) {
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

void print_latencies(std::string_view network, const std::vector<double>& latencies_us) {
  std::printf("command-to-GPIO latency over %zu commands (%.*s, simulated GPIO):\n", latencies_us.size(),
              static_cast<int>(network.size()), network.data());
  std::printf("  p50 %.0f us   p99 %.0f us   max %.0f us\n", percentile(latencies_us, 0.50),
              percentile(latencies_us, 0.99), percentile(latencies_us, 1.0));
}

// clawcab on `network`, one turn, `samples` commands; prints the figures. Exit code.
int measure(boost::asio::io_context& io, Network& network, std::size_t samples) {
  Config config;
  network.configure(config);
  config.claw.commands_per_second_max = limits::commands_per_second_max;
  ClawcabDriver* driver = nullptr;
  SimulatedGpio gpio(io, CabinetConfig{}, 1, [&](Switch which, bool pressed) {
    if (driver != nullptr) driver->on_switch(which, pressed);
  });
  ClawcabDriver clawcab(io, config, gpio, [](std::string_view) {});
  driver = &clawcab;
  network.start();
  clawcab.start();
  if (!start_turn(io, clawcab, network)) return 1;

  PlayerLink player{network};
  leave_left_end(io, player, gpio);
  std::vector<double> latencies_us;
  for (std::size_t i = 0; i < samples; ++i) {
    const std::optional<double> latency_us = one_latency_us(io, player, gpio);
    if (!latency_us) {
      report_lost_command(i, clawcab, gpio);
      return 1;
    }
    latencies_us.push_back(*latency_us);
  }
  print_latencies(network.name(), latencies_us);
  clawcab.stop();
  return 0;
}

int measure_mqtt(std::size_t samples) {
  testing::BrokerProcess broker;
  if (auto error = broker.start("allow_anonymous true\n")) {
    std::fprintf(stderr, "broker: %s\n", error->c_str());
    return 1;
  }
  boost::asio::io_context io;
  MqttNetwork network(io, broker.port());
  return measure(io, network, samples);
}

int measure_pubnub(std::size_t samples) {
  const testing::PubnubKeySet players = testing::random_pubnub_keyset(true);
  const testing::PubnubKeySet secure = testing::random_pubnub_keyset(false);
  testing::PubnubFixtureProcess fixture;
  if (auto error = fixture.start({players, secure})) {
    std::fprintf(stderr, "pubnub fixture: %s\n", error->c_str());
    return 1;
  }
  boost::asio::io_context io;
  PubnubNetwork network(io, fixture.port(), players, secure);
  return measure(io, network, samples);
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<Arguments> arguments = parse_arguments(argc, argv);
  if (!arguments) {
    std::fprintf(stderr, "usage: prod_command_latency_bench [samples >= 10] [mqtt|pubnub|both]\n");
    return 2;
  }
  if (arguments->networks != "pubnub") {
    if (const int code = measure_mqtt(arguments->samples); code != 0) return code;
  }
  if (arguments->networks != "mqtt") return measure_pubnub(arguments->samples);
  return 0;
}
