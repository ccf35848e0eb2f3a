// WorldDriver over the real World of three_players.scenario: the viewer's
// clock, stepping, the end of the run, restart, and a human player.
#include "world_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace clawnet::viz {
namespace {

using testing::three_players_at;

bool queue_has(const sim::Snapshot& snapshot, const std::string& player) {
  return std::any_of(snapshot.queue.begin(), snapshot.queue.end(),
                     [&](const sim::QueueEntryView& entry) { return entry.player == player; });
}

TEST(VizWorldDriver, StartsAtZeroWithTheScenarioNameAndSeed) {
  const auto driver = three_players_at(0);
  const sim::Snapshot snapshot = driver->snapshot();
  EXPECT_EQ(snapshot.now_ms, 0);
  EXPECT_EQ(snapshot.scenario, "three_players.scenario");
  EXPECT_EQ(snapshot.seed, 7U);
  EXPECT_FALSE(snapshot.finished);
}

TEST(VizWorldDriver, AdvanceReachesTheAskedInstantEvenBetweenEvents) {
  const auto driver = three_players_at(0);
  // Many small steps: each alone may fall between two events of the World.
  for (int i = 0; i < 500; ++i) driver->advance_ms(7);
  EXPECT_EQ(driver->snapshot().now_ms, 3500);
  EXPECT_LE(driver->world().now_ms(), 3500);
  EXPECT_GT(driver->world().events_run(), 0U);
  // By then alice has the claw (the scenario expects it by 2s).
  EXPECT_EQ(driver->snapshot().controller, std::optional<std::string>("alice"));
}

TEST(VizWorldDriver, SnapshotCarriesTheTurnLengthOfTheScenario) {
  const auto driver = three_players_at(3000);
  const sim::Snapshot snapshot = driver->snapshot();
  ASSERT_TRUE(snapshot.controller.has_value());
  EXPECT_EQ(snapshot.turn_ms, 20'000);  // "server turn 20s"
  EXPECT_GT(snapshot.turn_ends_ms, snapshot.now_ms);
  EXPECT_LE(snapshot.turn_ends_ms, snapshot.now_ms + snapshot.turn_ms);
}

// The World syncs its cabinet only at its own events; the driver's snapshot
// shows the cabinet at the viewer's instant, moving at the cabinet's speeds.
TEST(VizWorldDriver, CabinetMovesSmoothlyBetweenTheWorldsEvents) {
  const sim::Scenario scenario = testing::load("three_players.scenario");
  const double gantry_mm_per_200ms = static_cast<double>(scenario.cabinet.gantry_mm_per_s) / 5;
  const double hoist_mm_per_200ms = static_cast<double>(scenario.cabinet.hoist_mm_per_s) / 5;
  // alice holds right from 5s (the motor starts a latency later) to 6.5s.
  const auto driver = three_players_at(5400);
  const double x_5400_mm = driver->snapshot().cabinet.x_mm;
  driver->advance_ms(200);
  const double x_5600_mm = driver->snapshot().cabinet.x_mm;
  driver->advance_ms(200);
  const double x_5800_mm = driver->snapshot().cabinet.x_mm;
  EXPECT_DOUBLE_EQ(x_5600_mm - x_5400_mm, gantry_mm_per_200ms);
  EXPECT_DOUBLE_EQ(x_5800_mm - x_5600_mm, gantry_mm_per_200ms);
  // alice drops at 9s: the claw goes down 300 mm with no World event on the way.
  driver->advance_ms(9400 - 5800);
  const double z_9400_mm = driver->snapshot().cabinet.z_mm;
  driver->advance_ms(200);
  const double z_9600_mm = driver->snapshot().cabinet.z_mm;
  EXPECT_GT(z_9400_mm, 0);
  EXPECT_DOUBLE_EQ(z_9600_mm - z_9400_mm, hoist_mm_per_200ms);
  EXPECT_LT(driver->world().snapshot().cabinet.z_mm, z_9400_mm);  // The World's last sync is behind.
  // At rest, the driver's cabinet is the World's: a fresh run at 8.6s, between
  // alice's last move (8s) and her drop (9s).
  driver->restart();
  driver->advance_ms(8600);
  const sim::CabinetView at_rest = driver->snapshot().cabinet;
  const sim::CabinetView world = driver->world().snapshot().cabinet;
  EXPECT_EQ(at_rest.x_mm, world.x_mm);
  EXPECT_EQ(at_rest.y_mm, world.y_mm);
  EXPECT_EQ(at_rest.z_mm, world.z_mm);
  EXPECT_EQ(at_rest.motors, world.motors);
  EXPECT_EQ(at_rest.switches, world.switches);
}

TEST(VizWorldDriver, StepRunsExactlyOneEvent) {
  const auto driver = three_players_at(2000);
  const std::uint64_t before = driver->world().events_run();
  driver->step_one_event();
  EXPECT_EQ(driver->world().events_run(), before + 1);
  EXPECT_GE(driver->viewer_ms(), driver->world().now_ms());
  EXPECT_GE(driver->viewer_ms(), 2000);
}

TEST(VizWorldDriver, StopsAtTheEndOfTheRun) {
  const auto driver = three_players_at(10 * 60'000);  // Past the scenario's 3m.
  sim::Snapshot snapshot = driver->snapshot();
  EXPECT_TRUE(snapshot.finished);
  EXPECT_EQ(snapshot.now_ms, 180'000);
  EXPECT_TRUE(driver->world().passed());
  const std::uint64_t events = driver->world().events_run();
  driver->advance_ms(5000);
  driver->step_one_event();
  EXPECT_EQ(driver->world().events_run(), events);
  EXPECT_EQ(driver->snapshot().now_ms, 180'000);
}

TEST(VizWorldDriver, RestartReplaysTheSameRun) {
  const auto driver = three_players_at(9500);
  const sim::Snapshot first = driver->snapshot();
  const std::uint64_t events = driver->world().events_run();
  driver->restart();
  EXPECT_EQ(driver->snapshot().now_ms, 0);
  EXPECT_EQ(driver->world().events_run(), 0U);
  driver->advance_ms(9500);
  const sim::Snapshot second = driver->snapshot();
  EXPECT_EQ(driver->world().events_run(), events);
  EXPECT_EQ(second.recent_log, first.recent_log);
  EXPECT_EQ(second.cabinet.x_mm, first.cabinet.x_mm);
  EXPECT_EQ(second.cabinet.y_mm, first.cabinet.y_mm);
  EXPECT_EQ(second.controller, first.controller);
  EXPECT_EQ(second.queue_length, first.queue_length);
}

TEST(VizWorldDriver, HumanPlayerJoinsAndSteersOnItsTurn) {
  // dave joins at the start, before alice (1s): he is queued, then gets the claw first.
  const auto driver = three_players_at(500, "dave");
  EXPECT_TRUE(queue_has(driver->snapshot(), "dave"));
  while (!driver->snapshot().finished && driver->snapshot().controller != std::optional<std::string>("dave")) {
    driver->advance_ms(500);
  }
  ASSERT_EQ(driver->snapshot().controller, std::optional<std::string>("dave"));
  driver->advance_ms(1000);  // Let the claw settle into dave's turn.
  const double x_before_mm = driver->snapshot().cabinet.x_mm;
  const double y_before_mm = driver->snapshot().cabinet.y_mm;
  driver->send_player_command("dave", "upOn");
  driver->advance_ms(1500);
  driver->send_player_command("dave", "upOff");
  driver->advance_ms(500);
  const sim::Snapshot moved = driver->snapshot();
  EXPECT_GT(moved.cabinet.y_mm, y_before_mm + 50);
  EXPECT_EQ(moved.cabinet.x_mm, x_before_mm);
  const bool gantry_motor_on = moved.cabinet.motors[static_cast<std::size_t>(Motor::gantry_up)];
  EXPECT_FALSE(gantry_motor_on);
}

TEST(VizWorldDriver, CommandsForAPlayerNotInTheRunAreIgnored) {
  const auto driver = three_players_at(5500);
  const sim::Snapshot before = driver->snapshot();
  driver->send_player_command("nobody", "leftOn");
  driver->send_player_command("alice", "notACommand");
  const sim::Snapshot after = driver->snapshot();
  EXPECT_EQ(after.recent_log, before.recent_log);
  EXPECT_EQ(after.cabinet.motors, before.cabinet.motors);
}

}  // namespace
}  // namespace clawnet::viz
