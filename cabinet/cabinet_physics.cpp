#include "cabinet/cabinet_physics.hpp"

#include "core/probes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace clawnet {
namespace {

constexpr std::size_t index(Motor motor) { return static_cast<std::size_t>(motor); }
constexpr std::size_t index(Switch which) { return static_cast<std::size_t>(which); }

std::int64_t to_um(double mm) { return std::llround(mm * 1000.0); }
double to_mm(std::int64_t um) { return static_cast<double>(um) / 1000.0; }

// Whole ms needed to cover `distance_um` at `speed_um_per_ms`, rounded up:
// the first integer ms at which the axis is at the end.
TimeMs ms_to_cover(std::int64_t distance_um, std::int64_t speed_um_per_ms) {
  return (distance_um + speed_um_per_ms - 1) / speed_um_per_ms;
}

bool in_range(double value, double lo, double hi) { return value >= lo && value <= hi; }  // False for NaN.

}  // namespace

std::optional<std::string> validate(const CabinetConfig& config) {
  const CabinetGeometry& g = config.geometry;
  if (!in_range(g.width_mm, 1, cabinet_size_mm_max)) return fmt::format("geometry.width_mm must be in [1, {}]", cabinet_size_mm_max);
  if (!in_range(g.depth_mm, 1, cabinet_size_mm_max)) return fmt::format("geometry.depth_mm must be in [1, {}]", cabinet_size_mm_max);
  if (!in_range(g.drop_mm, 1, cabinet_size_mm_max)) return fmt::format("geometry.drop_mm must be in [1, {}]", cabinet_size_mm_max);
  if (!(g.chute_mm > 0 && g.chute_mm < std::min(g.width_mm, g.depth_mm)))
    return "geometry.chute_mm must be above 0 and below width_mm and depth_mm";
  if (config.gantry_mm_per_s < 1 || config.gantry_mm_per_s > cabinet_speed_mm_per_s_max)
    return fmt::format("gantry_mm_per_s must be in [1, {}]", cabinet_speed_mm_per_s_max);
  if (config.hoist_mm_per_s < 1 || config.hoist_mm_per_s > cabinet_speed_mm_per_s_max)
    return fmt::format("hoist_mm_per_s must be in [1, {}]", cabinet_speed_mm_per_s_max);
  if (config.chute_fall_ms < 0 || config.chute_fall_ms > 10'000) return "chute_fall_ms must be in [0, 10000]";
  if (config.chute_beam_ms < 1 || config.chute_beam_ms > 10'000) return "chute_beam_ms must be in [1, 10000]";
  if (config.prize_count > cabinet_prize_count_max)
    return fmt::format("prize_count must be at most {}", cabinet_prize_count_max);
  if (!in_range(config.grab_radius_mm, 0, cabinet_size_mm_max)) return "grab_radius_mm must be in [0, cabinet size]";
  if (!in_range(config.grip_chance_min, 0, 1)) return "grip_chance_min must be in [0, 1]";
  if (!in_range(config.grip_chance_max, config.grip_chance_min, 1))
    return "grip_chance_max must be in [grip_chance_min, 1]";
  if (!in_range(config.start_x_mm, 0, g.width_mm)) return "start_x_mm must be in [0, geometry.width_mm]";
  if (!in_range(config.start_y_mm, 0, g.depth_mm)) return "start_y_mm must be in [0, geometry.depth_mm]";
  if (!in_range(config.start_z_mm, 0, g.drop_mm)) return "start_z_mm must be in [0, geometry.drop_mm]";
  return std::nullopt;
}

CabinetPhysics::CabinetPhysics(CabinetConfig config, CabinetRandom random, TimeMs now_ms)
    : config_(config), random_(std::move(random)), now_ms_(now_ms) {
  if (auto error = validate(config_)) throw std::invalid_argument("CabinetConfig: " + *error);
  const CabinetGeometry& g = config_.geometry;
  axes_[0] = Axis{to_um(config_.start_x_mm), to_um(g.width_mm), config_.gantry_mm_per_s,
                  Motor::gantry_left, Motor::gantry_right, Switch::limit_left, Switch::limit_right};
  axes_[1] = Axis{to_um(config_.start_y_mm), to_um(g.depth_mm), config_.gantry_mm_per_s,
                  Motor::gantry_down, Motor::gantry_up, Switch::limit_down, Switch::limit_up};
  axes_[2] = Axis{to_um(config_.start_z_mm), to_um(g.drop_mm), config_.hoist_mm_per_s,
                  Motor::claw_raise, Motor::claw_lower, Switch::claw_top, Switch::claw_bottom};
  place_prizes();
}

std::vector<SwitchChange> CabinetPhysics::advance_to(TimeMs now_ms) {
  if (now_ms < now_ms_) throw std::logic_error("CabinetPhysics::advance_to: time went backwards");
  std::vector<SwitchChange> changes;
  if (now_ms == now_ms_) return changes;
  for (Axis& axis : axes_) advance_axis(axis, now_ms, changes);
  while (!chute_changes_.empty() && chute_changes_.front().at_ms <= now_ms) {
    const ChuteChange change = chute_changes_.front();
    chute_changes_.erase(chute_changes_.begin());
    const bool was_pressed = chute_stuck_ || chute_beam_broken_;
    (change.beam ? chute_beam_broken_ : chute_stuck_) = change.value;
    const bool pressed = chute_stuck_ || chute_beam_broken_;
    if (pressed != was_pressed) changes.push_back({Switch::prize_chute, pressed, change.at_ms});
  }
  std::sort(changes.begin(), changes.end(), [](const SwitchChange& a, const SwitchChange& b) {
    return std::tuple(a.at_ms, index(a.which)) < std::tuple(b.at_ms, index(b.which));
  });
  now_ms_ = now_ms;
  return changes;
}

void CabinetPhysics::set_motor(Motor motor, bool on, TimeMs now_ms) {
  if (now_ms != now_ms_) throw std::logic_error("CabinetPhysics::set_motor: call advance_to(now) first");
  const bool was_on = motors_.at(index(motor));
  motors_.at(index(motor)) = on;
  if (motor != Motor::claw_close || was_on == on) return;
  if (on) {
    close_gripper();
  } else {
    open_gripper();
  }
}

TimeMs CabinetPhysics::next_switch_change_ms() const {
  TimeMs next_ms = time_never;
  for (const Axis& axis : axes_) next_ms = std::min(next_ms, next_change_ms(axis));
  if (!chute_changes_.empty()) next_ms = std::min(next_ms, chute_changes_.front().at_ms);
  return next_ms;
}

void CabinetPhysics::set_chute_stuck(bool stuck, TimeMs now_ms) {
  if (now_ms != now_ms_) throw std::logic_error("CabinetPhysics::set_chute_stuck: call advance_to(now) first");
  schedule_chute({now_ms + 1, false, stuck});  // Seen from the next ms, as a switch leaving its end.
}

void CabinetPhysics::schedule_chute(ChuteChange change) {
  const auto later = std::upper_bound(chute_changes_.begin(), chute_changes_.end(), change.at_ms,
                                      [](TimeMs at_ms, const ChuteChange& other) { return at_ms < other.at_ms; });
  chute_changes_.insert(later, change);
}

SwitchStates CabinetPhysics::switches() const {
  SwitchStates states{};
  for (const Axis& axis : axes_) {
    states.at(index(axis.low_switch)) = axis.position_um == 0;
    states.at(index(axis.high_switch)) = axis.position_um == axis.end_um;
  }
  states.at(index(Switch::prize_chute)) = chute_stuck_ || chute_beam_broken_;
  return states;
}

CabinetView CabinetPhysics::view() const {
  CabinetView view;
  view.geometry = config_.geometry;
  view.x_mm = to_mm(axes_[0].position_um);
  view.y_mm = to_mm(axes_[1].position_um);
  view.z_mm = to_mm(axes_[2].position_um);
  view.claw_closed = motor_on(Motor::claw_close);
  view.motors = motors_;
  view.switches = switches();
  for (std::size_t i = 0; i < prizes_.size(); ++i) {
    const bool held = held_ == i;
    view.prizes.push_back(PrizeView{held ? view.x_mm : to_mm(prizes_[i].x_um),
                                    held ? view.y_mm : to_mm(prizes_[i].y_um), held, prizes_[i].won});
  }
  view.prizes_won = prizes_won_;
  return view;
}

std::int64_t CabinetPhysics::velocity_um_per_ms(const Axis& axis) const {
  const int direction = (motor_on(axis.plus_motor) ? 1 : 0) - (motor_on(axis.minus_motor) ? 1 : 0);
  return direction * axis.speed_um_per_ms;
}

TimeMs CabinetPhysics::next_change_ms(const Axis& axis) const {
  const std::int64_t v = velocity_um_per_ms(axis);
  if (v > 0) {
    if (axis.position_um == axis.end_um) return time_never;
    if (axis.position_um == 0) return now_ms_ + 1;  // Leaving the low end.
    return now_ms_ + ms_to_cover(axis.end_um - axis.position_um, v);
  }
  if (v < 0) {
    if (axis.position_um == 0) return time_never;
    if (axis.position_um == axis.end_um) return now_ms_ + 1;  // Leaving the high end.
    return now_ms_ + ms_to_cover(axis.position_um, -v);
  }
  return time_never;
}

void CabinetPhysics::advance_axis(Axis& axis, TimeMs to_ms, std::vector<SwitchChange>& changes) {
  const TimeMs from_ms = now_ms_;
  const TimeMs elapsed_ms = to_ms - from_ms;
  const std::int64_t v = velocity_um_per_ms(axis);
  if (v == 0) {
    // Stopped, or opposite motors cancelling: any motor on at its own end pushes.
    if (axis.position_um == 0 && motor_on(axis.minus_motor)) overrun_ms_.at(index(axis.minus_motor)) += elapsed_ms;
    if (axis.position_um == axis.end_um && motor_on(axis.plus_motor))
      overrun_ms_.at(index(axis.plus_motor)) += elapsed_ms;
    return;
  }
  const bool plus = v > 0;
  const std::int64_t target_um = plus ? axis.end_um : 0;
  const Motor pushing = plus ? axis.plus_motor : axis.minus_motor;
  const Switch arriving = plus ? axis.high_switch : axis.low_switch;
  const Switch leaving = plus ? axis.low_switch : axis.high_switch;
  const std::int64_t origin_um = plus ? 0 : axis.end_um;  // The end it would leave.
  if (axis.position_um == target_um) {
    overrun_ms_.at(index(pushing)) += elapsed_ms;
    return;
  }
  const std::int64_t speed = plus ? v : -v;
  const std::int64_t distance_um = plus ? axis.end_um - axis.position_um : axis.position_um;
  const TimeMs arrival_ms = from_ms + ms_to_cover(distance_um, speed);
  if (axis.position_um == origin_um) changes.push_back({leaving, false, from_ms + 1});
  if (to_ms >= arrival_ms) {
    axis.position_um = target_um;
    changes.push_back({arriving, true, arrival_ms});
    overrun_ms_.at(index(pushing)) += to_ms - arrival_ms;
  } else {
    axis.position_um += v * elapsed_ms;
  }
}

void CabinetPhysics::place_prizes() {
  const std::int64_t width_um = axes_[0].end_um;
  const std::int64_t depth_um = axes_[1].end_um;
  const std::int64_t chute_um = to_um(config_.geometry.chute_mm);
  for (std::size_t i = 0; i < config_.prize_count; ++i) {
    // Never inside the chute: beside it when level with it.
    const std::int64_t y_um = random_.between(0, depth_um);
    const std::int64_t x_um = y_um <= chute_um ? random_.between(chute_um + 1, width_um) : random_.between(0, width_um);
    const double chance =
        config_.grip_chance_min + random_.unit() * (config_.grip_chance_max - config_.grip_chance_min);
    prizes_.push_back(Prize{x_um, y_um, chance, false});
  }
}

void CabinetPhysics::close_gripper() {
  if (held_ || axes_[2].position_um != axes_[2].end_um) return;  // Only at the bottom.
  const double radius_um = config_.grab_radius_mm * 1000.0;
  std::optional<std::size_t> nearest;
  double nearest_um = 0;
  for (std::size_t i = 0; i < prizes_.size(); ++i) {
    if (prizes_[i].won) continue;
    const double dx = static_cast<double>(prizes_[i].x_um - axes_[0].position_um);
    const double dy = static_cast<double>(prizes_[i].y_um - axes_[1].position_um);
    const double distance_um = std::sqrt(dx * dx + dy * dy);
    if (distance_um > radius_um) continue;
    if (!nearest || distance_um < nearest_um) {
      nearest = i;
      nearest_um = distance_um;
    }
  }
  if (nearest && random_.chance(prizes_[*nearest].grip_chance)) held_ = nearest;
}

void CabinetPhysics::open_gripper() {
  if (!held_) return;
  Prize& prize = prizes_.at(*held_);
  held_.reset();
  prize.x_um = axes_[0].position_um;
  prize.y_um = axes_[1].position_um;
  const std::int64_t chute_um = to_um(config_.geometry.chute_mm);
  if (prize.x_um <= chute_um && prize.y_um <= chute_um) {
    prize.won = true;
    ++prizes_won_;
    coverage::sometimes(coverage::Probe::sim_prize_won);
    const TimeMs at_sensor_ms = now_ms_ + config_.chute_fall_ms;
    schedule_chute({at_sensor_ms, true, true});
    schedule_chute({at_sensor_ms + config_.chute_beam_ms, true, false});
  }
}

}  // namespace clawnet
