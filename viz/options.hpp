// VizOptions: the visualizer's command-line options, parsed and validated.
// Options the visualizer does not know (the simulation's: --seed, --scenario,
// ...) are handed back in order in `rest` for the caller to parse; a known
// option with a bad or missing value is an error naming the option.
//
//   --width N, --height N     frame size (64..7680 x 64..4320; default 1280x720)
//   --frames-max N            quit after N frames (CI under Xvfb); 0 = no limit
//   --speed X                 start speed, a power of two in 0.25..64
//   --paused                  start paused
//   --play NAME               steer player NAME with the keyboard
//   --png PATH                headless: render one frame to PATH and exit
//   --png-after-ms N          headless: advance N virtual ms before rendering
//   --font PATH, --mono-font PATH   fonts (default DejaVu from fonts-dejavu-core)
// Both "--width 800" and "--width=800" are accepted.
//
// The frame-series fields (frames_dir, frame_every_ms, frames_until_ms) and
// the duration forms (--at 42s, --every 1s) are parsed by clawviz's own
// command line (viz/clawviz_options.hpp), which reads durations the way the
// scenario format does.
#pragma once

#include "core/time.hpp"
#include "viz/fonts.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace clawnet::viz {

inline constexpr std::size_t player_name_bytes_max = 64;

struct VizOptions {
  int width = 1280;
  int height = 720;
  std::uint64_t frames_max = 0;
  int speed_exponent = 0;
  bool start_paused = false;
  std::string play;      // Player name, or empty.
  std::string png_path;  // Headless mode when set.
  TimeMs png_after_ms = 0;
  std::string frames_dir;       // Headless series mode when set: DIR/frame-0000.png, ...
  TimeMs frame_every_ms = 1000;  // Virtual time between two frames of the series.
  TimeMs frames_until_ms = 0;    // The series' last instant; 0 = the end of the run.
  FontPaths fonts;
};

struct ParsedVizOptions {
  VizOptions options;
  std::vector<std::string> rest;  // Arguments not recognised, in order.
  std::string error;              // Set when a recognised option was invalid.
};

// `args` excludes the program name.
ParsedVizOptions parse_viz_options(const std::vector<std::string>& args);

}  // namespace clawnet::viz
