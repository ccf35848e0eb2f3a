// Running a scenario file end to end, shared by clawsim, the visualizer and
// tests: load and parse the file, run it within a wall-time budget, and report
// the outcome.
#pragma once

#include "sim/scenario.hpp"
#include "sim/world.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <variant>

namespace clawnet::sim {

// Reads and parses a scenario file; the error names the file and line.
std::variant<Scenario, std::string> load_scenario(const std::filesystem::path& path);

// How long one run may take in wall time before it is stopped as a livelock.
inline constexpr std::chrono::milliseconds wall_budget_default{std::chrono::minutes(10)};

// Runs `world` to its end, unless it takes longer than `wall_budget`: then the
// run is stopped with a livelock violation. Returns true iff it was stopped so.
// (The virtual-time guard, too many events at one instant, is the world's own.)
bool run_guarded(World& world, std::chrono::milliseconds wall_budget);

// Writes the end-of-run report: expectations, counters, and for a violation
// the invariant, the last events, the seed and `reproduce`, the command that
// replays the run.
void write_report(std::ostream& out, const World& world, const std::string& reproduce);

}  // namespace clawnet::sim
