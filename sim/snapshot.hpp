// Snapshot: an immutable picture of a running simulation at one virtual
// instant, everything the visualizer draws and nothing it could change.
// The world fills it (sim/world.hpp); viz/ only reads it.
#pragma once

#include "core/effects.hpp"
#include "core/protocol.hpp"
#include "core/time.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace clawnet::sim {

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
  std::array<bool, 7> motors{};      // Indexed by clawnet::Motor.
  std::array<bool, 6> switches{};    // Indexed by clawnet::Switch.
  std::vector<PrizeView> prizes;
  std::uint64_t prizes_won = 0;
};

struct QueueEntryView {
  std::string player;   // Scenario name of the player ("alice").
  std::string channel;
  std::uint64_t rank = 0;
  std::uint64_t shown_position = 0;
  bool present = false;
};

struct FaultView {
  std::string description;  // "partition claw until 95s", "loss 20% on clawcomm"
};

struct Snapshot {
  TimeMs now_ms = 0;
  std::uint64_t seed = 0;
  std::string scenario;
  bool server_up = false;
  bool claw_up = false;
  std::string server_state;  // ServerMachine::state_name()
  std::string claw_state;    // ClawMachine::state_name()
  std::optional<std::string> controller;  // Player name in control, if any.
  Turn turn = 0;
  TimeMs turn_ends_ms = 0;   // Valid when controller is set.
  TimeMs turn_ms = 0;        // The current turn's length; valid when controller is set.
  std::vector<QueueEntryView> queue;      // At most queue_view_max entries, in order.
  std::uint64_t queue_length = 0;         // The full length.
  CabinetView cabinet;
  std::vector<FaultView> faults;
  std::vector<std::string> recent_log;    // Last lines of the timeline, oldest first.
  bool finished = false;                  // The scenario has run to its end.
};

inline constexpr std::size_t queue_view_max = 20;
inline constexpr std::size_t recent_log_max = 12;

}  // namespace clawnet::sim
