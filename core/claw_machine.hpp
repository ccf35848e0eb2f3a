// ClawMachine: the cabinet ("the claw" of the seed), as a pure state machine.
//
// boot -> raise -> home -> release -> ready -> subscribing -> controlled
//      -> lowering -> closing -> raising -> homing -> releasing -> ready ...
// Inputs are handle_* calls carrying `now_ms`; outputs are effects (publish,
// subscribe, set motor, timers, log) and next_deadline(). The same calling
// discipline as ServerMachine: feed inputs, call handle_timeout(now) when
// now >= next_deadline(), carry out take_effects() in order.
//
// Prizes: from the drop until prize_settle_ms after the claw opens over the
// chute, a press of the prize_chute sensor held prize_debounce_ms and released
// again is a win. A sensor already pressed when the drop starts, or still
// pressed when the watch ends, is stuck: it is reported (counters.chute_faults)
// and wins nothing that turn. The result goes to the
// player in a second {"control":false} and to the server in CLAW_READY.
//
// Turn records: from the CHANNEL_LISTEN it accepts to the CLAW_READY after the
// turn, the claw records every command accepted and refused (with why), every
// motor change (with why, when it is the claw's own doing), every switch press
// and the result, at most limits::turn_record_entries_max entries; it publishes
// the record once, right after that CLAW_READY, as a TurnSummary on the secure
// channel (docs/protocol.md, "Turn summaries"). Nothing repeats it.
//
// Safety (asserted where internal, enforced on every input):
//  1. The claw obeys only the channel and turn of the last accepted CHANNEL_LISTEN,
//     and each command sequence number at most once.
//  2. Opposite gantry motors are never on together.
//  3. A gantry motor never runs into a pressed limit switch in its direction.
//  4. Every gantry motor is off within deadman_ms of the last accepted command,
//     at turn end, on a fault and when the link to the server is lost.
//  5. No gantry motor stays on longer than motor_on_ms_max; it then needs an Off.
//  6. From an ESTOP on the secure channel until a RESET (or a reboot), every motor
//     is off, whatever the claw was doing (a drop cycle too); it answers CLAW_STOPPED.
// Not thread-safe.
#pragma once

#include "core/effects.hpp"
#include "core/hardware.hpp"
#include "core/machine_config.hpp"
#include "core/probes.hpp"
#include "core/protocol.hpp"
#include "core/time.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace clawnet {

using SwitchStates = std::array<bool, switch_count>;

// The gantry limit switch in `direction`: the four limit switches come first, in
// Direction order (handle_switch() maps a limit switch back to its motor the same way).
constexpr Switch limit_switch(Direction direction) { return static_cast<Switch>(static_cast<int>(direction)); }
static_assert(limit_switch(Direction::up) == Switch::limit_up);
static_assert(limit_switch(Direction::down) == Switch::limit_down);
static_assert(limit_switch(Direction::left) == Switch::limit_left);
static_assert(limit_switch(Direction::right) == Switch::limit_right);
static_assert(static_cast<int>(Switch::claw_bottom) == direction_count);  // Only limit switches below.
static_assert(static_cast<int>(Switch::prize_chute) + 1 == switch_count);

struct ClawCounters {
  std::uint64_t commands_accepted = 0;
  std::uint64_t rejected_messages = 0;  // Malformed, wrong channel, wrong turn, replayed.
  std::uint64_t rejected_events = 0;    // Events the current state does not accept.
  std::uint64_t rate_limited = 0;
  std::uint64_t deadman_trips = 0;
  std::uint64_t motor_limit_trips = 0;
  std::uint64_t limit_switch_stops = 0;
  std::uint64_t turns_finished = 0;
  std::uint64_t faults = 0;
  std::uint64_t prizes_detected = 0;
  std::uint64_t chute_faults = 0;       // The chute sensor was pressed when a drop began or ended.
  std::uint64_t emergency_stops = 0;    // ESTOPs that halted the claw (repeats excluded).
};

class ClawMachine {
 public:
  explicit ClawMachine(ClawConfig config);
  ~ClawMachine();
  ClawMachine(const ClawMachine&) = delete;
  ClawMachine& operator=(const ClawMachine&) = delete;

  // --- Inputs -------------------------------------------------------------------
  // Power on (or restart) with the switches as they are. The link is up unless
  // handle_link(false) said otherwise; then the claw halts at once.
  void handle_boot(SwitchStates switches, TimeMs now_ms);
  // The transport's connection to the broker/server came up or went down.
  void handle_link(bool up, TimeMs now_ms);
  void handle_secure_message(std::string_view text, TimeMs now_ms);
  void handle_player_message(std::string_view channel, std::string_view text, TimeMs now_ms);
  void handle_subscribed(std::string_view channel, TimeMs now_ms);
  void handle_switch(Switch which, bool pressed, TimeMs now_ms);
  void handle_timeout(TimeMs now_ms);

  // --- Outputs ------------------------------------------------------------------
  Effects take_effects();
  TimeMs next_deadline() const;

  // --- Getters --------------------------------------------------------------------
  // Every (state, event) pair of the table, for transition coverage.
  static std::vector<coverage::TablePair> table_pairs();
  std::string_view state_name() const;
  bool motor_on(Motor motor) const;
  bool any_gantry_motor_on() const;
  // The channel the claw obeys, while a turn is being served.
  std::optional<std::string> listening_channel() const;
  // Halted by an operator's ESTOP, until a RESET (a reboot, a new machine, forgets it).
  bool emergency_stopped() const;
  Turn current_turn() const;
  Turn last_finished_turn() const;
  // How the last finished turn ended, if the claw dropped in it.
  std::optional<TurnResult> last_result() const;
  const ClawCounters& counters() const;
  const ClawConfig& config() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace clawnet
