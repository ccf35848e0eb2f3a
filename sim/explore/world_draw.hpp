// The world one explorer seed draws: players of every kind, machine settings
// within their valid ranges (and what the cabinet can physically meet), and a
// swarm fault mix (each fault kind on or off, with its own rate and
// intensity), written out as an explicit scenario: every player action and
// fault a timed line, no `chaos`/`arrivals` shorthand, so a saved world still
// replays after this generator changes. The run has two phases: chaos (the
// faults as drawn) until `heal_at_ms`, where a `heal` line stops them, then
// long enough for the oracle's liveness bounds (sim/oracle.hpp) to come due.
//
// Same seed (and base), same world, byte for byte. docs/explore.md lists the
// kinds and ranges.
#pragma once

#include "sim/scenario.hpp"

#include <array>
#include <cstdint>
#include <string>

namespace clawnet::sim {

enum class FaultKind : std::uint8_t {
  server_crash,       // The server crashes, and restarts after a while.
  claw_crash,         // The claw's controller crashes (reboots mid-turn, too).
  crash_mid_step,     // A node crashes between two effects of one step.
  node_partition,     // The server, the claw or a player is cut off.
  link_partition,     // server->claw, claw->server or both ways are cut.
  channel_loss,       // Loss on the secure channel, the player channels or the lobby.
  burst,              // Loss, duplication, reordering and extra delay for a while.
  player_vanish,      // A player's tab closes; it may come back.
  player_disconnect,  // A player unsubscribes cleanly; it may come back.
  player_leave,       // A player asks to leave the queue.
  hostile,            // Spoofing, flooding, replaying and join spam.
  presence_trouble,   // Presence events lost, duplicated and delayed for a while.
  presence_timeout,   // The service times a present player out.
  node_pause,         // The server's or the claw's process freezes, then resumes with a backlog.
  node_slow,          // The server or the claw handles every input late for a while.
  clock_skew,         // A node's clock drifts, or jumps forward.
  power_cut,          // The server loses power: unsynced writes are lost, the last page may tear.
  operator_hold,      // An operator pauses the queue or presses the e-stop, and releases it later.
  operator_end,       // An operator skips the turn in progress or kicks a player.
  chute_stuck,        // The prize chute sensor sticks pressed for a while.
  count
};
inline constexpr std::size_t fault_kind_count = static_cast<std::size_t>(FaultKind::count);
std::string_view to_string(FaultKind kind);

struct FaultSetting {
  bool on = false;
  double per_minute = 0;  // Mean rate during the chaos phase.
  double intensity = 0;   // 0..1: how long, how lossy, how far; 1 is extreme.
};

struct SwarmMix {
  std::array<FaultSetting, fault_kind_count> faults{};
};

struct DrawSettings {
  TimeMs chaos_ms_min = 60'000;
  TimeMs chaos_ms_max = 300'000;
  bool every_fault = false;  // Every kind on (the benchmark's worlds).
};

struct DrawnWorld {
  Scenario scenario;
  SwarmMix mix;
  TimeMs heal_at_ms = 0;
  std::size_t players = 0;  // Players the world creates (hostile ones excluded).
};

// REQUIRES: `base`, if given, is a valid scenario. Its settings and actions are
// kept, its expectations dropped; the generated players and faults are added
// over its duration, and the heal follows it.
DrawnWorld draw_world(std::uint64_t seed, const Scenario* base, const DrawSettings& settings);

// One line per fault kind: "burst on 2.4/min intensity 0.83" or "burst off".
std::string describe(const SwarmMix& mix);

}  // namespace clawnet::sim
