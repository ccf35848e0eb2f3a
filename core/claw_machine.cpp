// ClawMachine: the cabinet's lifecycle as one Boost.MSM table. Each state's entry
// and exit do its work (switch on what the step needs and arm its bound; switch it
// off again); actions call one Impl method each (kernel::Call), guards are pure
// (kernel::When), and the motor safety under them is in claw_bookkeeping.cpp.
// This is the only translation unit that instantiates the claw's MSM.
#include "core/claw_machine.hpp"

#include "core/assert.hpp"
#include "core/claw_machine_impl.hpp"
#include "core/limits.hpp"
#include "core/machine_kernel.hpp"
#include "core/msm_table_pairs.hpp"
#include "core/planted.hpp"
#include "core/probes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace clawnet {

std::string_view to_string(Switch which) {
  constexpr std::array<std::string_view, switch_count> names = {
      "limit_up", "limit_down", "limit_left", "limit_right", "claw_bottom", "claw_top", "prize_chute"};
  return names.at(static_cast<std::size_t>(which));
}

namespace claw_detail {
namespace {

using boost::msm::front::none;
using boost::msm::front::Row;
using kernel::Call;
using kernel::Then;
using kernel::Unless;
using kernel::When;
using Impl = ClawMachine::Impl;
namespace mpl = boost::mpl;

// --- Events -----------------------------------------------------------------------------
// Each names itself for transition coverage (core/probes.hpp).
struct Boot { static constexpr std::string_view name = "Boot"; TimeMs now_ms; };
struct LinkUp { static constexpr std::string_view name = "LinkUp"; TimeMs now_ms; };
struct StatusQuery { static constexpr std::string_view name = "StatusQuery"; TimeMs now_ms; };
struct TurnTimeout { static constexpr std::string_view name = "TurnTimeout"; TimeMs now_ms; };
struct Deadman { static constexpr std::string_view name = "Deadman"; TimeMs now_ms; };
struct MotorLimit { static constexpr std::string_view name = "MotorLimit"; TimeMs now_ms; };
struct StepDone { static constexpr std::string_view name = "StepDone"; TimeMs now_ms; };
struct StepTimeout { static constexpr std::string_view name = "StepTimeout"; TimeMs now_ms; };
struct ReadyRepeat { static constexpr std::string_view name = "ReadyRepeat"; TimeMs now_ms; };
struct Reset { static constexpr std::string_view name = "Reset"; TimeMs now_ms; };

// Flags: what the current state is for.
struct ServesTurn {};    // A player's turn is being served (its channel is held).
struct PlayerSteers {};  // The player's commands drive the gantry.
struct AwaitsBottom {};  // The step ends at claw_bottom...
struct AwaitsTop {};     // ... at claw_top ...
struct AwaitsHome {};    // ... or at limit_left and limit_down together.

// --- Actions and guards -------------------------------------------------------------
using StartSubscribe = Call<&Impl::start_subscribe>;
using RepeatReady = Call<&Impl::publish_ready>;
using AnswerReady = Call<&Impl::answer_ready>;
using GrantControl = Call<&Impl::grant_control>;
using Reacknowledge = Call<&Impl::publish_controlled>;
using AcceptCommand = Call<&Impl::accept_command>;
using RejectCommand = Call<&Impl::reject_command>;
using FinishTurn = Call<&Impl::finish_turn>;
using DroppedByPlayer = Call<&Impl::dropped_by_player>;
using DroppedByTimer = Call<&Impl::dropped_by_timer>;
using DeadmanStop = Call<&Impl::deadman_stop>;
using TripMotors = Call<&Impl::trip_motors>;
using AnnounceStopped = Call<&Impl::announce_stopped>;
using HaltAgain = Call<&Impl::halt_again>;
using ReleaseEStop = Call<&Impl::release_estop>;
// Probes: rare corners the explorer must reach, noted by the rows that take them.
template <coverage::Probe probe>
struct Note {
  template <class Event, class Fsm, class Source, class Target>
  void operator()(const Event&, Fsm&, Source&, Target&) const { coverage::sometimes(probe); }
};
using NoteStaleListen = Note<coverage::Probe::claw_stale_listen>;
using NoteEndTurnInDropCycle = Note<coverage::Probe::claw_end_turn_in_drop_cycle>;
using NoteSubscribeTimeout = Note<coverage::Probe::claw_subscribe_timeout>;
// A turn served when the claw halts is over; the probe names the cause.
struct HaltTurn {
  template <class Fsm, class Source, class Target>
  void operator()(const Halt& event, Fsm& fsm, Source&, Target&) const {
    coverage::sometimes(event.cause == HaltCause::link_lost ? coverage::Probe::claw_link_lost_mid_turn
                                                            : coverage::Probe::claw_estop_mid_turn);
    fsm.impl->finish_turn();
  }
};
struct NoteHaltInDropCycle {
  template <class Fsm, class Source, class Target>
  void operator()(const Halt& event, Fsm&, Source&, Target&) const {
    if (event.cause == HaltCause::emergency_stop) coverage::sometimes(coverage::Probe::claw_estop_in_drop_cycle);
  }
};

using FreshTurn = When<&Impl::is_fresh_listen>;
using StaleTurn = Unless<FreshTurn>;
using RepeatsListen = When<&Impl::repeats_current_listen>;
using EndsThisTurn = When<&Impl::ends_current_turn>;
using ChannelMatches = When<&Impl::confirms_our_channel>;
// The one check every player command passes before it is obeyed (Impl::command_refusal).
using CommandAllowed = When<&Impl::command_allowed>;
using CommandRefused = Unless<CommandAllowed>;
using EStopHeld = When<&Impl::estop_held>;
using NoEStopHeld = Unless<EStopHeld>;

// --- States -------------------------------------------------------------------------------
template <const char* name, class... Flags>
using State = kernel::State<name, Flags...>;

struct ClawFront : kernel::MachineDef<ClawFront, Impl> {
  using no_message_queue = int;
  struct Booting : State<booting_name> {};
  // Everything off until the link to the server is back and no emergency stop
  // holds (a RESET releases it); then the claw homes, as after a boot.
  struct Halted : State<halted_name> {
    template <class Fsm>
    void on_entry(const Halt& event, Fsm& fsm) {
      State::on_entry(event, fsm);
      fsm.impl->halt(MotorCause::halt);
      if (event.cause == HaltCause::emergency_stop) fsm.impl->emergency_stop(event.now_ms);
    }
  };
  // Idle at home, CLAW_READY repeated.
  struct Ready : State<ready_name> {
    template <class Event, class Fsm>
    void on_entry(const Event& event, Fsm& fsm) {
      State::on_entry(event, fsm);
      fsm.impl->ready_repeats = 0;
      fsm.impl->publish_ready(event.now_ms);
    }
    template <class Event, class Fsm>
    void on_exit(const Event&, Fsm& fsm) { fsm.impl->timers.clear(Impl::Timer::ready_repeat); }
  };
  // Joining the player's channel, within subscribe_ms_max.
  struct Subscribing : State<subscribing_name, ServesTurn> {
    template <class Event, class Fsm>
    void on_entry(const Event& event, Fsm& fsm) {
      State::on_entry(event, fsm);
      fsm.impl->timers.set(Impl::Timer::step, event.now_ms + fsm.impl->config.subscribe_ms_max);
    }
    template <class Event, class Fsm>
    void on_exit(const Event&, Fsm& fsm) { fsm.impl->timers.clear(Impl::Timer::step); }
  };
  // The player steers; the gantry stops when the turn does.
  struct Controlled : State<controlled_name, ServesTurn, PlayerSteers> {
    template <class Event, class Fsm>
    void on_exit(const Event&, Fsm& fsm) {
      if (!planted(PlantedBug::motors_on_at_drop)) fsm.impl->gantry_off(MotorCause::turn_end);
      fsm.impl->timers.clear(Impl::Timer::turn_end);
    }
  };
  // The drop: the claw goes down open, and the prize chute is watched from now on.
  struct Lowering : State<lowering_name, AwaitsBottom> {
    template <class Event, class Fsm>
    void on_entry(const Event& event, Fsm& fsm) {
      State::on_entry(event, fsm);
      fsm.impl->start_chute_watch();
      start_step(fsm, event.now_ms, fsm.impl->config.lower_ms);
      fsm.impl->set_motor(Motor::claw_lower, !fsm.impl->pressed(Switch::claw_bottom), event.now_ms, MotorCause::drop_cycle);
    }
    template <class Event, class Fsm>
    void on_exit(const Event&, Fsm& fsm) { end_step(fsm, Motor::claw_lower); }
  };
  struct Closing : State<closing_name> {
    template <class Event, class Fsm>
    void on_entry(const Event& event, Fsm& fsm) {
      State::on_entry(event, fsm);
      start_step(fsm, event.now_ms, fsm.impl->config.grip_ms);
      fsm.impl->set_motor(Motor::claw_close, true, event.now_ms, MotorCause::drop_cycle);
    }
    template <class Event, class Fsm>
    void on_exit(const Event&, Fsm& fsm) { fsm.impl->timers.clear(Impl::Timer::step); }
  };
  struct Raising : State<raising_name, AwaitsTop> {
    template <class Event, class Fsm>
    void on_entry(const Event& event, Fsm& fsm) {
      State::on_entry(event, fsm);
      start_step(fsm, event.now_ms, fsm.impl->config.raise_ms_max);
      fsm.impl->set_motor(Motor::claw_raise, !fsm.impl->pressed(Switch::claw_top), event.now_ms, MotorCause::drop_cycle);
    }
    template <class Event, class Fsm>
    void on_exit(const Event&, Fsm& fsm) { end_step(fsm, Motor::claw_raise); }
  };
  // Back to the chute corner (left, down): our own gantry motion, not the player's.
  struct Homing : State<homing_name, AwaitsHome> {
    template <class Event, class Fsm>
    void on_entry(const Event& event, Fsm& fsm) {
      State::on_entry(event, fsm);
      start_step(fsm, event.now_ms, fsm.impl->config.home_ms_max);
      fsm.impl->set_motor(Motor::gantry_left, !fsm.impl->pressed(Switch::limit_left), event.now_ms, MotorCause::drop_cycle);
      fsm.impl->set_motor(Motor::gantry_down, !fsm.impl->pressed(Switch::limit_down), event.now_ms, MotorCause::drop_cycle);
    }
    template <class Event, class Fsm>
    void on_exit(const Event&, Fsm& fsm) {
      fsm.impl->timers.clear(Impl::Timer::step);
      fsm.impl->gantry_off(MotorCause::drop_cycle);
    }
  };
  // The claw open over the chute, then, after a drop, the prize's fall watched
  // to its end: the turn's result is known when this step is over.
  struct Releasing : State<releasing_name> {
    template <class Event, class Fsm>
    void on_entry(const Event& event, Fsm& fsm) {
      State::on_entry(event, fsm);
      const Impl& impl = *fsm.impl;
      start_step(fsm, event.now_ms, impl.config.release_ms + (impl.drop_result ? impl.config.prize_settle_ms : 0));
      fsm.impl->set_motor(Motor::claw_close, false, event.now_ms, MotorCause::drop_cycle);
    }
    template <class Event, class Fsm>
    void on_exit(const Event&, Fsm& fsm) {
      fsm.impl->timers.clear(Impl::Timer::step);
      fsm.impl->report_result();
    }
  };
  // A step overran its bound: stopped until rebooted, and the server told so.
  struct Fault : State<fault_name> {
    template <class Event, class Fsm>
    void on_entry(const Event& event, Fsm& fsm) {
      State::on_entry(event, fsm);
      Impl& impl = *fsm.impl;
      impl.halt(MotorCause::fault);
      impl.counters.faults += 1;
      impl.outbox.push_back(Log{"fault: a drop-cycle step overran its bound; motors off until reboot"});
      impl.publish(secure_channel, ClawStatusMessage{ClawStatus::offline, 0, {}});
    }
  };
  using initial_state = Booting;

  template <class Fsm>
  static void start_step(Fsm& fsm, TimeMs now_ms, TimeMs bound_ms) {
    fsm.impl->timers.set(Impl::Timer::step, now_ms + bound_ms);
  }
  template <class Fsm>
  static void end_step(Fsm& fsm, Motor motor) {
    fsm.impl->timers.clear(Impl::Timer::step);
    fsm.impl->set_motor(motor, false, 0, MotorCause::drop_cycle);
  }


  // Unhandled events are counted (MachineDef), but for two kinds. A command in a
  // state that takes none is refused as a message; a status query during a drop
  // cycle or a halt goes unanswered: CLAW_READY follows when the claw is done.
  using kernel::MachineDef<ClawFront, Impl>::no_transition;
  template <class Fsm>
  void no_transition(const Move& event, Fsm& fsm, int) { fsm.impl->reject_uncontrolled(event); }
  template <class Fsm>
  void no_transition(const DropNow& event, Fsm& fsm, int) { fsm.impl->reject_uncontrolled(event); }
  template <class Fsm>
  void no_transition(const StatusQuery&, Fsm&, int) {}

  // clang-format off
  struct transition_table : mpl::vector<
  //   Source       Event           Target       Action                                   Guard
  Row< Booting,     Boot,           Raising,     none,                                    none           >,
  Row< Ready,       Listen,         Subscribing, StartSubscribe,                          FreshTurn      >,
  Row< Ready,       Listen,         none,        Then<NoteStaleListen, RepeatReady>,      StaleTurn      >,
  Row< Ready,       EndTurnRequest, none,        RepeatReady,                             none           >,
  Row< Ready,       ReadyRepeat,    none,        RepeatReady,                             none           >,
  Row< Ready,       StatusQuery,    none,        AnswerReady,                             none           >,
  Row< Subscribing, Subscribed,     Controlled,  GrantControl,                            ChannelMatches >,
  Row< Subscribing, Listen,         none,        none,                                    RepeatsListen  >,
  Row< Subscribing, EndTurnRequest, Raising,     FinishTurn,                              EndsThisTurn   >,
  Row< Subscribing, StepTimeout,    Raising,     Then<NoteSubscribeTimeout, FinishTurn>,  none           >,
  Row< Subscribing, StatusQuery,    none,        Reacknowledge,                           none           >,
  Row< Controlled,  Listen,         none,        Reacknowledge,                           RepeatsListen  >,
  Row< Controlled,  Move,           none,        AcceptCommand,                           CommandAllowed >,
  Row< Controlled,  Move,           none,        RejectCommand,                           CommandRefused >,
  Row< Controlled,  DropNow,        Lowering,    Then<AcceptCommand, DroppedByPlayer>,    CommandAllowed >,
  Row< Controlled,  DropNow,        none,        RejectCommand,                           CommandRefused >,
  Row< Controlled,  TurnTimeout,    Lowering,    DroppedByTimer,                          none           >,
  Row< Controlled,  EndTurnRequest, Raising,     FinishTurn,                              EndsThisTurn   >,
  Row< Controlled,  StatusQuery,    none,        Reacknowledge,                           none           >,
  Row< Controlled,  Deadman,        none,        DeadmanStop,                             none           >,
  Row< Controlled,  MotorLimit,     none,        TripMotors,                              none           >,
  Row< Lowering,    StepDone,       Closing,     none,                                    none           >,
  Row< Lowering,    StepTimeout,    Closing,     none,                                    none           >,
  Row< Closing,     StepTimeout,    Raising,     none,                                    none           >,
  Row< Raising,     StepDone,       Homing,      none,                                    none           >,
  Row< Raising,     StepTimeout,    Fault,       none,                                    none           >,
  Row< Homing,      StepDone,       Releasing,   none,                                    none           >,
  Row< Homing,      StepTimeout,    Fault,       none,                                    none           >,
  Row< Releasing,   StepTimeout,    Ready,       none,                                    none           >,
  // The turn is already over during the drop cycle: a (repeated) END_TURN is satisfied.
  Row< Lowering,    EndTurnRequest, none,        NoteEndTurnInDropCycle,                  none           >,
  Row< Closing,     EndTurnRequest, none,        NoteEndTurnInDropCycle,                  none           >,
  Row< Raising,     EndTurnRequest, none,        NoteEndTurnInDropCycle,                  none           >,
  Row< Homing,      EndTurnRequest, none,        NoteEndTurnInDropCycle,                  none           >,
  Row< Releasing,   EndTurnRequest, none,        NoteEndTurnInDropCycle,                  none           >,
  Row< Ready,       Halt,           Halted,      none,                                    none           >,
  Row< Subscribing, Halt,           Halted,      HaltTurn,                                none           >,
  Row< Controlled,  Halt,           Halted,      HaltTurn,                                none           >,
  Row< Lowering,    Halt,           Halted,      NoteHaltInDropCycle,                     none           >,
  Row< Closing,     Halt,           Halted,      NoteHaltInDropCycle,                     none           >,
  Row< Raising,     Halt,           Halted,      none,                                    none           >,
  Row< Homing,      Halt,           Halted,      none,                                    none           >,
  Row< Releasing,   Halt,           Halted,      none,                                    none           >,
  Row< Halted,      Halt,           none,        HaltAgain,                               none           >,
  Row< Halted,      LinkUp,         Raising,     none,                                    NoEStopHeld    >,
  Row< Halted,      LinkUp,         none,        AnnounceStopped,                         EStopHeld      >,
  // Under an emergency stop: STATUS and END_TURN are answered, RESET releases it.
  Row< Halted,      StatusQuery,    none,        AnnounceStopped,                         EStopHeld      >,
  Row< Halted,      ReadyRepeat,    none,        AnnounceStopped,                         none           >,
  Row< Halted,      EndTurnRequest, none,        none,                                    none           >,
  Row< Halted,      Reset,          Raising,     ReleaseEStop,                            EStopHeld      >
  > {};
  // clang-format on
};

}  // namespace

struct Machine : boost::msm::back::state_machine<ClawFront> {};

}  // namespace claw_detail

using namespace claw_detail;

ClawMachine::Impl::Impl(ClawConfig claw_config) : config(claw_config), machine(std::make_unique<Machine>()) {
  CLAWNET_ASSERT(!validate(config).has_value());
  machine->impl = this;
  machine->start();
}

ClawMachine::Impl::~Impl() = default;

template <class Event>
void ClawMachine::Impl::dispatch(const Event& event) {
  kernel::dispatch(*machine, event, coverage::MachineKind::claw, state, counters.rejected_events);
}

void ClawMachine::Impl::reject_uncontrolled(const PlayerCommand& event) {
  record_rejection(Rejection::not_in_control, &event.command);
  reject(fmt::format("message on {} while not controlled from it", event.channel));
}

bool ClawMachine::Impl::in_state(std::initializer_list<const char*> names) const {
  return std::any_of(names.begin(), names.end(), [&](const char* name) { return state == name; });
}

bool ClawMachine::Impl::step_goal_met() const {
  if (machine->is_flag_active<AwaitsBottom>()) return pressed(Switch::claw_bottom);
  if (machine->is_flag_active<AwaitsTop>()) return pressed(Switch::claw_top);
  if (machine->is_flag_active<AwaitsHome>()) return pressed(Switch::limit_left) && pressed(Switch::limit_down);
  return false;
}

// Steps whose goal is already met end at once (the claw may boot at the top, at home).
void ClawMachine::Impl::settle(TimeMs now_ms) {
  for (int step = 0; step < 4 && step_goal_met(); step += 1) dispatch(StepDone{now_ms});
  CLAWNET_ASSERT(!step_goal_met());
  check_invariants();
}

// Checked at the end of every input: which motors and timers each state may
// have, and safety invariant 3. Constant time: a few array reads and compares.
void ClawMachine::Impl::check_invariants() const {
  check_motor_pairs();
  const bool serving = in_state({subscribing_name, controlled_name});
  const bool stepping = in_state({subscribing_name, lowering_name, closing_name, raising_name, homing_name,
                                  releasing_name});
  CLAWNET_ASSERT(serving == machine->is_flag_active<ServesTurn>());
  CLAWNET_ASSERT((state == controlled_name) == machine->is_flag_active<PlayerSteers>());
  // Each motor runs only in the states that drive it.
  CLAWNET_ASSERT(!on(Motor::claw_lower) || state == lowering_name);
  CLAWNET_ASSERT(!on(Motor::claw_raise) || state == raising_name);
  CLAWNET_ASSERT(!on(Motor::claw_close) || in_state({closing_name, raising_name, homing_name}));
  // Timers belong to states: armed in them, and never outside them.
  CLAWNET_ASSERT(timers.armed(Timer::step) == stepping);
  CLAWNET_ASSERT(timers.armed(Timer::ready_repeat) == (state == ready_name || emergency_stopped));
  CLAWNET_ASSERT(timers.armed(Timer::turn_end) == (state == controlled_name));
  // The chute is watched through the drop cycle only; a stuck sensor arms nothing.
  CLAWNET_ASSERT(!watching_chute || in_state({lowering_name, closing_name, raising_name, homing_name, releasing_name}));
  CLAWNET_ASSERT(!timers.armed(Timer::chute_debounce) || (watching_chute && !chute_stuck));
  CLAWNET_ASSERT(!prize_seen || drop_result.has_value());
  CLAWNET_ASSERT(!prize_passing || (watching_chute && pressed(Switch::prize_chute)));
  // An emergency stop holds the claw halted, every motor off, until RESET.
  const bool every_motor_off = std::find(motors.begin(), motors.end(), true) == motors.end();
  CLAWNET_ASSERT(!emergency_stopped || (state == halted_name && every_motor_off));
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
  CLAWNET_ASSERT(!timers.armed(Timer::deadman) || state == controlled_name);
  CLAWNET_ASSERT(!timers.armed(Timer::motor_limit) || state == controlled_name);
  if (state == controlled_name && any_gantry_on()) {
    CLAWNET_ASSERT(timers.armed(Timer::motor_limit));
    if (!planted(PlantedBug::deadman_unarmed)) CLAWNET_ASSERT(timers.armed(Timer::deadman));
  }
}

// --- ClawMachine ------------------------------------------------------------------------------

ClawMachine::ClawMachine(ClawConfig config) : impl_(std::make_unique<Impl>(config)) {}
ClawMachine::~ClawMachine() = default;

void ClawMachine::handle_boot(SwitchStates switches, TimeMs now_ms) {
  impl_->input_ms = now_ms;
  impl_->switches = switches;
  impl_->dispatch(Boot{now_ms});
  // A link lost before power-on still counts: halt at once.
  if (!impl_->link_up) impl_->dispatch(Halt{now_ms, HaltCause::link_lost});
  impl_->settle(now_ms);
}

void ClawMachine::handle_link(bool up, TimeMs now_ms) {
  Impl& impl = *impl_;
  impl.input_ms = now_ms;
  if (impl.link_up == up) return;
  impl.link_up = up;
  if (up) {
    impl.dispatch(LinkUp{now_ms});
  } else {
    impl.dispatch(Halt{now_ms, HaltCause::link_lost});
  }
  impl.settle(now_ms);
}

void ClawMachine::handle_secure_message(std::string_view text, TimeMs now_ms) {
  Impl& impl = *impl_;
  impl.input_ms = now_ms;
  DecodeResult decoded = decode(text);
  if (const DecodeError* failure = std::get_if<DecodeError>(&decoded)) {
    return impl.reject(fmt::format("secure message: {}", failure->detail));
  }
  const Message& message = std::get<Message>(decoded);
  if (const ChannelListen* listen = std::get_if<ChannelListen>(&message)) {
    impl.dispatch(Listen{*listen, now_ms});
  } else if (std::holds_alternative<StatusRequest>(message)) {
    impl.dispatch(StatusQuery{now_ms});
  } else if (const EndTurn* end = std::get_if<EndTurn>(&message)) {
    impl.dispatch(EndTurnRequest{end->turn, now_ms});
  } else if (std::holds_alternative<EmergencyStop>(message)) {
    impl.dispatch(Halt{now_ms, HaltCause::emergency_stop});
  } else if (std::holds_alternative<ResetClaw>(message)) {
    impl.dispatch(Reset{now_ms});
  } else {
    return impl.reject(fmt::format("secure message not for the claw: {}", describe(message)));
  }
  impl.settle(now_ms);
}

void ClawMachine::handle_player_message(std::string_view channel, std::string_view text, TimeMs now_ms) {
  Impl& impl = *impl_;
  impl.input_ms = now_ms;
  // A player's message is a flat command: the bigger turn summary is not for it.
  if (text.size() > limits::message_bytes_max) {
    impl.record_rejection(Rejection::malformed, nullptr);
    return impl.reject(fmt::format("player message: {} bytes, the limit is {}", text.size(), limits::message_bytes_max));
  }
  DecodeResult decoded = decode(text);
  if (const DecodeError* failure = std::get_if<DecodeError>(&decoded)) {
    impl.record_rejection(Rejection::malformed, nullptr);
    return impl.reject(fmt::format("player message: {}", failure->detail));
  }
  const Command* command = std::get_if<Command>(&std::get<Message>(decoded));
  if (command == nullptr) {
    impl.record_rejection(Rejection::not_a_command, nullptr);
    return impl.reject("player message is not a command");
  }
  PlayerCommand event{std::string(channel), *command, now_ms};
  if (command->kind == CommandKind::drop) {
    impl.dispatch(DropNow{std::move(event)});
  } else {
    impl.dispatch(Move{std::move(event)});
  }
  impl.settle(now_ms);
}

void ClawMachine::handle_subscribed(std::string_view channel, TimeMs now_ms) {
  impl_->input_ms = now_ms;
  impl_->dispatch(Subscribed{std::string(channel), now_ms});
  impl_->settle(now_ms);
}

// Whatever the state, a motor never pushes into a pressed end switch. The prize
// chute sensor blocks nothing: it is watched for a win.
void ClawMachine::handle_switch(Switch which, bool pressed, TimeMs now_ms) {
  Impl& impl = *impl_;
  impl.input_ms = now_ms;
  impl.switches[static_cast<std::size_t>(which)] = pressed;
  if (pressed) impl.record(SwitchEntry{impl.since_listen_ms(), which});
  if (which == Switch::prize_chute) {
    impl.chute_changed(pressed, now_ms);
  } else if (pressed) {
    Motor blocked = Motor::claw_lower;
    if (which == Switch::claw_top) {
      blocked = Motor::claw_raise;
    } else if (which != Switch::claw_bottom) {
      CLAWNET_ASSERT(static_cast<int>(which) < direction_count);  // A limit switch: see limit_switch().
      blocked = gantry_motor(static_cast<Direction>(which));
    }
    if (impl.on(blocked) && !planted(PlantedBug::limit_switch_ignored)) {
      coverage::sometimes(coverage::Probe::claw_limit_switch_stop);
      impl.set_motor(blocked, false, now_ms, MotorCause::limit_switch);
      impl.counters.limit_switch_stops += 1;
      if (impl.machine->is_flag_active<PlayerSteers>()) impl.rearm_gantry_timers(now_ms, false);
    }
  }
  impl.settle(now_ms);
}

void ClawMachine::handle_timeout(TimeMs now_ms) {
  Impl& impl = *impl_;
  impl.input_ms = now_ms;
  if (impl.timers.take_due(Timer::deadman, now_ms)) impl.dispatch(Deadman{now_ms});
  if (impl.timers.take_due(Timer::motor_limit, now_ms)) impl.dispatch(MotorLimit{now_ms});
  if (impl.timers.take_due(Timer::turn_end, now_ms)) impl.dispatch(TurnTimeout{now_ms});
  if (impl.timers.take_due(Timer::chute_debounce, now_ms)) impl.prize_held_long_enough();
  if (impl.timers.take_due(Timer::step, now_ms)) impl.dispatch(StepTimeout{now_ms});
  if (impl.timers.take_due(Timer::ready_repeat, now_ms)) impl.dispatch(ReadyRepeat{now_ms});
  impl.settle(now_ms);
}

Effects ClawMachine::take_effects() { return std::exchange(impl_->outbox, {}); }

TimeMs ClawMachine::next_deadline() const { return impl_->timers.next(); }

std::vector<coverage::TablePair> ClawMachine::table_pairs() { return table_pairs_of<ClawFront::transition_table>(); }

std::string_view ClawMachine::state_name() const { return impl_->state; }
bool ClawMachine::motor_on(Motor motor) const { return impl_->on(motor); }
bool ClawMachine::any_gantry_motor_on() const { return impl_->any_gantry_on(); }
std::optional<std::string> ClawMachine::listening_channel() const {
  if (impl_->channel.empty()) return std::nullopt;
  return impl_->channel;
}
bool ClawMachine::emergency_stopped() const { return impl_->emergency_stopped; }
Turn ClawMachine::current_turn() const { return impl_->turn_number; }
Turn ClawMachine::last_finished_turn() const { return impl_->last_finished; }
std::optional<TurnResult> ClawMachine::last_result() const { return impl_->last_result; }
const ClawCounters& ClawMachine::counters() const { return impl_->counters; }
const ClawConfig& ClawMachine::config() const { return impl_->config; }

}  // namespace clawnet
