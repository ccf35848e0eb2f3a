// Shrinking a failing scenario to a small one that fails the same way: delta
// debugging (ddmin) over its action lines, then each remaining line alone,
// then the duration cut to just past the failure. Every candidate is judged
// by `reproduces`, so the result replays to the same invariant by
// construction. Deterministic: same scenario and predicate, same result.
#pragma once

#include "sim/scenario.hpp"

#include <cstddef>
#include <functional>

namespace clawnet::sim {

// At most this many candidate runs per shrink: a bound, not a target.
inline constexpr std::size_t shrink_runs_max = 3'000;

using Reproduces = std::function<bool(const Scenario&)>;

struct Shrunk {
  Scenario scenario;
  std::size_t runs = 0;
};

// REQUIRES: reproduces(scenario). `failed_at_ms` is when the failure showed
// (the duration is cut to a little after it when that still reproduces).
Shrunk shrink(Scenario scenario, TimeMs failed_at_ms, const Reproduces& reproduces,
              std::size_t runs_max = shrink_runs_max);

}  // namespace clawnet::sim
