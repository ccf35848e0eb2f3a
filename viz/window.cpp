#include "viz/window.hpp"

#include "viz/controls.hpp"
#include "viz/headless.hpp"
#include "viz/layout.hpp"
#include "viz/render.hpp"

#include <SDL.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <memory>

namespace clawnet::viz {
namespace {

struct WindowDeleter {
  void operator()(SDL_Window* window) const { SDL_DestroyWindow(window); }
};
struct RendererDeleter {
  void operator()(SDL_Renderer* renderer) const { SDL_DestroyRenderer(renderer); }
};
// Holds SDL's video subsystem; quits only what it initialised.
struct VideoSubsystem {
  bool initialized = false;
  ~VideoSubsystem() {
    if (initialized) SDL_QuitSubSystem(SDL_INIT_VIDEO);
  }
};

std::string sdl_error(const char* what) { return std::string(what) + " failed: " + SDL_GetError(); }

struct FrameInput {
  bool quit = false;
};

// Drains SDL's event queue into the controls and the driver.
FrameInput poll_input(Driver& driver, RunControls& controls, const VizOptions& options) {
  FrameInput input;
  SDL_Event event;
  while (SDL_PollEvent(&event) != 0) {
    if (event.type == SDL_QUIT) {
      input.quit = true;
      continue;
    }
    if (event.type != SDL_KEYDOWN && event.type != SDL_KEYUP) continue;
    const KeyResult key = handle_key(controls, event.key.keysym.sym, event.type == SDL_KEYDOWN,
                                     event.key.repeat != 0, !options.play.empty());
    if (key.quit) input.quit = true;
    if (key.restart) driver.restart();
    if (key.step) driver.step_one_event();
    if (!key.player_command.empty()) driver.send_player_command(options.play, key.player_command);
  }
  return input;
}

// Turns real elapsed time into whole virtual milliseconds, carrying the fraction
// so slow speeds (0.25x) still move.
class VirtualClock {
 public:
  TimeMs take(Uint64 real_elapsed_ms, double speed) {
    const auto real_ms = static_cast<double>(std::min<Uint64>(real_elapsed_ms, frame_real_ms_max));
    carry_ms_ += real_ms * speed;
    const double whole = std::floor(carry_ms_);
    carry_ms_ -= whole;
    return static_cast<TimeMs>(whole);
  }
  void reset() { carry_ms_ = 0; }

 private:
  double carry_ms_ = 0;
};

}  // namespace

WindowResult run_window(Driver& driver, const VizOptions& options) {
  WindowResult result;
  if (auto error = validate_frame_size(options.width, options.height)) {
    result.error = *error;
    return result;
  }
  // Created in this order, destroyed in reverse by scope.
  VideoSubsystem video;
  if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
    result.error = sdl_error("SDL_InitSubSystem(SDL_INIT_VIDEO)");
    return result;
  }
  video.initialized = true;
  std::unique_ptr<SDL_Window, WindowDeleter> window(SDL_CreateWindow(
      "clawnet", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, options.width, options.height, SDL_WINDOW_SHOWN));
  if (!window) {
    result.error = sdl_error("SDL_CreateWindow");
    return result;
  }
  bool vsync = true;
  std::unique_ptr<SDL_Renderer, RendererDeleter> renderer(
      SDL_CreateRenderer(window.get(), -1, SDL_RENDERER_PRESENTVSYNC));
  if (!renderer) {
    vsync = false;  // Some drivers (Xvfb, dummy) have no vsync: pace frames ourselves.
    renderer.reset(SDL_CreateRenderer(window.get(), -1, 0));
  }
  if (!renderer) {
    result.error = sdl_error("SDL_CreateRenderer");
    return result;
  }
  int width = 0;
  int height = 0;
  if (SDL_GetRendererOutputSize(renderer.get(), &width, &height) != 0) {
    result.error = sdl_error("SDL_GetRendererOutputSize");
    return result;
  }
  // The scale depends on the output size only; the geometry argument does not matter.
  FontsOrError fonts = Fonts::open(options.fonts, Layout(sim::CabinetGeometry{}, width, height).scale());
  if (!fonts.fonts) {
    result.error = fonts.error;
    return result;
  }

  RunControls controls{options.speed_exponent, options.start_paused};
  VirtualClock clock;
  Uint64 last_ms = SDL_GetTicks64();
  while (options.frames_max == 0 || result.frames < options.frames_max) {
    const Uint64 frame_start_ms = SDL_GetTicks64();
    if (poll_input(driver, controls, options).quit) break;
    const TimeMs virtual_ms = clock.take(frame_start_ms - last_ms, controls.speed());
    last_ms = frame_start_ms;
    if (controls.paused) {
      clock.reset();
    } else if (virtual_ms > 0) {
      driver.advance_ms(virtual_ms);
    }
    const RunStatus run{controls.speed(), controls.paused, options.play};
    if (auto error = draw(renderer.get(), *fonts.fonts, driver.snapshot(), width, height, run)) {
      result.error = *error;
      return result;
    }
    SDL_RenderPresent(renderer.get());
    ++result.frames;
    const Uint64 spent_ms = SDL_GetTicks64() - frame_start_ms;
    if (!vsync && spent_ms < frame_pacing_ms) SDL_Delay(static_cast<Uint32>(frame_pacing_ms - spent_ms));
  }
  return result;
}

std::optional<std::string> run_headless(Driver& driver, const VizOptions& options) {
  assert(!options.png_path.empty());
  if (auto error = validate_frame_size(options.width, options.height)) return error;
  FontsOrError fonts = Fonts::open(options.fonts, Layout(sim::CabinetGeometry{}, options.width, options.height).scale());
  if (!fonts.fonts) return fonts.error;
  if (options.png_after_ms > 0) driver.advance_ms(options.png_after_ms);
  const RunStatus run{RunControls{options.speed_exponent, true}.speed(), options.start_paused, options.play};
  return render_png(*fonts.fonts, driver.snapshot(), options.width, options.height, options.png_path, run);
}

std::optional<std::string> run_viz(Driver& driver, const VizOptions& options) {
  if (!options.png_path.empty()) return run_headless(driver, options);
  if (!options.frames_dir.empty()) return run_frame_series(driver, options).error;
  return run_window(driver, options).error;
}

}  // namespace clawnet::viz
