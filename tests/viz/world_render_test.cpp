// Headless renders of the real World of three_players.scenario: alice holds
// right from 5s to 6.5s, so the carriage moves between 5s and 6.4s.
#include "test_support.hpp"
#include "viz/layout.hpp"
#include "viz/palette.hpp"
#include "world_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace clawnet::viz {
namespace {

using testing::same_color;
using testing::temp_path;
using testing::three_players_at;

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

class VizWorldRender : public ::testing::Test {
 protected:
  std::unique_ptr<Fonts> fonts = testing::design_fonts();
};

TEST_F(VizWorldRender, RendersAtTwoInstantsDifferWhereTheGantryMoved) {
  const sim::Snapshot early = three_players_at(5000)->snapshot();
  const sim::Snapshot late = three_players_at(6400)->snapshot();
  // The simulation moved the gantry right, and only right.
  EXPECT_GT(late.cabinet.x_mm, early.cabinet.x_mm + 100);
  EXPECT_EQ(late.cabinet.y_mm, early.cabinet.y_mm);
  const SurfacePtr a = testing::render(*fonts, early);
  const SurfacePtr b = testing::render(*fonts, late);
  ASSERT_TRUE(a && b);
  // The band the carriage swept, from its old centre to its new one, padded by its size.
  const SDL_Point from = gantry_pixel(early, 1280, 720);
  const SDL_Point to = gantry_pixel(late, 1280, 720);
  const int pad = Layout(early.cabinet.geometry, 1280, 720).px(16);
  const SDL_Rect swept{from.x - pad, from.y - pad, to.x - from.x + 2 * pad + 1, 2 * pad + 1};
  EXPECT_GT(testing::compare(*a, *b, swept).inside, 100);
  // Where the carriage was is no longer carriage, and where it is now was not.
  EXPECT_TRUE(same_color(pixel_at(*a, from.x, from.y), palette::carriage));
  EXPECT_FALSE(same_color(pixel_at(*b, from.x, from.y), palette::carriage));
  EXPECT_FALSE(same_color(pixel_at(*a, to.x, to.y), palette::carriage));
  EXPECT_TRUE(same_color(pixel_at(*b, to.x, to.y), palette::carriage));
}

TEST_F(VizWorldRender, PixelProbeFindsTheCarriageWhereTheSimulationSaysItIs) {
  // Instants across alice's turn: at home, moving right, moving up, dropping, and after.
  for (const TimeMs at_ms : {2000, 5800, 7500, 9300, 12'000, 40'000}) {
    const auto driver = three_players_at(at_ms);
    const sim::Snapshot snapshot = driver->snapshot();
    for (const auto& [width, height] : {std::pair{1280, 720}, std::pair{960, 540}}) {
      const SurfacePtr surface = testing::render(*fonts, snapshot, width, height);
      ASSERT_TRUE(surface);
      const SDL_Point centre = gantry_pixel(snapshot, width, height);
      EXPECT_TRUE(contains(top_view_rect(snapshot, width, height), centre));
      EXPECT_TRUE(same_color(pixel_at(*surface, centre.x, centre.y), palette::carriage))
          << "at " << at_ms << " ms, " << width << "x" << height << ", carriage at (" << snapshot.cabinet.x_mm
          << ", " << snapshot.cabinet.y_mm << ") mm";
    }
  }
}

TEST_F(VizWorldRender, AtRestTheProbeAgreesWithTheWorldsOwnSnapshot) {
  for (const TimeMs at_ms : {2000, 4000, 8600}) {  // Before and between alice's moves.
    const auto driver = three_players_at(at_ms);
    const sim::Snapshot world = driver->world().snapshot();
    const SurfacePtr surface = testing::render(*fonts, driver->snapshot());
    ASSERT_TRUE(surface);
    const SDL_Point centre = gantry_pixel(world, 1280, 720);
    EXPECT_TRUE(same_color(pixel_at(*surface, centre.x, centre.y), palette::carriage)) << "at " << at_ms << " ms";
  }
}

TEST_F(VizWorldRender, SameInstantRenderedTwiceGivesTheSamePngBytes) {
  const std::string first = temp_path("a.png");
  const std::string second = temp_path("b.png");
  ASSERT_EQ(render_png(*fonts, three_players_at(6000)->snapshot(), 1280, 720, first), std::nullopt);
  ASSERT_EQ(render_png(*fonts, three_players_at(6000)->snapshot(), 1280, 720, second), std::nullopt);
  const std::vector<char> a = read_bytes(first);
  EXPECT_GT(a.size(), 1000U);
  EXPECT_EQ(a, read_bytes(second));
  std::filesystem::remove(first);
  std::filesystem::remove(second);
}

TEST_F(VizWorldRender, TurnCountdownBarFollowsTheSnapshotsTurnLength) {
  sim::Snapshot snapshot = three_players_at(3000)->snapshot();
  ASSERT_TRUE(snapshot.controller.has_value());
  ASSERT_EQ(snapshot.turn_ms, 20'000);
  const SurfacePtr scenario_turn = testing::render(*fonts, snapshot);
  snapshot.turn_ms = 60'000;  // The same time left of a longer turn: a shorter bar.
  const SurfacePtr longer_turn = testing::render(*fonts, snapshot);
  ASSERT_TRUE(scenario_turn && longer_turn);
  const testing::Difference difference =
      testing::compare(*scenario_turn, *longer_turn, Layout(snapshot.cabinet.geometry, 1280, 720).panel_area());
  EXPECT_GT(difference.inside, 0);
  EXPECT_EQ(difference.outside, 0);
}

}  // namespace
}  // namespace clawnet::viz
