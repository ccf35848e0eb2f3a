// draw(): turns one Snapshot into one frame. A pure function of its inputs: the
// same snapshot, status and size always give the same pixels (no clock, no
// state kept between frames), which the headless PNG tests rely on.
//
// Layout (see layout.hpp): the cabinet from above (play field, chute at the
// origin corner bottom-left, prizes, gantry rails, claw carriage, limit switch
// markers that light when pressed), the cabinet from the side (claw height on a
// vertical track, claw open or closed), a panel (virtual clock and speed, server
// and claw up/down with state names, player in control with the turn countdown,
// motor lamps, active faults, the head of the queue) and the recent log.
#pragma once

#include "sim/snapshot.hpp"
#include "viz/fonts.hpp"

#include <SDL.h>

#include <optional>
#include <string>

namespace clawnet::viz {

// What the window loop knows that the simulation does not: shown in the panel.
struct RunStatus {
  double speed = 1;        // Virtual milliseconds per real millisecond.
  bool paused = false;
  std::string player;      // The player steered from the keyboard (--play), or empty.
};

// The countdown bar is full at the snapshot's turn_ms left. A snapshot without
// a turn length (turn_ms <= 0) falls back to this, the server's default turn_ms.
inline constexpr TimeMs turn_bar_full_ms = 30'000;

// Draws `snapshot` into the whole width x height target of `renderer`.
// `fonts` should be opened at Layout(..., width, height).scale() for text to fit.
// Returns the first SDL failure (with SDL_GetError()), or nullopt; on failure
// the rest of the frame is still drawn.
std::optional<std::string> draw(SDL_Renderer* renderer, const Fonts& fonts, const sim::Snapshot& snapshot,
                                int width, int height, const RunStatus& run = {});

}  // namespace clawnet::viz
