#include "viz/layout.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace clawnet::viz {
namespace {

bool inside(const SDL_Rect& inner, const SDL_Rect& outer) {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w &&
         inner.y + inner.h <= outer.y + outer.h;
}

bool overlap(const SDL_Rect& a, const SDL_Rect& b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

TEST(VizLayout, RegionsFitTheFrameWithoutOverlap) {
  for (const auto& size : {std::pair{1280, 720}, std::pair{640, 360}, std::pair{1920, 1080}, std::pair{1000, 1000},
                           std::pair{64, 64}}) {
    const Layout layout(sim::CabinetGeometry{}, size.first, size.second);
    const SDL_Rect frame{0, 0, size.first, size.second};
    const SDL_Rect regions[] = {layout.top_area(), layout.side_area(), layout.log_area(), layout.panel_area()};
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_TRUE(inside(regions[i], frame)) << "region " << i << " at " << size.first << "x" << size.second;
      for (std::size_t j = i + 1; j < 4; ++j) EXPECT_FALSE(overlap(regions[i], regions[j])) << i << " and " << j;
    }
    EXPECT_TRUE(inside(layout.field(), layout.top_area()));
    EXPECT_TRUE(inside(layout.chute(), layout.field()));
  }
}

TEST(VizLayout, FieldKeepsTheCabinetAspectRatio) {
  const sim::CabinetGeometry geometry{800, 400, 300, 100};
  const Layout layout(geometry, 1280, 720);
  const double ratio = static_cast<double>(layout.field().w) / layout.field().h;
  EXPECT_NEAR(ratio, 2.0, 0.02);
}

TEST(VizLayout, TopPixelClampsToTheField) {
  const Layout layout(sim::CabinetGeometry{}, 1280, 720);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double cases[][2] = {{-100, -100}, {1e9, 1e9}, {nan, nan}, {300, nan}, {-1e300, 1e300}};
  for (const auto& c : cases) EXPECT_TRUE(contains(layout.field(), layout.top_pixel(c[0], c[1])));
  EXPECT_EQ(layout.top_pixel(-100, -100).x, layout.top_pixel(0, 0).x);
  EXPECT_EQ(layout.top_pixel(1e9, 1e9).y, layout.top_pixel(600, 500).y);
}

TEST(VizLayout, SidePixelRunsDownTheTrack) {
  const Layout layout(sim::CabinetGeometry{}, 1280, 720);
  EXPECT_EQ(layout.side_pixel_y(0), layout.track_top_y());
  EXPECT_EQ(layout.side_pixel_y(300), layout.track_bottom_y());
  EXPECT_LT(layout.side_pixel_y(100), layout.side_pixel_y(200));
  EXPECT_EQ(layout.side_pixel_y(std::numeric_limits<double>::quiet_NaN()), layout.track_top_y());
}

TEST(VizLayout, DegenerateGeometryStillMapsInsideTheField) {
  const Layout layout(sim::CabinetGeometry{0, -1, std::numeric_limits<double>::infinity(), -5}, 1280, 720);
  EXPECT_GT(layout.field().w, 0);
  EXPECT_GT(layout.field().h, 0);
  EXPECT_TRUE(contains(layout.field(), layout.top_pixel(1, 1)));
  EXPECT_GE(layout.chute().w, 0);
}

TEST(VizLayout, ScaleFollowsTheSmallerRatio) {
  EXPECT_DOUBLE_EQ(Layout({}, 1280, 720).scale(), 1.0);
  EXPECT_DOUBLE_EQ(Layout({}, 2560, 720).scale(), 1.0);
  EXPECT_DOUBLE_EQ(Layout({}, 640, 720).scale(), 0.5);
  EXPECT_EQ(Layout({}, 640, 360).px(10), 5);
  EXPECT_EQ(Layout({}, 64, 36).px(1), 1);
}

}  // namespace
}  // namespace clawnet::viz
