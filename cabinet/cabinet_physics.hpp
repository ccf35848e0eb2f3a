// CabinetPhysics: a model of the cabinet the ClawMachine drives. Gantry x/y and
// hoist z move at constant speed while their motors run; limit switches are
// pressed exactly at the travel ends; the gripper grabs, carries and drops
// prizes.
//
// Model:
//  1. Positions are whole micrometres and speeds whole mm/s (= um/ms), so motion
//     is exact integer arithmetic: at integer ms t, an axis is at
//     clamp(p0 + v * (t - t0)). An end's switch is pressed from the first ms at
//     which the axis is at that end; it is released 1 ms after a motor starts
//     moving the axis away (the first instant it has moved).
//  2. x: gantry_left (-) / gantry_right (+), ends limit_left / limit_right.
//     y: gantry_down (-) / gantry_up (+), ends limit_down / limit_up.
//     z: claw_raise (-) / claw_lower (+), ends claw_top (z = 0) / claw_bottom
//     (z = drop). Opposite motors on together cancel out.
//  3. The gripper is closed exactly while claw_close is on. Closing at the
//     bottom (claw_bottom pressed) within grab_radius_mm of a free prize
//     grabs the nearest one with its grip chance (one draw of its
//     CabinetRandom). A held prize moves with the claw; opening over the
//     chute ([0, chute_mm]^2) wins it, elsewhere it falls where the claw is.
//  4. A motor that stays on at its end pushes without moving; overrun_ms()
//     totals that time per motor (invariant 4, motor safety, in sim/oracle.hpp).
//  5. A prize won falls through the chute's sensor (a light barrier):
//     prize_chute is pressed chute_fall_ms after the gripper opens, for
//     chute_beam_ms. set_chute_stuck() models a sensor stuck pressed.
// Calling discipline: advance_to(now) first, feed the switch changes to the
// machine, then set_motor(.., now) for its SetMotor effects, and wake again at
// next_switch_change_ms(). The simulation (sim/world.hpp) and clawcab's
// simulated GPIO (prod/gpio_simulated.hpp) both drive it. Not thread-safe.
#pragma once

#include "cabinet/cabinet_random.hpp"
#include "cabinet/cabinet_view.hpp"
#include "core/claw_machine.hpp"
#include "core/effects.hpp"
#include "core/time.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace clawnet {

struct CabinetConfig {
  CabinetGeometry geometry;
  std::int64_t gantry_mm_per_s = 100;  // Whole mm/s: motion stays exact.
  std::int64_t hoist_mm_per_s = 150;
  std::size_t prize_count = 8;
  double grab_radius_mm = 40;
  double grip_chance_min = 0.3;        // Each prize's chance is uniform in [min, max].
  double grip_chance_max = 0.8;
  double start_x_mm = 0;               // Where the claw is at power-on.
  double start_y_mm = 0;
  double start_z_mm = 0;
  std::int64_t chute_fall_ms = 300;    // From the gripper opening to the prize at the sensor.
  std::int64_t chute_beam_ms = 80;     // How long a falling prize breaks the beam.
};

inline constexpr std::size_t cabinet_prize_count_max = 1'000;
inline constexpr std::int64_t cabinet_speed_mm_per_s_max = 10'000;
inline constexpr double cabinet_size_mm_max = 100'000;

// Returns an error naming the bad field, or nullopt if `config` is valid.
std::optional<std::string> validate(const CabinetConfig& config);

struct SwitchChange {
  Switch which = Switch::claw_top;
  bool pressed = false;
  TimeMs at_ms = 0;
  bool operator==(const SwitchChange&) const = default;
};

class CabinetPhysics {
 public:
  // REQUIRES: validate(config) is nullopt (else throws std::invalid_argument).
  // Prizes are placed from `random`, which later decides grabs.
  CabinetPhysics(CabinetConfig config, CabinetRandom random, TimeMs now_ms);

  // Moves time forward to `now_ms` and returns the switch changes on the way,
  // in time order (ties in Switch order). REQUIRES: now_ms >= time_ms()
  // (throws std::logic_error otherwise).
  std::vector<SwitchChange> advance_to(TimeMs now_ms);
  // Turns a motor on or off at `now_ms`. REQUIRES: now_ms == time_ms(), i.e.
  // advance_to(now_ms) came first (throws std::logic_error otherwise).
  void set_motor(Motor motor, bool on, TimeMs now_ms);
  // The earliest time after time_ms() at which a switch changes under the
  // current motors, or time_never.
  TimeMs next_switch_change_ms() const;

  TimeMs time_ms() const { return now_ms_; }
  bool motor_on(Motor motor) const { return motors_.at(static_cast<std::size_t>(motor)); }
  SwitchStates switches() const;
  // Time `motor` spent on while the switch at its end was pressed (0 for claw_close).
  TimeMs overrun_ms(Motor motor) const { return overrun_ms_.at(static_cast<std::size_t>(motor)); }
  CabinetView view() const;
  std::uint64_t prizes_won() const { return prizes_won_; }
  // A fault of the chute sensor: stuck pressed from `now_ms` (or working again).
  // REQUIRES: advance_to(now_ms) came first.
  void set_chute_stuck(bool stuck, TimeMs now_ms);
  std::optional<std::size_t> held_prize() const { return held_; }

 private:
  struct Axis {
    std::int64_t position_um = 0;
    std::int64_t end_um = 0;
    std::int64_t speed_um_per_ms = 0;
    Motor minus_motor;
    Motor plus_motor;
    Switch low_switch;
    Switch high_switch;
  };
  struct Prize {
    std::int64_t x_um = 0;
    std::int64_t y_um = 0;
    double grip_chance = 0;
    bool won = false;
  };

  std::int64_t velocity_um_per_ms(const Axis& axis) const;
  TimeMs next_change_ms(const Axis& axis) const;
  void advance_axis(Axis& axis, TimeMs to_ms, std::vector<SwitchChange>& changes);
  void place_prizes();
  void close_gripper();
  void open_gripper();

  CabinetConfig config_;
  CabinetRandom random_;
  TimeMs now_ms_;
  std::array<Axis, 3> axes_;  // x, y, z.
  std::array<bool, motor_count> motors_{};
  std::array<TimeMs, motor_count> overrun_ms_{};
  std::vector<Prize> prizes_;
  std::optional<std::size_t> held_;
  std::uint64_t prizes_won_ = 0;
  // The chute sensor: what breaks its beam (falling prizes) and whether it is
  // stuck, as changes to come in time order; it reads pressed if either holds.
  struct ChuteChange {
    TimeMs at_ms = 0;
    bool beam = false;  // A beam change, else a stuck change.
    bool value = false;
  };
  void schedule_chute(ChuteChange change);
  std::vector<ChuteChange> chute_changes_;
  bool chute_beam_broken_ = false;
  bool chute_stuck_ = false;
};

}  // namespace clawnet
