// clawviz's command line: the scenario file, the simulation's options, the
// headless modes, and everything parse_viz_options() knows (viz/options.hpp).
//
//   clawviz FILE.scenario [--seed N] [--play NAME] [--speed X] [--paused] ...   window
//   clawviz FILE --png out.png --at 42s [--size 1280x720]                       one PNG
//   clawviz FILE --frames DIR [--every 1s] [--until 2m] [--size WxH]            a series
//
//   --seed N        the run's seed (default: the scenario's own `seed` line)
//   --at T          the virtual instant --png renders (default 0s)
//   --size WxH      the frame size, same as --width W --height H
//   --frames DIR    write DIR/frame-0000.png, frame-0001.png, ... for the run
//   --every T       virtual time between frames of the series (default 1s)
//   --until T       the series' last instant (default: the end of the run)
// Durations read as in the scenario format: 1500ms, 6.4s, 1m30s.
//
// Every error names the argument that was wrong; callers exit with status 2.
#pragma once

#include "sim/scenario.hpp"
#include "viz/options.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace clawnet::viz {

// --every below this would be thousands of near-identical frames.
inline constexpr TimeMs frame_every_ms_min = 10;

struct ClawvizCommand {
  std::string scenario_path;
  std::optional<std::uint64_t> seed;  // Unset: the scenario's seed.
  VizOptions viz;
  bool help = false;  // --help or -h: print the usage and exit 0.
};

struct ParsedClawviz {
  ClawvizCommand command;
  std::string error;  // Set when an argument was wrong; names it.
};

extern const char* const clawviz_usage;

// `args` excludes the program name.
ParsedClawviz parse_clawviz_command(const std::vector<std::string>& args);

// Checks the command against its loaded scenario (--at and --until within the
// run, the series within frame_series_max frames) and that fonts given with
// --font or --mono-font can be read. Returns an error naming the argument, or nullopt.
std::optional<std::string> check_clawviz_command(const ClawvizCommand& command, const sim::Scenario& scenario);

}  // namespace clawnet::viz
