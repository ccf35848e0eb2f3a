#include "viz/controls.hpp"

#include <gtest/gtest.h>

namespace clawnet::viz {
namespace {

KeyResult press(RunControls& controls, SDL_Keycode key, bool play_mode = false) {
  return handle_key(controls, key, true, false, play_mode);
}

TEST(VizControls, SpacePausesAndResumesWhenWatching) {
  RunControls controls;
  press(controls, SDLK_SPACE);
  EXPECT_TRUE(controls.paused);
  press(controls, SDLK_SPACE);
  EXPECT_FALSE(controls.paused);
}

TEST(VizControls, SpeedDoublesAndHalvesWithinBounds) {
  RunControls controls;
  EXPECT_DOUBLE_EQ(controls.speed(), 1);
  press(controls, SDLK_PLUS);
  EXPECT_DOUBLE_EQ(controls.speed(), 2);
  for (int i = 0; i < 20; ++i) press(controls, SDLK_EQUALS);
  EXPECT_DOUBLE_EQ(controls.speed(), 64);
  press(controls, SDLK_MINUS);
  EXPECT_DOUBLE_EQ(controls.speed(), 32);
  for (int i = 0; i < 20; ++i) press(controls, SDLK_KP_MINUS);
  EXPECT_DOUBLE_EQ(controls.speed(), 0.25);
}

TEST(VizControls, PeriodStepsAndPauses) {
  RunControls controls;
  const KeyResult result = press(controls, SDLK_PERIOD);
  EXPECT_TRUE(result.step);
  EXPECT_TRUE(controls.paused);
  EXPECT_TRUE(press(controls, SDLK_PERIOD).step);
  EXPECT_TRUE(controls.paused);
}

TEST(VizControls, RestartAndQuit) {
  RunControls controls;
  EXPECT_TRUE(press(controls, SDLK_r).restart);
  EXPECT_TRUE(press(controls, SDLK_q).quit);
  EXPECT_TRUE(press(controls, SDLK_ESCAPE).quit);
  EXPECT_FALSE(press(controls, SDLK_a).quit);
}

TEST(VizControls, ArrowsSendOnAndOffInPlayMode) {
  RunControls controls;
  EXPECT_EQ(handle_key(controls, SDLK_UP, true, false, true).player_command, "upOn");
  EXPECT_EQ(handle_key(controls, SDLK_UP, false, false, true).player_command, "upOff");
  EXPECT_EQ(handle_key(controls, SDLK_DOWN, true, false, true).player_command, "downOn");
  EXPECT_EQ(handle_key(controls, SDLK_LEFT, false, false, true).player_command, "leftOff");
  EXPECT_EQ(handle_key(controls, SDLK_RIGHT, true, false, true).player_command, "rightOn");
  EXPECT_EQ(handle_key(controls, SDLK_RIGHT, true, true, true).player_command, "");  // Key repeat.
}

TEST(VizControls, ArrowsDoNothingWhenWatching) {
  RunControls controls;
  EXPECT_EQ(press(controls, SDLK_UP).player_command, "");
}

TEST(VizControls, InPlayModeSpaceDropsAndPPauses) {
  RunControls controls;
  EXPECT_EQ(press(controls, SDLK_SPACE, true).player_command, "drop");
  EXPECT_FALSE(controls.paused);
  EXPECT_EQ(handle_key(controls, SDLK_SPACE, false, false, true).player_command, "");  // No drop on release.
  press(controls, SDLK_p, true);
  EXPECT_TRUE(controls.paused);
}

}  // namespace
}  // namespace clawnet::viz
