// ClawMachine::Impl: what the table's actions do (turns, commands, messages) and the
// motor safety under them (interlocks, end switches, the dead-man and on-time
// limits). No MSM here: the table and its states live in claw_machine.cpp.
#include "core/claw_machine_impl.hpp"

#include "core/assert.hpp"
#include "core/limits.hpp"
#include "core/probes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace clawnet {

using Timer = ClawMachine::Impl::Timer;
using claw_detail::PlayerCommand;
using claw_detail::Refusal;

// --- Turns --------------------------------------------------------------------------------

// What the server promised in the CHANNEL_LISTEN (its send_listen() checks the
// same facts before sending it; decode() refuses a listen without them).
void ClawMachine::Impl::start_subscribe(const claw_detail::Listen& event) {
  const ChannelListen& request = event.request;
  CLAWNET_ASSERT(request.turn > 0);
  CLAWNET_ASSERT(request.turn_ms > 0);
  CLAWNET_ASSERT(request.turn_ms <= limits::turn_duration_ms_max);
  CLAWNET_ASSERT(is_player_channel(request.channel));
  CLAWNET_ASSERT(channel.empty());  // No other turn is being served.
  channel = request.channel;
  turn_number = request.turn;
  turn_ms = request.turn_ms;
  last_seq = 0;
  rate_window_count = 0;
  tripped = {};
  CLAWNET_ASSERT(!turn_record.has_value());  // Published at the last CLAW_READY.
  turn_record = TurnSummary{turn_number, channel, turn_ms, {}, 0, 0, {}, {}, 0};
  record_start_ms = event.now_ms;
  outbox.push_back(Subscribe{channel});
}

// Repeated while idle, in case the server missed it (loss, or its restart);
// the interval doubles up to 4x so an idle cabinet stays quiet.
void ClawMachine::Impl::publish_ready(TimeMs now_ms) {
  answer_ready();
  publish_record();
  const TimeMs repeat_ms = planted(PlantedBug::timer_in_the_past) ? 0 : config.ready_repeat_ms << ready_repeats;
  timers.set(Timer::ready_repeat, now_ms + repeat_ms);
  ready_repeats = std::min(ready_repeats + 1, 2);
}

void ClawMachine::Impl::answer_ready() {
  publish(secure_channel, ClawStatusMessage{ClawStatus::ready, last_finished, last_result});
}

// Only now, with the subscription confirmed, may the player hear it has control:
// commands published before a subscription completes are never delivered.
void ClawMachine::Impl::grant_control(TimeMs now_ms) {
  CLAWNET_ASSERT(!channel.empty());
  CLAWNET_ASSERT(turn_ms > 0);
  publish_controlled();
  publish(channel, Control{true, turn_number, turn_ms, {}});
  timers.set(Timer::turn_end, now_ms + turn_ms);
  if (turn_record) turn_record->control_at_ms = since_listen_ms();
}

// The server resumes or completes only the turn it has open; a turn it never
// granted is no answer to anything.
void ClawMachine::Impl::publish_controlled() {
  CLAWNET_ASSERT(turn_number > 0);
  publish(secure_channel, ClawStatusMessage{ClawStatus::controlled, turn_number, {}});
}

void ClawMachine::Impl::finish_turn() {
  if (!planted(PlantedBug::motors_on_at_drop)) gantry_off(MotorCause::turn_end);
  if (turn_record) turn_record->ended_at_ms = since_listen_ms();
  if (!channel.empty()) {
    publish(channel, Control{false, turn_number, 0, {}});
    outbox.push_back(Unsubscribe{channel});
  }
  result_channel = std::exchange(channel, {});
  last_finished = turn_number;
  last_result.reset();  // Known once the drop cycle is over, if it drops at all.
  counters.turns_finished += 1;
  timers.clear(Timer::turn_end);
}

void ClawMachine::Impl::dropped_by_player() {
  finish_turn();
  drop_result = TurnResult::loss;  // Unless a prize falls.
}

void ClawMachine::Impl::dropped_by_timer() {
  finish_turn();
  drop_result = TurnResult::timeout;
}

// --- The prize chute ------------------------------------------------------------------------

// No prize can be in the chute before the drop: a sensor pressed now is stuck
// (or blocked), and would make every turn a win if it were believed.
void ClawMachine::Impl::start_chute_watch() {
  CLAWNET_ASSERT(drop_result.has_value());
  watching_chute = true;
  prize_seen = false;
  prize_passing = false;
  chute_stuck = pressed(Switch::prize_chute);
  if (!chute_stuck) return;
  counters.chute_faults += 1;
  outbox.push_back(Log{"fault: the prize chute sensor is pressed before the drop; no win can count this turn"});
}

// A prize passes the sensor: a press that lasts prize_debounce_ms (a bounce
// restarts it) and ends again within the watch. A press still on when the watch
// ends is a sensor that stuck during the drop, not a prize.
void ClawMachine::Impl::chute_changed(bool chute_pressed, TimeMs now_ms) {
  if (!watching_chute || chute_stuck || prize_seen) return;
  if (chute_pressed) {
    timers.set(Timer::chute_debounce, now_ms + config.prize_debounce_ms);
  } else if (prize_passing) {
    prize_passing = false;
    prize_detected();
  } else {
    timers.clear(Timer::chute_debounce);
  }
}

void ClawMachine::Impl::prize_held_long_enough() {
  CLAWNET_ASSERT(watching_chute);
  prize_passing = true;
}

void ClawMachine::Impl::prize_detected() {
  CLAWNET_ASSERT(watching_chute);
  coverage::sometimes(coverage::Probe::claw_prize_detected);
  prize_seen = true;
  counters.prizes_detected += 1;
}

// The drop cycle is over: the player hears how its turn ended, and CLAW_READY says it.
void ClawMachine::Impl::report_result() {
  watching_chute = false;
  timers.clear(Timer::chute_debounce);
  if (std::exchange(prize_passing, false)) {
    counters.chute_faults += 1;
    outbox.push_back(Log{"fault: the prize chute sensor stayed pressed to the end of the drop; no win counted"});
  }
  if (!drop_result) return;
  last_result = prize_seen ? TurnResult::win : *drop_result;
  drop_result.reset();
  if (turn_record && turn_record->turn == last_finished) turn_record->result = last_result;
  prize_seen = false;
  if (!result_channel.empty()) publish(result_channel, Control{false, last_finished, 0, last_result});
}

// --- Commands -------------------------------------------------------------------------------

std::optional<Refusal> ClawMachine::Impl::command_refusal(std::string_view from, const Command& command,
                                                          TimeMs now_ms) const {
  if (from != channel) return Refusal::wrong_channel;
  if (command.turn != turn_number) return Refusal::wrong_turn;
  if (command.seq <= last_seq) return Refusal::replayed;
  const bool window_open = now_ms - rate_window_start_ms < 1000;
  if (window_open && rate_window_count >= config.commands_per_second_max) return Refusal::rate_limited;
  return std::nullopt;
}

// REQUIRES: command_refusal() refuses nothing.
void ClawMachine::Impl::accept_command(const PlayerCommand& event) {
  CLAWNET_ASSERT(!command_refusal(event.channel, event.command, event.now_ms).has_value());
  if (event.now_ms - rate_window_start_ms >= 1000) {
    rate_window_start_ms = event.now_ms;
    rate_window_count = 0;
  }
  rate_window_count += 1;
  last_seq = event.command.seq;
  counters.commands_accepted += 1;
  const CommandKind kind = event.command.kind;
  record(CommandEntry{since_listen_ms(), kind, event.command.seq, kind == CommandKind::drop ? std::nullopt : blocked_move(kind)});
  if (kind != CommandKind::drop) apply_move(kind, event.now_ms);
}

void ClawMachine::Impl::reject_command(const PlayerCommand& event) {
  const std::optional<Refusal> refusal = command_refusal(event.channel, event.command, event.now_ms);
  CLAWNET_ASSERT(refusal.has_value());
  constexpr std::array<Rejection, 4> reasons = {Rejection::wrong_channel, Rejection::wrong_turn, Rejection::replayed_seq,
                                                Rejection::rate_limited};
  record_rejection(reasons.at(static_cast<std::size_t>(*refusal)), &event.command);
  switch (*refusal) {
    case Refusal::wrong_channel:
      return reject(fmt::format("message on {} while not controlled from it", event.channel));
    case Refusal::wrong_turn: return reject(fmt::format("command for turn {}", event.command.turn));
    case Refusal::replayed:
      coverage::sometimes(coverage::Probe::claw_duplicate_command);
      return reject(fmt::format("command seq {} replayed", event.command.seq));
    case Refusal::rate_limited:
      coverage::sometimes(coverage::Probe::claw_rate_limited);
      counters.rate_limited += 1;
      return reject("command rate limit");
  }
}

std::optional<NoMove> ClawMachine::Impl::blocked_move(CommandKind kind) const {
  if (!is_on(kind)) return std::nullopt;
  const Direction direction = direction_of(kind);
  if (tripped[static_cast<std::size_t>(direction)]) return NoMove::motor_limit;
  if (pressed(limit_switch(direction))) return NoMove::limit_switch;
  return std::nullopt;
}

void ClawMachine::Impl::apply_move(CommandKind kind, TimeMs now_ms) {
  const Direction direction = direction_of(kind);
  const auto index = static_cast<std::size_t>(direction);
  const Motor motor = gantry_motor(direction);
  const std::optional<NoMove> blocked = blocked_move(kind);
  if (!is_on(kind)) {
    tripped[index] = false;
    set_motor(motor, false, now_ms, MotorCause::player);
  } else if (blocked == NoMove::motor_limit) {
    reject(fmt::format("{} ran {} ms; send {}Off first", to_string(direction), config.motor_on_ms_max,
                       to_string(direction)));
  } else if (blocked == NoMove::limit_switch) {
    counters.limit_switch_stops += 1;
    coverage::sometimes(coverage::Probe::claw_limit_switch_stop);
  } else {
    // Interlock: the opposite direction stops before this one starts.
    set_motor(gantry_motor(opposite(direction)), false, now_ms, MotorCause::player);
    set_motor(motor, true, now_ms, MotorCause::player);
  }
  rearm_gantry_timers(now_ms, true);
}

void ClawMachine::Impl::deadman_stop() {
  coverage::sometimes(coverage::Probe::claw_deadman_trip);
  counters.deadman_trips += 1;
  gantry_off(MotorCause::deadman);
  outbox.push_back(Log{"dead-man: no command refresh, gantry stopped"});
}

void ClawMachine::Impl::trip_motors(TimeMs now_ms) {
  for (int index = 0; index < direction_count; index += 1) {
    const Motor motor = gantry_motor(static_cast<Direction>(index));
    const auto slot = static_cast<std::size_t>(index);
    if (on(motor) && on_since_ms[slot] + config.motor_on_ms_max <= now_ms) {
      set_motor(motor, false, now_ms, MotorCause::motor_limit);
      tripped[slot] = true;
      counters.motor_limit_trips += 1;
      coverage::sometimes(coverage::Probe::claw_motor_limit_trip);
    }
  }
  rearm_gantry_timers(now_ms, false);
}

// --- Motors and timers ----------------------------------------------------------------------

// Every change is recorded in the turn's record, with who made it.
void ClawMachine::Impl::set_motor(Motor motor, bool turn_on, TimeMs now_ms, MotorCause cause) {
  const auto index = static_cast<std::size_t>(motor);
  if (motors[index] == turn_on) return;
  motors[index] = turn_on;
  if (turn_on && static_cast<int>(motor) < direction_count) on_since_ms[index] = now_ms;
  outbox.push_back(SetMotor{motor, turn_on});
  record(MotorEntry{since_listen_ms(), motor, turn_on, cause});
  check_motor_pairs();
}

void ClawMachine::Impl::all_motors_off(MotorCause cause) {
  for (int index = 0; index < motor_count; index += 1) set_motor(static_cast<Motor>(index), false, 0, cause);
}

void ClawMachine::Impl::gantry_off(MotorCause cause) {
  for (int index = 0; index < direction_count; index += 1) {
    set_motor(gantry_motor(static_cast<Direction>(index)), false, 0, cause);
  }
  timers.clear(Timer::deadman);
  timers.clear(Timer::motor_limit);
}

// Everything off and every timer stopped: the link is gone, or a step overran.
// The chute goes unwatched meanwhile; a drop under way still reports its result.
void ClawMachine::Impl::halt(MotorCause cause) {
  all_motors_off(cause);
  timers = {};
  watching_chute = false;
  prize_passing = false;
}

// An operator's emergency stop, after the halt: the drop under way (if any) is
// void (the server ends the turn, so no result is told for it), and the claw
// stays halted until RESET.
void ClawMachine::Impl::emergency_stop(TimeMs now_ms) {
  emergency_stopped = true;
  counters.emergency_stops += 1;
  drop_result.reset();
  prize_seen = false;
  prize_passing = false;
  result_channel.clear();
  outbox.push_back(Log{"emergency stop: every motor off until RESET"});
  ready_repeats = 0;
  announce_stopped(now_ms);
}

// Halted already: a repeated ESTOP (or one while the link was down) holds the claw too.
void ClawMachine::Impl::halt_again(const claw_detail::Halt& event) {
  if (event.cause != claw_detail::HaltCause::emergency_stop) return;
  if (emergency_stopped) return announce_stopped(event.now_ms);
  emergency_stop(event.now_ms);
}

// Repeated as CLAW_READY is, in case the server missed it: a server that thinks the
// claw idle would otherwise never learn it is stopped (nor send the RESET it missed).
void ClawMachine::Impl::announce_stopped(TimeMs now_ms) {
  publish(secure_channel, ClawStatusMessage{ClawStatus::stopped, 0, {}});
  timers.set(Timer::ready_repeat, now_ms + (config.ready_repeat_ms << ready_repeats));
  ready_repeats = std::min(ready_repeats + 1, 2);
}

bool ClawMachine::Impl::any_gantry_on() const {
  for (int index = 0; index < direction_count; index += 1) {
    if (on(gantry_motor(static_cast<Direction>(index)))) return true;
  }
  return false;
}

// The dead-man restarts on every accepted command while anything moves, and
// only then: an end switch or an on-time trip stopping one motor is no command.
// The on-time limit watches the longest-running motor.
void ClawMachine::Impl::rearm_gantry_timers(TimeMs now_ms, bool command_accepted) {
  TimeMs earliest_limit_ms = time_never;
  for (int index = 0; index < direction_count; index += 1) {
    const auto slot = static_cast<std::size_t>(index);
    if (!motors[slot]) continue;
    earliest_limit_ms = std::min(earliest_limit_ms, on_since_ms[slot] + config.motor_on_ms_max);
  }
  if (earliest_limit_ms == time_never) {
    timers.clear(Timer::deadman);
    timers.clear(Timer::motor_limit);
    return;
  }
  const bool from_rest = !timers.armed(Timer::deadman);
  if (command_accepted && !(planted(PlantedBug::deadman_unarmed) && from_rest)) {
    timers.set(Timer::deadman, now_ms + config.deadman_ms);
  }
  timers.set(Timer::motor_limit, earliest_limit_ms);
}

// Motors that must never run together, checked after every motor change. Safety
// invariant 2 (opposite gantry motors), and the pairs the drop cycle keeps apart.
// A planted bug that breaks one of these must reach the oracle, not stop here.
void ClawMachine::Impl::check_motor_pairs() const {
  CLAWNET_ASSERT(!(on(Motor::claw_lower) && on(Motor::claw_raise)));
  CLAWNET_ASSERT(!(on(Motor::claw_lower) && on(Motor::claw_close)));  // The claw goes down open.
  if (planted(PlantedBug::motors_on_at_drop)) return;
  CLAWNET_ASSERT(!(on(Motor::gantry_up) && on(Motor::gantry_down)));
  CLAWNET_ASSERT(!(on(Motor::gantry_left) && on(Motor::gantry_right)));
  const bool gantry_on = any_gantry_on();
  CLAWNET_ASSERT(!(gantry_on && on(Motor::claw_lower)));  // The gantry stands while the hoist runs.
  CLAWNET_ASSERT(!(gantry_on && on(Motor::claw_raise)));
}

// --- Messages -------------------------------------------------------------------------------

void ClawMachine::Impl::publish(std::string_view to, Message message) {
  outbox.push_back(Publish{std::string(to), std::move(message)});
}

// --- The turn's record ----------------------------------------------------------------------

// Bounded: past turn_record_entries_max an entry is only counted. Nothing is kept
// between turns (no record is open then).
void ClawMachine::Impl::record(TurnEntry entry) {
  if (!turn_record) return;
  CLAWNET_ASSERT(turn_record->entries.empty() || at_ms_of(turn_record->entries.back()) <= at_ms_of(entry));
  if (turn_record->entries.size() < limits::turn_record_entries_max) {
    turn_record->entries.push_back(std::move(entry));
  } else {
    turn_record->entries_dropped += 1;
  }
}

void ClawMachine::Impl::record_rejection(Rejection reason, const Command* command) {
  if (command == nullptr) return record(RejectionEntry{since_listen_ms(), reason, {}, 0});
  CLAWNET_ASSERT(command->seq > 0);  // decode() refuses seq 0.
  record(RejectionEntry{since_listen_ms(), reason, command->kind, command->seq});
}

// Once, with the CLAW_READY that follows the turn (a drop cycle, or a halt, in
// between). A lost summary is a turn without a record; nothing repeats it.
void ClawMachine::Impl::publish_record() {
  if (!turn_record) return;
  CLAWNET_ASSERT(turn_record->turn == last_finished);
  CLAWNET_ASSERT(channel.empty());
  turn_record->ready_at_ms = since_listen_ms();
  publish(secure_channel, *std::exchange(turn_record, std::nullopt));
}

void ClawMachine::Impl::reject(std::string reason) {
  counters.rejected_messages += 1;
  outbox.push_back(Log{"rejected: " + std::move(reason)});
}

}  // namespace clawnet
