// SimulatedGpio: the sim's CabinetPhysics (sim/cabinet_physics.hpp) run in real
// time behind the Gpio interface, so clawcab runs on a laptop and in CI.
//
// Time: milliseconds from `clock` (default: the steady clock, 0 at construction).
// Switch changes are computed exactly by the physics; a steady_timer wakes at
// next_switch_change_ms() to deliver them, and every set_motor() first brings the
// physics up to date (poll_inputs), so Gpio's end-switch rules see current switches.
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "prod/gpio.hpp"
#include "sim/cabinet_physics.hpp"

#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>

namespace clawnet::prod {

class SimulatedGpio final : public Gpio {
 public:
  using Clock = std::function<TimeMs()>;
  // REQUIRES: sim::validate(cabinet) is nullopt (else throws std::invalid_argument).
  SimulatedGpio(boost::asio::io_context& io, sim::CabinetConfig cabinet, std::uint64_t seed, SwitchHandler on_switch,
                Clock clock = {});
  ~SimulatedGpio() override;

  // Advances the physics to the clock's now and delivers switch changes.
  void poll_inputs() override;
  const sim::CabinetPhysics& physics() const { return physics_; }

 private:
  void write_motor(Motor motor, bool on) override;
  void arm_timer();

  Clock clock_;
  sim::CabinetPhysics physics_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point epoch_;
};

}  // namespace clawnet::prod
