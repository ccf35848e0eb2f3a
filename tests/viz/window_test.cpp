// The window loop under SDL's dummy video driver (set by CTest; set here too
// for direct runs). The Driver below stands in for the simulation, which
// viz/ reaches only through this interface: it records what the loop asks of it.
#include "sample_snapshot.hpp"
#include "test_support.hpp"
#include "viz/window.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace clawnet::viz {
namespace {

class RecordingDriver : public Driver {
 public:
  sim::Snapshot snapshot() override {
    ++snapshots;
    sim::Snapshot s = testing::sample_snapshot();
    s.now_ms = now_ms;
    return s;
  }
  void advance_ms(TimeMs virtual_ms) override {
    EXPECT_GT(virtual_ms, 0);
    now_ms += virtual_ms;
    ++advances;
  }
  void step_one_event() override { ++steps; }
  void restart() override {
    now_ms = 0;
    ++restarts;
  }
  void send_player_command(std::string_view player, std::string_view command) override {
    commands.push_back(std::string(player) + ":" + std::string(command));
  }

  TimeMs now_ms = 0;
  int snapshots = 0;
  int advances = 0;
  int steps = 0;
  int restarts = 0;
  std::vector<std::string> commands;
};

class VizWindow : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("SDL_VIDEODRIVER", "dummy", 0);
    // Holding the events subsystem lets a test queue key events before the
    // loop starts; the loop only initialises and quits video.
    ASSERT_EQ(SDL_InitSubSystem(SDL_INIT_EVENTS), 0) << SDL_GetError();
  }
  void TearDown() override { SDL_QuitSubSystem(SDL_INIT_EVENTS); }

  static void push_key(SDL_Keycode key, bool pressed) {
    SDL_Event event{};
    event.type = pressed ? SDL_KEYDOWN : SDL_KEYUP;
    event.key.state = pressed ? SDL_PRESSED : SDL_RELEASED;
    event.key.keysym.sym = key;
    ASSERT_EQ(SDL_PushEvent(&event), 1) << SDL_GetError();
  }
};

TEST_F(VizWindow, StopsAfterFramesMaxDrawingOneSnapshotPerFrame) {
  RecordingDriver driver;
  VizOptions options;
  options.frames_max = 3;
  const WindowResult result = run_window(driver, options);
  ASSERT_EQ(result.error, std::nullopt);
  EXPECT_EQ(result.frames, 3U);
  EXPECT_EQ(driver.snapshots, 3);
}

TEST_F(VizWindow, StartedPausedNeverAdvances) {
  RecordingDriver driver;
  VizOptions options;
  options.frames_max = 4;
  options.start_paused = true;
  ASSERT_EQ(run_window(driver, options).error, std::nullopt);
  EXPECT_EQ(driver.advances, 0);
}

TEST_F(VizWindow, KeysStepRestartAndQuit) {
  push_key(SDLK_PERIOD, true);
  push_key(SDLK_r, true);
  push_key(SDLK_q, true);
  RecordingDriver driver;
  VizOptions options;
  options.frames_max = 1000;  // The q must end it long before.
  const WindowResult result = run_window(driver, options);
  ASSERT_EQ(result.error, std::nullopt);
  EXPECT_EQ(result.frames, 0U);  // All three keys arrive before the first frame is drawn.
  EXPECT_EQ(driver.steps, 1);
  EXPECT_EQ(driver.restarts, 1);
}

TEST_F(VizWindow, PlayModeSendsTheSeedCommands) {
  push_key(SDLK_LEFT, true);
  push_key(SDLK_LEFT, false);
  push_key(SDLK_SPACE, true);
  RecordingDriver driver;
  VizOptions options;
  options.frames_max = 1;
  options.play = "alice";
  ASSERT_EQ(run_window(driver, options).error, std::nullopt);
  EXPECT_EQ(driver.commands, (std::vector<std::string>{"alice:leftOn", "alice:leftOff", "alice:drop"}));
}

TEST_F(VizWindow, MissingFontIsReportedNotCrashed) {
  RecordingDriver driver;
  VizOptions options;
  options.frames_max = 1;
  options.fonts.sans = "/nonexistent/DejaVuSans.ttf";
  const WindowResult result = run_window(driver, options);
  ASSERT_TRUE(result.error.has_value());
  EXPECT_NE(result.error->find("fonts-dejavu-core"), std::string::npos) << *result.error;
  EXPECT_EQ(result.frames, 0U);
}

TEST_F(VizWindow, HeadlessAdvancesThenWritesThePng) {
  RecordingDriver driver;
  VizOptions options;
  options.png_path = testing::temp_path("frame.png");
  options.png_after_ms = 2500;
  ASSERT_EQ(run_viz(driver, options), std::nullopt);
  EXPECT_EQ(driver.now_ms, 2500);
  EXPECT_TRUE(std::ifstream(options.png_path).good());
  std::filesystem::remove(options.png_path);
}

}  // namespace
}  // namespace clawnet::viz
