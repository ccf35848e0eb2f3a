// Running a scenario file end to end, shared by clawsim, the visualizer and
// tests: load and parse the file, pick the seed, give the run a private store
// directory, and report the outcome.
#pragma once

#include "sim/scenario.hpp"
#include "sim/world.hpp"

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <variant>

namespace clawnet::sim {

// Reads and parses a scenario file; the error names the file and line.
std::variant<Scenario, std::string> load_scenario(const std::filesystem::path& path);

// A scratch directory for one run's SQLite store, removed on destruction.
class ScratchDirectory {
 public:
  ScratchDirectory();
  ~ScratchDirectory();
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Writes the end-of-run report: expectations, counters, and for a violation
// the invariant, the last events, the seed and the command that reproduces it.
void write_report(std::ostream& out, const World& world, const std::string& scenario_path);

}  // namespace clawnet::sim
