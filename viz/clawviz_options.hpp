// clawviz's command line, parsed with CLI11 and checked by us.
//
//   clawviz FILE.scenario [--seed N] [--play NAME] [--speed X] [--paused] ...   window
//   clawviz FILE --png out.png --at 42s [--size 1280x720]                       one PNG
//   clawviz FILE --frames DIR [--every 1s] [--until 2m] [--size WxH]            a series
//   clawviz --turn TURN.json [--png out.png --at 2s | --frames DIR ...]          a recorded turn
//
//   --turn PATH               replay a production turn: the answer of clawd's GET
//                             /v1/turns/{turn} (viz/turn_driver.hpp), instead of a scenario
//
//   --seed N                  the run's seed (default: the scenario's own `seed` line)
//   --play NAME               steer player NAME with the keyboard
//   --speed X                 start speed, a power of two in 0.25..64
//   --paused                  start paused
//   --width N, --height N     frame size (64..7680 x 64..4320; default 1280x720)
//   --size WxH                the frame size, same as --width W --height H
//   --frames-max N            quit after N frames (CI under Xvfb); 0 = no limit
//   --png PATH                headless: render one frame to PATH and exit
//   --at T                    the virtual instant --png renders (default 0s)
//   --png-after-ms N          the same as --at, in milliseconds
//   --frames DIR              write DIR/frame-0000.png, frame-0001.png, ... for the run
//   --every T                 virtual time between frames of the series (default 1s)
//   --until T                 the series' last instant (default: the end of the run)
//   --font PATH, --mono-font PATH   fonts (default DejaVu from fonts-dejavu-core)
//   --help, -h                print the usage
// Durations read as in the scenario format: 1500ms, 6.4s, 1m30s. Both
// "--width 800" and "--width=800" are accepted; an option given twice keeps
// its last value.
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
  std::string turn_path;  // --turn: a recorded turn instead of a scenario.
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
// The same checks for --turn, against the replay's length (`end_ms`, its CLAW_READY).
std::optional<std::string> check_turn_command(const ClawvizCommand& command, const std::string& name, TimeMs end_ms);

}  // namespace clawnet::viz
