// ServerMachine: the ready check (server.ready_ms; docs/protocol.md, "The ready
// check"): who is asked, how the answer grants the turn, and how a player who
// never answers is skipped, as the machine's effects show it.
#include "core/server_machine.hpp"

#include "tests/core/effect_inspection.hpp"
#include "tests/core/server_driver.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace clawnet {
namespace {

using test::effects_of;
using test::messages_to;
using test::player;
using test::Server;

constexpr TimeMs ready_ms = 5'000;

ServerConfig ready_config() {
  ServerConfig config = test::test_config();
  config.ready_ms = ready_ms;
  return config;
}

std::vector<std::string> subscribed(const Effects& effects) {
  std::vector<std::string> channels;
  for (const Subscribe& subscribe : effects_of<Subscribe>(effects)) channels.push_back(subscribe.channel);
  return channels;
}

std::vector<std::string> unsubscribed(const Effects& effects) {
  std::vector<std::string> channels;
  for (const Unsubscribe& unsubscribe : effects_of<Unsubscribe>(effects)) channels.push_back(unsubscribe.channel);
  return channels;
}

// Two present players and the claw ready: the first is asked.
void start_asking(Server& server) {
  server.start_with_players(2);
  server.claw_ready(0);
  ASSERT_EQ(server.state(), "AwaitingReady");
}

TEST(ServerReady, TheFirstPresentPlayerIsAskedAndNoTurnStartsYet) {
  Server server(ready_config());
  server.start_with_players(2);
  Effects& effects = server.claw_ready(0);
  EXPECT_EQ(server.state(), "AwaitingReady");
  EXPECT_EQ(subscribed(effects), std::vector<std::string>{player(0)}) << "the server reads the answer there";
  const std::vector<ReadyCheck> asked = messages_to<ReadyCheck>(effects, player(0));
  ASSERT_EQ(asked.size(), 1U) << test::describe_all(effects);
  EXPECT_EQ(asked[0].ready_ms, ready_ms);
  EXPECT_TRUE(messages_to<ReadyCheck>(effects, player(1)).empty());
  EXPECT_TRUE(messages_to<ChannelListen>(effects, secure_channel).empty());
  EXPECT_TRUE(effects_of<PersistTurnStart>(effects).empty());
  EXPECT_EQ(server.machine.asking_ready(), player(0));
}

TEST(ServerReady, TheAnswerGrantsTheTurn) {
  Server server(ready_config());
  start_asking(server);
  server.now = 1'200;
  Effects& effects = server.player_says(player(0), R"({"ready":true})");
  EXPECT_EQ(server.state(), "Granting");
  EXPECT_EQ(unsubscribed(effects), std::vector<std::string>{player(0)});
  EXPECT_EQ(server.listen().channel, player(0));
  EXPECT_EQ(effects_of<PersistTurnStart>(effects).size(), 1U);
  EXPECT_EQ(server.machine.counters().ready_confirmed, 1U);
  EXPECT_FALSE(server.machine.asking_ready().has_value());
  // A second answer (a repeat crossed it) changes nothing.
  server.player_says(player(0), R"({"ready":true})");
  EXPECT_EQ(server.state(), "Granting");
  EXPECT_EQ(server.machine.counters().ready_confirmed, 1U);
}

TEST(ServerReady, TheQuestionRepeatsWithTheTimeLeft) {
  Server server(ready_config());
  start_asking(server);
  Effects& repeated = server.advance_to(1'000);
  const std::vector<ReadyCheck> asked = messages_to<ReadyCheck>(repeated, player(0));
  ASSERT_EQ(asked.size(), 1U) << test::describe_all(repeated);
  EXPECT_EQ(asked[0].ready_ms, ready_ms - 1'000);
  EXPECT_EQ(server.state(), "AwaitingReady");
}

TEST(ServerReady, APlayerWhoNeverAnswersIsSkippedAndTheNextIsAsked) {
  Server server(ready_config());
  start_asking(server);
  const Ticket ghost = server.ticket_of(player(0));
  for (TimeMs at_ms = 1'000; at_ms < ready_ms; at_ms += 1'000) server.advance_to(at_ms);
  Effects& effects = server.advance_to(ready_ms);
  const std::vector<PersistDeparture> departures = effects_of<PersistDeparture>(effects);
  ASSERT_EQ(departures.size(), 1U) << test::describe_all(effects);
  EXPECT_EQ(departures[0].ticket, ghost);
  EXPECT_EQ(departures[0].reason, DepartureReason::unready);
  EXPECT_EQ(messages_to<Departed>(effects, player(0)), std::vector<Departed>{{DepartureReason::unready}});
  ASSERT_EQ(effects_of<RevokePlayer>(effects).size(), 1U);
  EXPECT_EQ(effects_of<RevokePlayer>(effects)[0].channel, player(0));
  EXPECT_EQ(server.machine.counters().players_unready, 1U);
  // The next player is asked at once, for a whole ready_ms.
  EXPECT_EQ(server.state(), "AwaitingReady");
  EXPECT_EQ(unsubscribed(effects), std::vector<std::string>{player(0)});
  EXPECT_EQ(subscribed(effects), std::vector<std::string>{player(1)});
  const std::vector<ReadyCheck> asked = messages_to<ReadyCheck>(effects, player(1));
  ASSERT_EQ(asked.size(), 1U);
  EXPECT_EQ(asked[0].ready_ms, ready_ms);
  server.player_says(player(1), R"({"ready":true})");
  EXPECT_EQ(server.listen().channel, player(1));
}

TEST(ServerReady, OnlyTheAnswerOfThePlayerAskedCounts) {
  Server server(ready_config());
  start_asking(server);
  server.player_says(player(1), R"({"ready":true})");
  EXPECT_EQ(server.state(), "AwaitingReady") << "player 1 was not asked";
  server.player_says(player(0), R"({"command":"upOn","turn":1,"seq":1})");
  EXPECT_EQ(server.state(), "AwaitingReady") << "a command is for the claw";
  EXPECT_EQ(server.machine.counters().rejected_messages, 0U);
  Effects& malformed = server.player_says(player(0), R"({"ready":"yes"})");
  EXPECT_EQ(server.machine.counters().rejected_messages, 1U);
  ASSERT_EQ(effects_of<Log>(malformed).size(), 1U);
  EXPECT_NE(effects_of<Log>(malformed)[0].text.find("\"ready\""), std::string::npos);
  EXPECT_EQ(server.state(), "AwaitingReady");
}

TEST(ServerReady, TheCheckFollowsTheFirstPresentPlayer) {
  Server server(ready_config());
  start_asking(server);
  // The player asked goes away: the next one is asked instead.
  Effects& gone = server.presence(player(0), PresenceKind::leave);
  EXPECT_EQ(unsubscribed(gone), std::vector<std::string>{player(0)});
  EXPECT_EQ(messages_to<ReadyCheck>(gone, player(1)).size(), 1U) << test::describe_all(gone);
  EXPECT_EQ(server.machine.asking_ready(), player(1));
  // It comes back within its grace: it joined first, so it is asked again.
  Effects& back = server.presence(player(0), PresenceKind::join);
  EXPECT_EQ(unsubscribed(back), std::vector<std::string>{player(1)});
  EXPECT_EQ(messages_to<ReadyCheck>(back, player(0)).size(), 1U) << test::describe_all(back);
  EXPECT_EQ(server.machine.asking_ready(), player(0));
}

TEST(ServerReady, APauseStopsTheCheckAndResumeAsksAgain) {
  Server server(ready_config());
  start_asking(server);
  server.admin(AdminAction::pause);
  EXPECT_EQ(server.state(), "ClawIdle");
  EXPECT_EQ(unsubscribed(server.effects), std::vector<std::string>{player(0)});
  EXPECT_FALSE(server.machine.asking_ready().has_value());
  server.player_says(player(0), R"({"ready":true})");
  EXPECT_EQ(server.state(), "ClawIdle") << "an answer while paused grants nothing";
  server.admin(AdminAction::resume);
  EXPECT_EQ(server.state(), "AwaitingReady");
  EXPECT_EQ(messages_to<ReadyCheck>(server.effects, player(0)).size(), 1U);
}

TEST(ServerReady, TheClawGoingAwayStopsTheCheck) {
  Server server(ready_config());
  start_asking(server);
  Effects& effects = server.claw_offline();
  EXPECT_EQ(server.state(), "ClawOffline");
  EXPECT_EQ(unsubscribed(effects), std::vector<std::string>{player(0)});
  server.advance_to(ready_ms);
  EXPECT_EQ(server.machine.counters().players_unready, 0U) << "nobody is skipped while the claw is away";
  EXPECT_EQ(server.machine.queue().size(), 2U);
}

TEST(ServerReady, OffByDefaultTheNextPlayerIsGrantedAtOnce) {
  Server server;
  server.start_with_players(1);
  Effects& effects = server.claw_ready(0);
  EXPECT_EQ(server.state(), "Granting");
  EXPECT_TRUE(messages_to<ReadyCheck>(effects, player(0)).empty());
  EXPECT_TRUE(effects_of<Subscribe>(effects).empty());
}

}  // namespace
}  // namespace clawnet
