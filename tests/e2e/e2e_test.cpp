// End to end (issues 5 and 13), on each transport: the real clawd and clawcab
// (simulated GPIO) and players as separate processes, on MQTT (mosquitto with
// the shipped rules, players on a real MQTT client) and on PubNub (the
// PubNub-protocol fixture, players on the official PubNub SDK). Each test builds
// its own Cluster; everything is stopped by PID. Skips only when mosquitto (or,
// for PubNub, node) is missing.
#include "tests/e2e/cluster_test.hpp"
#include "tests/prod/broker_process.hpp"

#include <gtest/gtest.h>

#include <iostream>

namespace clawnet::e2e {
namespace {

using namespace std::chrono_literals;

// MQTT: the documented presence timeout (docs/deploy.md, "Presence"): 1.5 x the
// broker's max_keepalive of 10 s. A killed client's will fires at once.
constexpr auto mqtt_presence_timeout = 15s;
// A silent client (no FIN, no RST) is noticed by the broker's keepalive check
// alone. Mosquitto 2.0's check (keepalive.c) runs only when 5 whole seconds have
// passed since the last one, and drops a client whose silence is more than
// 1.5 x keepalive in whole seconds: up to 15 + 1 + 6 s. Measured on 2.0.11:
// 16.4 to 20.5 s after the client froze.
constexpr auto mqtt_silent_presence_timeout = mqtt_presence_timeout + 7s;
// PubNub: a killed client's presence times out pubnub_heartbeat_s after its last
// heartbeat (one a second); a frozen one's only once its held poll has ended too
// (PubNub counts a held subscribe as a heartbeat).
constexpr auto pubnub_presence_timeout = std::chrono::seconds(pubnub_heartbeat_s + 1);
constexpr auto pubnub_silent_presence_timeout =
    std::chrono::seconds(pubnub_subscribe_timeout_s + pubnub_heartbeat_s + 1);
constexpr auto hand_over_allowance = 2s;
// From the moment we kill or freeze a peer to the moment we read clawcab's log
// line: pipe and scheduling delay on top of the dead-man bound itself.
constexpr auto observation_allowance = 300ms;

class EndToEndTest : public ClusterTest, public ::testing::WithParamInterface<ClusterTransport> {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    if (pubnub() && prod::testing::find_node().empty()) GTEST_SKIP() << "node not found: install Node.js";
  }
  bool pubnub() const { return GetParam() == ClusterTransport::pubnub; }
  void start(ClusterOptions options) {
    options.transport = GetParam();
    ClusterTest::start(options);
  }
  std::chrono::seconds presence_timeout() const { return pubnub() ? pubnub_presence_timeout : mqtt_presence_timeout; }
  std::chrono::seconds silent_presence_timeout() const {
    return pubnub() ? pubnub_silent_presence_timeout : mqtt_silent_presence_timeout;
  }

  // Holds `direction` until clawcab's GPIO reports its motor on; returns that line.
  std::optional<std::size_t> hold_until_motor_on(Player& player, const std::string& direction) {
    const std::size_t from = cluster_->clawcab().line_count();
    player.process->write_line("hold " + direction + "On");
    return clawcab_line("gpio: motor gantry_" + direction + " on", from);
  }
};

TEST_P(EndToEndTest, TurnsComeInJoinOrder) {
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 3000}));
  // All three join before any is present, so each is told the places ahead of it.
  std::vector<Player> players;
  for (int i = 0; i < 3; ++i) players.push_back(cluster_->join_only());
  ASSERT_FALSE(HasFailure());
  for (std::size_t i = 0; i < players.size(); ++i) EXPECT_EQ(players[i].position, i);
  // Present in join order, so none is skipped as absent when its turn comes.
  for (Player& player : players) cluster_->connect(player);
  ASSERT_FALSE(HasFailure());

  std::vector<Clock::time_point> granted;
  for (Player& player : players) {
    const auto index = player.wait_control();
    ASSERT_TRUE(index.has_value()) << player.channel << " never got control\n" << cluster_->logs();
    granted.push_back(player.process->lines().at(*index).read_at);
  }
  EXPECT_LT(granted[0], granted[1]);
  EXPECT_LT(granted[1], granted[2]);
}

TEST_P(EndToEndTest, CommandsMoveTheSimulatedGantry) {
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 20000}));
  Player player = cluster_->join();
  ASSERT_TRUE(player.wait_control().has_value()) << cluster_->logs();
  // The gantry starts home, pressing limit_left: going right releases it.
  const auto right_on = hold_until_motor_on(player, "right");
  ASSERT_TRUE(right_on.has_value()) << "no motor line: clawcab must log its GPIO changes\n" << cluster_->logs();
  ASSERT_TRUE(clawcab_line("gpio: switch limit_left released", *right_on).has_value()) << cluster_->logs();
  std::size_t from = cluster_->clawcab().line_count();
  player.process->write_line("release rightOff");
  ASSERT_TRUE(clawcab_line("gpio: motor gantry_right off", from).has_value()) << cluster_->logs();
  // And back: going left presses limit_left again, which stops the motor.
  const auto left_on = hold_until_motor_on(player, "left");
  ASSERT_TRUE(left_on.has_value()) << "no motor line: clawcab must log its GPIO changes\n" << cluster_->logs();
  const auto home = clawcab_line("gpio: switch limit_left pressed", *left_on);
  ASSERT_TRUE(home.has_value()) << cluster_->logs();
  player.process->write_line("release leftOff");
  EXPECT_TRUE(motors_on(cluster_->clawcab().lines(), *home + 1).empty());
}

TEST_P(EndToEndTest, KilledPlayersTurnPassesOnWithinThePresenceTimeout) {
  // A turn far longer than the presence timeout: only presence can end it in time.
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 60000}));
  Player first = cluster_->join();
  Player second = cluster_->join();
  ASSERT_TRUE(first.wait_control().has_value()) << cluster_->logs();
  const auto killed_at = Clock::now();
  first.process->kill9();
  const auto granted = second.wait_control(0, presence_timeout() + 5s);
  ASSERT_TRUE(granted.has_value()) << "the turn did not pass on\n" << cluster_->logs();
  EXPECT_LE(second.process->lines().at(*granted).read_at - killed_at, presence_timeout() + hand_over_allowance)
      << std::chrono::duration_cast<std::chrono::milliseconds>(second.process->lines().at(*granted).read_at - killed_at)
             .count()
      << " ms";
}

TEST_P(EndToEndTest, SilentPlayersTurnPassesOnWithinThePresenceTimeout) {
  // A frozen client (a lost network, a suspended laptop): its socket stays open,
  // so only the broker's keepalive check (MQTT) or the missing heartbeats (PubNub)
  // tell. The turn is far longer, so only presence can end it in time.
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 60000}));
  Player first = cluster_->join();
  Player second = cluster_->join();
  ASSERT_TRUE(first.wait_control().has_value()) << cluster_->logs();
  const auto frozen_at = Clock::now();
  first.process->freeze();
  const auto granted = second.wait_control(0, silent_presence_timeout() + 10s);
  ASSERT_TRUE(granted.has_value()) << "the turn did not pass on\n" << cluster_->logs();
  EXPECT_LE(second.process->lines().at(*granted).read_at - frozen_at,
            silent_presence_timeout() + hand_over_allowance);
}

TEST_P(EndToEndTest, BrokerRefusesPublishesOutsideThePlayersChannel) {
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 60000}));
  Player mallory = cluster_->join();
  Player victim = cluster_->join();
  const auto publish = [&](const std::string& topic, const std::string& payload) {
    const std::size_t from = mallory.process->line_count();
    mallory.process->write_line("pub " + topic + " " + payload);
    return mallory.wait_puback(topic, from);
  };
  // MQTT's reason "not authorized"; PubNub's Access Manager answers 403.
  const int not_authorized = pubnub() ? 403 : 0x87;
  EXPECT_EQ(publish(victim.topic(), R"({"command":"drop","turn":1,"seq":1})"), not_authorized);
  EXPECT_EQ(publish(mallory.lobby, R"({"claw":"CLAW_OFFLINE"})"), not_authorized);
  if (pubnub()) {
    // The secure channel is on its own key set: on the players' it is just refused.
    EXPECT_EQ(publish("clawnet.clawcomm", R"({"status":"CLAW_READY","turn":0})"), not_authorized);
  } else {
    EXPECT_EQ(publish("clawnet/clawcomm", R"({"status":"CLAW_READY","turn":0})"), not_authorized);
    EXPECT_EQ(publish("clawnet/clawcomm/status", R"({"status":"CLAW_OFFLINE"})"), not_authorized);
    EXPECT_EQ(publish("clawnet/presence/" + victim.channel, "leave"), not_authorized);
  }
  // Its own channel is open to it: the refusals above are the rules, not a dead link.
  const auto own = publish(mallory.topic(), R"({"command":"upOff","turn":1,"seq":1})");
  ASSERT_TRUE(own.has_value());
  EXPECT_EQ(*own, pubnub() ? 200 : 0);
}

TEST_P(EndToEndTest, KilledClawdRestartsWithTheQueueIntactAndInOrder) {
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 3000}));
  std::vector<Player> players;
  for (int i = 0; i < 3; ++i) players.push_back(cluster_->join());
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(players[0].wait_control().has_value()) << cluster_->logs();
  const auto before = cluster_->status();
  ASSERT_TRUE(before.has_value());

  cluster_->clawd().kill9();
  const auto error = cluster_->start_clawd();
  ASSERT_FALSE(error.has_value()) << *error;
  const auto after = cluster_->status();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->at("queue_length"), before->at("queue_length")) << *before << " vs " << *after;
  EXPECT_EQ(after->at("turn"), before->at("turn")) << *before << " vs " << *after;

  // The rest of the queue is served in join order by the restarted clawd.
  const auto second = players[1].wait_control();
  const auto third = players[2].wait_control();
  ASSERT_TRUE(second.has_value() && third.has_value()) << cluster_->logs();
  EXPECT_LT(players[1].process->lines().at(*second).read_at, players[2].process->lines().at(*third).read_at);
}

TEST_P(EndToEndTest, KilledClawcabMarksTheClawOfflineAndPausesTheQueue) {
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 4000}));
  Player first = cluster_->join();
  Player second = cluster_->join();
  ASSERT_TRUE(first.wait_control().has_value()) << cluster_->logs();
  const auto before = cluster_->status();
  ASSERT_TRUE(before.has_value());

  const std::size_t lobby_from = second.process->line_count();
  cluster_->clawcab().kill9();
  const auto offline = second.process->wait_for_line(
      [&](const std::string& line) { return line == "msg " + second.lobby + R"( {"claw":"CLAW_OFFLINE"})"; },
      wait_limit, lobby_from);
  ASSERT_TRUE(offline.has_value()) << cluster_->logs();
  ASSERT_TRUE(cluster_->wait_status([](const boost::json::object& s) { return !s.at("claw_online").as_bool(); }))
      << cluster_->logs();
  // Paused: the waiting player keeps its place and is not handed a dead claw.
  const auto paused = cluster_->status();
  ASSERT_TRUE(paused.has_value());
  EXPECT_EQ(paused->at("queue_length"), before->at("queue_length")) << *before << " vs " << *paused;
  EXPECT_FALSE(second.wait_control(0, 0ms).has_value());

  // The claw comes back: the lobby hears it and the queue moves on.
  ASSERT_FALSE(cluster_->start_clawcab().has_value()) << cluster_->logs();
  const auto ready = second.process->wait_for_line(
      [&](const std::string& line) { return line.starts_with("msg " + second.lobby + R"( {"claw":"CLAW_READY")"); },
      wait_limit, *offline);
  EXPECT_TRUE(ready.has_value()) << cluster_->logs();
  EXPECT_TRUE(second.wait_control().has_value()) << cluster_->logs();
}

TEST_P(EndToEndTest, MotorsStopWithinTheDeadmanBoundWhenTheControllerDies) {
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 20000}));
  Player player = cluster_->join();
  ASSERT_TRUE(player.wait_control().has_value()) << cluster_->logs();
  const auto on = hold_until_motor_on(player, "right");
  ASSERT_TRUE(on.has_value()) << "no motor line: clawcab must log its GPIO changes\n" << cluster_->logs();
  const auto killed_at = Clock::now();
  player.process->kill9();
  const auto off = clawcab_line("gpio: motor gantry_right off", *on);
  ASSERT_TRUE(off.has_value()) << cluster_->logs();
  const auto lines = cluster_->clawcab().lines();
  EXPECT_LE(lines.at(*off).read_at - killed_at, std::chrono::milliseconds(cluster_->options().deadman_ms) +
                                                     observation_allowance);
  EXPECT_TRUE(motors_on(lines, *off + 1).empty());
}

TEST_P(EndToEndTest, MotorsStopWithinTheDeadmanBoundWhenTheServerIsLost) {
  ASSERT_NO_FATAL_FAILURE(start({.turn_ms = 20000}));
  Player player = cluster_->join();
  ASSERT_TRUE(player.wait_control().has_value()) << cluster_->logs();
  const auto on = hold_until_motor_on(player, "right");
  ASSERT_TRUE(on.has_value()) << "no motor line: clawcab must log its GPIO changes\n" << cluster_->logs();
  // A frozen broker (or PubNub): every socket stays open, nothing is delivered.
  // Only the cabinet's own dead-man can stop the motor.
  const auto frozen_at = Clock::now();
  cluster_->broker().freeze();
  const auto off = clawcab_line("gpio: motor gantry_right off", *on);
  cluster_->broker().thaw();
  ASSERT_TRUE(off.has_value()) << cluster_->logs();
  const auto lines = cluster_->clawcab().lines();
  EXPECT_LE(lines.at(*off).read_at - frozen_at, std::chrono::milliseconds(cluster_->options().deadman_ms) +
                                                     observation_allowance);
  EXPECT_TRUE(motors_on(lines, *off + 1).empty());
  EXPECT_TRUE(clawcab_line("dead-man", *on, 2s).has_value()) << cluster_->logs();
}

INSTANTIATE_TEST_SUITE_P(Transports, EndToEndTest,
                         ::testing::Values(ClusterTransport::mqtt, ClusterTransport::pubnub),
                         [](const ::testing::TestParamInfo<ClusterTransport>& transport) {
                           return transport.param == ClusterTransport::pubnub ? "pubnub" : "mqtt";
                         });

}  // namespace
}  // namespace clawnet::e2e
