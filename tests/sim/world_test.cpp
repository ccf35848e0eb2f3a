#include "sim/run.hpp"
#include "world_support.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>

#include <sstream>

namespace clawnet::sim {
namespace {

using testing::load_or_fail;
using testing::run_timeline;

TEST(World, SameSeedGivesByteIdenticalTimelines) {
  Scenario scenario = load_or_fail("three_players.scenario");
  std::vector<std::string> first = run_timeline(scenario, 7);
  std::vector<std::string> second = run_timeline(scenario, 7);
  ASSERT_GT(first.size(), 50u);
  EXPECT_EQ(first, second);
}

TEST(World, SameSeedIsIdenticalUnderFaultsAndRandomArrivals) {
  Scenario scenario = load_or_fail("busy_evening.scenario");
  scenario.duration_ms = 3'600'000;  // One hour is plenty to exercise every fault kind.
  EXPECT_EQ(run_timeline(scenario, 5), run_timeline(scenario, 5));
}

TEST(World, DifferentSeedsGiveDifferentRandomRuns) {
  Scenario scenario = load_or_fail("busy_evening.scenario");
  scenario.duration_ms = 3'600'000;
  EXPECT_NE(run_timeline(scenario, 5), run_timeline(scenario, 6));
}

TEST(World, HeadlineScenarioPassesItsExpectations) {
  World world(load_or_fail("three_players.scenario"), 7);
  world.run_to_end();
  EXPECT_FALSE(world.violation().has_value());
  ASSERT_EQ(world.results().size(), world.scenario().expectations.size());
  for (const ExpectationResult& result : world.results()) EXPECT_TRUE(result.passed) << result.text;
}

TEST(World, FailedExpectationIsReportedWithItsLine) {
  Scenario scenario = load_or_fail("three_players.scenario");
  Expectation wrong;
  wrong.when = When::end;
  wrong.body = ExpectQueueLength{5};
  wrong.line = 999;
  scenario.expectations.push_back(wrong);
  World world(scenario, 7);
  world.run_to_end();
  EXPECT_FALSE(world.passed());
  ASSERT_FALSE(world.results().empty());
  EXPECT_EQ(world.results().back().line, 999);
  EXPECT_FALSE(world.results().back().passed);
  EXPECT_NE(world.results().back().text.find("queue_length 0"), std::string::npos) << world.results().back().text;
}

TEST(World, ChromeTraceIsValidJsonWithOneEventPerLine) {
  World world(load_or_fail("three_players.scenario"), 7);
  std::ostringstream out;
  ChromeTrace trace(out);
  std::size_t lines = 0;
  world.timeline().add_sink([&](const TimelineEntry& entry) {
    trace.record(entry);
    lines += 1;
  });
  world.run_to_end();
  trace.finish();
  boost::json::value parsed = boost::json::parse(out.str());
  ASSERT_TRUE(parsed.is_array());
  std::size_t instants = 0;
  for (const boost::json::value& event : parsed.as_array()) {
    if (event.as_object().at("ph") == "i") instants += 1;
  }
  EXPECT_EQ(instants, lines);
}

TEST(World, SnapshotShowsControllerQueueAndCabinet) {
  World world(load_or_fail("three_players.scenario"), 7);
  world.run_until(5'500);  // alice steers right from 5s.
  Snapshot shot = world.snapshot();
  EXPECT_EQ(shot.controller, std::optional<std::string>("alice"));
  ASSERT_EQ(shot.queue.size(), 2u);
  EXPECT_EQ(shot.queue[0].player, "bob");
  EXPECT_EQ(shot.queue[1].player, "carol");
  EXPECT_TRUE(shot.cabinet.motors[static_cast<std::size_t>(Motor::gantry_right)]);
  EXPECT_GT(shot.cabinet.x_mm, 0);
  EXPECT_EQ(shot.server_state, "InTurn");
  EXPECT_EQ(shot.claw_state, "Controlled");
}

// The visualizer's fault panel lists the faults on the nodes too, not only the network's.
TEST(World, SnapshotListsFreezesClocksAndArmedCrashes) {
  Scenario scenario = load_or_fail("hung_claw_mid_turn.scenario");
  scenario.actions.push_back(Action{7'000, ClockChange{NodeKind::server, 250, 3'000}, 0});
  scenario.actions.push_back(Action{7'000, Crash{NodeKind::server, 2}, 0});
  scenario.actions.push_back(Action{7'000, Crash{NodeKind::claw, std::nullopt, "Lowering"}, 0});
  World world(scenario, scenario.seed);
  world.run_until(8'000);
  std::vector<std::string> faults;
  for (const FaultView& fault : world.snapshot().faults) faults.push_back(fault.description);
  const auto listed = [&](std::string_view text) {
    return std::any_of(faults.begin(), faults.end(), [&](const std::string& f) { return f.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(listed("claw frozen until 46s")) << ::testing::PrintToString(faults);
  EXPECT_TRUE(listed("server clock 3s ahead, drift 250 ppm")) << ::testing::PrintToString(faults);
  EXPECT_TRUE(listed("server crashes after 2 effects")) << ::testing::PrintToString(faults);
  EXPECT_TRUE(listed("claw in Lowering: crash claw")) << ::testing::PrintToString(faults);
  world.run_until(47'000);
  faults.clear();
  for (const FaultView& fault : world.snapshot().faults) faults.push_back(fault.description);
  EXPECT_FALSE(listed("frozen")) << ::testing::PrintToString(faults);
}

}  // namespace
}  // namespace clawnet::sim
