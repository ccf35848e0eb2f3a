// Snapshot: an immutable picture of a running simulation at one virtual
// instant, everything the visualizer draws and nothing it could change.
// The world fills it (sim/world.hpp); viz/ only reads it.
#pragma once

#include "cabinet/cabinet_view.hpp"
#include "core/effects.hpp"
#include "core/protocol.hpp"
#include "core/time.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace clawnet::sim {

// The cabinet's part of the picture (cabinet/cabinet_view.hpp), under the
// names the visualizer uses.
using clawnet::CabinetGeometry;
using clawnet::CabinetView;
using clawnet::PrizeView;

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

// How the last turn ended, as the server told the spectators.
struct ResultView {
  Turn turn = 0;
  TurnResult result = TurnResult::loss;
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
  std::optional<ResultView> last_result;
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
