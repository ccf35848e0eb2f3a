// Helpers for tests that run whole simulations.
#pragma once

#include "sim/run.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace clawnet::sim::testing {

inline Scenario load_or_fail(const std::string& name) {
  auto loaded = load_scenario(std::string(CLAWNET_SCENARIO_DIR) + "/" + name);
  if (const std::string* error = std::get_if<std::string>(&loaded)) {
    ADD_FAILURE() << *error;
    return {};
  }
  return std::get<Scenario>(loaded);
}

// Runs a scenario to its end and returns every timeline line.
inline std::vector<std::string> run_timeline(const Scenario& scenario, std::uint64_t seed) {
  ScratchDirectory scratch;
  World world(scenario, seed, scratch.path());
  std::vector<std::string> lines;
  world.timeline().add_sink([&](const TimelineEntry& entry) { lines.push_back(format_entry(entry)); });
  world.run_to_end();
  return lines;
}

}  // namespace clawnet::sim::testing
