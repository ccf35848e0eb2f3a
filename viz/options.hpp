// VizOptions: what the visualizer runs with (frame size, speed, player,
// headless outputs, fonts). clawviz's command line fills it in, checked
// (viz/clawviz_options.hpp); tests build it directly.
#pragma once

#include "core/time.hpp"
#include "viz/fonts.hpp"

#include <cstdint>
#include <string>

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

}  // namespace clawnet::viz
