// Controls: what each key does in the window, as a pure function of the key and
// the run state, so the bindings are tested without a window.
//
//   space        pause / resume       (in play mode: drop; pause moves to p)
//   p            pause / resume
//   + / -        speed x2 / x0.5, within 0.25x .. 64x
//   .            step one event (pauses first when running)
//   r            restart the scenario
//   q, Esc       quit
//   arrows       in play mode: "upOn" on press, "upOff" on release, etc.
// Key repeats are ignored: a held arrow is one On, its release one Off.
#pragma once

#include <SDL.h>

#include <string_view>

namespace clawnet::viz {

// Speed is 2^speed_exponent virtual ms per real ms.
inline constexpr int speed_exponent_min = -2;  // 0.25x
inline constexpr int speed_exponent_max = 6;   // 64x

struct RunControls {
  int speed_exponent = 0;
  bool paused = false;
  double speed() const;
};

struct KeyResult {
  bool quit = false;
  bool restart = false;
  bool step = false;
  std::string_view player_command;  // Seed command name ("upOn", "drop"), or empty.
};

// Applies one key press (pressed) or release (!pressed) to `controls`.
// `play_mode`: a player is steered from the keyboard.
KeyResult handle_key(RunControls& controls, SDL_Keycode key, bool pressed, bool repeat, bool play_mode);

}  // namespace clawnet::viz
