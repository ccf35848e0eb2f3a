// ServerMachine: operator actions (handle_admin), each as the machine sees it: the
// answer, what it publishes, what it records, and how the queue moves after.
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
using test::test_config;

// The one admin record of the last input.
PersistAdminAction recorded(const Effects& effects) {
  std::vector<PersistAdminAction> records = effects_of<PersistAdminAction>(effects);
  EXPECT_EQ(records.size(), 1U) << test::describe_all(effects);
  return records.empty() ? PersistAdminAction{} : records.front();
}

std::vector<QueueMode> lobby_modes(const Effects& effects) {
  std::vector<QueueMode> modes;
  for (const QueueState& state : messages_to<QueueState>(effects, lobby_channel)) modes.push_back(state.mode);
  return modes;
}

// Two present players, the first one in control of turn 1.
void start_in_turn(Server& server) {
  server.start_with_players(2);
  server.claw_ready(0);
  server.claw_controlled(server.listen().turn);
  ASSERT_EQ(server.state(), "InTurn");
}

TEST(ServerAdmin, PauseHoldsTheNextTurnAndResumeGrantsIt) {
  Server server;
  start_in_turn(server);
  server.now = 1'000;
  const AdminAnswer paused = server.admin(AdminAction::pause);
  EXPECT_TRUE(paused.done) << paused.detail;
  EXPECT_EQ(lobby_modes(server.effects), std::vector<QueueMode>{QueueMode::paused});
  const PersistAdminAction record = recorded(server.effects);
  EXPECT_EQ(record.action, AdminAction::pause);
  EXPECT_TRUE(record.done);
  EXPECT_EQ(record.at_ms, 1'000);
  EXPECT_EQ(server.machine.queue_mode(), QueueMode::paused);
  // The turn in progress plays on; when it ends, nobody is granted.
  EXPECT_EQ(server.state(), "InTurn");
  server.claw_ready(1);
  EXPECT_EQ(server.state(), "ClawIdle");
  EXPECT_TRUE(messages_to<ChannelListen>(server.effects, secure_channel).empty());
  EXPECT_TRUE(server.admin(AdminAction::pause).done) << "pausing twice is harmless";
  const AdminAnswer resumed = server.admin(AdminAction::resume);
  EXPECT_TRUE(resumed.done) << resumed.detail;
  EXPECT_EQ(lobby_modes(server.effects), std::vector<QueueMode>{QueueMode::running});
  EXPECT_EQ(server.listen().channel, player(1));
}

TEST(ServerAdmin, SkipEndsTheTurnInProgressAsEndedByTheServer) {
  Server server;
  start_in_turn(server);
  const AdminAnswer skipped = server.admin(AdminAction::skip);
  EXPECT_TRUE(skipped.done) << skipped.detail;
  EXPECT_EQ(server.state(), "Ending");
  EXPECT_EQ(messages_to<EndTurn>(server.effects, secure_channel).size(), 1U);
  Effects& effects = server.claw_ready(1);
  std::vector<PersistTurnEnd> ends = effects_of<PersistTurnEnd>(effects);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_EQ(ends[0].outcome, TurnOutcome::ended_by_server);
  EXPECT_EQ(ends[0].result, TurnResult::ended_by_server);
  EXPECT_EQ(server.listen().channel, player(1)) << "the queue moves on";
}

TEST(ServerAdmin, SkipWhileGrantingEndsTheTurnToo) {
  Server server;
  server.start_with_players(1);
  server.claw_ready(0);
  ASSERT_EQ(server.state(), "Granting");
  EXPECT_TRUE(server.admin(AdminAction::skip).done);
  EXPECT_EQ(server.state(), "Ending");
}

TEST(ServerAdmin, SkipWithTheClawOfflineClosesTheTurnAtOnce) {
  Server server;
  start_in_turn(server);
  server.claw_offline();
  ASSERT_EQ(server.state(), "ClawOffline");
  EXPECT_TRUE(server.admin(AdminAction::skip).done);
  std::vector<PersistTurnEnd> ends = effects_of<PersistTurnEnd>(server.effects);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_EQ(ends[0].result, TurnResult::ended_by_server);
  EXPECT_EQ(messages_to<Control>(server.effects, player(0)).size(), 1U) << "the player hears its turn is over";
  EXPECT_FALSE(server.machine.open_turn().has_value());
}

TEST(ServerAdmin, SkipWithoutATurnIsRefusedAndRecorded) {
  Server server;
  server.start_idle();
  const AdminAnswer answer = server.admin(AdminAction::skip);
  EXPECT_FALSE(answer.done);
  EXPECT_EQ(answer.detail, "no turn in progress");
  const PersistAdminAction record = recorded(server.effects);
  EXPECT_FALSE(record.done);
  EXPECT_EQ(record.detail, "no turn in progress");
  EXPECT_EQ(effects_of<Log>(server.effects).size(), 1U);
}

TEST(ServerAdmin, KickRemovesAWaitingPlayerAndRevokesIt) {
  Server server;
  server.start_with_players(3);
  const Ticket second = server.ticket_of(player(1));
  const AdminAnswer answer = server.admin(AdminAction::kick, second);
  EXPECT_TRUE(answer.done) << answer.detail;
  std::vector<PersistDeparture> departures = effects_of<PersistDeparture>(server.effects);
  ASSERT_EQ(departures.size(), 1U);
  EXPECT_EQ(departures[0].ticket, second);
  EXPECT_EQ(departures[0].reason, DepartureReason::kicked);
  EXPECT_EQ(effects_of<RevokePlayer>(server.effects).size(), 1U);
  EXPECT_EQ(recorded(server.effects).ticket, second);
  EXPECT_EQ(server.machine.queue().size(), 2U);
  // The player behind moved up and hears it.
  std::vector<Position> told = messages_to<Position>(server.effects, player(2));
  ASSERT_EQ(told.size(), 1U);
  EXPECT_EQ(told[0].position, 1U);
}

TEST(ServerAdmin, KickOfThePlayerInControlEndsItsTurn) {
  Server server;
  start_in_turn(server);
  EXPECT_TRUE(server.admin(AdminAction::kick, 1).done);
  EXPECT_EQ(server.state(), "Ending");
}

TEST(ServerAdmin, KickOfAnUnknownTicketIsRefused) {
  Server server;
  server.start_with_players(1);
  const AdminAnswer answer = server.admin(AdminAction::kick, 42);
  EXPECT_FALSE(answer.done);
  EXPECT_NE(answer.detail.find("#42"), std::string::npos) << answer.detail;
  EXPECT_TRUE(effects_of<PersistDeparture>(server.effects).empty());
}

TEST(ServerAdmin, EmergencyStopStopsTheClawFirstEndsTheTurnAndHoldsTheQueue) {
  Server server;
  start_in_turn(server);
  const AdminAnswer answer = server.admin(AdminAction::estop);
  EXPECT_TRUE(answer.done) << answer.detail;
  // ESTOP is the first thing the claw hears, before the END_TURN.
  std::vector<Publish> to_claw;
  for (const Publish& publish : effects_of<Publish>(server.effects)) {
    if (publish.channel == secure_channel) to_claw.push_back(publish);
  }
  ASSERT_EQ(to_claw.size(), 2U) << test::describe_all(server.effects);
  EXPECT_TRUE(std::holds_alternative<EmergencyStop>(to_claw[0].message));
  EXPECT_TRUE(std::holds_alternative<EndTurn>(to_claw[1].message));
  EXPECT_EQ(lobby_modes(server.effects), std::vector<QueueMode>{QueueMode::stopped});
  // The claw answers CLAW_STOPPED: the turn closes, nobody is granted.
  Effects& effects = server.claw_stopped();
  std::vector<PersistTurnEnd> ends = effects_of<PersistTurnEnd>(effects);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_EQ(ends[0].result, TurnResult::ended_by_server);
  EXPECT_EQ(server.state(), "ClawOffline");
  EXPECT_FALSE(server.machine.claw_online());
  // Pause and resume cannot lift it.
  EXPECT_FALSE(server.admin(AdminAction::resume).done);
  EXPECT_FALSE(server.admin(AdminAction::pause).done);
  EXPECT_EQ(server.machine.queue_mode(), QueueMode::stopped);
}

TEST(ServerAdmin, EmergencyStopRepeatsUntilTheClawSaysStopped) {
  Server server;
  server.start_idle();
  server.admin(AdminAction::estop);
  const TimeMs resend_ms = test_config().resend_ms;
  server.advance_to(resend_ms);
  EXPECT_EQ(messages_to<EmergencyStop>(server.effects, secure_channel).size(), 1U) << "lost: sent again";
  server.claw_stopped();
  EXPECT_EQ(server.state(), "ClawOffline");
  server.advance_to(2 * resend_ms);
  EXPECT_TRUE(messages_to<EmergencyStop>(server.effects, secure_channel).empty()) << "answered: no repeat";
  // A claw that rebooted forgets it: its CLAW_READY brings the ESTOP again.
  server.claw_ready(0);
  EXPECT_EQ(messages_to<EmergencyStop>(server.effects, secure_channel).size(), 1U);
  EXPECT_TRUE(messages_to<ChannelListen>(server.effects, secure_channel).empty());
}

TEST(ServerAdmin, ResetReleasesTheClawAndTheQueueRunsAgain) {
  Server server;
  server.start_with_players(1);
  server.claw_ready(0);
  server.admin(AdminAction::estop);
  server.claw_stopped();
  ASSERT_EQ(server.state(), "ClawOffline") << "the turn closed with the claw stopped";
  EXPECT_FALSE(server.admin(AdminAction::estop).detail.empty());
  const AdminAnswer answer = server.admin(AdminAction::reset);
  EXPECT_TRUE(answer.done) << answer.detail;
  EXPECT_EQ(messages_to<ResetClaw>(server.effects, secure_channel).size(), 1U);
  EXPECT_EQ(lobby_modes(server.effects), std::vector<QueueMode>{QueueMode::running});
  // A RESET lost: the claw's next CLAW_STOPPED brings another.
  server.claw_stopped();
  EXPECT_EQ(messages_to<ResetClaw>(server.effects, secure_channel).size(), 1U);
  EXPECT_FALSE(server.admin(AdminAction::reset).done) << "nothing left to reset";
}

TEST(ServerAdmin, TheQueueModeOutlivesARestart) {
  Server server;
  StoredQueue stored;
  stored.waiting = {StoredPlayer{1, player(0)}};
  stored.next_ticket = 2;
  stored.mode = QueueMode::stopped;
  Effects& effects = server.start(stored);
  EXPECT_EQ(server.machine.queue_mode(), QueueMode::stopped);
  EXPECT_EQ(messages_to<EmergencyStop>(effects, secure_channel).size(), 1U) << "the claw may have been rebooted";
  server.presence(player(0), PresenceKind::join);
  server.claw_stopped();
  EXPECT_TRUE(messages_to<ResetClaw>(server.effects, secure_channel).empty()) << "a restart never resets";
  EXPECT_FALSE(server.machine.open_turn().has_value());
}

TEST(ServerAdmin, ActionsWhileBootingAreRefused) {
  Server server;
  const AdminAnswer answer = server.admin(AdminAction::pause);
  EXPECT_FALSE(answer.done);
  EXPECT_EQ(server.machine.queue_mode(), QueueMode::running);
}

}  // namespace
}  // namespace clawnet
