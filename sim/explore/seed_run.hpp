// Running one explorer world and what it yields: the outcome, the violation
// if any, and the coverage it reached. Results cross a pipe from the worker
// processes as one text line each (encode_result / decode_result).
#pragma once

#include "core/probes.hpp"
#include "sim/scenario.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clawnet::sim {

// What happened to a seed, mildest first.
enum class Outcome : std::uint8_t {
  passed,
  liveness,  // Invariant 3 after the heal.
  safety,    // Invariants 1, 2, 4, 5, 6, 7 (and expectations of a base file).
  livelock,  // No progress: too many events at one instant, or the wall budget spent.
  crash,     // The process died, an assertion or exception fired, or the simulation itself failed.
};
std::string_view to_string(Outcome outcome);
std::optional<Outcome> outcome_named(std::string_view name);

struct SeedResult {
  std::uint64_t seed = 0;
  Outcome outcome = Outcome::passed;
  int invariant = 0;
  std::string name;     // The violated invariant's name, or what crashed.
  std::string detail;
  TimeMs at_ms = 0;
  std::uint64_t events = 0;
  TimeMs virtual_ms = 0;
  std::string summary;  // The world in a few words.
  coverage::Recorder coverage;
};

// Runs `scenario` with `seed` in this process, recording coverage. An
// exception is a crash outcome; a run over `wall_budget` is a livelock.
SeedResult run_scenario(const Scenario& scenario, std::uint64_t seed, std::chrono::milliseconds wall_budget);

// True iff `a` and `b` fail the same way (outcome and invariant), so a shrunk
// scenario "replays to the same invariant".
bool same_failure(const SeedResult& a, const SeedResult& b);

// One line, no newline inside; decode_result(encode_result(r)) == r.
std::string encode_result(const SeedResult& result);
std::optional<SeedResult> decode_result(std::string_view line);

}  // namespace clawnet::sim
