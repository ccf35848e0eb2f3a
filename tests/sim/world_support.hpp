// Helpers for tests that run whole simulations.
#pragma once

#include "sim/run.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace clawnet::sim::testing {

// A fresh directory under the system's temporary directory, removed with everything
// in it at the end of the test (for the explorer's output files).
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "clawsim-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

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
  World world(scenario, seed);
  std::vector<std::string> lines;
  world.timeline().add_sink([&](const TimelineEntry& entry) { lines.push_back(format_entry(entry)); });
  world.run_to_end();
  return lines;
}

}  // namespace clawnet::sim::testing
