#include "sim/network.hpp"

#include "core/protocol.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace clawnet::sim {
namespace {

NetworkOptions calm_options() {
  return NetworkOptions{.latency_ms_min = 10,
                        .latency_ms_max = 50,
                        .loss = 0,
                        .duplication = 0,
                        .reorder = 0,
                        .reorder_ms_max = 100,
                        .heartbeat_timeout_ms = 20'000,
                        .link_detect_ms = 3'000,
                        .message_bytes_max = 512};
}

struct Received {
  TimeMs at_ms = 0;
  std::string channel;
  std::string payload;
};

// A network with nodes that record everything they hear.
struct Harness {
  explicit Harness(NetworkOptions options = calm_options(), std::uint64_t seed = 1)
      : network(scheduler, Rng(seed), options) {}

  void add(const std::string& name) {
    NodeCallbacks callbacks;
    callbacks.on_message = [this, name](const std::string& channel, const std::string& payload) {
      messages[name].push_back({scheduler.now(), channel, payload});
      log.push_back(fmt::format("{} {} got {} on {}", scheduler.now(), name, payload, channel));
    };
    callbacks.on_presence = [this, name](const std::string& channel, const std::string& member, PresenceKind kind) {
      const char* kinds[] = {"join", "leave", "timeout"};
      const std::string line = fmt::format("{} {} {}", channel, member, kinds[static_cast<int>(kind)]);
      presence[name].push_back({scheduler.now(), channel, line});
      log.push_back(fmt::format("{} {} presence {}", scheduler.now(), name, line));
    };
    callbacks.on_subscribed = [this, name](const std::string& channel) {
      subscribed[name].push_back({scheduler.now(), channel, ""});
      log.push_back(fmt::format("{} {} subscribed {}", scheduler.now(), name, channel));
    };
    callbacks.on_link = [this, name](bool up) {
      links[name].push_back({scheduler.now(), up ? "up" : "down", ""});
      log.push_back(fmt::format("{} {} link {}", scheduler.now(), name, up ? "up" : "down"));
    };
    ASSERT_TRUE(network.add_node(name, callbacks));
  }

  // Grants `pattern` read+write, subscribes and waits for the handshake.
  void join(const std::string& name, const std::string& channel) {
    network.grant(name, channel, true, true);
    ASSERT_EQ(network.subscribe(name, channel), SubscribeResult::requested);
    run_for(100);
    ASSERT_TRUE(network.is_subscribed(name, channel));
  }

  // The usual cast: a server that watches presence on the player channels, and alice.
  void add_server_watching_alice() {
    add("server");
    add("alice");
    network.grant("server", "p-*", true, true);
    network.watch_presence("server", "p-*");
  }
  void run_for(TimeMs duration_ms) { scheduler.run_until(scheduler.now() + duration_ms); }

  std::vector<std::string> payloads(const std::string& name) {
    std::vector<std::string> result;
    for (const Received& r : messages[name]) result.push_back(r.payload);
    return result;
  }

  Scheduler scheduler;
  Network network;
  std::map<std::string, std::vector<Received>> messages;
  std::map<std::string, std::vector<Received>> presence;  // payload = "channel member kind".
  std::map<std::string, std::vector<Received>> subscribed;
  std::map<std::string, std::vector<Received>> links;     // channel = "up"/"down".
  std::vector<std::string> log;
};

std::vector<std::string> presence_lines(const std::vector<Received>& events) {
  std::vector<std::string> lines;
  for (const Received& e : events) lines.push_back(e.payload);
  return lines;
}

TEST(NetworkOptions, ValidateNamesTheBadField) {
  EXPECT_EQ(validate(calm_options()), std::nullopt);
  NetworkOptions options = calm_options();
  options.loss = 1.5;
  EXPECT_NE(validate(options)->find("loss"), std::string::npos);
  options = calm_options();
  options.latency_ms_max = 5;
  EXPECT_NE(validate(options)->find("latency_ms_max"), std::string::npos);
  options = calm_options();
  options.heartbeat_timeout_ms = 0;
  EXPECT_NE(validate(options)->find("heartbeat_timeout_ms"), std::string::npos);
  options = calm_options();
  options.message_bytes_max = 0;
  EXPECT_NE(validate(options)->find("message_bytes_max"), std::string::npos);
  Scheduler scheduler;
  EXPECT_THROW(Network(scheduler, Rng(1), options), std::invalid_argument);

  Harness h;
  options = calm_options();
  options.reorder = -0.1;
  EXPECT_NE(h.network.set_options(options)->find("reorder"), std::string::npos);
  EXPECT_EQ(h.network.options().reorder, 0.0);  // The old options stay.
  EXPECT_NE(h.network.set_channel_loss("p-*", 2.0), std::nullopt);
}

TEST(Network, DeliversWithinTheLatencyBoundsInOrder) {
  Harness h;
  h.add("alice");
  h.add("bob");
  h.join("alice", "p-1");
  h.join("bob", "p-1");
  std::vector<TimeMs> sent_ms;
  for (int i = 0; i < 200; ++i) {
    sent_ms.push_back(h.scheduler.now());
    ASSERT_EQ(h.network.publish("alice", "p-1", std::to_string(i)), PublishResult::sent);
    h.run_for(i % 3);  // Some messages leave at the same instant.
  }
  h.run_for(1000);
  ASSERT_EQ(h.messages["bob"].size(), 200U);
  for (std::size_t i = 0; i < 200; ++i) {
    EXPECT_EQ(h.messages["bob"][i].payload, std::to_string(i));  // In order without the reorder fault.
    const TimeMs latency_ms = h.messages["bob"][i].at_ms - sent_ms[i];
    EXPECT_GE(latency_ms, 10);
    EXPECT_LE(latency_ms, 50);
  }
  EXPECT_TRUE(h.messages["alice"].empty());  // A publisher does not hear itself.
  EXPECT_EQ(h.network.counters().published, 200U);
  EXPECT_EQ(h.network.counters().delivered, 200U);
}

// Ties run in a shuffled order, yet each subscription's messages arrive in order,
// and two receivers' deliveries at one instant interleave differently.
TEST(Network, StaysFifoPerSubscriptionWithShuffledTies) {
  Harness h;
  h.scheduler.shuffle_ties(7);
  h.add("alice");
  h.add("bob");
  h.add("carol");
  h.join("alice", "p-1");
  h.join("bob", "p-1");
  h.join("carol", "p-1");
  std::vector<std::string> arrivals;
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(h.network.publish("alice", "p-1", std::to_string(i)), PublishResult::sent);
    if (i % 4 == 0) h.run_for(1);  // Most messages leave at the same instant, and many arrive together.
  }
  h.run_for(1000);
  for (const char* receiver : {"bob", "carol"}) {
    ASSERT_EQ(h.messages[receiver].size(), 200U) << receiver;
    for (std::size_t i = 0; i < 200; ++i) EXPECT_EQ(h.messages[receiver][i].payload, std::to_string(i)) << receiver;
  }
}

TEST(Network, FullLossDeliversNothing) {
  NetworkOptions options = calm_options();
  options.loss = 1.0;
  Harness h(options);
  h.add("alice");
  h.add("bob");
  h.join("alice", "p-1");
  h.join("bob", "p-1");
  for (int i = 0; i < 50; ++i) h.network.publish("alice", "p-1", "x");
  h.run_for(1000);
  EXPECT_TRUE(h.messages["bob"].empty());
  EXPECT_EQ(h.network.counters().lost, 50U);
  EXPECT_EQ(h.network.counters().delivered, 0U);
}

TEST(Network, ChannelLossOverridesTheMostSpecificPattern) {
  Harness h;
  h.add("alice");
  h.add("bob");
  for (const char* channel : {"p-1", "p-2", "lobby"}) {
    h.join("alice", channel);
    h.join("bob", channel);
  }
  ASSERT_EQ(h.network.set_channel_loss("p-*", 1.0), std::nullopt);
  ASSERT_EQ(h.network.set_channel_loss("p-2", 0.0), std::nullopt);
  for (const char* channel : {"p-1", "p-2", "lobby"}) h.network.publish("alice", channel, channel);
  h.run_for(1000);
  std::vector<std::string> heard = h.payloads("bob");
  std::sort(heard.begin(), heard.end());  // No order across channels.
  EXPECT_EQ(heard, (std::vector<std::string>{"lobby", "p-2"}));
  h.network.clear_channel_loss("p-*");
  h.network.publish("alice", "p-1", "again");
  h.run_for(1000);
  EXPECT_EQ(h.payloads("bob").back(), "again");
}

TEST(Network, DuplicationDeliversASecondLaterCopy) {
  NetworkOptions options = calm_options();
  options.duplication = 1.0;
  Harness h(options);
  h.add("alice");
  h.add("bob");
  h.join("alice", "p-1");
  h.join("bob", "p-1");
  h.network.publish("alice", "p-1", "once");
  h.run_for(1000);
  ASSERT_EQ(h.payloads("bob"), (std::vector<std::string>{"once", "once"}));
  EXPECT_LT(h.messages["bob"][0].at_ms, h.messages["bob"][1].at_ms);
  EXPECT_EQ(h.network.counters().duplicated, 1U);
  EXPECT_EQ(h.network.counters().delivered, 2U);
}

TEST(Network, ReorderLetsLaterMessagesOvertake) {
  NetworkOptions options = calm_options();
  options.reorder = 0.3;
  options.reorder_ms_max = 200;
  Harness h(options, 5);
  h.add("alice");
  h.add("bob");
  h.join("alice", "p-1");
  h.join("bob", "p-1");
  for (int i = 0; i < 100; ++i) {
    h.network.publish("alice", "p-1", std::to_string(i));
    h.run_for(5);
  }
  h.run_for(1000);
  ASSERT_EQ(h.messages["bob"].size(), 100U);  // Reordered, not lost.
  int inversions = 0;
  for (std::size_t i = 1; i < 100; ++i) {
    if (std::stoi(h.messages["bob"][i].payload) < std::stoi(h.messages["bob"][i - 1].payload)) ++inversions;
  }
  EXPECT_GT(inversions, 0);
}

TEST(Network, OnlyGrantedNodesUseTheSecureChannel) {
  Harness h;
  for (const char* name : {"server", "claw", "mallory"}) h.add(name);
  const std::string secure(secure_channel);
  h.join("server", secure);
  h.join("claw", secure);
  EXPECT_EQ(h.network.publish("mallory", secure, "{\"command\":\"upOn\"}"), PublishResult::denied);
  EXPECT_EQ(h.network.subscribe("mallory", secure), SubscribeResult::denied);
  EXPECT_EQ(h.network.watch_presence("mallory", secure), SubscribeResult::denied);
  EXPECT_EQ(h.network.counters().denied, 3U);
  // A grant on the players' prefix does not open the secure channel.
  h.network.grant("mallory", "p-*", true, true);
  EXPECT_EQ(h.network.publish("mallory", secure, "x"), PublishResult::denied);
  EXPECT_EQ(h.network.publish("server", secure, "hello"), PublishResult::sent);
  h.run_for(1000);
  EXPECT_EQ(h.payloads("claw"), (std::vector<std::string>{"hello"}));
  EXPECT_TRUE(h.messages["mallory"].empty());
  // Revoking works too.
  h.network.grant("claw", secure, false, false);
  EXPECT_EQ(h.network.publish("claw", secure, "x"), PublishResult::denied);
}

TEST(Network, RefusesOversizedAndMalformedPublishes) {
  Harness h;
  h.add("alice");
  h.network.grant("alice", "p-*", true, true);
  EXPECT_EQ(h.network.publish("alice", "p-1", std::string(513, 'x')), PublishResult::too_large);
  EXPECT_EQ(h.network.publish("alice", "p-1", std::string(512, 'x')), PublishResult::sent);
  EXPECT_EQ(h.network.publish("alice", "", "x"), PublishResult::bad_channel);
  EXPECT_EQ(h.network.publish("alice", "p-*", "x"), PublishResult::bad_channel);
  EXPECT_EQ(h.network.publish("nobody", "p-1", "x"), PublishResult::unknown_node);
  EXPECT_EQ(h.network.counters().too_large, 1U);
  EXPECT_EQ(h.network.counters().published, 1U);
}

TEST(Network, MessageBeforeTheSubscriptionCompletesIsNotDelivered) {
  Harness h;
  h.add("claw");
  h.add("alice");
  h.join("alice", "p-1");
  h.network.grant("claw", "p-*", true, true);
  ASSERT_EQ(h.network.subscribe("claw", "p-1"), SubscribeResult::requested);
  h.network.publish("alice", "p-1", "too early");  // The handshake takes >= 10 ms.
  h.run_for(1000);
  ASSERT_EQ(h.subscribed["claw"].size(), 1U);
  h.network.publish("alice", "p-1", "in time");
  h.run_for(1000);
  EXPECT_EQ(h.payloads("claw"), (std::vector<std::string>{"in time"}));
}

TEST(Network, PresenceReportsJoinAndLeave) {
  Harness h;
  h.add("server");
  h.add("alice");
  h.network.grant("server", "p-*", true, true);
  ASSERT_EQ(h.network.watch_presence("server", "p-*"), SubscribeResult::requested);
  h.join("alice", "p-a");
  EXPECT_EQ(h.network.present("p-a"), (std::vector<std::string>{"alice"}));
  EXPECT_TRUE(h.network.unsubscribe("alice", "p-a"));
  EXPECT_FALSE(h.network.unsubscribe("alice", "p-a"));
  h.run_for(1000);
  EXPECT_EQ(presence_lines(h.presence["server"]), (std::vector<std::string>{"p-a alice join", "p-a alice leave"}));
  EXPECT_TRUE(h.network.present("p-a").empty());
  // Events about channels the pattern does not match are not sent.
  h.join("alice", "lobby");
  h.run_for(1000);
  EXPECT_EQ(h.presence["server"].size(), 2U);
}

TEST(Network, PresenceFaultsLoseDuplicateAndDelayEventsNotMessages) {
  Harness h;
  h.add_server_watching_alice();
  EXPECT_TRUE(h.network.set_presence_faults(PresenceFaults{1.0, 0, 0}) == std::nullopt);
  h.join("alice", "p-a");
  h.run_for(1000);
  EXPECT_TRUE(h.presence["server"].empty());  // Lost.
  EXPECT_EQ(h.network.present("p-a"), (std::vector<std::string>{"alice"}));  // The service still knows.
  EXPECT_EQ(h.network.counters().presence_lost, 1U);
  const std::vector<std::string> faults = h.network.describe_faults();  // What the visualizer shows.
  EXPECT_NE(std::find(faults.begin(), faults.end(), "presence: loss 100% duplication 0% delay 0 ms"), faults.end());
  h.network.set_presence_faults(PresenceFaults{0, 1.0, 5'000});
  const TimeMs left_ms = h.scheduler.now();
  h.network.unsubscribe("alice", "p-a");
  h.run_for(10'000);
  ASSERT_EQ(presence_lines(h.presence["server"]), (std::vector<std::string>{"p-a alice leave", "p-a alice leave"}));
  EXPECT_GE(h.presence["server"][0].at_ms, left_ms + 5'000);
  EXPECT_EQ(h.network.counters().presence_duplicated, 1U);
  EXPECT_NE(h.network.set_presence_faults(PresenceFaults{1.5, 0, 0}), std::nullopt);
}

TEST(Network, ASpuriousTimeoutIsFollowedByAJoinAtTheNextHeartbeat) {
  Harness h;
  h.add_server_watching_alice();
  h.join("alice", "p-a");
  h.run_for(1000);
  const TimeMs spurious_ms = h.scheduler.now();
  EXPECT_TRUE(h.network.spurious_timeout("p-a", "alice"));
  EXPECT_FALSE(h.network.spurious_timeout("p-a", "bob"));  // Not there: nothing to time out.
  h.run_for(20'000);
  ASSERT_EQ(presence_lines(h.presence["server"]),
            (std::vector<std::string>{"p-a alice join", "p-a alice timeout", "p-a alice join"}));
  EXPECT_GE(h.presence["server"][2].at_ms, spurious_ms + 10'000);  // Half the 20 s heartbeat timeout.
  EXPECT_EQ(h.network.present("p-a"), (std::vector<std::string>{"alice"}));
}

TEST(Network, CrashedNodeTimesOutAfterTheHeartbeatTimeout) {
  Harness h;
  h.add_server_watching_alice();
  h.join("alice", "p-a");
  h.run_for(1000);
  const TimeMs crashed_ms = h.scheduler.now();
  h.network.crash("alice");
  EXPECT_EQ(h.network.publish("alice", "p-a", "x"), PublishResult::node_down);
  h.run_for(20'000 - 1);
  EXPECT_EQ(h.presence["server"].size(), 1U);  // Only the join: still present.
  EXPECT_EQ(h.network.present("p-a"), (std::vector<std::string>{"alice"}));
  h.run_for(1000);
  ASSERT_EQ(h.presence["server"].size(), 2U);
  EXPECT_EQ(h.presence["server"][1].payload, "p-a alice timeout");
  EXPECT_GE(h.presence["server"][1].at_ms, crashed_ms + 20'000 + 10);
  EXPECT_TRUE(h.network.present("p-a").empty());
}

TEST(Network, RestartedNodeHasNoSubscriptionsAndResubscribingKeepsPresence) {
  Harness h;
  h.add("server");
  h.add("alice");
  h.add("bob");
  h.network.grant("server", "p-*", true, true);
  h.network.watch_presence("server", "p-*");
  h.join("alice", "p-a");
  h.join("bob", "p-a");
  h.network.crash("alice");
  h.run_for(1000);
  h.network.restart("alice");
  EXPECT_TRUE(h.network.is_up("alice"));
  EXPECT_FALSE(h.network.is_subscribed("alice", "p-a"));
  h.network.publish("bob", "p-a", "lost");
  h.run_for(1000);
  EXPECT_TRUE(h.messages["alice"].empty());
  // Back before the timeout: the service still counts alice present, so no new join and no timeout.
  h.join("alice", "p-a");
  h.run_for(60'000);
  EXPECT_EQ(presence_lines(h.presence["server"]), (std::vector<std::string>{"p-a alice join", "p-a bob join"}));
  h.network.publish("bob", "p-a", "heard");
  h.run_for(1000);
  EXPECT_EQ(h.payloads("alice"), (std::vector<std::string>{"heard"}));
}

TEST(Network, LongPartitionReportsLinkAndTimesOut) {
  Harness h;
  h.add_server_watching_alice();
  h.join("alice", "p-a");
  h.join("server", "p-a");
  const TimeMs cut_ms = h.scheduler.now();
  const PartitionId id = h.network.partition_node("alice", time_never);
  h.network.publish("alice", "p-a", "from inside");
  h.run_for(25'000);
  ASSERT_EQ(h.links["alice"].size(), 1U);
  EXPECT_EQ(h.links["alice"][0].channel, "down");
  EXPECT_EQ(h.links["alice"][0].at_ms, cut_ms + 3'000);
  EXPECT_EQ(presence_lines(h.presence["server"]).back(), "p-a alice timeout");
  EXPECT_FALSE(h.network.is_subscribed("alice", "p-a"));
  EXPECT_TRUE(h.messages["server"].empty());
  EXPECT_EQ(h.network.describe_faults(), (std::vector<std::string>{"partition alice until healed"}));

  const TimeMs healed_ms = h.scheduler.now();
  EXPECT_TRUE(h.network.heal(id));
  EXPECT_FALSE(h.network.heal(id));
  h.run_for(5'000);
  ASSERT_EQ(h.links["alice"].size(), 2U);
  EXPECT_EQ(h.links["alice"][1].channel, "up");
  EXPECT_EQ(h.links["alice"][1].at_ms, healed_ms + 3'000);
  EXPECT_TRUE(h.network.describe_faults().empty());
}

TEST(Network, NodeRestartedInsideAPartitionLearnsItsLinkIsDown) {
  Harness h;
  h.add("claw");
  h.network.partition_node("claw", time_never);
  h.network.crash("claw");
  h.run_for(10'000);
  const TimeMs restarted_ms = h.scheduler.now();
  h.network.restart("claw");
  h.run_for(10'000);
  ASSERT_EQ(h.links["claw"].size(), 1U);  // Only the new incarnation hears anything.
  EXPECT_EQ(h.links["claw"][0].channel, "down");
  EXPECT_EQ(h.links["claw"][0].at_ms, restarted_ms + 3'000);
  h.network.heal_all();
  h.run_for(10'000);
  ASSERT_EQ(h.links["claw"].size(), 2U);
  EXPECT_EQ(h.links["claw"][1].channel, "up");
}

TEST(Network, ShortPartitionLosesMessagesButKeepsSubscriptions) {
  Harness h;
  h.add("alice");
  h.add("bob");
  h.join("alice", "p-1");
  h.join("bob", "p-1");
  h.network.partition_node("bob", h.scheduler.now() + 1'000);
  h.network.publish("alice", "p-1", "during");
  h.run_for(2'000);
  h.network.publish("alice", "p-1", "after");
  h.run_for(1'000);
  EXPECT_EQ(h.payloads("bob"), (std::vector<std::string>{"after"}));
  EXPECT_TRUE(h.links["bob"].empty());  // Shorter than link_detect_ms.
  EXPECT_TRUE(h.network.is_subscribed("bob", "p-1"));
}

TEST(Network, OneWayLinkPartitionCutsOneDirectionOnly) {
  Harness h;
  h.add("alice");
  h.add("bob");
  h.join("alice", "p-1");
  h.join("bob", "p-1");
  h.network.partition_link("alice", "bob", false, time_never);
  h.network.publish("alice", "p-1", "to bob");
  h.network.publish("bob", "p-1", "to alice");
  h.run_for(1'000);
  EXPECT_TRUE(h.messages["bob"].empty());
  EXPECT_EQ(h.payloads("alice"), (std::vector<std::string>{"to alice"}));
  EXPECT_TRUE(h.links["alice"].empty());  // Both still reach the service.
  EXPECT_EQ(h.network.describe_faults(), (std::vector<std::string>{"cut alice->bob until healed"}));
  h.network.heal_all();
  h.network.partition_link("alice", "bob", true, 95'500);
  h.network.publish("bob", "p-1", "blocked");
  h.run_for(1'000);
  EXPECT_EQ(h.payloads("alice"), (std::vector<std::string>{"to alice"}));
  EXPECT_EQ(h.network.describe_faults(), (std::vector<std::string>{"cut alice<->bob until 95.5s"}));
}

TEST(Network, MessageInFlightIsLostWhenThePartitionStartsBeforeDelivery) {
  Harness h;
  h.add("alice");
  h.add("bob");
  h.join("alice", "p-1");
  h.join("bob", "p-1");
  h.network.publish("alice", "p-1", "in flight");
  h.network.partition_link("alice", "bob", false, time_never);  // Cut after the send, before delivery.
  h.run_for(1'000);
  EXPECT_TRUE(h.messages["bob"].empty());
  EXPECT_EQ(h.network.counters().lost, 1U);
}

TEST(Network, UnsubscribeWhilePartitionedLeavesOnHeal) {
  Harness h;
  h.add_server_watching_alice();
  h.join("alice", "p-a");
  const PartitionId id = h.network.partition_node("alice", time_never);
  EXPECT_TRUE(h.network.unsubscribe("alice", "p-a"));
  h.run_for(5'000);
  EXPECT_EQ(h.network.present("p-a"), (std::vector<std::string>{"alice"}));
  h.network.heal(id);
  h.run_for(1'000);
  EXPECT_EQ(presence_lines(h.presence["server"]), (std::vector<std::string>{"p-a alice join", "p-a alice leave"}));
  h.run_for(60'000);
  EXPECT_EQ(h.presence["server"].size(), 2U);  // No timeout afterwards.
}

TEST(Network, DescribesLossFaults) {
  NetworkOptions options = calm_options();
  options.loss = 0.05;
  Harness h(options);
  ASSERT_EQ(h.network.set_channel_loss(std::string(secure_channel), 0.2), std::nullopt);
  EXPECT_EQ(h.network.describe_faults(),
            (std::vector<std::string>{"loss 5% on all channels", "loss 20% on clawcomm"}));
}

// A busy, faulty workload; returns everything every node heard.
std::vector<std::string> chaotic_run(std::uint64_t seed) {
  NetworkOptions options = calm_options();
  options.loss = 0.1;
  options.duplication = 0.1;
  options.reorder = 0.2;
  Harness h(options, seed);
  const std::vector<std::string> names = {"server", "claw", "alice", "bob", "carol"};
  for (const auto& name : names) {
    h.add(name);
    h.network.grant(name, "p-*", true, true);
  }
  h.network.watch_presence("server", "p-*");
  Rng script(seed ^ 0xabcdefULL);
  for (int step = 0; step < 400; ++step) {
    const std::string& who = names[script.below(names.size())];
    const std::string channel = "p-" + std::to_string(script.below(3));
    switch (script.below(6)) {
      case 0: h.network.subscribe(who, channel); break;
      case 1: h.network.unsubscribe(who, channel); break;
      case 2:
        if (script.chance(0.1)) h.network.partition_node(who, h.scheduler.now() + script.between(100, 30'000));
        break;
      default: h.network.publish(who, channel, std::to_string(step)); break;
    }
    h.run_for(script.between(0, 200));
  }
  h.run_for(100'000);
  return h.log;
}

TEST(Network, SameSeedGivesAnIdenticalDeliveryLog) {
  const auto first = chaotic_run(77);
  EXPECT_GT(first.size(), 100U);
  EXPECT_EQ(first, chaotic_run(77));
  EXPECT_NE(first, chaotic_run(78));
}

}  // namespace
}  // namespace clawnet::sim
