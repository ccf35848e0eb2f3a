#include "core/planted.hpp"

namespace clawnet {

// Weak: a planted test program links a strong definition (core/planted_bug.cpp).
[[gnu::weak]] PlantedBug planted_bug() { return PlantedBug::none; }

std::string_view to_string(PlantedBug bug) {
  switch (bug) {
    case PlantedBug::none: return "none";
    case PlantedBug::fifo_slip: return "fifo_slip";
    case PlantedBug::grace_never_expires: return "grace_never_expires";
    case PlantedBug::deadman_unarmed: return "deadman_unarmed";
    case PlantedBug::stale_turn_accepted: return "stale_turn_accepted";
    case PlantedBug::ack_before_commit: return "ack_before_commit";
    case PlantedBug::position_off_by_one: return "position_off_by_one";
    case PlantedBug::departure_not_stored: return "departure_not_stored";
    case PlantedBug::turn_end_requeues: return "turn_end_requeues";
    case PlantedBug::motors_on_at_drop: return "motors_on_at_drop";
    case PlantedBug::limit_switch_ignored: return "limit_switch_ignored";
    case PlantedBug::timer_in_the_past: return "timer_in_the_past";
    case PlantedBug::canary: return "canary";
    case PlantedBug::count: break;
  }
  return "?";
}

std::optional<PlantedBug> planted_bug_named(std::string_view name) {
  for (int index = 0; index < static_cast<int>(PlantedBug::count); index += 1) {
    const auto bug = static_cast<PlantedBug>(index);
    if (to_string(bug) == name) return bug;
  }
  return std::nullopt;
}

}  // namespace clawnet
