// Gpio: the cabinet's motors (outputs) and switches (inputs), behind one small
// interface with two backends: libgpiod v1.6 (prod/gpio_libgpiod.cpp) and the
// sim's cabinet physics run in real time (prod/gpio_simulated.cpp).
//
// Safety, enforced here for every backend, below the ClawMachine (which does
// the rest: dead-man, motor-on limit):
//  1. Every motor is off from the first instant (outputs are requested off), on
//     all_off(), and in the destructor.
//  2. A motor never runs into its pressed end switch: set_motor(m, true) is
//     refused while the switch in m's direction is pressed, and a press turns the
//     motor into it off before anyone hears of the press.
//     (gantry_up/down/left/right -> limit_up/down/left/right, claw_lower ->
//     claw_bottom, claw_raise -> claw_top; claw_close has no end.)
//  3. Switch changes are debounced by the backend and delivered through the
//     handler, posted to the io_context (never from inside set_motor), only when
//     the state really changed.
// drive_off_on_signals() turns SIGINT/SIGTERM into all_off() then a stop callback.
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "core/claw_machine.hpp"
#include "core/effects.hpp"
#include "prod/config.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace clawnet::prod {

using SwitchHandler = std::function<void(Switch which, bool pressed)>;

// The end switch `motor` runs into, if it has one.
std::optional<Switch> end_switch(Motor motor);

class Gpio {
 public:
  virtual ~Gpio();
  Gpio(const Gpio&) = delete;
  Gpio& operator=(const Gpio&) = delete;

  // Returns true iff the motor is now in the requested state (an "on" into a
  // pressed end switch is refused and returns false).
  bool set_motor(Motor motor, bool on);
  void all_off();
  bool motor_on(Motor motor) const { return motors_.at(static_cast<std::size_t>(motor)); }
  // The debounced switch states (what the ClawMachine boots with).
  const SwitchStates& switches() const { return switches_; }
  std::uint64_t limit_stops() const { return limit_stops_; }

 protected:
  Gpio(boost::asio::io_context& io, SwitchHandler on_switch);
  // Called first by set_motor(): a backend that can bring its inputs up to date
  // synchronously (the simulation) does so, so the end-switch check is current.
  virtual void poll_inputs() {}
  // Drives the output; `on` is logical (the backend applies active-low).
  virtual void write_motor(Motor motor, bool on) = 0;
  // Backends call this with each debounced change, and once per switch at start
  // (with notify = false) to set the initial states.
  void switch_changed(Switch which, bool pressed, bool notify = true);

 private:
  boost::asio::io_context& io_;
  SwitchHandler on_switch_;
  std::array<bool, motor_count> motors_{};
  SwitchStates switches_{};
  std::uint64_t limit_stops_ = 0;
};

struct GpioError {
  std::string message;
};
using GpioResult = std::variant<std::unique_ptr<Gpio>, GpioError>;

// libgpiod v1.6 on config.chip; every configured motor line requested as an output
// at 0 (off), every configured switch line as a both-edges input.
GpioResult open_libgpiod_gpio(boost::asio::io_context& io, const GpioConfig& config, SwitchHandler on_switch);

// On SIGINT or SIGTERM: gpio.all_off(), then `stop()`. Keep `signals` alive.
void drive_off_on_signals(boost::asio::signal_set& signals, Gpio& gpio, std::function<void(int signal)> stop);

}  // namespace clawnet::prod
