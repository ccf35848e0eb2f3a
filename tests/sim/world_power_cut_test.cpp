// A whole simulation whose server loses power after acknowledging joins. With the
// store at synchronous=FULL (the default, as in production) the oracle finds every
// acknowledged join after the restart; at synchronous=NORMAL it reports invariant 5
// (durability): the harness catches a store setting too weak for a power cut.
#include "world_support.hpp"

#include <gtest/gtest.h>

#include <string>

namespace clawnet::sim {
namespace {

using testing::load_or_fail;

// three_players: alice, bob and carol join by 1.4 s; alice plays, bob and carol wait.
// The server loses power at 3 s and restarts at 4 s.
Scenario restarted_at_four_seconds() {
  Scenario scenario = load_or_fail("three_players.scenario");
  scenario.actions.push_back(Action{4'000, Restart{NodeKind::server}, 0});
  return scenario;
}

void record_timeline(World& world, std::string& text) {
  world.timeline().add_sink([&text](const TimelineEntry& entry) { text += format_entry(entry) + "\n"; });
}

void cut_at_three_seconds_and_run(World& world, bool tear) {
  world.run_until(3'000);
  ASSERT_TRUE(world.server() != nullptr);
  ASSERT_EQ(world.oracle().history(world).acknowledged, 3u);
  world.power_cut_server(tear);
  EXPECT_EQ(world.server(), nullptr);
  world.run_to_end();
}

TEST(WorldPowerCut, FullSyncKeepsEveryAcknowledgedJoin) {
  for (const bool tear : {false, true}) {
    SCOPED_TRACE(tear ? "torn" : "clean");
    World world(restarted_at_four_seconds(), 7);
    std::string text;
    record_timeline(world, text);
    cut_at_three_seconds_and_run(world, tear);
    EXPECT_NE(text.find("POWER CUT"), std::string::npos);
    EXPECT_NE(text.find("start: 2 waiting in the store"), std::string::npos) << text;
    EXPECT_FALSE(world.violation().has_value()) << world.violation()->detail;
    EXPECT_EQ(world.oracle().history(world).lost, 0u);
    EXPECT_EQ(world.counters().turns_played, 3u) << "everyone plays once the server is back";
  }
}

TEST(WorldPowerCut, NormalSyncLosesAcknowledgedJoinsAndTheOracleSaysSo) {
  for (const bool tear : {false, true}) {
    SCOPED_TRACE(tear ? "torn" : "clean");
    World world(restarted_at_four_seconds(), 7, WorldOptions{Durability::process_crash});
    cut_at_three_seconds_and_run(world, tear);
    ASSERT_TRUE(world.violation().has_value());
    EXPECT_EQ(world.violation()->invariant, 5) << world.violation()->detail;
  }
}

TEST(WorldPowerCut, NormalSyncSurvivesAProcessCrash) {
  Scenario scenario = restarted_at_four_seconds();
  scenario.actions.push_back(Action{3'000, Crash{NodeKind::server}, 0});
  World world(scenario, 7, WorldOptions{Durability::process_crash});
  world.run_to_end();
  EXPECT_FALSE(world.violation().has_value()) << world.violation()->detail;
  EXPECT_EQ(world.counters().turns_played, 3u);
}

TEST(WorldPowerCut, PowerCutOfAServerThatIsDownDoesNothing) {
  World world(restarted_at_four_seconds(), 7);
  world.run_until(3'000);
  world.power_cut_server(false);
  world.power_cut_server(true);
  world.run_to_end();
  EXPECT_FALSE(world.violation().has_value()) << world.violation()->detail;
}

}  // namespace
}  // namespace clawnet::sim
