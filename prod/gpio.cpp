#include "prod/gpio.hpp"

#include <boost/asio/post.hpp>

namespace clawnet::prod {

std::optional<Switch> end_switch(Motor motor) {
  switch (motor) {
    case Motor::gantry_up: return Switch::limit_up;
    case Motor::gantry_down: return Switch::limit_down;
    case Motor::gantry_left: return Switch::limit_left;
    case Motor::gantry_right: return Switch::limit_right;
    case Motor::claw_lower: return Switch::claw_bottom;
    case Motor::claw_raise: return Switch::claw_top;
    case Motor::claw_close: return std::nullopt;
  }
  return std::nullopt;
}

Gpio::Gpio(boost::asio::io_context& io, SwitchHandler on_switch) : io_(io), on_switch_(std::move(on_switch)) {}

// Backends drive their outputs off in their own destructors (write_motor is
// gone by the time this runs).
Gpio::~Gpio() = default;

bool Gpio::set_motor(Motor motor, bool on) {
  poll_inputs();
  const auto index = static_cast<std::size_t>(motor);
  if (on) {
    const std::optional<Switch> end = end_switch(motor);
    if (end.has_value() && switches_.at(static_cast<std::size_t>(*end))) {
      if (motors_.at(index)) {
        write_motor(motor, false);
        motors_.at(index) = false;
      }
      limit_stops_ += 1;
      return false;
    }
  }
  write_motor(motor, on);
  motors_.at(index) = on;
  return true;
}

void Gpio::all_off() {
  // Every line, not only those we believe on: a line's state is not worth trusting here.
  for (int i = 0; i < motor_count; ++i) {
    write_motor(static_cast<Motor>(i), false);
    motors_.at(static_cast<std::size_t>(i)) = false;
  }
}

void Gpio::switch_changed(Switch which, bool pressed, bool notify) {
  const auto index = static_cast<std::size_t>(which);
  if (notify && switches_.at(index) == pressed) return;
  switches_.at(index) = pressed;
  if (pressed) {
    for (int i = 0; i < motor_count; ++i) {
      const auto motor = static_cast<Motor>(i);
      if (end_switch(motor) == which && motor_on(motor)) {
        write_motor(motor, false);
        motors_.at(static_cast<std::size_t>(i)) = false;
        limit_stops_ += 1;
      }
    }
  }
  if (notify && on_switch_) {
    boost::asio::post(io_, [handler = on_switch_, which, pressed] { handler(which, pressed); });
  }
}

void drive_off_on_signals(boost::asio::signal_set& signals, Gpio& gpio, std::function<void(int signal)> stop) {
  signals.async_wait([&gpio, stop = std::move(stop)](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    gpio.all_off();
    if (stop) stop(signal);
  });
}

}  // namespace clawnet::prod
