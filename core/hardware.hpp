// The cabinet's motors and switches, as the machines name them. Their own header
// so that the wire protocol (a turn summary names motors and switches) and the
// effects (SetMotor) share them without including each other.
#pragma once

#include <cstdint>
#include <string_view>

namespace clawnet {

enum class Motor : std::uint8_t {
  gantry_up, gantry_down, gantry_left, gantry_right, claw_lower, claw_raise, claw_close,
};
inline constexpr int motor_count = 7;
std::string_view to_string(Motor motor);  // In effects.cpp.

enum class Switch : std::uint8_t {
  limit_up, limit_down, limit_left, limit_right,  // Gantry travel ends.
  claw_bottom, claw_top,                          // Claw hoist ends.
  prize_chute,                                    // A prize falling into the chute.
};
inline constexpr int switch_count = 7;
std::string_view to_string(Switch which);  // In claw_machine.cpp.

}  // namespace clawnet
