// The oracle must catch what it claims to catch: each test shows it a world
// state that breaks one invariant and expects that invariant's violation.
#include "sim/oracle.hpp"
#include "world_support.hpp"

#include <gtest/gtest.h>

namespace clawnet::sim {
namespace {

using testing::load_or_fail;

TEST(Oracle, DurabilityCatchesAnAcknowledgedJoinMissingAfterRestart) {
  World world(load_or_fail("three_players.scenario"), 7);
  world.run_until(2'000);
  Oracle oracle(30'000);
  oracle.on_join_acknowledged(2, "p-2", 0);
  oracle.on_join_acknowledged(3, "p-3", 0);
  oracle.on_server_restarted(world, world.now_ms());
  EXPECT_FALSE(oracle.violation().has_value()) << oracle.violation()->detail;
  oracle.on_join_acknowledged(77, "p-77", 0);  // Acknowledged, yet the server does not have it.
  oracle.on_server_restarted(world, world.now_ms());
  ASSERT_TRUE(oracle.violation().has_value());
  EXPECT_EQ(oracle.violation()->invariant, 5);
}

TEST(Oracle, RightsCatchARevokeOfAPlayerThatStillHoldsItsPlace) {
  Oracle oracle(30'000);
  oracle.on_join_committed(2, "p-2");
  oracle.on_join_committed(3, "p-3");
  oracle.on_join_committed(4, "p-4");
  oracle.on_departure(2);
  oracle.on_player_revoked("p-2", 0);  // Departed: its place is over.
  oracle.on_turn_end(PersistTurnEnd{1, 3, TurnOutcome::completed, TurnResult::loss, 0}, 0);
  oracle.on_player_revoked("p-3", 0);  // Its turn ended.
  EXPECT_FALSE(oracle.violation().has_value()) << oracle.violation()->detail;
  oracle.on_player_revoked("p-4", 0);  // Still waiting.
  ASSERT_TRUE(oracle.violation().has_value());
  EXPECT_EQ(oracle.violation()->invariant, 8);
}

TEST(Oracle, ResultsCatchAStoredResultTheClawDidNotTell) {
  Oracle oracle(30'000);
  oracle.on_result_told(4, TurnResult::win);
  oracle.on_turn_end(PersistTurnEnd{4, 2, TurnOutcome::completed, TurnResult::win, 0}, 0);
  oracle.on_result_told(5, TurnResult::loss);
  oracle.on_turn_end(PersistTurnEnd{5, 3, TurnOutcome::ended_by_server, TurnResult::abandoned, 0}, 0);
  EXPECT_FALSE(oracle.violation().has_value()) << oracle.violation()->detail;
  oracle.on_result_told(6, TurnResult::win);
  oracle.on_turn_end(PersistTurnEnd{6, 4, TurnOutcome::completed, TurnResult::loss, 0}, 0);
  ASSERT_TRUE(oracle.violation().has_value());
  EXPECT_EQ(oracle.violation()->invariant, 9);
}

// A whole run: every finished player loses its rights on its channel in the
// simulated transport too, after the linger, and no waiting player does.
TEST(World, FinishedPlayersLoseTheirRightsAndWaitingOnesKeepThem) {
  World world(load_or_fail("three_players.scenario"), 7);
  std::size_t revoked = 0;
  world.timeline().add_sink([&](const TimelineEntry& entry) {
    if (entry.text.starts_with("rights on ") && entry.text.ends_with(" revoked")) revoked += 1;
  });
  world.run_to_end();
  EXPECT_FALSE(world.violation().has_value()) << world.violation()->detail;
  EXPECT_EQ(revoked, 3U) << "three players played their turns";
}

TEST(Oracle, FairnessCatchesAGrantThatPassesOverAnEarlierPresentPlayer) {
  World world(load_or_fail("three_players.scenario"), 7);
  world.run_until(2'000);  // bob (#2) and carol (#3) wait, present.
  Oracle oracle(30'000);
  oracle.on_turn_start(world, 9, 4, world.now_ms());
  ASSERT_TRUE(oracle.violation().has_value());
  EXPECT_EQ(oracle.violation()->invariant, 2);
}

Command right_on(Turn turn) { return Command{CommandKind::right_on, turn, 1}; }

// The dead-man is checked against the commands the claw received, on the
// channel of the turn it serves (as the wire says), not against its counters.
TEST(Oracle, MotorSafetyCatchesAMotorRunningPastTheDeadman) {
  World world(load_or_fail("three_players.scenario"), 7);
  world.run_until(6'000);  // alice holds right, refreshing, in turn 1.
  const std::string alice = world.players().at("alice").channel;
  const TimeMs now = world.now_ms();
  auto serving_alice = [&](Oracle& oracle) {
    oracle.on_listen_sent(1, alice);
    oracle.on_control_granted(world, 1, alice, now - 1'000);
  };
  Oracle fed(30'000);
  serving_alice(fed);
  fed.on_claw_received(alice, right_on(1), now - 100);
  fed.check(world, now);
  EXPECT_FALSE(fed.violation().has_value()) << fed.violation()->detail;
  Oracle starved(30'000);
  serving_alice(starved);
  starved.on_claw_received(alice, right_on(1), now - 5'000);  // Nothing for 5 s.
  starved.check(world, now);
  ASSERT_TRUE(starved.violation().has_value());
  EXPECT_EQ(starved.violation()->invariant, 4);
  EXPECT_NE(starved.violation()->detail.find("after the last command of the turn"), std::string::npos);
  Oracle frozen(30'000);  // The same, while the claw's process is frozen: it cannot stop the motor.
  serving_alice(frozen);
  frozen.on_claw_received(alice, right_on(1), now - 5'000);
  frozen.on_claw_stalled(true, world.cabinet(), now - 4'000);
  frozen.check(world, now);
  EXPECT_FALSE(frozen.violation().has_value()) << frozen.violation()->detail;
  frozen.on_claw_stalled(false, world.cabinet(), now - 5);  // Resumed: its overdue dead-man must stop the motor at once.
  frozen.check(world, now);
  EXPECT_FALSE(frozen.violation().has_value()) << frozen.violation()->detail;
  frozen.check(world, now + 2'000);
  ASSERT_TRUE(frozen.violation().has_value());
  EXPECT_EQ(frozen.violation()->invariant, 4);
  for (const std::string& channel : {std::string("p-elsewhere"), alice}) {
    // A command on another channel, or for another turn, does not feed the dead-man.
    Oracle unfed(30'000);
    serving_alice(unfed);
    unfed.on_claw_received(channel, right_on(channel == alice ? 2 : 1), now - 100);
    unfed.check(world, now);
    ASSERT_TRUE(unfed.violation().has_value()) << channel;
    EXPECT_NE(unfed.violation()->detail.find("no command for that turn"), std::string::npos) << unfed.violation()->detail;
  }
  Oracle ended(30'000);  // The claw said the turn is over, yet right still runs.
  serving_alice(ended);
  ended.on_claw_received(alice, right_on(1), now - 100);
  ended.on_control_ended(1);
  ended.check(world, now);
  ASSERT_TRUE(ended.violation().has_value());
  EXPECT_NE(ended.violation()->detail.find("serves no turn"), std::string::npos) << ended.violation()->detail;
}

// What the claw did (a motor changed in the step that read a command), checked
// against what the server granted and the claw announced on the wire.
TEST(Oracle, SingleControlCatchesACommandObeyedTwiceOrFromTheWrongChannel) {
  World world(load_or_fail("three_players.scenario"), 7);
  world.run_until(2'000);
  const TimeMs now = world.now_ms();
  Oracle twice(30'000);
  twice.on_listen_sent(1, "p-owner");
  twice.on_control_granted(world, 1, "p-owner", now);
  twice.on_command_obeyed(world, "p-owner", Command{CommandKind::right_on, 1, 5}, now);
  twice.on_command_obeyed(world, "p-owner", Command{CommandKind::right_off, 1, 6}, now);
  EXPECT_FALSE(twice.violation().has_value()) << twice.violation()->detail;
  twice.on_command_obeyed(world, "p-owner", Command{CommandKind::right_on, 1, 5}, now);  // A replay obeyed.
  ASSERT_TRUE(twice.violation().has_value());
  EXPECT_EQ(twice.violation()->invariant, 1);
  EXPECT_NE(twice.violation()->detail.find("twice"), std::string::npos);
  Oracle intruder(30'000);
  intruder.on_listen_sent(1, "p-owner");
  intruder.on_control_granted(world, 1, "p-owner", now);
  intruder.on_command_obeyed(world, "p-intruder", Command{CommandKind::drop, 1, 1}, now);
  ASSERT_TRUE(intruder.violation().has_value());
  EXPECT_EQ(intruder.violation()->invariant, 1);
  Oracle early(30'000);  // Granted by the server, but the claw has not announced the turn.
  early.on_listen_sent(2, "p-next");
  early.on_command_obeyed(world, "p-next", Command{CommandKind::left_on, 2, 1}, now);
  ASSERT_TRUE(early.violation().has_value());
  EXPECT_NE(early.violation()->detail.find("while it serves no turn"), std::string::npos);
}

// Invariant 10: a turn that starts while the operator holds the queue fails.
TEST(Oracle, OperatorHoldsCatchATurnStartedWhileTheQueueIsPaused) {
  World world(load_or_fail("operator_pause_skip_kick.scenario"), 21);
  world.run_until(30'000);
  ASSERT_EQ(world.server()->queue_mode(), QueueMode::paused);
  Oracle oracle(30'000);
  oracle.on_turn_start(world, 2, 9, world.now_ms());
  ASSERT_TRUE(oracle.violation().has_value());
  EXPECT_EQ(oracle.violation()->invariant, 10);
  EXPECT_NE(oracle.violation()->detail.find("while the queue is paused"), std::string::npos)
      << oracle.violation()->detail;
}

TEST(Oracle, SingleControlCatchesAClawGrantingAFinishedTurnAgain) {
  World world(load_or_fail("three_players.scenario"), 7);
  world.run_until(2'000);
  Oracle oracle(30'000);
  oracle.on_listen_sent(3, "p-again");
  oracle.on_listen_sent(4, "p-fresh");
  oracle.on_control_ended(3);
  oracle.on_control_granted(world, 4, "p-fresh", world.now_ms());
  EXPECT_FALSE(oracle.violation().has_value());
  oracle.on_control_granted(world, 3, "p-again", world.now_ms());
  ASSERT_TRUE(oracle.violation().has_value());
  EXPECT_EQ(oracle.violation()->invariant, 1);
  Oracle rebooted(30'000);  // A claw that rebooted may serve a lost turn again.
  rebooted.on_listen_sent(3, "p-again");
  rebooted.on_control_ended(3);
  rebooted.on_claw_crashed();
  rebooted.on_control_granted(world, 3, "p-again", world.now_ms());
  EXPECT_FALSE(rebooted.violation().has_value());
  Oracle ungranted(30'000);  // Control of a turn the server gave to someone else.
  ungranted.on_listen_sent(5, "p-owner");
  ungranted.on_control_granted(world, 5, "p-intruder", world.now_ms());
  ASSERT_TRUE(ungranted.violation().has_value());
  EXPECT_EQ(ungranted.violation()->invariant, 1);
}

TEST(Oracle, PositionsCatchAWrongNumberOnTheWireAndAReceivedOneBelowTheRank) {
  World world(load_or_fail("three_players.scenario"), 7);
  world.run_until(2'000);  // bob and carol wait at ranks 0 and 1.
  const std::string carol = world.players().at("carol").channel;
  Oracle right(30'000);
  right.on_position_sent(carol, 1);
  right.on_position_received(world, carol, 3, world.now_ms());  // Stale and high: allowed.
  right.check(world, world.now_ms());
  EXPECT_FALSE(right.violation().has_value()) << right.violation()->detail;
  Oracle sent(30'000);
  sent.on_position_sent(carol, 2);
  sent.check(world, world.now_ms());
  ASSERT_TRUE(sent.violation().has_value());
  EXPECT_EQ(sent.violation()->invariant, 6);
  Oracle received(30'000);
  received.on_position_received(world, carol, 0, world.now_ms());
  ASSERT_TRUE(received.violation().has_value());
  EXPECT_EQ(received.violation()->invariant, 6);
}

TEST(Oracle, DurabilityAllowsAJoinCommittedButNeverAcknowledged) {
  World world(load_or_fail("three_players.scenario"), 7);
  world.run_until(2'000);  // Tickets 2 and 3 wait.
  Oracle oracle(30'000);
  oracle.on_join_acknowledged(2, "p-2", 0);
  oracle.on_join_committed(3, "p-3");  // The server crashed before its reply went out.
  oracle.on_server_restarted(world, world.now_ms());
  EXPECT_FALSE(oracle.violation().has_value()) << oracle.violation()->detail;
}

TEST(Oracle, HistoryCountsLostDuplicatedAndUnexpectedGrants) {
  World world(load_or_fail("three_players.scenario"), 7);
  world.run_until(2'000);
  Oracle clean(30'000);
  clean.on_join_acknowledged(70, "p-played", 0);
  clean.on_listen_sent(1, "p-played");
  clean.on_listen_sent(1, "p-played");  // A repeat, or a lost turn granted again: the same turn.
  clean.check_end(world, world.now_ms());
  EXPECT_FALSE(clean.violation().has_value()) << clean.violation()->detail;
  EXPECT_EQ(clean.history(world).served, 1U);

  Oracle lost(30'000);
  lost.on_join_acknowledged(71, "p-gone", 0);  // Never granted, never departed, not queued.
  EXPECT_EQ(lost.history(world).lost, 1U);
  lost.check_end(world, world.now_ms());
  ASSERT_TRUE(lost.violation().has_value());
  EXPECT_EQ(lost.violation()->invariant, 7);

  Oracle twice(30'000);
  twice.on_join_acknowledged(72, "p-twice", 0);
  twice.on_listen_sent(4, "p-twice");
  twice.on_listen_sent(5, "p-twice");
  EXPECT_EQ(twice.history(world).duplicated, 1U);

  Oracle stranger(30'000);
  stranger.on_listen_sent(6, "p-stranger");
  EXPECT_EQ(stranger.history(world).unexpected, 1U);
  stranger.on_join_committed(9, "p-stranger");  // Committed, the reply lost in a crash: expected.
  EXPECT_EQ(stranger.history(world).unexpected, 0U);
}

TEST(Oracle, LivenessCatchesAClawThatNeverHearsFromTheServer) {
  // Every secure message is lost: the idle claw never gets a CHANNEL_LISTEN.
  Scenario scenario = load_or_fail("three_players.scenario");
  scenario.expectations.clear();
  scenario.liveness_bound_ms = 30'000;
  Action blackout;
  blackout.at_ms = 0;
  blackout.body = ChannelLoss{"clawcomm", 1.0, 120'000};
  scenario.actions.insert(scenario.actions.begin(), blackout);
  World world(scenario, 7);
  world.run_to_end();
  ASSERT_TRUE(world.violation().has_value());
  EXPECT_EQ(world.violation()->invariant, 3) << world.violation()->detail;
  EXPECT_LT(world.violation()->at_ms, 40'000);
}

// Invariant 12: a turn's record lists exactly the motor changes the claw carried out.
TEST(Oracle, TurnRecordsCatchASummaryThatMissesAMotorChange) {
  TurnSummary summary{3, "p-3", 30'000, 10, 500, 900, {}, {}, 0};
  summary.entries = {MotorEntry{100, Motor::gantry_up, true, MotorCause::player},
                     MotorEntry{700, Motor::gantry_up, false, MotorCause::deadman}};
  Oracle oracle(30'000);
  oracle.on_claw_subscribe();
  oracle.on_claw_motor(Motor::gantry_up, true);
  oracle.on_claw_motor(Motor::gantry_up, false);
  oracle.on_turn_summary(summary, 0);
  EXPECT_FALSE(oracle.violation().has_value()) << oracle.violation()->detail;
  oracle.on_claw_subscribe();
  oracle.on_claw_motor(Motor::gantry_up, true);
  oracle.on_claw_motor(Motor::gantry_left, true);  // Not in the summary below.
  oracle.on_claw_motor(Motor::gantry_up, false);
  oracle.on_turn_summary(summary, 0);
  ASSERT_TRUE(oracle.violation().has_value());
  EXPECT_EQ(oracle.violation()->invariant, 12);
  EXPECT_NE(oracle.violation()->detail.find("change 2 is gantry_up off in the summary and gantry_left on"),
            std::string::npos)
      << oracle.violation()->detail;
}

TEST(Oracle, TurnRecordsCatchASummaryWithoutAGrant) {
  Oracle oracle(30'000);
  oracle.on_turn_summary(TurnSummary{3, "p-3", 30'000, {}, 0, 0, {}, {}, 0}, 0);
  ASSERT_TRUE(oracle.violation().has_value());
  EXPECT_EQ(oracle.violation()->invariant, 12);
}

}  // namespace
}  // namespace clawnet::sim
