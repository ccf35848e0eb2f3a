#include "core/claw_machine.hpp"
#include "sample_snapshot.hpp"
#include "test_support.hpp"
#include "viz/layout.hpp"
#include "viz/palette.hpp"
#include "viz/render.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace clawnet::viz {
namespace {

using testing::compare;
using testing::render;
using testing::same_color;
using testing::sample_snapshot;

class VizRender : public ::testing::Test {
 protected:
  std::unique_ptr<Fonts> fonts = testing::design_fonts();
};

TEST_F(VizRender, MovingTheGantryChangesOnlyTheTopView) {
  sim::Snapshot before = sample_snapshot();
  sim::Snapshot after = before;
  after.cabinet.x_mm = 480;
  after.cabinet.y_mm = 390;
  const SurfacePtr a = render(*fonts, before);
  const SurfacePtr b = render(*fonts, after);
  ASSERT_TRUE(a && b);
  const Layout layout(before.cabinet.geometry, 1280, 720);
  const testing::Difference difference = compare(*a, *b, layout.top_area());
  EXPECT_GT(difference.inside, 0);
  EXPECT_EQ(difference.outside, 0);
}

TEST_F(VizRender, CarriageColourIsAtTheGantryPixel) {
  const double positions[][2] = {{330, 280}, {0, 0}, {600, 500}, {0, 500}, {600, 0}, {60, 60}, {123.4, 456.7}};
  for (const auto& position : positions) {
    for (const auto& size : {std::pair{1280, 720}, std::pair{800, 450}, std::pair{1920, 1080}}) {
      sim::Snapshot snapshot = sample_snapshot();
      snapshot.cabinet.x_mm = position[0];
      snapshot.cabinet.y_mm = position[1];
      const SurfacePtr surface = render(*fonts, snapshot, size.first, size.second);
      ASSERT_TRUE(surface);
      const SDL_Point centre = gantry_pixel(snapshot, size.first, size.second);
      EXPECT_TRUE(contains(top_view_rect(snapshot, size.first, size.second), centre));
      EXPECT_TRUE(same_color(pixel_at(*surface, centre.x, centre.y), palette::carriage))
          << "at " << position[0] << "," << position[1] << " mm, frame " << size.first << "x" << size.second;
    }
  }
}

TEST_F(VizRender, GantryPixelMovesWithPosition) {
  sim::Snapshot snapshot = sample_snapshot();
  snapshot.cabinet.x_mm = 0;
  snapshot.cabinet.y_mm = 0;
  const SDL_Point origin = gantry_pixel(snapshot, 1280, 720);
  snapshot.cabinet.x_mm = 600;
  snapshot.cabinet.y_mm = 500;
  const SDL_Point far_corner = gantry_pixel(snapshot, 1280, 720);
  const SDL_Rect field = top_view_rect(snapshot, 1280, 720);
  // Origin (the chute corner) is bottom-left; y grows up the screen.
  EXPECT_EQ(origin.x, field.x);
  EXPECT_EQ(origin.y, field.y + field.h - 1);
  EXPECT_EQ(far_corner.x, field.x + field.w - 1);
  EXPECT_EQ(far_corner.y, field.y);
}

TEST_F(VizRender, PressedLimitSwitchLightsUpInTheTopView) {
  sim::Snapshot idle = sample_snapshot();
  sim::Snapshot pressed = idle;
  pressed.cabinet.switches[static_cast<std::size_t>(Switch::limit_left)] = true;
  const SurfacePtr a = render(*fonts, idle);
  const SurfacePtr b = render(*fonts, pressed);
  ASSERT_TRUE(a && b);
  const testing::Difference difference = compare(*a, *b, Layout(idle.cabinet.geometry, 1280, 720).top_area());
  EXPECT_GT(difference.inside, 0);
  EXPECT_EQ(difference.outside, 0);
}

TEST_F(VizRender, WonPrizeIsDrawnInTheChute) {
  sim::Snapshot without = sample_snapshot();
  without.cabinet.prizes.clear();
  sim::Snapshot with = without;
  with.cabinet.prizes.push_back({400, 400, false, true});  // Its position is ignored once won.
  const SurfacePtr a = render(*fonts, without);
  const SurfacePtr b = render(*fonts, with);
  ASSERT_TRUE(a && b);
  const testing::Difference difference = compare(*a, *b, Layout(with.cabinet.geometry, 1280, 720).chute());
  EXPECT_GT(difference.inside, 0);
  EXPECT_EQ(difference.outside, 0);
}

TEST_F(VizRender, HeldPrizeIsDrawnAtTheClawNotWhereItLay) {
  sim::Snapshot snapshot = sample_snapshot();
  snapshot.cabinet.prizes = {{500, 100, true, false}};
  const SurfacePtr surface = render(*fonts, snapshot);
  ASSERT_TRUE(surface);
  const Layout layout(snapshot.cabinet.geometry, 1280, 720);
  const SDL_Point centre = gantry_pixel(snapshot, 1280, 720);
  // Just outside the carriage square, inside the prize's ring.
  const SDL_Point beside{centre.x + layout.px(11) + 4, centre.y};
  EXPECT_TRUE(same_color(pixel_at(*surface, beside.x, beside.y), palette::prize(0)));
  const SDL_Point lay = layout.top_pixel(500, 100);
  EXPECT_FALSE(same_color(pixel_at(*surface, lay.x, lay.y), palette::prize(0)));
}

TEST_F(VizRender, RenderingIsDeterministic) {
  const SurfacePtr a = render(*fonts, sample_snapshot());
  const SurfacePtr b = render(*fonts, sample_snapshot());
  ASSERT_TRUE(a && b);
  const testing::Difference difference = compare(*a, *b, SDL_Rect{0, 0, 0, 0});
  EXPECT_EQ(difference.outside, 0);
}

TEST_F(VizRender, HostileSnapshotDrawsWithoutError) {
  sim::Snapshot snapshot = sample_snapshot();
  snapshot.cabinet.geometry = {0, -5, std::numeric_limits<double>::quiet_NaN(), 1e9};
  snapshot.cabinet.x_mm = std::numeric_limits<double>::infinity();
  snapshot.cabinet.y_mm = std::numeric_limits<double>::quiet_NaN();
  snapshot.cabinet.z_mm = -1e300;
  snapshot.cabinet.prizes.assign(50, {std::numeric_limits<double>::quiet_NaN(), 1e12, false, true});
  snapshot.now_ms = std::numeric_limits<TimeMs>::min();
  snapshot.turn_ends_ms = time_never;
  snapshot.controller = std::string(10'000, 'x');
  snapshot.scenario = "\xff\xfe invalid utf-8 \xc3";
  snapshot.queue_length = 1'000'000;
  snapshot.queue.assign(1000, {std::string(500, 'y'), "p-1", 1, 1, true});
  snapshot.faults.assign(100, {std::string(3000, 'f')});
  snapshot.recent_log.assign(1000, std::string(5000, 'l'));
  const SurfaceOrError rendered = render_to_surface(*fonts, snapshot, 1280, 720);
  EXPECT_TRUE(rendered.surface) << rendered.error;
}

TEST_F(VizRender, DrawWithoutRendererIsAnError) {
  EXPECT_TRUE(draw(nullptr, *fonts, sample_snapshot(), 1280, 720).has_value());
}

}  // namespace
}  // namespace clawnet::viz
