// ClawMachine::Impl: the claw's bookkeeping, shared by its two translation units:
// claw_machine.cpp (the MSM table and its states, the only one that instantiates
// it) and claw_bookkeeping.cpp (motors, commands, messages, with no MSM at all).
// Private to core/: nothing outside the claw machine includes this.
#pragma once

#include "core/claw_machine.hpp"
#include "core/effects.hpp"
#include "core/planted.hpp"
#include "core/timer_table.hpp"

#include <array>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace clawnet {
namespace claw_detail {

inline constexpr char booting_name[] = "Booting";
inline constexpr char halted_name[] = "Halted";
inline constexpr char ready_name[] = "Ready";
inline constexpr char subscribing_name[] = "Subscribing";
inline constexpr char controlled_name[] = "Controlled";
inline constexpr char lowering_name[] = "Lowering";
inline constexpr char closing_name[] = "Closing";
inline constexpr char raising_name[] = "Raising";
inline constexpr char homing_name[] = "Homing";
inline constexpr char releasing_name[] = "Releasing";
inline constexpr char fault_name[] = "Fault";

// In the order handle_timeout() fires them when several are due.
enum class Timer : std::uint8_t {
  deadman,       // No command refresh: the gantry stops.
  motor_limit,   // The longest-running gantry motor reaches motor_on_ms_max.
  turn_end,      // The player's turn_ms is over: the claw drops.
  chute_debounce,  // The prize chute sensor has been pressed long enough (before the step ends).
  step,          // The current step's bound (subscribe, or a drop-cycle step).
  ready_repeat,  // CLAW_READY again while idle (CLAW_STOPPED while emergency-stopped).
  count
};

// The link to the server is lost, or an operator's emergency stop arrived: either
// way every motor stops at once (Halted).
enum class HaltCause : std::uint8_t { link_lost, emergency_stop };
struct Halt {
  static constexpr std::string_view name = "Halt";
  TimeMs now_ms = 0;
  HaltCause cause = HaltCause::link_lost;
};

// Why a player's command is refused (command_refusal()).
enum class Refusal : std::uint8_t { wrong_channel, wrong_turn, replayed, rate_limited };

// The events whose contents the table's actions and guards read (the others are
// in claw_machine.cpp). Each names itself for transition coverage.
struct Listen {
  static constexpr std::string_view name = "Listen";
  ChannelListen request;
  TimeMs now_ms = 0;
};
struct EndTurnRequest {
  static constexpr std::string_view name = "EndTurnRequest";
  Turn turn = 0;
  TimeMs now_ms = 0;
};
struct Subscribed {
  static constexpr std::string_view name = "Subscribed";
  std::string channel;
  TimeMs now_ms = 0;
};
// A command as the table sees it: which channel it came on, and what it says.
struct PlayerCommand {
  std::string channel;
  Command command;
  TimeMs now_ms = 0;
};
struct Move : PlayerCommand {
  static constexpr std::string_view name = "Move";
};
struct DropNow : PlayerCommand {
  static constexpr std::string_view name = "DropNow";
};

struct Machine;  // The MSM back-end, defined in claw_machine.cpp.

}  // namespace claw_detail

struct ClawMachine::Impl {
  using Timer = claw_detail::Timer;

  explicit Impl(ClawConfig claw_config);
  ~Impl();

  // --- The table's actions (claw_bookkeeping.cpp) -----------------------------------------
  void start_subscribe(const claw_detail::Listen& event);
  void publish_ready(TimeMs now_ms);
  void answer_ready();
  void grant_control(TimeMs now_ms);
  void publish_controlled();
  void accept_command(const claw_detail::PlayerCommand& event);
  void reject_command(const claw_detail::PlayerCommand& event);
  void apply_move(CommandKind kind, TimeMs now_ms);
  // Why an On command would move nothing now, if it would not.
  std::optional<NoMove> blocked_move(CommandKind kind) const;
  void finish_turn();
  void dropped_by_player();
  void dropped_by_timer();
  void deadman_stop();
  void trip_motors(TimeMs now_ms);

  // --- The table's guards (pure) ------------------------------------------------------------
  bool is_fresh_turn(Turn turn) const {
    if (planted(PlantedBug::stale_turn_accepted)) return turn >= last_finished && turn >= turn_number;
    return turn > last_finished && turn > turn_number;
  }
  bool is_fresh_listen(const claw_detail::Listen& event) const { return is_fresh_turn(event.request.turn); }
  // A repeated CHANNEL_LISTEN, or an END_TURN, for the turn being served.
  bool repeats_current_listen(const claw_detail::Listen& event) const { return event.request.turn == turn_number; }
  bool ends_current_turn(const claw_detail::EndTurnRequest& event) const { return event.turn == turn_number; }
  bool confirms_our_channel(const claw_detail::Subscribed& event) const { return channel == event.channel; }
  bool command_allowed(const claw_detail::PlayerCommand& event) const {
    return !command_refusal(event.channel, event.command, event.now_ms).has_value();
  }
  // What refuses `command` on `from` at `now_ms`, if anything: the claw obeys only
  // the channel and turn it serves, each sequence number once, at the configured rate.
  std::optional<claw_detail::Refusal> command_refusal(std::string_view from, const Command& command,
                                                      TimeMs now_ms) const;

  // --- The prize chute (claw_bookkeeping.cpp) -------------------------------------------------
  void start_chute_watch();
  void chute_changed(bool pressed, TimeMs now_ms);
  void prize_held_long_enough();
  void prize_detected();
  void report_result();

  // --- The turn's record (claw_bookkeeping.cpp) ---------------------------------------------
  // Kept from the accepted CHANNEL_LISTEN to the CLAW_READY after the turn, then
  // published once on the secure channel (a turn_summary).
  void record(TurnEntry entry);
  void record_rejection(Rejection reason, const Command* command);
  void publish_record();
  std::int64_t since_listen_ms() const { return input_ms - record_start_ms; }

  // --- Motors, timers, messages (claw_bookkeeping.cpp) --------------------------------------
  void set_motor(Motor motor, bool on, TimeMs now_ms, MotorCause cause);
  void all_motors_off(MotorCause cause);
  void gantry_off(MotorCause cause);
  void rearm_gantry_timers(TimeMs now_ms, bool command_accepted);
  void halt(MotorCause cause);
  void emergency_stop(TimeMs now_ms);
  void halt_again(const claw_detail::Halt& event);
  void release_estop() {
    emergency_stopped = false;
    timers.clear(Timer::ready_repeat);
  }
  void announce_stopped(TimeMs now_ms);
  bool estop_held() const { return emergency_stopped; }
  void publish(std::string_view to, Message message);
  void reject(std::string reason);
  bool any_gantry_on() const;
  bool pressed(Switch which) const { return switches[static_cast<std::size_t>(which)]; }
  bool on(Motor motor) const { return motors[static_cast<std::size_t>(motor)]; }
  void check_motor_pairs() const;

  // --- The machine (claw_machine.cpp) -------------------------------------------------------
  template <class Event>
  void dispatch(const Event& event);
  template <class Event>
  void unhandled(const Event&) { counters.rejected_events += 1; }
  void reject_uncontrolled(const claw_detail::PlayerCommand& event);
  void settle(TimeMs now_ms);
  bool step_goal_met() const;
  bool in_state(std::initializer_list<const char*> names) const;
  void check_invariants() const;

  ClawConfig config;
  TimeMs input_ms = 0;  // The time of the input being handled (every handle_* sets it first).
  SwitchStates switches{};
  std::array<bool, motor_count> motors{};
  std::array<TimeMs, direction_count> on_since_ms{};
  std::array<bool, direction_count> tripped{};  // Ran too long: needs an Off first.
  std::string channel;        // The player's channel while a turn is served.
  Turn turn_number = 0;       // The turn being served (or last served).
  Turn last_finished = 0;
  std::int64_t turn_ms = 0;
  Seq last_seq = 0;
  TimeMs rate_window_start_ms = 0;
  std::uint32_t rate_window_count = 0;
  bool link_up = true;
  bool emergency_stopped = false;  // Halted by an operator until RESET.
  // The prize chute, watched from the drop to the end of Releasing.
  bool watching_chute = false;
  bool chute_stuck = false;   // Pressed when the watch began: it wins nothing this turn.
  bool prize_passing = false;  // Pressed for the debounce; a win once it is released.
  bool prize_seen = false;
  std::optional<TurnResult> drop_result;  // loss or timeout, from how the drop began.
  std::string result_channel;             // Where the finished turn's player hears its result.
  std::optional<TurnResult> last_result;  // Of last_finished, once known.
  std::optional<TurnSummary> turn_record;  // Of turn_number, until published.
  TimeMs record_start_ms = 0;              // When its CHANNEL_LISTEN was accepted.
  kernel::TimerTable<Timer> timers;
  int ready_repeats = 0;  // Since entering Ready; sets the repeat backoff.
  Effects outbox;
  ClawCounters counters;
  std::string_view state = claw_detail::booting_name;
  std::unique_ptr<claw_detail::Machine> machine;
};

}  // namespace clawnet
