// Helpers for the viz tests over the real simulation: the scenario files of
// the repository, loaded as clawviz loads them.
#pragma once

#include "sim/run.hpp"
#include "viz/world_driver.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <variant>

namespace clawnet::viz::testing {

// CLAWNET_SCENARIO_DIR is set by tests/viz/CMakeLists.txt.
inline std::string scenario_path(const std::string& file) { return std::string(CLAWNET_SCENARIO_DIR) + "/" + file; }

inline sim::Scenario load(const std::string& file) {
  auto loaded = sim::load_scenario(scenario_path(file));
  if (const std::string* error = std::get_if<std::string>(&loaded)) ADD_FAILURE() << *error;
  return std::holds_alternative<sim::Scenario>(loaded) ? std::get<sim::Scenario>(loaded) : sim::Scenario{};
}

// three_players.scenario at its own seed, advanced to `at_ms` (0: not advanced).
inline std::unique_ptr<WorldDriver> three_players_at(TimeMs at_ms, const std::string& play = {}) {
  sim::Scenario scenario = load("three_players.scenario");
  const std::uint64_t seed = scenario.seed;
  auto driver = std::make_unique<WorldDriver>(std::move(scenario), seed, play);
  if (at_ms > 0) driver->advance_ms(at_ms);
  return driver;
}

}  // namespace clawnet::viz::testing
