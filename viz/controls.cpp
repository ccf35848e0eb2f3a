#include "viz/controls.hpp"

#include <algorithm>
#include <cmath>

namespace clawnet::viz {
namespace {

// The seed's command names for an arrow key, pressed and released.
struct ArrowCommands {
  std::string_view on;
  std::string_view off;
};

bool arrow_commands(SDL_Keycode key, ArrowCommands& commands) {
  switch (key) {
    case SDLK_UP: commands = {"upOn", "upOff"}; return true;
    case SDLK_DOWN: commands = {"downOn", "downOff"}; return true;
    case SDLK_LEFT: commands = {"leftOn", "leftOff"}; return true;
    case SDLK_RIGHT: commands = {"rightOn", "rightOff"}; return true;
    default: return false;
  }
}

}  // namespace

double RunControls::speed() const { return std::ldexp(1.0, speed_exponent); }

KeyResult handle_key(RunControls& controls, SDL_Keycode key, bool pressed, bool repeat, bool play_mode) {
  KeyResult result;
  if (repeat) return result;
  ArrowCommands arrows;
  if (play_mode && arrow_commands(key, arrows)) {
    result.player_command = pressed ? arrows.on : arrows.off;
    return result;
  }
  if (!pressed) return result;
  switch (key) {
    case SDLK_SPACE:
      if (play_mode) {
        result.player_command = "drop";
      } else {
        controls.paused = !controls.paused;
      }
      break;
    case SDLK_p: controls.paused = !controls.paused; break;
    case SDLK_PLUS:
    case SDLK_EQUALS:  // '+' without shift on US layouts.
    case SDLK_KP_PLUS: controls.speed_exponent = std::min(controls.speed_exponent + 1, speed_exponent_max); break;
    case SDLK_MINUS:
    case SDLK_KP_MINUS: controls.speed_exponent = std::max(controls.speed_exponent - 1, speed_exponent_min); break;
    case SDLK_PERIOD:
      controls.paused = true;
      result.step = true;
      break;
    case SDLK_r: result.restart = true; break;
    case SDLK_q:
    case SDLK_ESCAPE: result.quit = true; break;
    default: break;
  }
  return result;
}

}  // namespace clawnet::viz
