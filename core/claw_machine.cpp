// ClawMachine: the cabinet's lifecycle as one Boost.MSM table; motor safety and
// message checks in Impl. The only translation unit that instantiates this MSM.

// A table over 20 rows needs bigger MPL containers, set before any MSM include.
#define BOOST_MPL_CFG_NO_PREPROCESSED_HEADERS
#define BOOST_MPL_LIMIT_VECTOR_SIZE 50
#define BOOST_MPL_LIMIT_MAP_SIZE 50

#include "core/claw_machine.hpp"

#include "core/msm_table_pairs.hpp"
#include "core/planted.hpp"
#include "core/probes.hpp"

#include "core/assert.hpp"
#include "core/limits.hpp"

#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace clawnet {
namespace msm = boost::msm;
namespace mpl = boost::mpl;
using msm::front::none;
using msm::front::Row;

std::string_view to_string(Switch which) {
  constexpr std::array<std::string_view, switch_count> names = {
      "limit_up", "limit_down", "limit_left", "limit_right", "claw_bottom", "claw_top"};
  return names.at(static_cast<std::size_t>(which));
}

std::optional<std::string> validate(const ClawConfig& config) {
  auto positive_upto = [](std::int64_t value, std::int64_t max) { return value > 0 && value <= max; };
  if (!positive_upto(config.deadman_ms, limits::deadman_ms_max)) {
    return fmt::format("deadman_ms must be 1..{}", limits::deadman_ms_max);
  }
  if (!positive_upto(config.motor_on_ms_max, limits::motor_on_ms_max)) {
    return fmt::format("motor_on_ms_max must be 1..{}", limits::motor_on_ms_max);
  }
  if (config.motor_on_ms_max <= config.deadman_ms) return std::string("motor_on_ms_max must exceed deadman_ms");
  const std::pair<std::string_view, std::int64_t> steps[] = {
      {"lower_ms", config.lower_ms},           {"grip_ms", config.grip_ms},
      {"raise_ms_max", config.raise_ms_max},   {"home_ms_max", config.home_ms_max},
      {"release_ms", config.release_ms},       {"subscribe_ms_max", config.subscribe_ms_max},
      {"ready_repeat_ms", config.ready_repeat_ms}};
  for (const auto& [name, value] : steps) {
    if (!positive_upto(value, limits::drop_step_ms_max)) {
      return fmt::format("{} must be 1..{}", name, limits::drop_step_ms_max);
    }
  }
  if (config.commands_per_second_max == 0 || config.commands_per_second_max > limits::commands_per_second_max) {
    return fmt::format("commands_per_second_max must be 1..{}", limits::commands_per_second_max);
  }
  return std::nullopt;
}

namespace {

// --- Events of the lifecycle table -------------------------------------------------
// Each names itself for transition coverage (core/probes.hpp).
struct Boot { static constexpr std::string_view name = "Boot"; TimeMs now_ms; };
struct LinkDown { static constexpr std::string_view name = "LinkDown"; TimeMs now_ms; };
struct LinkUp { static constexpr std::string_view name = "LinkUp"; TimeMs now_ms; };
struct Listen { static constexpr std::string_view name = "Listen"; ChannelListen request; TimeMs now_ms; };
struct EndTurnRequest { static constexpr std::string_view name = "EndTurnRequest"; Turn turn; TimeMs now_ms; };
struct Subscribed { static constexpr std::string_view name = "Subscribed"; std::string channel; TimeMs now_ms; };
struct Move { static constexpr std::string_view name = "Move"; CommandKind kind; TimeMs now_ms; };
struct DropNow { static constexpr std::string_view name = "DropNow"; TimeMs now_ms; };
struct TurnTimeout { static constexpr std::string_view name = "TurnTimeout"; TimeMs now_ms; };
struct Deadman { static constexpr std::string_view name = "Deadman"; TimeMs now_ms; };
struct MotorLimit { static constexpr std::string_view name = "MotorLimit"; TimeMs now_ms; };
struct StepDone { static constexpr std::string_view name = "StepDone"; TimeMs now_ms; };
struct StepTimeout { static constexpr std::string_view name = "StepTimeout"; TimeMs now_ms; };
struct ReadyRepeat { static constexpr std::string_view name = "ReadyRepeat"; TimeMs now_ms; };

// Flags: what ends the current drop-cycle step.
struct AwaitsBottom {};
struct AwaitsTop {};
struct AwaitsHome {};

template <class Event>
TimeMs now_of(const Event& event) {
  if constexpr (requires { event.now_ms; }) {
    return event.now_ms;
  } else {
    return 0;  // MSM's own start event; Booting does nothing with it.
  }
}

}  // namespace

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

namespace {

// A state that tells Impl when it is entered and left, by name.
template <const char* name, class Flags = mpl::vector0<>>
struct Named : msm::front::state<> {
  static constexpr std::string_view state_name = name;
  using flag_list = Flags;
  template <class Event, class Fsm>
  void on_entry(const Event& event, Fsm& fsm) { fsm.impl->enter(name, now_of(event)); }
  template <class Event, class Fsm>
  void on_exit(const Event&, Fsm& fsm) { fsm.impl->leave(name); }
};

// --- Actions and guards: each calls one Impl method ------------------------------------
#define CLAWNET_ACTION(Name, call)                                             \
  struct Name {                                                                \
    template <class Event, class Fsm, class Source, class Target>              \
    void operator()(const Event& event, Fsm& fsm, Source&, Target&) const {    \
      [[maybe_unused]] const Event& e = event;                                 \
      fsm.impl->call;                                                          \
    }                                                                          \
  };
#define CLAWNET_GUARD(Name, expression)                                        \
  struct Name {                                                                \
    template <class Event, class Fsm, class Source, class Target>              \
    bool operator()(const Event& event, Fsm& fsm, Source&, Target&) const {    \
      [[maybe_unused]] const Event& e = event;                                 \
      return fsm.impl->expression;                                             \
    }                                                                          \
  };

CLAWNET_ACTION(StartSubscribe, start_subscribe(e.request, e.now_ms))
CLAWNET_ACTION(RepeatReady, publish_ready(e.now_ms))
CLAWNET_ACTION(GrantControl, grant_control(e.now_ms))
CLAWNET_ACTION(Reacknowledge, publish_controlled())
CLAWNET_ACTION(ApplyMove, apply_move(e.kind, e.now_ms))
CLAWNET_ACTION(FinishTurn, finish_turn())
CLAWNET_ACTION(DeadmanStop, deadman_stop())
CLAWNET_ACTION(TripMotors, trip_motors(e.now_ms))
CLAWNET_GUARD(FreshTurn, is_fresh_turn(e.request.turn))
CLAWNET_GUARD(StaleTurn, is_stale_turn(e.request.turn))
CLAWNET_GUARD(SameTurn, is_current_turn(e))
CLAWNET_GUARD(ChannelMatches, is_listening_to(e.channel))

#undef CLAWNET_ACTION
#undef CLAWNET_GUARD

struct ClawFront : msm::front::state_machine_def<ClawFront> {
  using no_exception_thrown = int;
  using no_message_queue = int;

  struct Booting : Named<booting_name> {};
  struct Halted : Named<halted_name> {};          // Link to the server lost: everything off.
  struct Ready : Named<ready_name> {};            // Idle at home, CLAW_READY repeated.
  struct Subscribing : Named<subscribing_name> {};// Joining the player's channel.
  struct Controlled : Named<controlled_name> {};  // The player steers.
  struct Lowering : Named<lowering_name, mpl::vector1<AwaitsBottom>> {};
  struct Closing : Named<closing_name> {};
  struct Raising : Named<raising_name, mpl::vector1<AwaitsTop>> {};
  struct Homing : Named<homing_name, mpl::vector1<AwaitsHome>> {};
  struct Releasing : Named<releasing_name> {};
  struct Fault : Named<fault_name> {};            // A step overran: stopped until rebooted.
  using initial_state = Booting;

  // clang-format off
  struct transition_table : mpl::vector<
  //   Source       Event           Target       Action          Guard
  Row< Booting,     Boot,           Raising,     none,           none           >,
  Row< Ready,       Listen,         Subscribing, StartSubscribe, FreshTurn      >,
  Row< Ready,       Listen,         none,        RepeatReady,    StaleTurn      >,
  Row< Ready,       EndTurnRequest, none,        RepeatReady,    none           >,
  Row< Ready,       ReadyRepeat,    none,        RepeatReady,    none           >,
  Row< Subscribing, Subscribed,     Controlled,  GrantControl,   ChannelMatches >,
  Row< Subscribing, Listen,         none,        none,           SameTurn       >,
  Row< Subscribing, EndTurnRequest, Raising,     FinishTurn,     SameTurn       >,
  Row< Subscribing, StepTimeout,    Raising,     FinishTurn,     none           >,
  Row< Controlled,  Listen,         none,        Reacknowledge,  SameTurn       >,
  Row< Controlled,  Move,           none,        ApplyMove,      none           >,
  Row< Controlled,  DropNow,        Lowering,    FinishTurn,     none           >,
  Row< Controlled,  TurnTimeout,    Lowering,    FinishTurn,     none           >,
  Row< Controlled,  EndTurnRequest, Raising,     FinishTurn,     SameTurn       >,
  Row< Controlled,  Deadman,        none,        DeadmanStop,    none           >,
  Row< Controlled,  MotorLimit,     none,        TripMotors,     none           >,
  Row< Lowering,    StepDone,       Closing,     none,           none           >,
  Row< Lowering,    StepTimeout,    Closing,     none,           none           >,
  Row< Closing,     StepTimeout,    Raising,     none,           none           >,
  Row< Raising,     StepDone,       Homing,      none,           none           >,
  Row< Raising,     StepTimeout,    Fault,       none,           none           >,
  Row< Homing,      StepDone,       Releasing,   none,           none           >,
  Row< Homing,      StepTimeout,    Fault,       none,           none           >,
  Row< Releasing,   StepTimeout,    Ready,       none,           none           >,
  // The turn is already over during the drop cycle: a (repeated) END_TURN is satisfied.
  Row< Lowering,    EndTurnRequest, none,        none,           none           >,
  Row< Closing,     EndTurnRequest, none,        none,           none           >,
  Row< Raising,     EndTurnRequest, none,        none,           none           >,
  Row< Homing,      EndTurnRequest, none,        none,           none           >,
  Row< Releasing,   EndTurnRequest, none,        none,           none           >,
  Row< Ready,       LinkDown,       Halted,      none,           none           >,
  Row< Subscribing, LinkDown,       Halted,      FinishTurn,     none           >,
  Row< Controlled,  LinkDown,       Halted,      FinishTurn,     none           >,
  Row< Lowering,    LinkDown,       Halted,      none,           none           >,
  Row< Closing,     LinkDown,       Halted,      none,           none           >,
  Row< Raising,     LinkDown,       Halted,      none,           none           >,
  Row< Homing,      LinkDown,       Halted,      none,           none           >,
  Row< Releasing,   LinkDown,       Halted,      none,           none           >,
  Row< Halted,      LinkUp,         Raising,     none,           none           >
  > {};
  // clang-format on

  // An event the current state does not take is counted, never asserted.
  template <class Fsm, class Event>
  void no_transition(const Event&, Fsm& fsm, int) {
    fsm.impl->counters.rejected_events += 1;
  }

  ClawMachine::Impl* impl = nullptr;
};

using ClawStateMachine = msm::back::state_machine<ClawFront>;

}  // namespace

struct ClawMachine::Impl {
  explicit Impl(ClawConfig claw_config);

  // --- Called by the table ---------------------------------------------------------------
  void enter(const char* name, TimeMs now_ms);
  void leave(const char* name);
  void start_subscribe(const ChannelListen& request, TimeMs now_ms);
  void publish_ready(TimeMs now_ms);
  void grant_control(TimeMs now_ms);
  void publish_controlled();
  void answer_status();
  void apply_move(CommandKind kind, TimeMs now_ms);
  void finish_turn();
  void deadman_stop();
  void trip_motors(TimeMs now_ms);
  bool is_fresh_turn(Turn turn) const {
    if (planted(PlantedBug::stale_turn_accepted)) return turn >= last_finished && turn >= turn_number;
    return turn > last_finished && turn > turn_number;
  }
  bool is_stale_turn(Turn turn) const { return !is_fresh_turn(turn); }
  template <class Event>
  bool is_current_turn(const Event& event) const {
    if constexpr (requires { event.request; }) {
      return event.request.turn == turn_number;
    } else {
      return event.turn == turn_number;
    }
  }
  bool is_listening_to(std::string_view name) const { return channel == name; }
  bool in_drop_cycle() const {
    return state == lowering_name || state == closing_name || state == raising_name || state == homing_name ||
           state == releasing_name;
  }

  // --- Motors, timers, messages ------------------------------------------------------------
  void set_motor(Motor motor, bool on, TimeMs now_ms);
  void all_motors_off();
  void gantry_off();
  void rearm_gantry_timers(TimeMs now_ms, bool command_accepted);
  void set_timer(TimeMs& slot, std::string_view name, TimeMs deadline_ms);
  void clear_timer(TimeMs& slot, std::string_view name);
  void clear_all_timers();
  void publish(std::string_view to, const Message& message);
  void reject(std::string reason);
  void settle(TimeMs now_ms);
  template <class Event>
  void dispatch(const Event& event);
  bool step_goal_met() const;
  bool any_gantry_on() const {
    for (int index = 0; index < direction_count; index += 1) {
      if (motors[static_cast<std::size_t>(gantry_motor(static_cast<Direction>(index)))]) return true;
    }
    return false;
  }
  bool in_state(std::initializer_list<const char*> names) const {
    return std::find(names.begin(), names.end(), state) != names.end();
  }
  void check_motor_pairs() const;
  void check_invariants() const;

  ClawConfig config;
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
  TimeMs turn_end_at_ms = time_never;
  TimeMs deadman_at_ms = time_never;
  TimeMs motor_limit_at_ms = time_never;
  TimeMs step_at_ms = time_never;
  TimeMs ready_repeat_at_ms = time_never;
  int ready_repeats = 0;  // Since entering Ready; sets the repeat backoff.
  Effects outbox;
  ClawCounters counters;
  const char* state = booting_name;
  ClawStateMachine machine;
};

ClawMachine::Impl::Impl(ClawConfig claw_config) : config(claw_config) {
  CLAWNET_ASSERT(!validate(config).has_value());
  machine.impl = this;
  machine.start();
}

// Entry work of each state: switch on what the step needs, arm its bound.
void ClawMachine::Impl::enter(const char* name, TimeMs now_ms) {
  state = name;
  if (name == ready_name) {
    ready_repeats = 0;
    publish_ready(now_ms);
  } else if (name == subscribing_name) {
    set_timer(step_at_ms, "step", now_ms + config.subscribe_ms_max);
  } else if (name == lowering_name) {
    set_motor(Motor::claw_lower, !switches[static_cast<int>(Switch::claw_bottom)], now_ms);
    set_timer(step_at_ms, "step", now_ms + config.lower_ms);
  } else if (name == closing_name) {
    set_motor(Motor::claw_close, true, now_ms);
    set_timer(step_at_ms, "step", now_ms + config.grip_ms);
  } else if (name == raising_name) {
    set_motor(Motor::claw_raise, !switches[static_cast<int>(Switch::claw_top)], now_ms);
    set_timer(step_at_ms, "step", now_ms + config.raise_ms_max);
  } else if (name == homing_name) {
    set_motor(Motor::gantry_left, !switches[static_cast<int>(Switch::limit_left)], now_ms);
    set_motor(Motor::gantry_down, !switches[static_cast<int>(Switch::limit_down)], now_ms);
    set_timer(step_at_ms, "step", now_ms + config.home_ms_max);
  } else if (name == releasing_name) {
    set_motor(Motor::claw_close, false, now_ms);
    set_timer(step_at_ms, "step", now_ms + config.release_ms);
  } else if (name == halted_name) {
    all_motors_off();
    clear_all_timers();
  } else if (name == fault_name) {
    all_motors_off();
    clear_all_timers();
    counters.faults += 1;
    outbox.push_back(Log{"fault: a drop-cycle step overran its bound; motors off until reboot"});
    publish(secure_channel, ClawStatusMessage{ClawStatus::offline, 0});
  }
}

// Exit work: whatever a step switched on goes off when the step ends.
void ClawMachine::Impl::leave(const char* name) {
  clear_timer(step_at_ms, "step");
  if (name == ready_name) {
    clear_timer(ready_repeat_at_ms, "ready_repeat");
  } else if (name == controlled_name) {
    if (!planted(PlantedBug::motors_on_at_drop)) gantry_off();
    clear_timer(turn_end_at_ms, "turn_end");
  } else if (name == lowering_name) {
    set_motor(Motor::claw_lower, false, 0);
  } else if (name == raising_name) {
    set_motor(Motor::claw_raise, false, 0);
  } else if (name == homing_name) {
    gantry_off();
  }
}

// What the server promised in the CHANNEL_LISTEN (its send_listen() checks the
// same facts before sending it; decode() refuses a listen without them).
void ClawMachine::Impl::start_subscribe(const ChannelListen& request, TimeMs) {
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
  outbox.push_back(Subscribe{channel});
}

// Repeated while idle, in case the server missed it (loss, or its restart);
// the interval doubles up to 4x so an idle cabinet stays quiet.
void ClawMachine::Impl::publish_ready(TimeMs now_ms) {
  publish(secure_channel, ClawStatusMessage{ClawStatus::ready, last_finished});
  const TimeMs repeat_ms = planted(PlantedBug::timer_in_the_past) ? 0 : config.ready_repeat_ms << ready_repeats;
  set_timer(ready_repeat_at_ms, "ready_repeat", now_ms + repeat_ms);
  ready_repeats = std::min(ready_repeats + 1, 2);
}

// Only now, with the subscription confirmed, may the player hear it has control:
// commands published before a subscription completes are never delivered.
void ClawMachine::Impl::grant_control(TimeMs now_ms) {
  CLAWNET_ASSERT(!channel.empty());
  CLAWNET_ASSERT(turn_ms > 0);
  publish_controlled();
  publish(channel, Control{true, turn_number, turn_ms});
  set_timer(turn_end_at_ms, "turn_end", now_ms + turn_ms);
}

// The server resumes or completes only the turn it has open; a turn it never
// granted is no answer to anything.
void ClawMachine::Impl::publish_controlled() {
  CLAWNET_ASSERT(turn_number > 0);
  publish(secure_channel, ClawStatusMessage{ClawStatus::controlled, turn_number});
}

// A status query is answered from Ready and while serving a turn; during a drop
// cycle or a halt the claw stays quiet: CLAW_READY follows when it is done.
void ClawMachine::Impl::answer_status() {
  if (state == ready_name) {
    publish(secure_channel, ClawStatusMessage{ClawStatus::ready, last_finished});
  } else if (state == subscribing_name || state == controlled_name) {
    publish_controlled();
  }
}

void ClawMachine::Impl::apply_move(CommandKind kind, TimeMs now_ms) {
  const Direction direction = direction_of(kind);
  const int index = static_cast<int>(direction);
  const Motor motor = gantry_motor(direction);
  if (!is_on(kind)) {
    tripped[static_cast<std::size_t>(index)] = false;
    set_motor(motor, false, now_ms);
  } else if (tripped[static_cast<std::size_t>(index)]) {
    reject(fmt::format("{} ran {} ms; send {}Off first", to_string(direction), config.motor_on_ms_max,
                       to_string(direction)));
  } else if (switches[static_cast<std::size_t>(limit_switch(direction))]) {
    counters.limit_switch_stops += 1;
    coverage::sometimes(coverage::Probe::claw_limit_switch_stop);
  } else {
    // Interlock: the opposite direction stops before this one starts.
    set_motor(gantry_motor(opposite(direction)), false, now_ms);
    set_motor(motor, true, now_ms);
  }
  rearm_gantry_timers(now_ms, true);
}

void ClawMachine::Impl::finish_turn() {
  if (!planted(PlantedBug::motors_on_at_drop)) gantry_off();
  if (!channel.empty()) {
    publish(channel, Control{false, turn_number, 0});
    outbox.push_back(Unsubscribe{channel});
  }
  channel.clear();
  last_finished = turn_number;
  counters.turns_finished += 1;
  clear_timer(turn_end_at_ms, "turn_end");
}

void ClawMachine::Impl::deadman_stop() {
  coverage::sometimes(coverage::Probe::claw_deadman_trip);
  deadman_at_ms = time_never;
  counters.deadman_trips += 1;
  gantry_off();
  outbox.push_back(Log{"dead-man: no command refresh, gantry stopped"});
}

void ClawMachine::Impl::trip_motors(TimeMs now_ms) {
  motor_limit_at_ms = time_never;
  for (int index = 0; index < direction_count; index += 1) {
    const Motor motor = gantry_motor(static_cast<Direction>(index));
    const auto slot = static_cast<std::size_t>(index);
    if (motors[static_cast<std::size_t>(motor)] && on_since_ms[slot] + config.motor_on_ms_max <= now_ms) {
      set_motor(motor, false, now_ms);
      tripped[slot] = true;
      counters.motor_limit_trips += 1;
      coverage::sometimes(coverage::Probe::claw_motor_limit_trip);
    }
  }
  rearm_gantry_timers(now_ms, false);
}

void ClawMachine::Impl::set_motor(Motor motor, bool on, TimeMs now_ms) {
  const auto index = static_cast<std::size_t>(motor);
  if (motors[index] == on) return;
  motors[index] = on;
  if (on && static_cast<int>(motor) < direction_count) on_since_ms[index] = now_ms;
  outbox.push_back(SetMotor{motor, on});
  check_motor_pairs();
}

void ClawMachine::Impl::all_motors_off() {
  for (int index = 0; index < motor_count; index += 1) set_motor(static_cast<Motor>(index), false, 0);
}

void ClawMachine::Impl::gantry_off() {
  for (int index = 0; index < direction_count; index += 1) set_motor(gantry_motor(static_cast<Direction>(index)), false, 0);
  clear_timer(deadman_at_ms, "deadman");
  clear_timer(motor_limit_at_ms, "motor_limit");
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
    clear_timer(deadman_at_ms, "deadman");
    clear_timer(motor_limit_at_ms, "motor_limit");
    return;
  }
  const bool from_rest = deadman_at_ms == time_never;
  if (command_accepted && !(planted(PlantedBug::deadman_unarmed) && from_rest)) {
    set_timer(deadman_at_ms, "deadman", now_ms + config.deadman_ms);
  }
  if (motor_limit_at_ms != earliest_limit_ms) set_timer(motor_limit_at_ms, "motor_limit", earliest_limit_ms);
}

void ClawMachine::Impl::set_timer(TimeMs& slot, std::string_view name, TimeMs deadline_ms) {
  slot = deadline_ms;
  outbox.push_back(StartTimer{name, deadline_ms});
}

void ClawMachine::Impl::clear_timer(TimeMs& slot, std::string_view name) {
  if (slot == time_never) return;
  slot = time_never;
  outbox.push_back(CancelTimer{name});
}

void ClawMachine::Impl::clear_all_timers() {
  clear_timer(turn_end_at_ms, "turn_end");
  clear_timer(deadman_at_ms, "deadman");
  clear_timer(motor_limit_at_ms, "motor_limit");
  clear_timer(step_at_ms, "step");
  clear_timer(ready_repeat_at_ms, "ready_repeat");
}

void ClawMachine::Impl::publish(std::string_view to, const Message& message) {
  outbox.push_back(Publish{std::string(to), encode(message)});
}

void ClawMachine::Impl::reject(std::string reason) {
  counters.rejected_messages += 1;
  outbox.push_back(Log{"rejected: " + std::move(reason)});
}

bool ClawMachine::Impl::step_goal_met() const {
  auto pressed = [&](Switch which) { return switches[static_cast<std::size_t>(which)]; };
  if (machine.is_flag_active<AwaitsBottom>()) return pressed(Switch::claw_bottom);
  if (machine.is_flag_active<AwaitsTop>()) return pressed(Switch::claw_top);
  if (machine.is_flag_active<AwaitsHome>()) return pressed(Switch::limit_left) && pressed(Switch::limit_down);
  return false;
}

// Feeds the table. An event no row takes is counted by no_transition; one
// whose rows' guards all refuse is counted here.
template <class Event>
void ClawMachine::Impl::dispatch(const Event& event) {
  const char* before = state;
  const msm::back::HandledEnum handled = machine.process_event(event);
  if (handled == msm::back::HANDLED_GUARD_REJECT) counters.rejected_events += 1;
  if (handled == msm::back::HANDLED_TRUE && coverage::recording()) {
    coverage::took(coverage::MachineKind::claw, before, Event::name);
  }
}

// Steps whose goal is already met end at once (the claw may boot at the top, at home).
void ClawMachine::Impl::settle(TimeMs now_ms) {
  for (int step = 0; step < 4 && step_goal_met(); step += 1) dispatch(StepDone{now_ms});
  CLAWNET_ASSERT(!step_goal_met());
  check_invariants();
}

// Motors that must never run together, checked after every motor change. Safety
// invariant 2 (opposite gantry motors), and the pairs the drop cycle keeps apart.
// A planted bug that breaks one of these must reach the oracle, not stop here.
void ClawMachine::Impl::check_motor_pairs() const {
  auto on = [&](Motor motor) { return motors[static_cast<std::size_t>(motor)]; };
  CLAWNET_ASSERT(!(on(Motor::claw_lower) && on(Motor::claw_raise)));
  CLAWNET_ASSERT(!(on(Motor::claw_lower) && on(Motor::claw_close)));  // The claw goes down open.
  if (planted(PlantedBug::motors_on_at_drop)) return;
  CLAWNET_ASSERT(!(on(Motor::gantry_up) && on(Motor::gantry_down)));
  CLAWNET_ASSERT(!(on(Motor::gantry_left) && on(Motor::gantry_right)));
  const bool gantry_on = any_gantry_on();
  CLAWNET_ASSERT(!(gantry_on && on(Motor::claw_lower)));  // The gantry stands while the hoist runs.
  CLAWNET_ASSERT(!(gantry_on && on(Motor::claw_raise)));
}

// Checked at the end of every input: which motors and timers each state may
// have, and safety invariant 3. Constant time: a few array reads and compares.
void ClawMachine::Impl::check_invariants() const {
  check_motor_pairs();
  auto on = [&](Motor motor) { return motors[static_cast<std::size_t>(motor)]; };
  auto pressed = [&](Switch which) { return switches[static_cast<std::size_t>(which)]; };
  const bool serving = in_state({subscribing_name, controlled_name});
  const bool stepping = in_state({subscribing_name, lowering_name, closing_name, raising_name, homing_name,
                                  releasing_name});
  // Each motor runs only in the states that drive it.
  CLAWNET_ASSERT(!on(Motor::claw_lower) || state == lowering_name);
  CLAWNET_ASSERT(!on(Motor::claw_raise) || state == raising_name);
  CLAWNET_ASSERT(!on(Motor::claw_close) || in_state({closing_name, raising_name, homing_name}));
  // Timers belong to states: armed in them, and never outside them.
  CLAWNET_ASSERT((step_at_ms != time_never) == stepping);
  CLAWNET_ASSERT((ready_repeat_at_ms != time_never) == (state == ready_name));
  CLAWNET_ASSERT((turn_end_at_ms != time_never) == (state == controlled_name));
  // A turn's channel is held exactly while the turn is served.
  CLAWNET_ASSERT(channel.empty() == !serving);
  CLAWNET_ASSERT(last_finished <= turn_number);
  CLAWNET_ASSERT(rate_window_count <= config.commands_per_second_max);
  if (!planted(PlantedBug::limit_switch_ignored)) {
    for (int index = 0; index < direction_count; index += 1) {
      const auto direction = static_cast<Direction>(index);
      CLAWNET_ASSERT(!(on(gantry_motor(direction)) && pressed(limit_switch(direction))));
    }
    CLAWNET_ASSERT(!(on(Motor::claw_lower) && pressed(Switch::claw_bottom)));
    CLAWNET_ASSERT(!(on(Motor::claw_raise) && pressed(Switch::claw_top)));
  }
  if (planted(PlantedBug::motors_on_at_drop)) return;
  // The player's gantry moves only while the player is in control (homing is ours,
  // and drives only left and down).
  CLAWNET_ASSERT(!any_gantry_on() || in_state({controlled_name, homing_name}));
  CLAWNET_ASSERT(!on(Motor::gantry_up) || state == controlled_name);
  CLAWNET_ASSERT(!on(Motor::gantry_right) || state == controlled_name);
  // The dead-man and the on-time limit watch the player's gantry, and only it.
  CLAWNET_ASSERT(deadman_at_ms == time_never || state == controlled_name);
  CLAWNET_ASSERT(motor_limit_at_ms == time_never || state == controlled_name);
  if (state == controlled_name && any_gantry_on()) {
    CLAWNET_ASSERT(motor_limit_at_ms != time_never);
    if (!planted(PlantedBug::deadman_unarmed)) CLAWNET_ASSERT(deadman_at_ms != time_never);
  }
}

// --- ClawMachine ------------------------------------------------------------------------------

ClawMachine::ClawMachine(ClawConfig config) : impl_(std::make_unique<Impl>(config)) {}
ClawMachine::~ClawMachine() = default;

void ClawMachine::handle_boot(SwitchStates switches, TimeMs now_ms) {
  impl_->switches = switches;
  impl_->dispatch(Boot{now_ms});
  // A link lost before power-on still counts: halt at once.
  if (!impl_->link_up) impl_->dispatch(LinkDown{now_ms});
  impl_->settle(now_ms);
}

void ClawMachine::handle_link(bool up, TimeMs now_ms) {
  Impl& impl = *impl_;
  if (impl.link_up == up) return;
  impl.link_up = up;
  if (up) {
    impl.dispatch(LinkUp{now_ms});
  } else {
    if (impl.state == controlled_name || impl.state == subscribing_name) {
      coverage::sometimes(coverage::Probe::claw_link_lost_mid_turn);
    }
    impl.dispatch(LinkDown{now_ms});
  }
  impl.settle(now_ms);
}

void ClawMachine::handle_secure_message(std::string_view text, TimeMs now_ms) {
  Impl& impl = *impl_;
  DecodeResult decoded = decode(text);
  if (const DecodeError* failure = std::get_if<DecodeError>(&decoded)) {
    return impl.reject(fmt::format("secure message: {}", failure->detail));
  }
  const Message& message = std::get<Message>(decoded);
  if (const ChannelListen* listen = std::get_if<ChannelListen>(&message)) {
    if (impl.state == ready_name && impl.is_stale_turn(listen->turn)) {
      coverage::sometimes(coverage::Probe::claw_stale_listen);
    }
    impl.dispatch(Listen{*listen, now_ms});
  } else if (std::holds_alternative<StatusRequest>(message)) {
    impl.answer_status();
  } else if (const EndTurn* end = std::get_if<EndTurn>(&message)) {
    if (impl.in_drop_cycle()) coverage::sometimes(coverage::Probe::claw_end_turn_in_drop_cycle);
    impl.dispatch(EndTurnRequest{end->turn, now_ms});
  } else {
    return impl.reject(fmt::format("secure message not for the claw: {}", describe(message)));
  }
  impl.settle(now_ms);
}

// Accept a command only from the channel and turn being served, each sequence
// number once, and no faster than the configured rate.
void ClawMachine::handle_player_message(std::string_view channel, std::string_view text, TimeMs now_ms) {
  Impl& impl = *impl_;
  if (impl.state != controlled_name || channel != impl.channel) {
    return impl.reject(fmt::format("message on {} while not controlled from it", channel));
  }
  DecodeResult decoded = decode(text);
  if (const DecodeError* failure = std::get_if<DecodeError>(&decoded)) {
    return impl.reject(fmt::format("player message: {}", failure->detail));
  }
  const Command* command = std::get_if<Command>(&std::get<Message>(decoded));
  if (command == nullptr) return impl.reject("player message is not a command");
  if (command->turn != impl.turn_number) return impl.reject(fmt::format("command for turn {}", command->turn));
  if (command->seq <= impl.last_seq) {
    coverage::sometimes(coverage::Probe::claw_duplicate_command);
    return impl.reject(fmt::format("command seq {} replayed", command->seq));
  }
  if (now_ms - impl.rate_window_start_ms >= 1000) {
    impl.rate_window_start_ms = now_ms;
    impl.rate_window_count = 0;
  }
  if (impl.rate_window_count >= impl.config.commands_per_second_max) {
    coverage::sometimes(coverage::Probe::claw_rate_limited);
    impl.counters.rate_limited += 1;
    return impl.reject("command rate limit");
  }
  impl.rate_window_count += 1;
  impl.last_seq = command->seq;
  impl.counters.commands_accepted += 1;
  if (command->kind == CommandKind::drop) {
    impl.dispatch(DropNow{now_ms});
  } else {
    impl.dispatch(Move{command->kind, now_ms});
  }
  impl.settle(now_ms);
}

void ClawMachine::handle_subscribed(std::string_view channel, TimeMs now_ms) {
  impl_->dispatch(Subscribed{std::string(channel), now_ms});
  impl_->settle(now_ms);
}

// Whatever the state, a motor never pushes into a pressed end switch.
void ClawMachine::handle_switch(Switch which, bool pressed, TimeMs now_ms) {
  Impl& impl = *impl_;
  impl.switches[static_cast<std::size_t>(which)] = pressed;
  if (pressed) {
    std::optional<Motor> blocked;
    switch (which) {
      case Switch::claw_bottom: blocked = Motor::claw_lower; break;
      case Switch::claw_top: blocked = Motor::claw_raise; break;
      default:
        CLAWNET_ASSERT(static_cast<int>(which) < direction_count);  // A limit switch: see limit_switch().
        blocked = gantry_motor(static_cast<Direction>(which));
        break;
    }
    if (impl.motors[static_cast<std::size_t>(*blocked)] && !planted(PlantedBug::limit_switch_ignored)) {
      coverage::sometimes(coverage::Probe::claw_limit_switch_stop);
      impl.set_motor(*blocked, false, now_ms);
      impl.counters.limit_switch_stops += 1;
      if (impl.state == controlled_name) impl.rearm_gantry_timers(now_ms, false);
    }
  }
  impl.settle(now_ms);
}

void ClawMachine::handle_timeout(TimeMs now_ms) {
  Impl& impl = *impl_;
  auto due = [&](TimeMs& slot) {
    if (slot > now_ms) return false;
    slot = time_never;
    return true;
  };
  if (due(impl.deadman_at_ms)) {
    impl.deadman_at_ms = now_ms;  // deadman_stop() clears it again.
    impl.dispatch(Deadman{now_ms});
  }
  if (due(impl.motor_limit_at_ms)) impl.dispatch(MotorLimit{now_ms});
  if (due(impl.turn_end_at_ms)) impl.dispatch(TurnTimeout{now_ms});
  if (due(impl.step_at_ms)) {
    if (impl.state == subscribing_name) coverage::sometimes(coverage::Probe::claw_subscribe_timeout);
    impl.dispatch(StepTimeout{now_ms});
  }
  if (due(impl.ready_repeat_at_ms)) impl.dispatch(ReadyRepeat{now_ms});
  impl.settle(now_ms);
}

Effects ClawMachine::take_effects() { return std::exchange(impl_->outbox, {}); }

TimeMs ClawMachine::next_deadline() const {
  const Impl& impl = *impl_;
  return std::min({impl.turn_end_at_ms, impl.deadman_at_ms, impl.motor_limit_at_ms, impl.step_at_ms,
                   impl.ready_repeat_at_ms});
}

std::vector<coverage::TablePair> ClawMachine::table_pairs() { return table_pairs_of<ClawFront::transition_table>(); }

std::string_view ClawMachine::state_name() const { return impl_->state; }
bool ClawMachine::motor_on(Motor motor) const { return impl_->motors[static_cast<std::size_t>(motor)]; }
bool ClawMachine::any_gantry_motor_on() const { return impl_->any_gantry_on(); }
std::optional<std::string> ClawMachine::listening_channel() const {
  if (impl_->channel.empty()) return std::nullopt;
  return impl_->channel;
}
Turn ClawMachine::current_turn() const { return impl_->turn_number; }
Turn ClawMachine::last_finished_turn() const { return impl_->last_finished; }
const ClawCounters& ClawMachine::counters() const { return impl_->counters; }
const ClawConfig& ClawMachine::config() const { return impl_->config; }

}  // namespace clawnet
