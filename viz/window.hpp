// The visualizer's window loop over a running simulation, and its headless
// counterpart. One straight loop per frame: poll input, advance the simulation
// by a bounded step, take a snapshot, draw it, present.
//
// The simulation is reached only through Driver, so viz/ does not depend on
// sim/'s classes: the lead implements Driver over the World.
#pragma once

#include "core/time.hpp"
#include "sim/snapshot.hpp"
#include "viz/options.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clawnet::viz {

// What the window needs from a simulation. Called from the window's thread only.
class Driver {
 public:
  virtual ~Driver() = default;
  // The picture to draw now.
  virtual sim::Snapshot snapshot() = 0;
  // Runs every event up to now + virtual_ms, then sets the clock there.
  // REQUIRES: virtual_ms > 0.
  virtual void advance_ms(TimeMs virtual_ms) = 0;
  // Runs exactly the next scheduled event (the clock jumps to it), if any.
  virtual void step_one_event() = 0;
  // Starts the same scenario with the same seed from its beginning.
  virtual void restart() = 0;
  // Has `player` send a seed command ("upOn", ..., "rightOff", "drop") on its
  // channel for its current turn, as a scripted player would.
  virtual void send_player_command(std::string_view player, std::string_view command) = 0;
};

// A frame never advances the simulation by more than this much real time
// (times the speed): after a stall the picture jumps, it does not race.
inline constexpr TimeMs frame_real_ms_max = 100;
// Without vsync, frames are paced to about 60 per second.
inline constexpr std::uint64_t frame_pacing_ms = 16;

struct WindowResult {
  std::optional<std::string> error;  // The first failure, with SDL_GetError().
  std::uint64_t frames = 0;          // Frames presented.
};

// Opens a window (SDL video: X11, Wayland, or SDL_VIDEODRIVER=dummy) and runs
// until quit, window close, or options.frames_max frames.
WindowResult run_window(Driver& driver, const VizOptions& options);

// Headless: advances options.png_after_ms, renders one frame to options.png_path.
// REQUIRES: !options.png_path.empty().
std::optional<std::string> run_headless(Driver& driver, const VizOptions& options);

// Headless series: renders a frame at the driver's current instant, then every
// options.frame_every_ms, into options.frames_dir/frame-0000.png, frame-0001.png,
// ... until the run finishes or options.frames_until_ms (when > 0) is passed,
// at most frame_series_max frames. Creates frames_dir if missing.
// REQUIRES: !options.frames_dir.empty(), options.frame_every_ms > 0.
struct FrameSeriesResult {
  std::optional<std::string> error;
  std::uint64_t frames = 0;  // Frames written.
};
inline constexpr std::uint64_t frame_series_max = 10'000;  // Four-digit names.
FrameSeriesResult run_frame_series(Driver& driver, const VizOptions& options);

// run_headless() when options.png_path is set, run_frame_series() when
// options.frames_dir is set, else run_window().
std::optional<std::string> run_viz(Driver& driver, const VizOptions& options);

}  // namespace clawnet::viz
