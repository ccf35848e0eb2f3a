// The window loop and the headless modes over the real World, under SDL's
// dummy video driver (set by CTest; set here too for direct runs).
#include "test_support.hpp"
#include "viz/controls.hpp"
#include "world_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace clawnet::viz {
namespace {

using testing::temp_path;
using testing::three_players_at;

class VizWorldWindow : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("SDL_VIDEODRIVER", "dummy", 0);
    ASSERT_EQ(SDL_InitSubSystem(SDL_INIT_EVENTS), 0) << SDL_GetError();
  }
  void TearDown() override { SDL_QuitSubSystem(SDL_INIT_EVENTS); }

  static void push_key(SDL_Keycode key) {
    SDL_Event event{};
    event.type = SDL_KEYDOWN;
    event.key.state = SDL_PRESSED;
    event.key.keysym.sym = key;
    ASSERT_EQ(SDL_PushEvent(&event), 1) << SDL_GetError();
  }
};

TEST_F(VizWorldWindow, RunsFramesOfTheSimulation) {
  const auto driver = three_players_at(0);
  VizOptions options;
  options.frames_max = 5;
  options.speed_exponent = speed_exponent_max;
  const WindowResult result = run_window(*driver, options);
  ASSERT_EQ(result.error, std::nullopt);
  EXPECT_EQ(result.frames, 5U);
}

TEST_F(VizWorldWindow, StepKeyRunsOneEventOfTheWorld) {
  const auto driver = three_players_at(0);
  push_key(SDLK_PERIOD);  // Pauses, then steps.
  push_key(SDLK_PERIOD);
  push_key(SDLK_q);
  VizOptions options;
  options.frames_max = 1000;
  ASSERT_EQ(run_window(*driver, options).error, std::nullopt);
  EXPECT_EQ(driver->world().events_run(), 2U);
}

TEST_F(VizWorldWindow, RestartKeyStartsTheRunAgain) {
  const auto driver = three_players_at(20'000);
  push_key(SDLK_r);
  push_key(SDLK_q);
  VizOptions options;
  options.frames_max = 1000;
  ASSERT_EQ(run_window(*driver, options).error, std::nullopt);
  EXPECT_EQ(driver->world().events_run(), 0U);
  EXPECT_EQ(driver->snapshot().now_ms, 0);
}

TEST(VizWorldHeadless, PngAtAnInstant) {
  const auto driver = three_players_at(0);
  VizOptions options;
  options.png_path = temp_path("at.png");
  options.png_after_ms = 6400;
  ASSERT_EQ(run_viz(*driver, options), std::nullopt);
  EXPECT_EQ(driver->snapshot().now_ms, 6400);
  EXPECT_TRUE(std::filesystem::is_regular_file(options.png_path));
  std::filesystem::remove(options.png_path);
}

TEST(VizWorldHeadless, FrameSeriesCoversTheWholeRun) {
  const auto driver = three_players_at(0);
  VizOptions options;
  options.width = 640;
  options.height = 360;
  options.frames_dir = temp_path("series");
  options.frame_every_ms = 60'000;
  const FrameSeriesResult result = run_frame_series(*driver, options);
  ASSERT_EQ(result.error, std::nullopt);
  // 0s, 1m, 2m and the end at 3m.
  EXPECT_EQ(result.frames, 4U);
  for (const char* name : {"frame-0000.png", "frame-0001.png", "frame-0002.png", "frame-0003.png"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(std::filesystem::path(options.frames_dir) / name)) << name;
  }
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(options.frames_dir) / "frame-0004.png"));
  EXPECT_TRUE(driver->snapshot().finished);
  std::filesystem::remove_all(options.frames_dir);
}

TEST(VizWorldHeadless, FrameSeriesStopsAtUntil) {
  const auto driver = three_players_at(0);
  VizOptions options;
  options.width = 640;
  options.height = 360;
  options.frames_dir = temp_path("until") + "/nested/dir";  // Created as needed.
  options.frame_every_ms = 2500;
  options.frames_until_ms = 6000;
  const FrameSeriesResult result = run_frame_series(*driver, options);
  ASSERT_EQ(result.error, std::nullopt);
  EXPECT_EQ(result.frames, 3U);  // 0s, 2.5s, 5s.
  EXPECT_EQ(driver->snapshot().now_ms, 5000);
  std::filesystem::remove_all(temp_path("until"));
}

TEST(VizWorldHeadless, FrameSeriesIntoAFileIsAnErrorNamingIt) {
  const std::string file = temp_path("not-a-dir");
  std::ofstream(file) << "x";
  const auto driver = three_players_at(0);
  VizOptions options;
  options.frames_dir = file;
  const FrameSeriesResult result = run_frame_series(*driver, options);
  ASSERT_TRUE(result.error.has_value());
  EXPECT_NE(result.error->find(file), std::string::npos) << *result.error;
  EXPECT_EQ(result.frames, 0U);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace clawnet::viz
