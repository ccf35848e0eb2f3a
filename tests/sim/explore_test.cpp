// The explorer's own logic: drawing worlds and fault mixes, the chaos/heal
// phases, shrinking to the same invariant, the worker pool, exit codes, and
// byte-identical output for the same seeds.
#include "sim/explore/explorer.hpp"
#include "sim/explore/seed_run.hpp"
#include "sim/explore/shrink.hpp"
#include "sim/explore/worker_pool.hpp"
#include "sim/explore/world_draw.hpp"
#include "world_support.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace clawnet::sim {
namespace {

using testing::load_or_fail;
using testing::ScratchDirectory;

constexpr std::chrono::milliseconds budget{std::chrono::seconds(60)};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// A claw whose hoist cannot reach the top in time: its first drop faults, and
// the claw stays stopped, so after a heal the waiting players are stuck.
Scenario faulty_claw() {
  Scenario scenario = load_or_fail("three_players.scenario");
  scenario.expectations.clear();
  scenario.claw.raise_ms_max = 500;
  return scenario;
}

void add_heal(Scenario& scenario, TimeMs at_ms) {
  scenario.actions.push_back(Action{at_ms, Heal{}, 0});
  const HealBounds bounds = heal_bounds(scenario.server, scenario.claw, scenario.network);
  scenario.duration_ms = at_ms + bounds.settle_ms + 5 * bounds.turn_bound_ms;
}

TEST(DrawWorld, TheSameSeedDrawsTheSameWorldAndOthersDiffer) {
  const DrawSettings settings;
  EXPECT_EQ(print_scenario(draw_world(7, nullptr, settings).scenario),
            print_scenario(draw_world(7, nullptr, settings).scenario));
  EXPECT_NE(print_scenario(draw_world(7, nullptr, settings).scenario),
            print_scenario(draw_world(8, nullptr, settings).scenario));
}

TEST(DrawWorld, WorldsAreExplicitValidAndReadBackAsPrinted) {
  for (std::uint64_t seed = 0; seed < 300; seed += 1) {
    const DrawnWorld drawn = draw_world(seed, nullptr, DrawSettings{});
    const std::string printed = print_scenario(drawn.scenario);
    auto parsed = parse_scenario(printed, "drawn");
    ASSERT_TRUE(std::holds_alternative<Scenario>(parsed))
        << "seed " << seed << ": " << std::get<ParseError>(parsed).message;
    EXPECT_EQ(print_scenario(std::get<Scenario>(parsed)), printed) << "seed " << seed;
    std::size_t heals = 0;
    for (const Action& action : drawn.scenario.actions) {
      EXPECT_FALSE(std::holds_alternative<Chaos>(action.body)) << "seed " << seed;
      EXPECT_FALSE(std::holds_alternative<Arrivals>(action.body)) << "seed " << seed;
      EXPECT_FALSE(std::holds_alternative<Crowd>(action.body)) << "seed " << seed;
      if (std::holds_alternative<Heal>(action.body)) {
        heals += 1;
        EXPECT_EQ(action.at_ms, drawn.heal_at_ms);
      } else {
        EXPECT_LT(action.at_ms, drawn.heal_at_ms) << "seed " << seed << ": a fault after the heal";
      }
    }
    EXPECT_EQ(heals, 1U);
    EXPECT_TRUE(std::holds_alternative<Heal>(drawn.scenario.actions.back().body));
    EXPECT_GT(drawn.scenario.duration_ms, drawn.heal_at_ms);
  }
}

TEST(DrawWorld, TheSwarmMixSwitchesEveryKindBothWaysAndReachesTheExtreme) {
  std::array<int, fault_kind_count> on{};
  int extreme = 0;
  constexpr int seeds = 200;
  for (std::uint64_t seed = 0; seed < seeds; seed += 1) {
    const SwarmMix mix = draw_world(seed, nullptr, DrawSettings{}).mix;
    for (std::size_t kind = 0; kind < fault_kind_count; kind += 1) {
      on[kind] += mix.faults[kind].on ? 1 : 0;
      extreme += mix.faults[kind].intensity == 1.0 ? 1 : 0;
    }
  }
  for (std::size_t kind = 0; kind < fault_kind_count; kind += 1) {
    EXPECT_GT(on[kind], 0) << to_string(static_cast<FaultKind>(kind)) << " is never on";
    EXPECT_LT(on[kind], seeds) << to_string(static_cast<FaultKind>(kind)) << " is never off";
  }
  EXPECT_GT(extreme, 0);
  DrawSettings every;
  every.every_fault = true;
  for (const FaultSetting& fault : draw_world(3, nullptr, every).mix.faults) EXPECT_TRUE(fault.on);
}

TEST(DrawWorld, ABaseKeepsItsSettingsAndActionsAndDropsItsExpectations) {
  const Scenario base = load_or_fail("three_players.scenario");
  const DrawnWorld drawn = draw_world(5, &base, DrawSettings{});
  EXPECT_EQ(drawn.scenario.server.turn_ms, base.server.turn_ms);
  EXPECT_EQ(drawn.heal_at_ms, base.duration_ms);
  EXPECT_TRUE(drawn.scenario.expectations.empty());
  EXPECT_GT(drawn.scenario.actions.size(), base.actions.size());
  for (const Action& kept : base.actions) {
    const bool found = std::any_of(drawn.scenario.actions.begin(), drawn.scenario.actions.end(),
                                   [&](const Action& a) { return a.line == kept.line && a.at_ms == kept.at_ms; });
    EXPECT_TRUE(found) << "line " << kept.line << " of the base is gone";
  }
}

TEST(HealPhase, AStallBeforeTheHealIsNoFailureAndAfterItEveryoneHasPlayed) {
  // Every secure message is lost until the heal: nobody can play before it.
  Scenario scenario = load_or_fail("three_players.scenario");
  scenario.expectations.clear();
  scenario.actions.insert(scenario.actions.begin(), Action{0, ChannelLoss{"clawcomm", 1.0, 600'000}, 0});
  add_heal(scenario, 120'000);
  World world(scenario, 7);
  world.run_to_end();
  EXPECT_FALSE(world.violation().has_value()) << world.violation()->detail;
  EXPECT_EQ(world.counters().turns_played, 3U);
}

TEST(HealPhase, AClawStuckAfterTheHealIsALivenessFailureNamingWhoWaits) {
  Scenario scenario = faulty_claw();
  add_heal(scenario, 60'000);
  const SeedResult result = run_scenario(scenario, 7, budget);
  ASSERT_EQ(result.outcome, Outcome::liveness) << result.detail;
  EXPECT_EQ(result.invariant, 3);
  EXPECT_TRUE(result.detail.find("bob") != std::string::npos || result.detail.find("carol") != std::string::npos)
      << result.detail;
}

TEST(Shrink, KeepsOnlyTheLinesTheFailureNeeds) {
  Scenario scenario = load_or_fail("three_players.scenario");
  const auto needs = [](const Scenario& candidate) {
    bool carol = false;
    bool drop = false;
    for (const Action& action : candidate.actions) {
      if (const Join* join = std::get_if<Join>(&action.body)) carol = carol || join->player == "carol";
      drop = drop || std::holds_alternative<DropClaw>(action.body);
    }
    return carol && drop;
  };
  ASSERT_TRUE(needs(scenario));
  const Shrunk shrunk = shrink(scenario, scenario.duration_ms, needs);
  EXPECT_EQ(shrunk.scenario.actions.size(), 2U);
  EXPECT_TRUE(needs(shrunk.scenario));
  EXPECT_GT(shrunk.runs, 0U);
}

TEST(Shrink, AShrunkWorldReplaysToTheSameInvariant) {
  const Scenario base = faulty_claw();
  const DrawnWorld drawn = draw_world(11, &base, DrawSettings{});
  const SeedResult failed = run_scenario(drawn.scenario, 11, budget);
  ASSERT_EQ(failed.outcome, Outcome::liveness) << failed.detail;
  const Shrunk shrunk = shrink(drawn.scenario, failed.at_ms, [&](const Scenario& candidate) {
    return same_failure(run_scenario(candidate, 11, budget), failed);
  });
  EXPECT_LT(shrunk.scenario.actions.size(), drawn.scenario.actions.size() / 2);
  auto reparsed = parse_scenario(print_scenario(shrunk.scenario), "shrunk");
  ASSERT_TRUE(std::holds_alternative<Scenario>(reparsed));
  EXPECT_TRUE(same_failure(run_scenario(std::get<Scenario>(reparsed), 11, budget), failed));
}

TEST(SeedResult, ALineReadsBackAsTheSameResult) {
  const Scenario base = faulty_claw();
  SeedResult result = run_scenario(draw_world(4, &base, DrawSettings{}).scenario, 4, budget);
  result.summary = "tab\there, newline\nthere, backslash \\";
  const std::string line = encode_result(result);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const std::optional<SeedResult> back = decode_result(line);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(encode_result(*back), line);
  EXPECT_EQ(back->summary, result.summary);
  EXPECT_EQ(back->coverage.pairs, result.coverage.pairs);
  EXPECT_FALSE(decode_result("7\tpassed\tnot-a-number").has_value());
}

TEST(WorkerPool, ReportsAnswersDeathsAndOverruns) {
  WorkerPool pool(
      2,
      [](std::uint64_t seed) -> std::string {
        if (seed == 3) std::abort();
        if (seed == 4) ::sleep(30);
        return "ok " + std::to_string(seed);
      },
      std::chrono::milliseconds(1'500));
  std::map<std::uint64_t, WorkerPool::Finished> finished;
  std::uint64_t next = 1;
  for (int round = 0; round < 100 && finished.size() < 5; round += 1) {
    while (next <= 5 && pool.has_idle()) pool.submit(next++);
    for (WorkerPool::Finished& done : pool.wait(std::chrono::milliseconds(100))) finished[done.seed] = done;
  }
  ASSERT_EQ(finished.size(), 5U);
  EXPECT_EQ(finished[1].answer, "ok 1");
  EXPECT_EQ(finished[5].answer, "ok 5");
  EXPECT_FALSE(finished[3].answer.has_value());
  EXPECT_NE(finished[3].death.find("signal 6"), std::string::npos) << finished[3].death;
  EXPECT_TRUE(finished[4].overran);
}

TEST(Explore, TheExitStatusFollowsTheWorstOutcome) {
  EXPECT_EQ(explore_exit_code(Outcome::passed), explore_exit_passed);
  EXPECT_EQ(explore_exit_code(Outcome::safety), explore_exit_safety);
  EXPECT_EQ(explore_exit_code(Outcome::liveness), explore_exit_liveness);
  EXPECT_EQ(explore_exit_code(Outcome::livelock), explore_exit_crash);
  EXPECT_EQ(explore_exit_code(Outcome::crash), explore_exit_crash);
  EXPECT_LT(Outcome::liveness, Outcome::safety);
  EXPECT_LT(Outcome::safety, Outcome::crash);
}

ExploreOptions options_for(const std::filesystem::path& out, unsigned jobs) {
  ExploreOptions options;
  options.out_dir = out.string();
  options.jobs = jobs;
  options.seed_first = 10;
  options.seed_count = 4;
  options.failures_max = 0;
  return options;
}

TEST(Explore, TheSameSeedsWriteTheSameFilesWhateverTheJobs) {
  ScratchDirectory scratch;
  std::ostringstream out;
  std::ostringstream progress;
  ExploreOptions one = options_for(scratch.path() / "one", 1);
  one.base = faulty_claw();
  ExploreOptions two = options_for(scratch.path() / "two", 2);
  two.base = faulty_claw();
  EXPECT_EQ(explore(one, out, progress), explore_exit_liveness);
  EXPECT_EQ(explore(two, out, progress), explore_exit_liveness);
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(scratch.path() / "one")) {
    const std::filesystem::path twin = scratch.path() / "two" / entry.path().filename();
    ASSERT_TRUE(std::filesystem::exists(twin)) << twin;
    EXPECT_EQ(read_file(entry.path()), read_file(twin)) << entry.path().filename();
    files += 1;
  }
  // Three failing worlds, three shrunk, and coverage.json (in seed 13 the
  // operator's skips and kicks leave nobody waiting for the faulty claw).
  EXPECT_EQ(files, 7U);
  EXPECT_NE(out.str().find("FAIL seed 10: liveness"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("replay: clawsim run"), std::string::npos);
}

TEST(Explore, CleanSeedsPassAndReportCoverageAsJson) {
  ScratchDirectory scratch;
  std::ostringstream out;
  std::ostringstream progress;
  ExploreOptions options = options_for(scratch.path(), 2);
  options.seed_count = 20;
  EXPECT_EQ(explore(options, out, progress), explore_exit_passed) << out.str();
  const boost::json::value coverage = boost::json::parse(read_file(scratch.path() / "coverage.json"));
  EXPECT_EQ(coverage.at("probes").as_array().size(), coverage::probe_count);
  EXPECT_EQ(coverage.at("pairs").as_array().size(),
            ServerMachine::table_pairs().size() + ClawMachine::table_pairs().size());
  EXPECT_NE(out.str().find("20 seeds"), std::string::npos);
  EXPECT_NE(progress.str().find("20/20 seeds"), std::string::npos);
}

}  // namespace
}  // namespace clawnet::sim
