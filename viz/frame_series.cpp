// The headless frame series (--frames DIR --every 1s): one PNG per interval of
// virtual time, rendered exactly as --png renders one instant.
#include "viz/controls.hpp"
#include "viz/headless.hpp"
#include "viz/layout.hpp"
#include "viz/window.hpp"

#include <fmt/format.h>

#include <cassert>
#include <filesystem>
#include <system_error>

namespace clawnet::viz {

FrameSeriesResult run_frame_series(Driver& driver, const VizOptions& options) {
  assert(!options.frames_dir.empty());
  assert(options.frame_every_ms > 0);
  FrameSeriesResult result;
  if (auto error = validate_frame_size(options.width, options.height)) {
    result.error = *error;
    return result;
  }
  const std::filesystem::path directory(options.frames_dir);
  std::error_code failure;
  std::filesystem::create_directories(directory, failure);
  if (failure || !std::filesystem::is_directory(directory)) {
    result.error = fmt::format("cannot create the frames directory {}: {}", options.frames_dir,
                               failure ? failure.message() : "not a directory");
    return result;
  }
  FontsOrError fonts = Fonts::open(options.fonts, Layout(sim::CabinetGeometry{}, options.width, options.height).scale());
  if (!fonts.fonts) {
    result.error = fonts.error;
    return result;
  }
  const RunStatus run{RunControls{options.speed_exponent, true}.speed(), options.start_paused, options.play};
  while (true) {
    if (result.frames == frame_series_max) {
      result.error = fmt::format("the series needs more than {} frames: raise --every or set --until",
                                 frame_series_max);
      return result;
    }
    const sim::Snapshot snapshot = driver.snapshot();
    const std::string path = (directory / fmt::format("frame-{:04}.png", result.frames)).string();
    if (auto error = render_png(*fonts.fonts, snapshot, options.width, options.height, path, run)) {
      result.error = *error;
      return result;
    }
    ++result.frames;
    if (snapshot.finished) break;
    if (options.frames_until_ms > 0 && snapshot.now_ms + options.frame_every_ms > options.frames_until_ms) break;
    driver.advance_ms(options.frame_every_ms);
  }
  return result;
}

}  // namespace clawnet::viz
