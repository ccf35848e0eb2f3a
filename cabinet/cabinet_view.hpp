// CabinetView: a picture of the cabinet at one instant (where the claw is,
// which motors run and switches are pressed, where the prizes lie), as
// CabinetPhysics::view() returns it. Plain values, for the visualizer and
// for tests; nothing here changes the cabinet.
#pragma once

#include "core/claw_machine.hpp"
#include "core/effects.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace clawnet {

// Cabinet geometry is in millimetres, origin at the prize chute (home) corner:
// x grows to the right, y grows "up" (away from the player), z grows downward
// from the top of the hoist.
struct CabinetGeometry {
  double width_mm = 600;   // x range [0, width_mm]
  double depth_mm = 500;   // y range [0, depth_mm]
  double drop_mm = 300;    // z range [0, drop_mm]
  double chute_mm = 120;   // The chute is the square [0, chute_mm]^2.
};

struct PrizeView {
  double x_mm = 0;
  double y_mm = 0;
  bool held = false;  // In the claw right now.
  bool won = false;   // Dropped into the chute (drawn in the chute).
};

struct CabinetView {
  CabinetGeometry geometry;
  double x_mm = 0;
  double y_mm = 0;
  double z_mm = 0;           // 0 = claw fully raised.
  bool claw_closed = false;
  std::array<bool, motor_count> motors{};  // Indexed by Motor.
  SwitchStates switches{};                 // Indexed by Switch.
  std::vector<PrizeView> prizes;
  std::uint64_t prizes_won = 0;
};

}  // namespace clawnet
