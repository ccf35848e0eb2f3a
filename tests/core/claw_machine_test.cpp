// ClawMachine: every transition of its table, states checked by name, driven
// only through the public API. After every input the harness checks, from the
// effects alone, that the motors it was told about match motor_on(), that no
// opposite motors or end-switch pushes happen, and that next_deadline() is the
// earliest timer started and not yet cancelled or fired.
#include "core/claw_machine.hpp"

#include "core/limits.hpp"
#include "tests/core/effect_inspection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace clawnet {
namespace {

using test::effects_of;
using test::messages_anywhere;
using test::messages_to;

constexpr std::int64_t turn_ms = 30'000;
const std::string channel = "p-c0ffee";
const std::string other_channel = "p-bad";

// The Releasing step lasts release_ms alone here (no prize settle window); the
// prize tests set their own.
ClawConfig test_config() {
  ClawConfig config;
  config.prize_settle_ms = 0;
  return config;
}

SwitchStates at_top_and_home() {
  SwitchStates switches{};
  switches[static_cast<std::size_t>(Switch::claw_top)] = true;
  switches[static_cast<std::size_t>(Switch::limit_left)] = true;
  switches[static_cast<std::size_t>(Switch::limit_down)] = true;
  return switches;
}

class Claw {
 public:
  explicit Claw(ClawConfig config = test_config()) : machine(config), config_(config) {}

  Effects& boot(SwitchStates switches) {
    switches_ = switches;
    machine.handle_boot(switches, now);
    return take();
  }
  // Boots at the top and home, then waits out the release step.
  void boot_ready() {
    boot(at_top_and_home());
    EXPECT_EQ(state(), "Releasing");
    advance_to(now + config_.release_ms);
    EXPECT_EQ(state(), "Ready");
  }
  Effects& secure(const Message& message) {
    machine.handle_secure_message(encode(message), now);
    return take();
  }
  Effects& listen(Turn turn, const std::string& to = channel) {
    const bool was_ready = state() == "Ready";
    secure(ChannelListen{to, turn, turn_ms});
    if (was_ready && state() == "Subscribing") {  // Later commands belong to this turn.
      turn_ = turn;
      seq_ = 0;
    }
    return effects;
  }
  Effects& subscribed(const std::string& to = channel) {
    machine.handle_subscribed(to, now);
    return take();
  }
  // Ready -> Subscribing -> Controlled for `turn` on `channel`.
  void grant(Turn turn) {
    listen(turn);
    EXPECT_EQ(state(), "Subscribing");
    subscribed();
    EXPECT_EQ(state(), "Controlled");
  }
  Effects& say(const std::string& on, const std::string& text) {
    machine.handle_player_message(on, text, now);
    return take();
  }
  // The next command of the current turn, with a fresh sequence number.
  Effects& command(CommandKind kind) {
    seq_ += 1;
    return say(channel, encode(Command{kind, turn_, seq_}));
  }
  Effects& command_with(CommandKind kind, Turn turn, Seq seq, const std::string& on = channel) {
    seq_ = std::max(seq_, seq);
    return say(on, encode(Command{kind, turn, seq}));
  }
  Effects& press(Switch which, bool pressed) {
    switches_[static_cast<std::size_t>(which)] = pressed;
    machine.handle_switch(which, pressed, now);
    return take();
  }
  Effects& link(bool up) {
    machine.handle_link(up, now);
    return take();
  }
  Effects& advance_to(TimeMs when_ms) {
    now = when_ms;
    machine.handle_timeout(now);
    return take();
  }
  Effects& take() {
    effects = machine.take_effects();
    for (const Effect& effect : effects) {
      if (const SetMotor* set = std::get_if<SetMotor>(&effect)) {
        EXPECT_NE(motors_[static_cast<std::size_t>(set->motor)], set->on)
            << "SetMotor " << to_string(set->motor) << " repeats the motor's state";
        motors_[static_cast<std::size_t>(set->motor)] = set->on;
        check_pairs();  // Opposite motors are never on together, even between effects.
      }
    }
    check_safety();
    return effects;
  }

  std::string state() const { return std::string(machine.state_name()); }
  bool motor(Motor which) const { return machine.motor_on(which); }
  bool any_motor_on() const {
    for (int index = 0; index < motor_count; index += 1) {
      if (machine.motor_on(static_cast<Motor>(index))) return true;
    }
    return false;
  }
  std::vector<ClawStatusMessage> statuses() const { return messages_to<ClawStatusMessage>(effects, secure_channel); }
  Seq last_seq() const { return seq_; }

  ClawMachine machine;
  TimeMs now = 0;
  Effects effects;

 private:
  bool modelled(Motor which) const { return motors_[static_cast<std::size_t>(which)]; }
  bool pressed(Switch which) const { return switches_[static_cast<std::size_t>(which)]; }

  void check_pairs() const {
    EXPECT_FALSE(modelled(Motor::gantry_up) && modelled(Motor::gantry_down));
    EXPECT_FALSE(modelled(Motor::gantry_left) && modelled(Motor::gantry_right));
    EXPECT_FALSE(modelled(Motor::claw_lower) && modelled(Motor::claw_raise));
  }

  void check_safety() const {
    for (int index = 0; index < motor_count; index += 1) {
      const auto which = static_cast<Motor>(index);
      EXPECT_EQ(machine.motor_on(which), modelled(which)) << to_string(which) << " differs from its SetMotor effects";
    }
    for (int index = 0; index < direction_count; index += 1) {
      const auto direction = static_cast<Direction>(index);
      EXPECT_FALSE(modelled(gantry_motor(direction)) && pressed(limit_switch(direction)))
          << to_string(direction) << " runs into its pressed limit switch";
    }
    EXPECT_FALSE(modelled(Motor::claw_lower) && pressed(Switch::claw_bottom));
    EXPECT_FALSE(modelled(Motor::claw_raise) && pressed(Switch::claw_top));
    // Every timer due has fired: what is left lies ahead.
    EXPECT_GT(machine.next_deadline(), now) << "a timer is due and did not fire";
  }

  ClawConfig config_;
  SwitchStates switches_{};
  std::array<bool, motor_count> motors_{};
  Turn turn_ = 0;
  Seq seq_ = 0;
};

// Presses the switches a booting claw reaches, until it is Ready.
void drive_to_ready(Claw& claw) {
  for (int step = 0; step < 10 && claw.state() != "Ready"; step += 1) {
    if (claw.state() == "Raising") claw.press(Switch::claw_top, true);
    if (claw.state() == "Homing") {
      claw.press(Switch::limit_left, true);
      claw.press(Switch::limit_down, true);
    }
    if (claw.state() == "Releasing") claw.advance_to(claw.machine.next_deadline());
  }
  ASSERT_EQ(claw.state(), "Ready");
}

// --- Boot --------------------------------------------------------------------------------

TEST(ClawMachine, BootNotAtTopRaisesHomesReleasesThenReady) {
  Claw claw;
  EXPECT_EQ(claw.state(), "Booting");
  EXPECT_EQ(claw.machine.next_deadline(), time_never);
  claw.boot(SwitchStates{});
  EXPECT_EQ(claw.state(), "Raising");
  EXPECT_TRUE(claw.motor(Motor::claw_raise));
  EXPECT_EQ(claw.machine.next_deadline(), test_config().raise_ms_max);
  claw.now = 1'000;
  claw.press(Switch::claw_top, true);
  EXPECT_FALSE(claw.motor(Motor::claw_raise));
  EXPECT_EQ(claw.state(), "Homing");
  EXPECT_TRUE(claw.motor(Motor::gantry_left));
  EXPECT_TRUE(claw.motor(Motor::gantry_down));
  claw.press(Switch::limit_left, true);
  EXPECT_FALSE(claw.motor(Motor::gantry_left));
  EXPECT_EQ(claw.state(), "Homing");
  claw.press(Switch::limit_down, true);
  EXPECT_EQ(claw.state(), "Releasing");
  EXPECT_FALSE(claw.any_motor_on());
  claw.advance_to(1'000 + test_config().release_ms);
  EXPECT_EQ(claw.state(), "Ready");
  ASSERT_EQ(claw.statuses().size(), 1U);
  EXPECT_EQ(claw.statuses()[0], (ClawStatusMessage{ClawStatus::ready, 0, {}}));
}

// The header's contract: boot -> raise -> home -> release -> ready. At the top
// and home, raise and home end at once, no motor runs, and the claw is Ready
// (announcing CLAW_READY) as soon as the release step is over.
TEST(ClawMachine, BootAtTopAndHomeSkipsRaisingAndHoming) {
  Claw claw;
  Effects& effects = claw.boot(at_top_and_home());
  EXPECT_EQ(claw.state(), "Releasing");
  EXPECT_TRUE(effects_of<SetMotor>(effects).empty()) << test::describe_all(effects);
  claw.advance_to(test_config().release_ms);
  EXPECT_EQ(claw.state(), "Ready");
  ASSERT_EQ(claw.statuses().size(), 1U);
  EXPECT_EQ(claw.statuses()[0].status, ClawStatus::ready);
}

TEST(ClawMachine, ReadyRepeatsClawReady) {
  Claw claw;
  claw.boot_ready();
  const TimeMs ready_at = claw.now;
  EXPECT_EQ(claw.machine.next_deadline(), ready_at + test_config().ready_repeat_ms);
  claw.advance_to(ready_at + test_config().ready_repeat_ms);
  EXPECT_EQ(claw.state(), "Ready");
  ASSERT_EQ(claw.statuses().size(), 1U);
  EXPECT_EQ(claw.statuses()[0].status, ClawStatus::ready);
}

// --- Ready -> Subscribing -> Controlled -------------------------------------------------------

TEST(ClawMachine, FreshChannelListenSubscribes) {
  Claw claw;
  claw.boot_ready();
  Effects& effects = claw.listen(1);
  EXPECT_EQ(claw.state(), "Subscribing");
  std::vector<Subscribe> subscribes = effects_of<Subscribe>(effects);
  ASSERT_EQ(subscribes.size(), 1U);
  EXPECT_EQ(subscribes[0].channel, channel);
  EXPECT_EQ(claw.machine.listening_channel(), channel);
  EXPECT_EQ(claw.machine.current_turn(), 1U);
  // Nothing is told to the player before the subscription is confirmed.
  for (const Publish& publish : effects_of<Publish>(effects)) EXPECT_NE(publish.channel, channel);
  EXPECT_TRUE(messages_to<ClawStatusMessage>(effects, secure_channel).empty());
}

TEST(ClawMachine, StaleChannelListenRepeatsClawReady) {
  Claw claw;
  claw.boot_ready();
  claw.listen(0);  // Turn 0 is never a grant.
  EXPECT_EQ(claw.state(), "Ready");
  ASSERT_EQ(claw.statuses().size(), 1U);
  EXPECT_EQ(claw.statuses()[0], (ClawStatusMessage{ClawStatus::ready, 0, {}}));
  // Play turn 3, then hear its listen again (a late resend).
  claw.grant(3);
  claw.secure(EndTurn{3});
  while (claw.state() != "Ready") claw.advance_to(claw.machine.next_deadline());
  for (Turn stale : {Turn{1}, Turn{3}}) {
    Effects& effects = claw.listen(stale);
    EXPECT_EQ(claw.state(), "Ready");
    EXPECT_TRUE(effects_of<Subscribe>(effects).empty());
    ASSERT_EQ(claw.statuses().size(), 1U);
    EXPECT_EQ(claw.statuses()[0], (ClawStatusMessage{ClawStatus::ready, 3, {}}));
  }
}

TEST(ClawMachine, EndTurnWhileReadyRepeatsClawReady) {
  Claw claw;
  claw.boot_ready();
  claw.secure(EndTurn{5});
  EXPECT_EQ(claw.state(), "Ready");
  ASSERT_EQ(claw.statuses().size(), 1U);
  EXPECT_EQ(claw.statuses()[0].status, ClawStatus::ready);
}

TEST(ClawMachine, ControlIsAnnouncedOnlyAfterTheSubscription) {
  Claw claw;
  claw.boot_ready();
  claw.listen(1);
  claw.subscribed(other_channel);  // Not the channel asked for.
  EXPECT_EQ(claw.state(), "Subscribing");
  EXPECT_TRUE(effects_of<Publish>(claw.effects).empty());
  Effects& effects = claw.subscribed();
  EXPECT_EQ(claw.state(), "Controlled");
  std::vector<ClawStatusMessage> status = messages_to<ClawStatusMessage>(effects, secure_channel);
  ASSERT_EQ(status.size(), 1U);
  EXPECT_EQ(status[0], (ClawStatusMessage{ClawStatus::controlled, 1, {}}));
  std::vector<Control> control = messages_to<Control>(effects, channel);
  ASSERT_EQ(control.size(), 1U);
  EXPECT_EQ(control[0], (Control{true, 1, turn_ms, {}}));
  EXPECT_EQ(claw.machine.next_deadline(), claw.now + turn_ms);
}

TEST(ClawMachine, RepeatedListenForTheSameTurn) {
  Claw claw;
  claw.boot_ready();
  claw.listen(1);
  Effects& while_subscribing = claw.listen(1);
  EXPECT_EQ(claw.state(), "Subscribing");
  EXPECT_TRUE(while_subscribing.empty()) << test::describe_all(while_subscribing);
  claw.subscribed();
  claw.listen(1);  // The server missed CLAW_CONTROLLED: acknowledge again.
  EXPECT_EQ(claw.state(), "Controlled");
  ASSERT_EQ(claw.statuses().size(), 1U);
  EXPECT_EQ(claw.statuses()[0], (ClawStatusMessage{ClawStatus::controlled, 1, {}}));
}

TEST(ClawMachine, SubscriptionTimeoutGivesTheTurnUp) {
  Claw claw;
  claw.boot_ready();
  claw.listen(4);
  Effects& effects = claw.advance_to(claw.now + test_config().subscribe_ms_max);
  EXPECT_EQ(effects_of<Unsubscribe>(effects).size(), 1U);
  EXPECT_EQ(claw.machine.last_finished_turn(), 4U);
  // At the top and home already: raise and home end at once.
  EXPECT_EQ(claw.state(), "Releasing");
  claw.advance_to(claw.machine.next_deadline());
  EXPECT_EQ(claw.state(), "Ready");
  EXPECT_EQ(claw.statuses().at(0), (ClawStatusMessage{ClawStatus::ready, 4, {}}));
}

TEST(ClawMachine, EndTurnWhileSubscribingGivesTheTurnUp) {
  Claw claw;
  claw.boot_ready();
  claw.listen(4);
  claw.secure(EndTurn{4});
  EXPECT_NE(claw.state(), "Subscribing");
  EXPECT_EQ(claw.machine.last_finished_turn(), 4U);
  EXPECT_FALSE(claw.machine.listening_channel().has_value());
}

// The server asks for the claw's status while it does not know it.
TEST(ClawMachine, StatusRequestIsAnsweredWithTheCurrentStatus) {
  Claw claw;
  claw.boot(SwitchStates{});
  Effects& raising = claw.secure(StatusRequest{});
  EXPECT_TRUE(effects_of<Publish>(raising).empty()) << test::describe_all(raising);
  drive_to_ready(claw);
  claw.secure(StatusRequest{});
  EXPECT_EQ(claw.statuses().at(0), (ClawStatusMessage{ClawStatus::ready, 0, {}}));
  claw.grant(5);
  claw.secure(StatusRequest{});
  EXPECT_EQ(claw.statuses().at(0), (ClawStatusMessage{ClawStatus::controlled, 5, {}}));
  EXPECT_EQ(claw.state(), "Controlled");
  EXPECT_EQ(claw.machine.counters().rejected_messages, 0U);
  EXPECT_EQ(claw.machine.counters().rejected_events, 0U) << "a status query in the drop cycle is no rejected event";
}

// --- Commands ----------------------------------------------------------------------------

TEST(ClawMachine, CommandsFromTheWrongChannelTurnOrSeqAreRejectedAndCounted) {
  Claw claw;
  claw.boot_ready();
  claw.grant(2);
  claw.command_with(CommandKind::up_on, 2, 1, other_channel);
  claw.command_with(CommandKind::up_on, 1, 1);      // An old turn.
  claw.command_with(CommandKind::up_on, 3, 1);      // A future turn.
  claw.say(channel, "{not json");
  claw.say(channel, encode(Control{true, 2, 100, {}}));  // Not a command.
  EXPECT_FALSE(claw.machine.any_gantry_motor_on());
  EXPECT_EQ(claw.machine.counters().rejected_messages, 5U);
  EXPECT_EQ(claw.machine.counters().commands_accepted, 0U);
  claw.command_with(CommandKind::up_on, 2, 5);
  EXPECT_TRUE(claw.motor(Motor::gantry_up));
  claw.command_with(CommandKind::up_off, 2, 5);  // Replayed seq.
  claw.command_with(CommandKind::up_off, 2, 4);  // Older seq.
  EXPECT_TRUE(claw.motor(Motor::gantry_up));
  EXPECT_EQ(claw.machine.counters().rejected_messages, 7U);
  EXPECT_EQ(claw.machine.counters().commands_accepted, 1U);
}

TEST(ClawMachine, CommandsWhileNotControlledAreRejected) {
  Claw claw;
  claw.boot_ready();
  claw.command_with(CommandKind::up_on, 0, 1);
  claw.listen(1);
  claw.command_with(CommandKind::up_on, 1, 1);  // Subscribing: not yet in control.
  EXPECT_FALSE(claw.machine.any_gantry_motor_on());
  EXPECT_EQ(claw.machine.counters().rejected_messages, 2U);
  EXPECT_EQ(claw.machine.counters().rejected_events, 0U) << "a command is refused as a message, not as an event";
}

// A refused command is no command: it does not keep the dead-man from stopping the gantry.
TEST(ClawMachine, RefusedCommandsDoNotRefreshTheDeadman) {
  Claw claw;
  claw.boot_ready();
  claw.grant(2);
  claw.command_with(CommandKind::up_on, 2, 5);
  ASSERT_TRUE(claw.motor(Motor::gantry_up));
  const TimeMs stops_at = claw.now + test_config().deadman_ms;
  claw.now = stops_at - 1;
  claw.command_with(CommandKind::up_on, 2, 5);                 // Replayed.
  claw.command_with(CommandKind::up_on, 2, 6, other_channel);  // Another channel.
  EXPECT_EQ(claw.machine.counters().rejected_messages, 2U);
  EXPECT_EQ(claw.machine.next_deadline(), stops_at);
  claw.advance_to(stops_at);
  EXPECT_FALSE(claw.motor(Motor::gantry_up));
  EXPECT_EQ(claw.machine.counters().deadman_trips, 1U);
}

TEST(ClawMachine, RateLimitRejectsAndCounts) {
  Claw claw;
  claw.boot_ready();
  claw.grant(1);
  const std::uint32_t per_second = test_config().commands_per_second_max;
  for (std::uint32_t i = 0; i < per_second; i += 1) claw.command(i % 2 == 0 ? CommandKind::up_on : CommandKind::up_off);
  EXPECT_EQ(claw.machine.counters().commands_accepted, per_second);
  claw.command(CommandKind::left_on);
  EXPECT_FALSE(claw.motor(Motor::gantry_left));
  EXPECT_EQ(claw.machine.counters().rate_limited, 1U);
  EXPECT_EQ(claw.machine.counters().rejected_messages, 1U);
  claw.advance_to(claw.now + 1'000);
  claw.command(CommandKind::right_on);
  EXPECT_TRUE(claw.motor(Motor::gantry_right));
}

TEST(ClawMachine, UpOnSetsGantryUpAndUpOffClearsIt) {
  Claw claw;
  claw.boot_ready();
  claw.grant(1);
  Effects& on = claw.command(CommandKind::up_on);
  std::vector<SetMotor> set = effects_of<SetMotor>(on);
  ASSERT_EQ(set.size(), 1U);
  EXPECT_EQ(set[0].motor, Motor::gantry_up);
  EXPECT_TRUE(set[0].on);
  EXPECT_TRUE(claw.motor(Motor::gantry_up));
  EXPECT_EQ(claw.machine.next_deadline(), claw.now + test_config().deadman_ms);
  claw.command(CommandKind::up_off);
  EXPECT_FALSE(claw.motor(Motor::gantry_up));
  EXPECT_EQ(claw.machine.next_deadline(), claw.now + turn_ms);  // Only the turn timer is left.
}

TEST(ClawMachine, OppositeDirectionsAreInterlocked) {
  const std::pair<CommandKind, CommandKind> pairs[] = {{CommandKind::up_on, CommandKind::down_on},
                                                       {CommandKind::left_on, CommandKind::right_on}};
  for (const auto& [first, second] : pairs) {
    Claw claw;
    claw.boot_ready();
    claw.press(Switch::limit_left, false);
    claw.press(Switch::limit_down, false);
    claw.grant(1);
    claw.command(first);
    Effects& effects = claw.command(second);
    const Motor stopped = gantry_motor(direction_of(first));
    const Motor started = gantry_motor(direction_of(second));
    const std::size_t off_at =
        test::index_of<SetMotor>(effects, [&](const SetMotor& set) { return set.motor == stopped && !set.on; });
    const std::size_t on_at =
        test::index_of<SetMotor>(effects, [&](const SetMotor& set) { return set.motor == started && set.on; });
    ASSERT_LT(off_at, effects.size()) << test::describe_all(effects);
    ASSERT_LT(on_at, effects.size()) << test::describe_all(effects);
    EXPECT_LT(off_at, on_at);
    EXPECT_FALSE(claw.motor(stopped));
    EXPECT_TRUE(claw.motor(started));
  }
}

TEST(ClawMachine, LimitSwitchStopsTheMotorAndRefusesOn) {
  Claw claw;
  claw.boot_ready();
  claw.grant(1);
  claw.command(CommandKind::up_on);
  claw.press(Switch::limit_up, true);
  EXPECT_FALSE(claw.motor(Motor::gantry_up));
  EXPECT_EQ(claw.machine.counters().limit_switch_stops, 1U);
  EXPECT_EQ(claw.state(), "Controlled");
  Effects& refused = claw.command(CommandKind::up_on);
  EXPECT_TRUE(effects_of<SetMotor>(refused).empty());
  EXPECT_FALSE(claw.motor(Motor::gantry_up));
  EXPECT_EQ(claw.machine.counters().limit_switch_stops, 2U);
  // Away from the end, the other way works; and up again once the switch is free.
  claw.command(CommandKind::down_on);
  EXPECT_FALSE(claw.motor(Motor::gantry_down));  // limit_down is pressed at home.
  claw.press(Switch::limit_up, false);
  claw.command(CommandKind::up_on);
  EXPECT_TRUE(claw.motor(Motor::gantry_up));
}

TEST(ClawMachine, DeadmanStopsMotorsWithoutARefreshAndTheTurnContinues) {
  const TimeMs deadman_ms = test_config().deadman_ms;
  Claw claw;
  claw.boot_ready();
  claw.grant(1);
  const TimeMs start = claw.now;
  claw.command(CommandKind::up_on);
  claw.advance_to(start + deadman_ms / 2);
  claw.command(CommandKind::up_on);  // The refresh.
  claw.advance_to(start + deadman_ms);
  EXPECT_TRUE(claw.motor(Motor::gantry_up));
  claw.advance_to(start + deadman_ms / 2 + deadman_ms - 1);
  EXPECT_TRUE(claw.motor(Motor::gantry_up));
  claw.advance_to(start + deadman_ms / 2 + deadman_ms);
  EXPECT_FALSE(claw.machine.any_gantry_motor_on());
  EXPECT_EQ(claw.machine.counters().deadman_trips, 1U);
  EXPECT_EQ(claw.state(), "Controlled");
  claw.command(CommandKind::right_on);
  EXPECT_TRUE(claw.motor(Motor::gantry_right));
}

// Found by clawsim explore (seed 115038 of a 30,000-seed run): an end switch
// that stopped one motor re-armed the dead-man from the switch's instant, so
// the other motor ran past deadman_ms after the last command.
TEST(ClawMachine, AnEndSwitchStopDoesNotFeedTheDeadman) {
  const TimeMs deadman_ms = test_config().deadman_ms;
  Claw claw;
  claw.boot_ready();
  claw.grant(1);
  const TimeMs start = claw.now;
  claw.command(CommandKind::up_on);
  claw.command(CommandKind::right_on);
  claw.advance_to(start + deadman_ms / 2);
  claw.press(Switch::limit_up, true);
  EXPECT_FALSE(claw.motor(Motor::gantry_up));
  EXPECT_TRUE(claw.motor(Motor::gantry_right));
  claw.advance_to(start + deadman_ms - 1);
  EXPECT_TRUE(claw.motor(Motor::gantry_right));
  claw.advance_to(start + deadman_ms);
  EXPECT_FALSE(claw.motor(Motor::gantry_right));
  EXPECT_EQ(claw.machine.counters().deadman_trips, 1U);
}

// The same for the on-time limit: a trip of one motor is no command.
TEST(ClawMachine, AnOnTimeTripDoesNotFeedTheDeadman) {
  ClawConfig config = test_config();
  Claw claw(config);
  claw.boot_ready();
  claw.grant(1);
  claw.press(Switch::limit_down, false);  // Away from home, so down can run.
  claw.command(CommandKind::up_on);
  const TimeMs up_since = claw.now;
  // Keep up fed until just before its on-time limit, then start right.
  TimeMs at = up_since;
  while (at + config.deadman_ms / 2 < up_since + config.motor_on_ms_max) {
    at += config.deadman_ms / 2;
    claw.advance_to(at);
    claw.command(CommandKind::up_on);
  }
  claw.command(CommandKind::right_on);
  const TimeMs last_command = claw.now;
  claw.advance_to(up_since + config.motor_on_ms_max);
  EXPECT_FALSE(claw.motor(Motor::gantry_up));
  EXPECT_EQ(claw.machine.counters().motor_limit_trips, 1U);
  claw.advance_to(last_command + config.deadman_ms);
  EXPECT_FALSE(claw.motor(Motor::gantry_right));
  EXPECT_EQ(claw.machine.counters().deadman_trips, 1U);
}

TEST(ClawMachine, MotorOnTimeLimitTripsAndNeedsAnOff) {
  const ClawConfig config = test_config();
  Claw claw;
  claw.boot_ready();
  claw.grant(1);
  const TimeMs start = claw.now;
  claw.command(CommandKind::up_on);
  // Refreshed well within the dead-man, so only the on-time bound can stop it.
  for (TimeMs at = start + config.deadman_ms / 2; at < start + config.motor_on_ms_max; at += config.deadman_ms / 2) {
    claw.advance_to(at);
    claw.command(CommandKind::up_on);
    ASSERT_TRUE(claw.motor(Motor::gantry_up)) << "at " << at;
  }
  claw.advance_to(start + config.motor_on_ms_max);
  EXPECT_FALSE(claw.motor(Motor::gantry_up));
  EXPECT_EQ(claw.machine.counters().motor_limit_trips, 1U);
  const std::uint64_t rejected = claw.machine.counters().rejected_messages;
  claw.command(CommandKind::up_on);
  EXPECT_FALSE(claw.motor(Motor::gantry_up));
  EXPECT_EQ(claw.machine.counters().rejected_messages, rejected + 1);
  claw.command(CommandKind::up_off);
  claw.command(CommandKind::up_on);
  EXPECT_TRUE(claw.motor(Motor::gantry_up));
}

// --- Drop cycle ----------------------------------------------------------------------------

TEST(ClawMachine, EndTurnDuringTheDropCycleIsAlreadySatisfied) {
  Claw claw;
  claw.boot_ready();
  claw.grant(7);
  claw.command(CommandKind::drop);
  ASSERT_EQ(claw.state(), "Lowering");
  const ClawCounters before = claw.machine.counters();
  Effects& effects = claw.secure(EndTurn{7});  // The server repeats END_TURN until CLAW_READY.
  EXPECT_EQ(claw.state(), "Lowering");
  EXPECT_TRUE(effects.empty()) << test::describe_all(effects);
  EXPECT_EQ(claw.machine.counters().rejected_events, before.rejected_events);
  EXPECT_EQ(claw.machine.counters().rejected_messages, before.rejected_messages);
}

TEST(ClawMachine, DropRunsTheWholeCycleBackToReady) {
  const ClawConfig config = test_config();
  Claw claw;
  claw.boot_ready();
  claw.grant(7);
  claw.press(Switch::limit_left, false);  // The player steers away from home.
  claw.press(Switch::limit_down, false);
  claw.command(CommandKind::right_on);
  Effects& dropped = claw.command(CommandKind::drop);
  EXPECT_EQ(claw.state(), "Lowering");
  EXPECT_FALSE(claw.machine.any_gantry_motor_on());
  EXPECT_TRUE(claw.motor(Motor::claw_lower));
  std::vector<Control> control = messages_to<Control>(dropped, channel);
  ASSERT_EQ(control.size(), 1U);
  EXPECT_EQ(control[0], (Control{false, 7, 0, {}}));
  EXPECT_EQ(effects_of<Unsubscribe>(dropped).size(), 1U);
  EXPECT_EQ(claw.machine.last_finished_turn(), 7U);
  // Late commands of the finished turn are refused.
  claw.command(CommandKind::left_on);
  EXPECT_FALSE(claw.machine.any_gantry_motor_on());

  claw.press(Switch::claw_top, false);
  claw.now += 1'000;
  claw.press(Switch::claw_bottom, true);
  EXPECT_EQ(claw.state(), "Closing");
  EXPECT_FALSE(claw.motor(Motor::claw_lower));
  EXPECT_TRUE(claw.motor(Motor::claw_close));
  claw.advance_to(claw.now + config.grip_ms);
  EXPECT_EQ(claw.state(), "Raising");
  EXPECT_TRUE(claw.motor(Motor::claw_raise));
  EXPECT_TRUE(claw.motor(Motor::claw_close));  // Still gripping the prize.
  claw.press(Switch::claw_bottom, false);
  claw.now += 1'000;
  claw.press(Switch::claw_top, true);
  EXPECT_EQ(claw.state(), "Homing");
  EXPECT_TRUE(claw.motor(Motor::gantry_left));
  EXPECT_TRUE(claw.motor(Motor::gantry_down));
  claw.press(Switch::limit_down, true);
  claw.press(Switch::limit_left, true);
  EXPECT_EQ(claw.state(), "Releasing");
  EXPECT_FALSE(claw.motor(Motor::claw_close));
  EXPECT_TRUE(claw.statuses().empty());  // Not ready while the prize falls.
  Effects& ready = claw.advance_to(claw.now + config.release_ms);
  EXPECT_EQ(claw.state(), "Ready");
  // No prize fell: the player hears its result, and the server with CLAW_READY.
  EXPECT_EQ(messages_to<Control>(ready, channel), (std::vector<Control>{Control{false, 7, 0, TurnResult::loss}}));
  EXPECT_EQ(claw.statuses().at(0), (ClawStatusMessage{ClawStatus::ready, 7, TurnResult::loss}));
  EXPECT_EQ(claw.machine.counters().turns_finished, 1U);
  EXPECT_FALSE(claw.any_motor_on());
}

// --- Prizes ---------------------------------------------------------------------------------

ClawConfig prize_config() {
  ClawConfig config = test_config();
  config.prize_settle_ms = 1'500;
  config.prize_debounce_ms = 20;
  return config;
}

// Drops in turn 3 and runs the cycle to Releasing (the claw boots at the top and home).
void drop_to_releasing(Claw& claw, CommandKind how = CommandKind::drop) {
  claw.boot_ready();
  claw.grant(3);
  if (how == CommandKind::drop) {
    claw.command(CommandKind::drop);
  } else {
    claw.advance_to(claw.now + turn_ms);  // The turn timer drops.
  }
  ASSERT_EQ(claw.state(), "Lowering");
  claw.press(Switch::claw_top, false);
  claw.press(Switch::claw_bottom, true);
  claw.advance_to(claw.now + claw.machine.config().grip_ms);
  claw.press(Switch::claw_bottom, false);
  claw.press(Switch::claw_top, true);
  ASSERT_EQ(claw.state(), "Releasing");  // Already home.
}

TEST(ClawMachine, APrizeThroughTheChuteIsAWinForPlayerAndServer) {
  Claw claw(prize_config());
  drop_to_releasing(claw);
  claw.now += 300;
  claw.press(Switch::prize_chute, true);
  claw.advance_to(claw.now + 20);
  claw.press(Switch::prize_chute, false);
  EXPECT_EQ(claw.machine.counters().prizes_detected, 1U);
  // The settle window runs on: the result comes when Releasing is over.
  EXPECT_EQ(claw.state(), "Releasing");
  Effects& ready = claw.advance_to(claw.now + claw.machine.config().release_ms + 1'500);
  ASSERT_EQ(claw.state(), "Ready");
  EXPECT_EQ(messages_to<Control>(ready, channel), (std::vector<Control>{Control{false, 3, 0, TurnResult::win}}));
  EXPECT_EQ(claw.statuses().at(0), (ClawStatusMessage{ClawStatus::ready, 3, TurnResult::win}));
  EXPECT_EQ(claw.machine.last_result(), TurnResult::win);
}

TEST(ClawMachine, ChuteBouncesShorterThanTheDebounceWinNothing) {
  Claw claw(prize_config());
  drop_to_releasing(claw, CommandKind::up_on);  // Dropped by the turn timer.
  for (int bounce = 0; bounce < 5; bounce += 1) {
    claw.press(Switch::prize_chute, true);
    claw.advance_to(claw.now + 19);
    claw.press(Switch::prize_chute, false);
    claw.advance_to(claw.now + 5);
  }
  EXPECT_EQ(claw.machine.counters().prizes_detected, 0U);
  claw.advance_to(claw.now + claw.machine.config().release_ms + 1'500);
  ASSERT_EQ(claw.state(), "Ready");
  EXPECT_EQ(claw.statuses().at(0), (ClawStatusMessage{ClawStatus::ready, 3, TurnResult::timeout}));
}

// A sensor stuck pressed must not make every turn a win: pressed before the drop,
// it is a fault, and the turn is judged as if no prize fell.
TEST(ClawMachine, AChuteSensorPressedBeforeTheDropIsAFaultAndWinsNothing) {
  Claw claw(prize_config());
  claw.boot_ready();
  claw.press(Switch::prize_chute, true);  // Stuck from now on.
  claw.grant(3);
  Effects& dropped = claw.command(CommandKind::drop);
  EXPECT_EQ(claw.machine.counters().chute_faults, 1U);
  EXPECT_FALSE(effects_of<Log>(dropped).empty());
  claw.press(Switch::claw_top, false);
  claw.press(Switch::claw_bottom, true);
  claw.advance_to(claw.now + claw.machine.config().grip_ms);
  claw.press(Switch::claw_bottom, false);
  claw.press(Switch::claw_top, true);
  claw.advance_to(claw.now + claw.machine.config().release_ms + 1'500);
  ASSERT_EQ(claw.state(), "Ready");
  EXPECT_EQ(claw.machine.counters().prizes_detected, 0U);
  EXPECT_EQ(claw.machine.last_result(), TurnResult::loss);
}

// A sensor that sticks during the drop is pressed long enough, but never released:
// no win, and a chute fault.
TEST(ClawMachine, AChuteSensorThatSticksDuringTheDropWinsNothing) {
  Claw claw(prize_config());
  drop_to_releasing(claw);
  const TimeMs released_ms = claw.now;
  claw.press(Switch::prize_chute, true);
  claw.advance_to(claw.now + 20);  // Pressed long enough...
  claw.advance_to(released_ms + claw.machine.config().release_ms + 1'500);  // ...and never released.
  ASSERT_EQ(claw.state(), "Ready");
  EXPECT_EQ(claw.machine.counters().prizes_detected, 0U);
  EXPECT_EQ(claw.machine.counters().chute_faults, 1U);
  EXPECT_EQ(claw.machine.last_result(), TurnResult::loss);
}

TEST(ClawMachine, ATurnEndedBeforeAnyDropHasNoClawResult) {
  Claw claw(prize_config());
  claw.boot_ready();
  claw.grant(3);
  claw.secure(EndTurn{3});
  EXPECT_EQ(claw.state(), "Releasing");  // Still at the top and home: raising and homing are done.
  claw.advance_to(claw.now + claw.machine.config().release_ms + 1'500);
  ASSERT_EQ(claw.state(), "Ready");
  EXPECT_EQ(claw.statuses().at(0), (ClawStatusMessage{ClawStatus::ready, 3, {}}));
  EXPECT_FALSE(claw.machine.last_result().has_value());
}

TEST(ClawMachine, LoweringStopsAfterItsBoundWithoutTheBottomSwitch) {
  Claw claw;
  claw.boot_ready();
  claw.grant(1);
  claw.command(CommandKind::drop);
  claw.advance_to(claw.now + test_config().lower_ms);
  EXPECT_EQ(claw.state(), "Closing");
  EXPECT_FALSE(claw.motor(Motor::claw_lower));
}

TEST(ClawMachine, TurnTimerAutoDrops) {
  Claw claw;
  claw.boot_ready();
  claw.grant(1);
  const TimeMs granted = claw.now;
  claw.advance_to(granted + turn_ms - 1);
  EXPECT_EQ(claw.state(), "Controlled");
  Effects& effects = claw.advance_to(granted + turn_ms);
  EXPECT_EQ(claw.state(), "Lowering");
  EXPECT_EQ(messages_to<Control>(effects, channel).at(0), (Control{false, 1, 0, {}}));
}

TEST(ClawMachine, EndTurnRaisesWithoutDropping) {
  Claw claw;
  claw.boot_ready();
  claw.grant(2);
  claw.press(Switch::claw_top, false);  // Say the claw sagged a little.
  claw.command(CommandKind::up_on);
  claw.secure(EndTurn{1});  // Not this turn.
  EXPECT_EQ(claw.state(), "Controlled");
  EXPECT_TRUE(claw.motor(Motor::gantry_up));
  Effects& effects = claw.secure(EndTurn{2});
  EXPECT_EQ(claw.state(), "Raising");
  EXPECT_FALSE(claw.machine.any_gantry_motor_on());
  EXPECT_FALSE(claw.motor(Motor::claw_lower));
  EXPECT_EQ(messages_to<Control>(effects, channel).at(0), (Control{false, 2, 0, {}}));
  claw.press(Switch::claw_top, true);
  EXPECT_EQ(claw.state(), "Releasing");  // Already home.
  claw.advance_to(claw.now + test_config().release_ms);
  EXPECT_EQ(claw.state(), "Ready");
  EXPECT_EQ(claw.statuses().at(0), (ClawStatusMessage{ClawStatus::ready, 2, {}}));
}

// --- Link, faults ---------------------------------------------------------------------------

// Drives a fresh claw along one scripted game until it is in `target`.
void drive_to(Claw& claw, const std::string& target) {
  auto reached = [&] { return claw.state() == target; };
  claw.boot_ready();
  if (reached()) return;
  claw.listen(1);
  if (reached()) return;
  claw.subscribed();
  claw.press(Switch::limit_left, false);
  claw.command(CommandKind::right_on);
  if (reached()) return;
  claw.press(Switch::claw_top, false);
  claw.command(CommandKind::drop);
  if (reached()) return;
  claw.press(Switch::claw_bottom, true);
  if (reached()) return;
  claw.advance_to(claw.now + test_config().grip_ms);
  claw.press(Switch::claw_bottom, false);
  if (reached()) return;
  claw.press(Switch::claw_top, true);
  if (reached()) return;
  claw.press(Switch::limit_left, true);
  ASSERT_TRUE(reached()) << "script never reached " << target;
}

// A claw released from a halt raises, homes and releases: the cabinet's switches
// answer each step, and it is Ready again.
void finish_homing(Claw& claw) {
  for (int guard = 0; guard < 10 && claw.state() != "Ready"; guard += 1) {
    if (claw.state() == "Raising") claw.press(Switch::claw_top, true);
    if (claw.state() == "Homing") claw.press(Switch::limit_left, true);
    if (claw.state() == "Releasing") claw.advance_to(claw.machine.next_deadline());
  }
  EXPECT_EQ(claw.state(), "Ready");
}

TEST(ClawMachine, LinkDownInEveryLiveStateHaltsWithAllMotorsOff) {
  for (const char* live : {"Ready", "Subscribing", "Controlled", "Lowering", "Closing", "Raising", "Homing",
                           "Releasing"}) {
    SCOPED_TRACE(live);
    Claw claw;
    drive_to(claw, live);
    ASSERT_EQ(claw.state(), live);
    claw.link(false);
    EXPECT_EQ(claw.state(), "Halted");
    EXPECT_FALSE(claw.any_motor_on());
    EXPECT_EQ(claw.machine.next_deadline(), time_never);
    EXPECT_FALSE(claw.machine.listening_channel().has_value());
    // Commands and grants are refused while halted.
    claw.command_with(CommandKind::up_on, 1, 99);
    claw.listen(9);
    EXPECT_EQ(claw.state(), "Halted");
    EXPECT_FALSE(claw.any_motor_on());
    // Back up: the claw raises, homes and releases, then is Ready again.
    claw.now += 1'000;
    claw.link(true);
    EXPECT_NE(claw.state(), "Halted");
    finish_homing(claw);
  }
}

// An operator's emergency stop, from every live state: every motor off at once (a
// drop cycle too), the turn over, CLAW_STOPPED; nothing moves until RESET, which
// homes the claw as a boot does. A link that comes back does not release it.
TEST(ClawMachine, EmergencyStopInEveryLiveStateHoldsEveryMotorOffUntilReset) {
  for (const char* live : {"Ready", "Subscribing", "Controlled", "Lowering", "Closing", "Raising", "Homing",
                           "Releasing"}) {
    SCOPED_TRACE(live);
    Claw claw;
    drive_to(claw, live);
    if (std::string_view(live) == "Controlled") claw.command(CommandKind::up_on);
    Effects& effects = claw.secure(EmergencyStop{});
    EXPECT_EQ(claw.state(), "Halted");
    EXPECT_TRUE(claw.machine.emergency_stopped());
    EXPECT_FALSE(claw.any_motor_on());
    EXPECT_EQ(claw.machine.next_deadline(), claw.now + test_config().ready_repeat_ms) << "only CLAW_STOPPED's repeat";
    EXPECT_FALSE(claw.machine.listening_channel().has_value());
    const std::vector<ClawStatusMessage> status = messages_to<ClawStatusMessage>(effects, secure_channel);
    ASSERT_EQ(status.size(), 1U);
    EXPECT_EQ(status[0].status, ClawStatus::stopped);
    // Nothing obeyed: commands, grants, END_TURN, a link that flaps; STATUS and ESTOP are answered.
    claw.command_with(CommandKind::up_on, 1, 99);
    claw.listen(9);
    claw.secure(EndTurn{1});
    claw.link(false);
    claw.link(true);
    EXPECT_EQ(messages_to<ClawStatusMessage>(claw.effects, secure_channel).at(0).status, ClawStatus::stopped);
    EXPECT_EQ(messages_to<ClawStatusMessage>(claw.secure(StatusRequest{}), secure_channel).at(0).status,
              ClawStatus::stopped);
    EXPECT_EQ(messages_to<ClawStatusMessage>(claw.secure(EmergencyStop{}), secure_channel).at(0).status,
              ClawStatus::stopped);
    EXPECT_EQ(claw.state(), "Halted");
    EXPECT_FALSE(claw.any_motor_on());
    // RESET: the claw raises, homes and releases, then is Ready again.
    claw.now += 1'000;
    claw.secure(ResetClaw{});
    EXPECT_FALSE(claw.machine.emergency_stopped());
    EXPECT_NE(claw.state(), "Halted");
    finish_homing(claw);
  }
}

TEST(ClawMachine, EmergencyStopMidDropVoidsTheDropsResult) {
  Claw claw;
  drive_to(claw, "Lowering");
  claw.secure(EmergencyStop{});
  claw.secure(ResetClaw{});
  claw.press(Switch::claw_top, true);
  claw.press(Switch::limit_left, true);
  ASSERT_EQ(claw.state(), "Releasing");
  Effects& effects = claw.advance_to(claw.machine.next_deadline());
  ASSERT_EQ(claw.state(), "Ready");
  const std::vector<ClawStatusMessage> ready = messages_to<ClawStatusMessage>(effects, secure_channel);
  ASSERT_FALSE(ready.empty());
  EXPECT_FALSE(ready.back().result.has_value()) << "the server decides an e-stopped turn's result";
  EXPECT_TRUE(messages_anywhere<Control>(effects).empty());
}

TEST(ClawMachine, ResetWithoutAnEmergencyStopIsIgnored) {
  Claw claw;
  drive_to(claw, "Ready");
  claw.secure(ResetClaw{});
  EXPECT_EQ(claw.state(), "Ready");
  claw.link(false);
  claw.secure(ResetClaw{});
  EXPECT_EQ(claw.state(), "Halted") << "a RESET does not lift a lost link";
}

TEST(ClawMachine, LinkUpAfterHaltRaisesTheClaw) {
  Claw claw;
  drive_to(claw, "Lowering");
  claw.link(false);
  claw.link(true);
  EXPECT_EQ(claw.state(), "Raising");
  EXPECT_TRUE(claw.motor(Motor::claw_raise));
  EXPECT_FALSE(claw.motor(Motor::claw_close));  // Whatever it held was let go at the halt.
}

TEST(ClawMachine, LinkLossReportedBeforeBootIsNotForgotten) {
  Claw claw;
  claw.link(false);  // The transport was down when the machine started.
  claw.boot(at_top_and_home());
  EXPECT_EQ(claw.state(), "Halted") << "booted as if the link were up";
  EXPECT_FALSE(claw.any_motor_on());
  claw.link(true);
  EXPECT_NE(claw.state(), "Halted");
}

TEST(ClawMachine, RaisingOverrunFaultsAndGoesOffline) {
  Claw claw;
  claw.boot(SwitchStates{});
  ASSERT_EQ(claw.state(), "Raising");
  Effects& effects = claw.advance_to(test_config().raise_ms_max);
  EXPECT_EQ(claw.state(), "Fault");
  EXPECT_FALSE(claw.any_motor_on());
  EXPECT_EQ(claw.machine.counters().faults, 1U);
  std::vector<ClawStatusMessage> status = messages_to<ClawStatusMessage>(effects, secure_channel);
  ASSERT_EQ(status.size(), 1U);
  EXPECT_EQ(status[0].status, ClawStatus::offline);
  EXPECT_EQ(claw.machine.next_deadline(), time_never);
  // Stopped for good: grants and link changes are counted rejections.
  claw.listen(1);
  claw.link(false);
  EXPECT_EQ(claw.state(), "Fault");
  EXPECT_EQ(claw.machine.counters().rejected_events, 2U);
}

TEST(ClawMachine, HomingOverrunFaults) {
  Claw claw;
  drive_to(claw, "Homing");
  claw.advance_to(claw.now + test_config().home_ms_max);
  EXPECT_EQ(claw.state(), "Fault");
  EXPECT_FALSE(claw.any_motor_on());
}

// --- Timers ----------------------------------------------------------------------------

// The harness compares next_deadline() with the live timers after every input;
// this game visits every timer: ready repeat, subscribe, turn, dead-man,
// on-time limit, and every drop step.
TEST(ClawMachine, NextDeadlineIsTheEarliestTimerThroughAGame) {
  Claw claw;
  claw.boot(SwitchStates{});
  claw.press(Switch::claw_top, true);
  claw.press(Switch::limit_left, true);
  claw.press(Switch::limit_down, true);
  for (Turn turn = 1; turn <= 4; turn += 1) {
    while (claw.state() != "Ready") claw.advance_to(claw.machine.next_deadline());
    claw.advance_to(claw.machine.next_deadline());  // A CLAW_READY repeat.
    claw.listen(turn);
    if (turn == 2) {  // This one's subscription times out.
      claw.advance_to(claw.machine.next_deadline());
      continue;
    }
    claw.subscribed();
    claw.command(CommandKind::up_on);
    claw.advance_to(claw.machine.next_deadline());  // Dead-man.
    const std::uint64_t trips_before = claw.machine.counters().motor_limit_trips;
    for (int refresh = 0; refresh < 40 && claw.machine.counters().motor_limit_trips == trips_before; refresh += 1) {
      claw.command(refresh % 2 == 0 ? CommandKind::left_on : CommandKind::right_on);
      claw.advance_to(claw.now + test_config().deadman_ms / 2);
    }
    EXPECT_EQ(claw.machine.counters().motor_limit_trips, trips_before + 1);
    if (turn == 4) {
      claw.advance_to(claw.now + turn_ms);  // The turn timer drops for the player.
    } else {
      claw.command(CommandKind::drop);
    }
    EXPECT_EQ(claw.state(), "Lowering");
  }
  while (claw.state() != "Ready") claw.advance_to(claw.machine.next_deadline());
  EXPECT_GE(claw.machine.counters().deadman_trips, 3U);
  EXPECT_EQ(claw.machine.counters().turns_finished, 4U);
}

TEST(ClawMachine, ExtraTimeoutCallsAreHarmless) {
  Claw claw;
  claw.boot_ready();
  claw.grant(1);
  claw.command(CommandKind::up_on);
  const ClawCounters before = claw.machine.counters();
  const TimeMs deadline = claw.machine.next_deadline();
  for (TimeMs at : {claw.now, claw.now, claw.now + 1, deadline - 1, deadline - 1}) {
    Effects& effects = claw.advance_to(at);
    EXPECT_TRUE(effects.empty()) << test::describe_all(effects);
  }
  EXPECT_EQ(claw.state(), "Controlled");
  EXPECT_TRUE(claw.motor(Motor::gantry_up));
  EXPECT_EQ(claw.machine.counters().rejected_events, before.rejected_events);
  EXPECT_EQ(claw.machine.counters().deadman_trips, before.deadman_trips);
}

// --- Rejections ------------------------------------------------------------------------------

TEST(ClawMachine, MalformedOrForeignSecureMessagesAreCounted) {
  Claw claw;
  claw.boot_ready();
  for (const std::string& text : {std::string("junk"), std::string(limits::message_bytes_max + 1, '{'),
                                  encode(ClawStatusMessage{ClawStatus::ready, 0, {}}),  // Its own echo.
                                  encode(Command{CommandKind::drop, 1, 1})}) {
    claw.machine.handle_secure_message(text, claw.now);
    Effects& effects = claw.take();
    EXPECT_TRUE(effects_of<Publish>(effects).empty()) << text;
  }
  EXPECT_EQ(claw.machine.counters().rejected_messages, 4U);
  EXPECT_EQ(claw.state(), "Ready");
}

TEST(ClawMachine, UnexpectedEventsAreCountedNeverACrash) {
  Claw claw;
  claw.subscribed();           // Booting: nothing to subscribe to.
  claw.listen(1);              // Booting: not ready.
  claw.advance_to(5'000);      // Nothing due.
  claw.boot_ready();
  claw.subscribed();           // Ready: no subscription pending.
  claw.boot(at_top_and_home());  // A second boot.
  EXPECT_EQ(claw.state(), "Ready");
  claw.grant(1);
  claw.command(CommandKind::drop);
  claw.listen(2);              // Lowering: busy.
  EXPECT_EQ(claw.state(), "Lowering");
  EXPECT_EQ(claw.machine.counters().rejected_events, 5U);
}

// A rejected guard is still "an event that does not fit the current state".
TEST(ClawMachine, GuardRejectedEventsAreCounted) {
  Claw claw;
  claw.boot_ready();
  claw.listen(1);
  claw.subscribed(other_channel);  // Subscribing: wrong channel.
  claw.listen(2);                  // Subscribing: another turn.
  claw.subscribed();
  claw.secure(EndTurn{9});         // Controlled: another turn.
  claw.listen(9);                  // Controlled: another turn.
  EXPECT_EQ(claw.state(), "Controlled");
  EXPECT_EQ(claw.machine.counters().rejected_events, 4U);
}

// The input a cooperative world would give next: switches that follow the
// motors, the server's grants, a player's fresh commands.
void helpful_step(Claw& claw, test::SplitMix& random, Turn& turn) {
  const std::string state = claw.state();
  if (state == "Raising") {
    claw.press(Switch::claw_bottom, false);
    claw.press(Switch::claw_top, true);
  } else if (state == "Homing") {
    claw.press(random.below(2) == 0 ? Switch::limit_left : Switch::limit_down, true);
  } else if (state == "Lowering") {
    claw.press(Switch::claw_top, false);
    claw.press(Switch::claw_bottom, true);
  } else if (state == "Ready") {
    turn = std::max(turn, claw.machine.current_turn()) + 1;
    claw.listen(turn);
  } else if (state == "Subscribing") {
    claw.subscribed();
  } else if (state == "Controlled") {
    const std::uint64_t kinds = random.below(30) == 0 ? 9 : 8;  // Drop now and then.
    claw.command_with(static_cast<CommandKind>(random.below(kinds)), claw.machine.current_turn(), claw.last_seq() + 1);
  } else if (state == "Halted") {
    claw.link(true);
  } else if (claw.machine.next_deadline() != time_never) {
    claw.advance_to(claw.machine.next_deadline());
  }
}

// Noise: stale or replayed commands, stray switches, time jumps, link flaps.
void noisy_step(Claw& claw, test::SplitMix& random, Turn turn) {
  const std::uint64_t choice = random.below(100);
  if (choice < 30) {
    const auto kind = static_cast<CommandKind>(random.below(9));
    const Seq seq = random.below(2) == 0 ? claw.last_seq() : claw.last_seq() + 1;
    claw.command_with(kind, random.below(4) == 0 ? turn + 1 : turn, seq);
  } else if (choice < 55) {
    claw.press(static_cast<Switch>(random.below(switch_count)), random.below(2) == 0);
  } else if (choice < 85) {
    claw.advance_to(claw.now + static_cast<TimeMs>(random.below(900)));
  } else if (choice < 92) {
    claw.listen(turn + random.below(2));
  } else if (choice < 96) {
    claw.secure(EndTurn{turn});
  } else if (choice < 98) {
    claw.subscribed(random.below(2) == 0 ? channel : other_channel);
  } else {
    claw.link(false);
  }
}

// Random inputs through many turns: the harness's safety checks hold after
// every one, and so does the dead-man bound while the player steers.
TEST(ClawMachine, SafetyHoldsUnderRandomInputs) {
  test::SplitMix random(0xc1a3);
  auto claw_owner = std::make_unique<Claw>();
  claw_owner->boot(SwitchStates{});
  Turn turn = 0;
  TimeMs last_accepted_ms = 0;
  std::uint64_t accepted = 0;
  std::uint64_t accepted_total = 0;
  std::uint64_t reboots = 0;
  for (int step = 0; step < 30'000; step += 1) {
    Claw& claw = *claw_owner;
    if (random.below(3) != 0) {
      helpful_step(claw, random, turn);
    } else {
      noisy_step(claw, random, turn);
    }
    if (claw.machine.counters().commands_accepted != accepted) {
      accepted_total += claw.machine.counters().commands_accepted - accepted;
      accepted = claw.machine.counters().commands_accepted;
      last_accepted_ms = claw.now;
    }
    const std::string state = claw.state();
    if (state == "Controlled" && claw.machine.any_gantry_motor_on()) {
      ASSERT_LT(claw.now, last_accepted_ms + test_config().deadman_ms) << "dead-man bound broken at step " << step;
    }
    if (state != "Controlled" && state != "Homing") {
      ASSERT_FALSE(claw.machine.any_gantry_motor_on()) << "gantry moves in " << state << " at step " << step;
    }
    if (state == "Halted" || state == "Fault") {
      ASSERT_FALSE(claw.any_motor_on()) << state;
    }
    if (::testing::Test::HasFailure()) FAIL() << "at step " << step << " in " << claw.state();
    if (claw.state() == "Fault") {  // Stopped until rebooted: a new machine, as after a power cycle.
      claw_owner = std::make_unique<Claw>();
      claw_owner->boot(SwitchStates{});
      turn = 0;
      accepted = 0;
      last_accepted_ms = 0;
      reboots += 1;
    }
  }
  EXPECT_GT(accepted_total, 1'000U);  // The run did steer, many times.
  EXPECT_LT(reboots, 100U);
}

TEST(ClawMachine, ConfigValidationNamesTheField) {
  EXPECT_FALSE(validate(test_config()).has_value());
  ClawConfig config = test_config();
  config.deadman_ms = limits::deadman_ms_max + 1;
  EXPECT_EQ(validate(config).value_or(ConfigFieldError{}).field, "deadman_ms");
  config = test_config();
  config.grip_ms = 0;
  EXPECT_EQ(validate(config).value_or(ConfigFieldError{}).field, "grip_ms");
  config = test_config();
  config.commands_per_second_max = limits::commands_per_second_max + 1;
  EXPECT_EQ(validate(config).value_or(ConfigFieldError{}).field, "commands_per_second_max");
  config = test_config();
  config.motor_on_ms_max = config.deadman_ms;
  EXPECT_EQ(validate(config).value_or(ConfigFieldError{}).field, "motor_on_ms_max");
}


// --- The turn's record ------------------------------------------------------------------------

// Every effect of a run of inputs, in order.
class Recorder {
 public:
  void keep(const Effects& effects) { all.insert(all.end(), effects.begin(), effects.end()); }
  std::vector<TurnSummary> summaries() const { return messages_to<TurnSummary>(all, secure_channel); }
  // The (motor, on) of every SetMotor effect, in order.
  std::vector<std::pair<Motor, bool>> motor_changes() const {
    std::vector<std::pair<Motor, bool>> changes;
    for (const SetMotor& set : effects_of<SetMotor>(all)) changes.emplace_back(set.motor, set.on);
    return changes;
  }
  Effects all;
};

template <class Entry>
std::vector<Entry> entries_of(const TurnSummary& summary) {
  std::vector<Entry> found;
  for (const TurnEntry& entry : summary.entries) {
    if (const Entry* kind = std::get_if<Entry>(&entry)) found.push_back(*kind);
  }
  return found;
}

std::vector<std::pair<Motor, bool>> motor_changes_of(const TurnSummary& summary) {
  std::vector<std::pair<Motor, bool>> changes;
  for (const MotorEntry& entry : entries_of<MotorEntry>(summary)) changes.emplace_back(entry.motor, entry.on);
  return changes;
}

// From the grant to CLAW_READY: what the player sent, accepted or refused and why,
// what each motor did and who made it, and the result; published once, after
// the CLAW_READY that ends the turn.
TEST(ClawMachine, TheTurnRecordHoldsEveryCommandRejectionMotorChangeAndTheResult) {
  const ClawConfig config = test_config();
  Claw claw;
  claw.boot_ready();
  EXPECT_TRUE(messages_to<TurnSummary>(claw.effects, secure_channel).empty()) << "no turn, no record";
  Recorder run;
  const TimeMs listen_at = claw.now + 1'000;
  claw.now = listen_at;
  run.keep(claw.listen(7));
  claw.now = listen_at + 40;
  run.keep(claw.subscribed());
  claw.now = listen_at + 100;
  run.keep(claw.command(CommandKind::right_on));               // seq 1
  claw.now = listen_at + 110;
  run.keep(claw.command_with(CommandKind::right_on, 7, 1));    // Replayed.
  run.keep(claw.command_with(CommandKind::up_on, 6, 9));       // Another turn.
  run.keep(claw.say(channel, "{not json"));
  run.keep(claw.say(channel, encode(Position{1, true, 0})));   // Not a command.
  run.keep(claw.command(CommandKind::down_on));                // seq 10: the down end switch is pressed (home).
  run.keep(claw.advance_to(listen_at + 110 + config.deadman_ms));  // The dead-man stops the gantry.
  ASSERT_FALSE(claw.motor(Motor::gantry_right));
  const TimeMs dropped_at = listen_at + 2'000;
  claw.now = dropped_at;
  run.keep(claw.command(CommandKind::drop));                   // seq 11
  claw.now = dropped_at + 50;
  run.keep(claw.command(CommandKind::left_on));                // seq 12: the turn is over.
  run.keep(claw.press(Switch::claw_top, false));
  claw.now = dropped_at + 1'000;
  run.keep(claw.press(Switch::claw_bottom, true));
  run.keep(claw.advance_to(claw.now + config.grip_ms));
  run.keep(claw.press(Switch::claw_bottom, false));
  run.keep(claw.press(Switch::claw_top, true));                // Home already: Releasing.
  ASSERT_EQ(claw.state(), "Releasing");
  EXPECT_TRUE(run.summaries().empty()) << "the record is published when the turn is over, with CLAW_READY";
  Effects& ready = claw.advance_to(claw.now + config.release_ms);
  run.keep(ready);
  ASSERT_EQ(claw.state(), "Ready");
  // CLAW_READY first (the server closes the turn), then the summary.
  const std::vector<Publish> published = effects_of<Publish>(ready);
  ASSERT_EQ(published.size(), 3U) << test::describe_all(ready);  // The result, CLAW_READY, the summary.
  EXPECT_TRUE(std::holds_alternative<ClawStatusMessage>(published[1].message));
  EXPECT_TRUE(std::holds_alternative<TurnSummary>(published[2].message));

  const std::vector<TurnSummary> summaries = run.summaries();
  ASSERT_EQ(summaries.size(), 1U);
  const TurnSummary& summary = summaries[0];
  EXPECT_EQ(summary.turn, 7U);
  EXPECT_EQ(summary.channel, channel);
  EXPECT_EQ(summary.turn_ms, turn_ms);
  EXPECT_EQ(summary.control_at_ms, 40);
  EXPECT_EQ(summary.ended_at_ms, dropped_at - listen_at);
  EXPECT_EQ(summary.ready_at_ms, claw.now - listen_at);
  EXPECT_EQ(summary.result, TurnResult::loss);
  EXPECT_EQ(summary.entries_dropped, 0U);

  EXPECT_EQ(entries_of<CommandEntry>(summary),
            (std::vector<CommandEntry>{{100, CommandKind::right_on, 1, {}},
                                       {110, CommandKind::down_on, 10, NoMove::limit_switch},
                                       {2'000, CommandKind::drop, 11, {}}}));
  EXPECT_EQ(entries_of<RejectionEntry>(summary),
            (std::vector<RejectionEntry>{{110, Rejection::replayed_seq, CommandKind::right_on, 1},
                                         {110, Rejection::wrong_turn, CommandKind::up_on, 9},
                                         {110, Rejection::malformed, {}, 0},
                                         {110, Rejection::not_a_command, {}, 0},
                                         {2'050, Rejection::not_in_control, CommandKind::left_on, 12}}));
  // Every motor change the claw made from the grant to CLAW_READY, in order, and only those.
  EXPECT_EQ(motor_changes_of(summary), run.motor_changes());
  const std::vector<MotorEntry> motors = entries_of<MotorEntry>(summary);
  ASSERT_GE(motors.size(), 2U);
  EXPECT_EQ(motors[0], (MotorEntry{100, Motor::gantry_right, true, MotorCause::player}));
  EXPECT_EQ(motors[1], (MotorEntry{110 + config.deadman_ms, Motor::gantry_right, false, MotorCause::deadman}));
  for (std::size_t index = 2; index < motors.size(); index += 1) {
    EXPECT_TRUE(motors[index].cause == MotorCause::drop_cycle || motors[index].cause == MotorCause::limit_switch)
        << to_string(motors[index].cause);
  }
  const std::vector<SwitchEntry> switches = entries_of<SwitchEntry>(summary);
  EXPECT_EQ(switches, (std::vector<SwitchEntry>{{3'000, Switch::claw_bottom}, {3'000 + config.grip_ms, Switch::claw_top}}));
  // Published once: the next CLAW_READY repeats only the status.
  claw.advance_to(claw.machine.next_deadline());
  EXPECT_TRUE(messages_to<TurnSummary>(claw.effects, secure_channel).empty());
}

// A busy turn keeps its first turn_record_entries_max entries and counts the rest;
// the full record still fits one message.
TEST(ClawMachine, TheTurnRecordIsBoundedAndCountsWhatItDrops) {
  Claw claw;
  claw.boot_ready();
  Recorder run;
  run.keep(claw.listen(3));
  run.keep(claw.subscribed());
  constexpr int presses = 200;  // Each one a command and a motor change: 400 entries.
  for (int index = 0; index < presses; index += 1) {
    claw.now += 100;  // 10 a second, within the rate limit.
    run.keep(claw.command(index % 2 == 0 ? CommandKind::up_on : CommandKind::up_off));
  }
  run.keep(claw.command(CommandKind::drop));
  claw.press(Switch::claw_top, false);
  run.keep(claw.press(Switch::claw_bottom, true));
  run.keep(claw.advance_to(claw.now + claw.machine.config().grip_ms));
  claw.press(Switch::claw_bottom, false);
  run.keep(claw.press(Switch::claw_top, true));
  run.keep(claw.advance_to(claw.machine.next_deadline()));
  ASSERT_EQ(claw.state(), "Ready");
  const std::vector<TurnSummary> summaries = run.summaries();
  ASSERT_EQ(summaries.size(), 1U);
  const TurnSummary& summary = summaries[0];
  ASSERT_EQ(summary.entries.size(), limits::turn_record_entries_max);
  // Everything that happened: the accepted commands, the motor changes, two switch presses.
  const std::size_t happened = presses + 1 + run.motor_changes().size() + 2;
  EXPECT_EQ(summary.entries.size() + summary.entries_dropped, happened);
  EXPECT_EQ(entries_of<CommandEntry>(summary).front().seq, 1U);  // The first ones are kept.
  EXPECT_LE(encode(summary).size(), limits::turn_summary_bytes_max);
}

// A turn given up before any drop (here the subscription never came) is recorded
// too, without control and without a result of the claw's.
TEST(ClawMachine, ATurnGivenUpBeforeAnyDropIsRecordedWithoutAResult) {
  Claw claw;
  claw.boot_ready();
  Recorder run;
  const TimeMs listen_at = claw.now;
  run.keep(claw.listen(4));
  run.keep(claw.command_with(CommandKind::up_on, 4, 1));  // Before control.
  run.keep(claw.advance_to(listen_at + claw.machine.config().subscribe_ms_max));
  ASSERT_EQ(claw.state(), "Releasing");  // The claw is home already.
  run.keep(claw.advance_to(claw.machine.next_deadline()));
  ASSERT_EQ(claw.state(), "Ready");
  const std::vector<TurnSummary> summaries = run.summaries();
  ASSERT_EQ(summaries.size(), 1U);
  EXPECT_EQ(summaries[0].turn, 4U);
  EXPECT_FALSE(summaries[0].control_at_ms.has_value());
  EXPECT_FALSE(summaries[0].result.has_value());
  EXPECT_EQ(summaries[0].ended_at_ms, claw.machine.config().subscribe_ms_max);
  EXPECT_EQ(entries_of<RejectionEntry>(summaries[0]),
            (std::vector<RejectionEntry>{{0, Rejection::not_in_control, CommandKind::up_on, 1}}));
}

// An emergency stop mid-turn: the gantry stops as the turn ends, no drop, no
// result, and the record follows the CLAW_READY after the RESET.
TEST(ClawMachine, AnEmergencyStopMidTurnIsInTheRecordWithoutAResult) {
  Claw claw;
  claw.boot_ready();
  Recorder run;
  run.keep(claw.listen(5));
  run.keep(claw.subscribed());
  claw.now += 100;
  run.keep(claw.command(CommandKind::right_on));
  claw.now += 100;
  run.keep(claw.secure(EmergencyStop{}));
  ASSERT_EQ(claw.state(), "Halted");
  EXPECT_TRUE(run.summaries().empty());
  claw.now += 5'000;
  run.keep(claw.secure(ResetClaw{}));
  finish_homing(claw);
  run.keep(claw.effects);
  const std::vector<TurnSummary> summaries = run.summaries();
  ASSERT_EQ(summaries.size(), 1U);
  EXPECT_FALSE(summaries[0].result.has_value());
  EXPECT_EQ(summaries[0].ended_at_ms, 200);
  EXPECT_EQ(entries_of<MotorEntry>(summaries[0]).at(1), (MotorEntry{200, Motor::gantry_right, false, MotorCause::turn_end}));
}

}  // namespace
}  // namespace clawnet
