// SimulatedGpio: the cabinet model (cabinet/cabinet_physics.hpp, shared with the
// simulation) run in real time behind the Gpio interface, so clawcab runs on a
// laptop and in CI. `seed` places the prizes and decides the grips.
//
// Time: milliseconds from `clock` (default: the steady clock, 0 at construction).
// Switch changes are computed exactly by the physics; a steady_timer wakes at
// next_switch_change_ms() to deliver them, and every set_motor() first brings the
// physics up to date (poll_inputs), so Gpio's end-switch rules see current switches.
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "cabinet/cabinet_physics.hpp"
#include "prod/gpio.hpp"

#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>

namespace clawnet::prod {

class SimulatedGpio final : public Gpio {
 public:
  using Clock = std::function<TimeMs()>;
  // REQUIRES: validate(cabinet) is nullopt (else throws std::invalid_argument).
  SimulatedGpio(boost::asio::io_context& io, CabinetConfig cabinet, std::uint64_t seed, SwitchHandler on_switch,
                Clock clock = {});
  ~SimulatedGpio() override;

  // Advances the physics to the clock's now and delivers switch changes.
  void poll_inputs() override;
  const CabinetPhysics& physics() const { return physics_; }

 private:
  void write_motor(Motor motor, bool on) override;
  void arm_timer();

  Clock clock_;
  CabinetPhysics physics_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point epoch_;
};

}  // namespace clawnet::prod
