// `clawsim explore`: runs many seeds, each its own random world
// (world_draw.hpp) with its own fault mix, in parallel worker processes.
// Safety is checked after every step, liveness after the heal (sim/oracle.hpp).
// Every failing seed is written out as DIR/seed-N.scenario and shrunk to
// DIR/seed-N.min.scenario, which `clawsim run` replays to the same invariant.
// Coverage goes to DIR/coverage.json and a table. docs/explore.md is the manual.
//
// The same seeds give the same files, byte for byte, whatever the number of
// jobs; only wall times and progress lines vary.
#pragma once

#include "sim/explore/seed_run.hpp"
#include "sim/scenario.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace clawnet::sim {

inline constexpr std::uint64_t explore_seeds_max = 100'000'000;
inline constexpr unsigned explore_jobs_max = 256;
// One seed's run may take this much wall time before it counts as a livelock...
inline constexpr std::chrono::milliseconds explore_seed_wall_budget{std::chrono::seconds(60)};
// ...and a worker this long for a seed, shrinking included, before it is killed.
inline constexpr std::chrono::milliseconds explore_worker_deadline{std::chrono::minutes(10)};

// Exit status, by the worst outcome of any seed.
inline constexpr int explore_exit_passed = 0;
inline constexpr int explore_exit_safety = 1;     // A safety invariant was violated.
inline constexpr int explore_exit_usage = 2;
inline constexpr int explore_exit_liveness = 3;   // A liveness obligation failed after the heal.
inline constexpr int explore_exit_crash = 4;      // A crash, failed assertion, exception or livelock.
inline constexpr int explore_exit_coverage = 5;   // --require-coverage, and a probe or pair was never hit.

// The exit status for a run whose worst seed had `worst`.
int explore_exit_code(Outcome worst);

struct ExploreOptions {
  std::string program = "clawsim";   // How the replay command names this program.
  std::string base_file;
  std::optional<Scenario> base;      // Loaded from base_file.
  std::uint64_t seed_first = 0;
  std::uint64_t seed_count = 0;
  unsigned jobs = 0;
  std::uint64_t minutes = 0;         // 0: no wall-time limit.
  std::string out_dir = "explore-out";
  std::uint64_t failures_max = 20;   // Stop starting seeds after this many failures (0: never).
  bool require_coverage = false;
  bool bench = false;
  bool verbose = false;
};

// Runs the exploration. Results go to `out`, progress to `progress`.
// Returns one of the explore_exit_* codes.
int explore(const ExploreOptions& options, std::ostream& out, std::ostream& progress);

}  // namespace clawnet::sim
