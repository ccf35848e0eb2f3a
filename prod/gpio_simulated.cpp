#include "prod/gpio_simulated.hpp"

#include <algorithm>
#include <chrono>
#include <random>

namespace clawnet::prod {

namespace {

SimulatedGpio::Clock steady_clock_from(std::chrono::steady_clock::time_point epoch) {
  return [epoch] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - epoch).count();
  };
}

// The simulated cabinet's draws (prize placement, grips): std::mt19937_64 from
// gpio.sim_seed, so a seed gives the same cabinet on every run of one build.
class SeededRandom {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(engine_);
  }
  // 53 random bits: uniform in [0, 1), never 1, so chance(1) always holds.
  double unit() { return static_cast<double>(engine_() >> 11U) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace

SimulatedGpio::SimulatedGpio(boost::asio::io_context& io, CabinetConfig cabinet, std::uint64_t seed,
                             SwitchHandler on_switch, Clock clock)
    : Gpio(io, std::move(on_switch)),
      clock_(clock ? std::move(clock) : steady_clock_from(std::chrono::steady_clock::now())),
      physics_(std::move(cabinet), CabinetRandom(SeededRandom(seed)), clock_()),
      timer_(io),
      epoch_(std::chrono::steady_clock::now() - std::chrono::milliseconds(physics_.time_ms())) {
  const SwitchStates initial = physics_.switches();
  for (int i = 0; i < switch_count; ++i) {
    switch_changed(static_cast<Switch>(i), initial.at(static_cast<std::size_t>(i)), false);
  }
  arm_timer();
}

SimulatedGpio::~SimulatedGpio() {
  timer_.cancel();
  all_off();
}

void SimulatedGpio::poll_inputs() {
  // The physics never goes back in time; a clock that does is held still.
  const TimeMs now_ms = std::max(clock_(), physics_.time_ms());
  for (const SwitchChange& change : physics_.advance_to(now_ms)) switch_changed(change.which, change.pressed);
}

void SimulatedGpio::write_motor(Motor motor, bool on) {
  poll_inputs();
  physics_.set_motor(motor, on, physics_.time_ms());
  arm_timer();
}

void SimulatedGpio::arm_timer() {
  const TimeMs next_ms = physics_.next_switch_change_ms();
  timer_.cancel();
  if (next_ms == time_never) return;
  // The real-time instant at which the physics reaches next_ms.
  timer_.expires_at(epoch_ + std::chrono::milliseconds(next_ms));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    poll_inputs();
    arm_timer();
  });
}

}  // namespace clawnet::prod
