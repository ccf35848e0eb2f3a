// The daemons' drivers on a real mosquitto (open development rules), with the
// real machines, the simulated cabinet and a real SQLite store.
#include "prod/clawcab_driver.hpp"
#include "prod/clawd_driver.hpp"
#include "prod/gpio_simulated.hpp"
#include "prod/topics.hpp"

#include "core/protocol.hpp"
#include "store/queue_store.hpp"
#include "tests/prod/broker_process.hpp"
#include "tests/prod/http_client.hpp"
#include "tests/prod/mqtt_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>

namespace clawnet::prod {
namespace {

using testing::BrokerProcess;
using testing::run_until;

// A test-side MQTT client standing in for the other daemon or a player.
struct Peer {
  Peer(boost::asio::io_context& io, std::uint16_t port, std::string client_id) {
    MqttOptions options;
    options.port = port;
    options.client_id = std::move(client_id);
    options.reconnect_min_ms = 20;
    options.reconnect_max_ms = 200;
    MqttCallbacks callbacks;
    callbacks.on_message = [this](std::string_view topic, std::string_view payload) {
      const DecodeResult decoded = decode(payload);
      if (const auto* message = std::get_if<Message>(&decoded)) messages.emplace_back(std::string(topic), *message);
    };
    callbacks.on_subscribed = [this](std::string_view, bool) { subscribed += 1; };
    transport = std::make_unique<MqttTransport>(io, options, callbacks);
  }
  template <class T>
  std::optional<T> last(std::string_view topic) const {
    for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
      if (it->first != topic) continue;
      if (const auto* value = std::get_if<T>(&it->second)) return *value;
    }
    return std::nullopt;
  }
  std::vector<std::pair<std::string, Message>> messages;
  int subscribed = 0;
  std::unique_ptr<MqttTransport> transport;
};

// Every message on the topics it subscribes to, payloads as they are (presence is not JSON).
struct RawPeer {
  RawPeer(boost::asio::io_context& io, std::uint16_t port, std::string client_id) {
    MqttOptions options;
    options.port = port;
    options.client_id = std::move(client_id);
    MqttCallbacks callbacks;
    callbacks.on_message = [this](std::string_view topic, std::string_view payload) {
      messages.emplace_back(std::string(topic), std::string(payload));
    };
    callbacks.on_subscribed = [this](std::string_view, bool) { subscribed += 1; };
    transport = std::make_unique<MqttTransport>(io, options, callbacks);
  }
  bool received(std::string_view topic, std::string_view payload) const {
    return std::any_of(messages.begin(), messages.end(),
                       [&](const auto& message) { return message.first == topic && message.second == payload; });
  }
  std::vector<std::pair<std::string, std::string>> messages;
  int subscribed = 0;
  std::unique_ptr<MqttTransport> transport;
};

class DriversTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::find_mosquitto().empty()) GTEST_SKIP() << "mosquitto binary not found: install mosquitto";
    const auto error = broker_.start("allow_anonymous true\n");
    ASSERT_FALSE(error.has_value()) << *error;
    config_.broker.port = broker_.port();
    config_.broker.player_accounts = false;
    config_.broker.reconnect_min_ms = 20;
    config_.http.port = 0;
    config_.store.path = (broker_.directory() / "queue.sqlite3").string();
  }
  void log(std::string_view text) { log_.emplace_back(text); }

  boost::asio::io_context io_;
  BrokerProcess broker_;
  Config config_;
  TopicMap topics_{"clawnet"};
  std::vector<std::string> log_;
};

TEST_F(DriversTest, ClawcabObeysTheListenedChannelAndDrivesTheGpio) {
  ClawcabDriver* driver = nullptr;
  SimulatedGpio gpio(io_, CabinetConfig{}, 1, [&](Switch which, bool pressed) {
    if (driver != nullptr) driver->on_switch(which, pressed);
  });
  ClawcabDriver clawcab(io_, config_, gpio, [this](std::string_view text) { log(text); });
  driver = &clawcab;

  Peer server(io_, broker_.port(), "t-server");
  const std::string secure = "clawnet/clawcomm";
  server.transport->subscribe(secure, 1);
  server.transport->subscribe(topics_.claw_status_topic(), 1);
  server.transport->start();
  ASSERT_TRUE(run_until(io_, [&] { return server.subscribed == 2; }));
  clawcab.start();
  // Boot, home and release in real time, then CLAW_READY (mirrored, retained).
  ASSERT_TRUE(run_until(io_, [&] {
    auto status = server.last<ClawStatusMessage>(topics_.claw_status_topic());
    return status.has_value() && status->status == ClawStatus::ready;
  })) << clawcab.machine().state_name();

  const std::string channel = "p-00112233445566778899aabbccddeeff";
  const std::string player_topic = *topics_.topic_of(channel);
  Peer player(io_, broker_.port(), channel);
  player.transport->subscribe(player_topic, 1);
  player.transport->start();
  ASSERT_TRUE(run_until(io_, [&] { return player.subscribed == 1; }));

  server.transport->publish(secure, encode(ChannelListen{channel, 1, 30'000}), 1, false);
  ASSERT_TRUE(run_until(io_, [&] {
    auto control = player.last<Control>(player_topic);
    return control.has_value() && control->granted;
  })) << clawcab.machine().state_name();

  player.transport->publish(player_topic, encode(Command{CommandKind::right_on, 1, 1}), 1, false);
  ASSERT_TRUE(run_until(io_, [&] { return gpio.motor_on(Motor::gantry_right); }));
  EXPECT_TRUE(gpio.physics().motor_on(Motor::gantry_right));
  // No refresh: the dead-man turns it off.
  EXPECT_TRUE(run_until(io_, [&] { return !gpio.motor_on(Motor::gantry_right); }));
  EXPECT_GE(clawcab.machine().counters().deadman_trips, 1u);
  clawcab.stop();
}

TEST_F(DriversTest, ClawdAnswersJoinsDurablyAndOpensATurn) {
  std::string channel;
  {
    auto opened = ClawdDriver::open(io_, config_, [this](std::string_view text) { log(text); });
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<ClawdDriver>>(opened)) << std::get<std::string>(opened);
    ClawdDriver& clawd = *std::get<std::unique_ptr<ClawdDriver>>(opened);
    ASSERT_FALSE(clawd.start().has_value());

    Peer claw(io_, broker_.port(), "t-claw");
    claw.transport->subscribe("clawnet/clawcomm", 1);
    claw.transport->start();
    ASSERT_TRUE(run_until(io_, [&] { return claw.subscribed == 1; }));
    ASSERT_TRUE(run_until(io_, [&] { return clawd.status().at("broker_link").as_bool(); }));

    auto reply = std::async(std::launch::async, [port = clawd.http_port()] {
      return testing::exchange(port, testing::post_join_request());
    });
    ASSERT_TRUE(run_until(io_, [&] { return reply.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }));
    const testing::HttpReply answer = reply.get();
    ASSERT_EQ(answer.status, 200) << answer.body;
    channel = std::string(answer.json().at("channel").as_string());
    EXPECT_TRUE(is_player_channel(channel));
    EXPECT_EQ(answer.json().at("position").to_number<std::uint64_t>(), 0u);

    // The player is present, the claw is online and ready: the server opens a turn.
    Peer player(io_, broker_.port(), channel);
    player.transport->start();
    ASSERT_TRUE(run_until(io_, [&] { return player.transport->link_up(); }));
    player.transport->publish(topics_.presence_topic(channel), "join", 1, false);
    claw.transport->publish(topics_.claw_status_topic(), encode(ClawStatusMessage{ClawStatus::ready, 0, {}}), 1, true);
    claw.transport->publish("clawnet/clawcomm", encode(ClawStatusMessage{ClawStatus::ready, 0, {}}), 1, false);
    EXPECT_TRUE(run_until(io_, [&] {
      auto listen = claw.last<ChannelListen>("clawnet/clawcomm");
      return listen.has_value() && listen->channel == channel;
    })) << clawd.machine().state_name();
    clawd.stop();
  }
  // The join was committed: a restart finds it.
  auto store = QueueStore::open(config_.store.path);
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<QueueStore>>(store));
  auto loaded = std::get<std::unique_ptr<QueueStore>>(store)->load();
  ASSERT_TRUE(std::holds_alternative<StoredQueue>(loaded));
  const StoredQueue& queue = std::get<StoredQueue>(loaded);
  const bool waiting = !queue.waiting.empty() && queue.waiting.front().channel == channel;
  const bool playing = queue.open_turn.has_value() && queue.open_turn->player.channel == channel;
  EXPECT_TRUE(waiting || playing);
}

// The broker keeps no presence of a player who is gone: clawd clears a departed
// player's retained presence, and one left by a player it never knew of.
TEST_F(DriversTest, ClawdClearsTheRetainedPresenceOfPlayersNoLongerQueued) {
  config_.server.grace_ms = 100;
  auto opened = ClawdDriver::open(io_, config_, [this](std::string_view text) { log(text); });
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<ClawdDriver>>(opened)) << std::get<std::string>(opened);
  ClawdDriver& clawd = *std::get<std::unique_ptr<ClawdDriver>>(opened);
  RawPeer watcher(io_, broker_.port(), "t-watcher");
  watcher.transport->subscribe("clawnet/presence/+", 1);
  watcher.transport->start();
  ASSERT_TRUE(run_until(io_, [&] { return watcher.subscribed == 1; }));
  // A presence from before clawd started, of a channel no store knows.
  RawPeer stranger(io_, broker_.port(), "t-stranger");
  stranger.transport->start();
  ASSERT_TRUE(run_until(io_, [&] { return stranger.transport->link_up(); }));
  const std::string stale = topics_.presence_topic("p-0123456789abcdef0123456789abcdef");
  stranger.transport->publish(stale, "timeout", 1, true);
  ASSERT_TRUE(run_until(io_, [&] { return watcher.received(stale, "timeout"); }));
  ASSERT_FALSE(clawd.start().has_value());
  EXPECT_TRUE(run_until(io_, [&] { return watcher.received(stale, ""); })) << "cleared at start";

  // A player joins, shows its presence (retained), goes away, and its grace runs out.
  auto reply = std::async(std::launch::async, [port = clawd.http_port()] {
    return testing::exchange(port, testing::post_join_request());
  });
  ASSERT_TRUE(run_until(io_, [&] { return reply.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }));
  const testing::HttpReply answer = reply.get();
  ASSERT_EQ(answer.status, 200) << answer.body;
  const std::string channel(answer.json().at("channel").as_string());
  const std::string presence = topics_.presence_topic(channel);
  RawPeer player(io_, broker_.port(), channel);
  player.transport->start();
  ASSERT_TRUE(run_until(io_, [&] { return player.transport->link_up(); }));
  player.transport->publish(presence, "join", 1, true);
  ASSERT_TRUE(run_until(io_, [&] { return clawd.snapshot().players_present == 1; }));
  EXPECT_FALSE(watcher.received(presence, "")) << "a queued player's presence stays";
  player.transport->publish(presence, "leave", 1, true);
  ASSERT_TRUE(run_until(io_, [&] { return clawd.snapshot().queue_length == 0; }));
  EXPECT_TRUE(run_until(io_, [&] { return watcher.received(presence, ""); })) << "cleared at its departure";
  EXPECT_EQ(clawd.snapshot().presence_cleared, 2U);
  clawd.stop();
}

}  // namespace
}  // namespace clawnet::prod
