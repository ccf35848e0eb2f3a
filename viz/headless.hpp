// Headless rendering: a Snapshot to an SDL_Surface or a PNG file, with SDL's
// software renderer, so no window, display or SDL_Init is needed (CI, tests,
// `--png`). PNG files are written with libpng (no timestamps or other varying
// chunks), so the same snapshot gives the same bytes.
// Errors are returned as values naming the path or the SDL call that failed.
#pragma once

#include "sim/snapshot.hpp"
#include "viz/fonts.hpp"
#include "viz/render.hpp"

#include <SDL.h>

#include <memory>
#include <optional>
#include <string>

namespace clawnet::viz {

// Frames larger than 8K are refused rather than allocated.
inline constexpr int frame_width_max = 7680;
inline constexpr int frame_height_max = 4320;
inline constexpr int frame_side_min = 64;

struct SurfaceDeleter {
  void operator()(SDL_Surface* surface) const { SDL_FreeSurface(surface); }
};
using SurfacePtr = std::unique_ptr<SDL_Surface, SurfaceDeleter>;

struct SurfaceOrError {
  SurfacePtr surface;  // Set on success, ARGB8888.
  std::string error;   // Set on failure.
};

// Returns an error naming the bad dimension, or nullopt if width x height is drawable.
std::optional<std::string> validate_frame_size(int width, int height);

SurfaceOrError render_to_surface(const Fonts& fonts, const sim::Snapshot& snapshot, int width, int height,
                                 const RunStatus& run = {});

// Writes `surface` to `path` as an 8-bit RGB PNG. Returns an error or nullopt.
std::optional<std::string> write_png(SDL_Surface& surface, const std::string& path);

// render_to_surface() then write_png().
std::optional<std::string> render_png(const Fonts& fonts, const sim::Snapshot& snapshot, int width, int height,
                                      const std::string& path, const RunStatus& run = {});

// The colour of one pixel. REQUIRES: (x, y) inside the surface.
SDL_Color pixel_at(const SDL_Surface& surface, int x, int y);

}  // namespace clawnet::viz
