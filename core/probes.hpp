// Coverage probes: named rare situations ("sometimes" assertions) and the
// (machine, state, event) pairs of both MSM tables, counted so that the
// explorer can show its search reached the rare corners (docs/explore.md).
//
// Contract:
//  1. A probe never changes behaviour: it only counts, and only into the
//     Recorder installed on the calling thread.
//  2. With no Recorder installed (every run but the explorer's and its tests')
//     a probe is one thread-local load and a branch.
//  3. Probe names and the pair lists are stable: coverage.json and the docs
//     speak of them by name.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string_view>
#include <tuple>
#include <vector>

namespace clawnet::coverage {

enum class Probe : std::uint8_t {
  // ServerMachine.
  server_restored_open_turn,     // A restart found a turn the store says is open.
  server_regranted_lost_turn,    // The claw lost the open turn (it rebooted); granted again.
  server_refused_full_queue,     // A join refused: the queue is at queue_length_max.
  server_grace_expired,          // An absent player's grace ran out.
  server_returned_within_grace,  // An absent player came back before its grace ran out.
  server_turn_limit,             // The server ended a turn itself (turn + slack passed).
  server_controller_left,        // The player in control left or vanished mid-turn.
  server_claw_gone_mid_turn,     // The claw went away with a turn open (the turn pauses).
  server_stale_claw_status,      // CLAW_READY for another turn while granting.
  server_operator_ended_turn,    // An operator's skip, kick or e-stop ended a turn.
  server_kicked_waiting,         // An operator removed a waiting player.
  server_skipped_unready,        // The next player did not confirm the ready check in time.
  server_ready_check_moved,      // A ready check stopped: the first present player changed, or the queue was held.
  // ClawMachine.
  claw_stale_listen,             // A CHANNEL_LISTEN older than one already served.
  claw_end_turn_in_drop_cycle,   // END_TURN arrived while the claw drops.
  claw_deadman_trip,             // No refresh: the dead-man stopped the gantry.
  claw_limit_switch_stop,        // An end switch stopped (or refused) a motor.
  claw_motor_limit_trip,         // A direction ran motor_on_ms_max.
  claw_duplicate_command,        // A command with an old sequence number (duplicate, replay).
  claw_subscribe_timeout,        // The player's channel did not confirm in time.
  claw_rate_limited,             // Commands beyond the rate were refused.
  claw_link_lost_mid_turn,       // The link went down while a turn was served.
  claw_prize_detected,           // The prize chute sensor saw a prize fall.
  claw_estop_mid_turn,           // An emergency stop while a player's turn was served.
  claw_estop_in_drop_cycle,      // An emergency stop while the claw was lowered or closing.
  // The simulation.
  sim_server_crash_granting,     // The server crashed with a CHANNEL_LISTEN unanswered.
  sim_server_crash_in_turn,      // The server crashed while a player steered.
  sim_server_crash_ending,       // The server crashed waiting for the claw to end a turn.
  sim_claw_reboot_mid_turn,      // The claw crashed while serving a turn.
  sim_crash_mid_step,            // A node crashed between two effects of one step.
  sim_duplicate_delivered,       // The network delivered a message twice.
  sim_partition_over_turn,       // A partition longer than a turn.
  sim_hostile_denied,            // Access rights refused a hostile publish.
  sim_prize_won,                 // A prize fell into the chute.
  sim_claw_frozen_mid_turn,      // The claw's process froze while it served a turn.
  sim_resume_with_backlog,       // A frozen node resumed with ten or more queued inputs.
  sim_clock_step,                // A node's clock jumped forward.
  sim_power_cut,                 // The server lost power: its disk kept only what it had synced.
  count
};
inline constexpr std::size_t probe_count = static_cast<std::size_t>(Probe::count);
std::string_view to_string(Probe probe);

enum class MachineKind : std::uint8_t { server, claw };
std::string_view to_string(MachineKind machine);

// One (state, event) pair of a machine's table, with the targets of its rows
// (guards can split one pair into several rows); "(none)" is an internal row.
struct TablePair {
  std::string_view state;
  std::string_view event;
  std::vector<std::string_view> targets;
};

// Counts for one thread. Install with Recording.
struct Recorder {
  std::array<std::uint64_t, probe_count> probes{};
  std::map<std::tuple<MachineKind, std::string_view, std::string_view>, std::uint64_t> pairs;
};

inline thread_local Recorder* recorder = nullptr;

// Installs `target` on this thread for the lifetime of the Recording.
class Recording {
 public:
  explicit Recording(Recorder& target) : previous_(recorder) { recorder = &target; }
  ~Recording() { recorder = previous_; }
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;

 private:
  Recorder* previous_;
};

inline bool recording() { return recorder != nullptr; }

inline void sometimes(Probe probe) {
  if (recorder != nullptr) recorder->probes[static_cast<std::size_t>(probe)] += 1;
}

// A machine took `event` in `state` (MSM answered HANDLED_TRUE).
inline void took(MachineKind machine, std::string_view state, std::string_view event) {
  if (recorder != nullptr) recorder->pairs[{machine, state, event}] += 1;
}

}  // namespace clawnet::coverage
