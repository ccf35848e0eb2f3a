// Shared helpers for the viz tests: fonts at the design size, rendering to a
// surface, comparing surfaces, and a temporary file path per test.
#pragma once

#include "viz/headless.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <unistd.h>

namespace clawnet::viz::testing {

inline std::unique_ptr<Fonts> design_fonts() {
  FontsOrError opened = Fonts::open(FontPaths{}, 1.0);
  EXPECT_TRUE(opened.fonts) << opened.error;
  return std::move(opened.fonts);
}

inline SurfacePtr render(const Fonts& fonts, const sim::Snapshot& snapshot, int width = 1280, int height = 720) {
  SurfaceOrError rendered = render_to_surface(fonts, snapshot, width, height);
  EXPECT_TRUE(rendered.surface) << rendered.error;
  return std::move(rendered.surface);
}

inline bool same_color(SDL_Color a, SDL_Color b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

// Counts differing pixels inside and outside `region`.
struct Difference {
  int inside = 0;
  int outside = 0;
};
inline Difference compare(const SDL_Surface& a, const SDL_Surface& b, const SDL_Rect& region) {
  Difference difference;
  for (int y = 0; y < a.h; ++y) {
    for (int x = 0; x < a.w; ++x) {
      if (same_color(pixel_at(a, x, y), pixel_at(b, x, y))) continue;
      const bool in = x >= region.x && x < region.x + region.w && y >= region.y && y < region.y + region.h;
      ++(in ? difference.inside : difference.outside);
    }
  }
  return difference;
}

// A path under the system temp directory, unique to this process and test.
inline std::string temp_path(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string test = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name() : "viz";
  return (std::filesystem::temp_directory_path() /
          ("clawnet-viz-" + std::to_string(::getpid()) + "-" + test + "-" + name))
      .string();
}

}  // namespace clawnet::viz::testing
