// The cabinet model: motion, switches, grips and prizes, and its random seam.
#include "cabinet/cabinet_physics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace clawnet {
namespace {

// A small seeded generator of the tests' own (splitmix64), so these tests need
// nothing from the simulation.
class TestRandom {
 public:
  explicit TestRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31U);
  }
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<std::int64_t>(span == 0 ? next() : next() % span);  // Bias is fine in a test.
  }
  double unit() { return static_cast<double>(next() >> 11U) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }

 private:
  std::uint64_t state_;
};

CabinetRandom seeded(std::uint64_t seed) { return CabinetRandom(TestRandom(seed)); }

CabinetConfig config_at(double x_mm, double y_mm, double z_mm) {
  CabinetConfig config;  // 600 x 500 x 300 mm, gantry 100 mm/s, hoist 150 mm/s.
  config.start_x_mm = x_mm;
  config.start_y_mm = y_mm;
  config.start_z_mm = z_mm;
  return config;
}

bool pressed(const CabinetPhysics& cabinet, Switch which) {
  return cabinet.switches().at(static_cast<std::size_t>(which));
}

// Runs `motor` from the cabinet's current time for `duration_ms`, then stops it.
void run_motor(CabinetPhysics& cabinet, Motor motor, TimeMs duration_ms) {
  cabinet.set_motor(motor, true, cabinet.time_ms());
  (void)cabinet.advance_to(cabinet.time_ms() + duration_ms);
  cabinet.set_motor(motor, false, cabinet.time_ms());
}

// Runs `motor` until the next switch change and stops it there.
std::vector<SwitchChange> run_to_switch(CabinetPhysics& cabinet, Motor motor) {
  cabinet.set_motor(motor, true, cabinet.time_ms());
  std::vector<SwitchChange> changes = cabinet.advance_to(cabinet.next_switch_change_ms());
  if (!changes.empty() && !changes.back().pressed) {  // Left one end; go on to the other.
    const auto more = cabinet.advance_to(cabinet.next_switch_change_ms());
    changes.insert(changes.end(), more.begin(), more.end());
  }
  cabinet.set_motor(motor, false, cabinet.time_ms());
  return changes;
}

TEST(CabinetConfig, ValidateNamesTheBadField) {
  EXPECT_EQ(validate(CabinetConfig{}), std::nullopt);
  CabinetConfig config;
  config.geometry.chute_mm = 700;
  EXPECT_NE(validate(config)->find("chute_mm"), std::string::npos);
  config = CabinetConfig{};
  config.gantry_mm_per_s = 0;
  EXPECT_NE(validate(config)->find("gantry_mm_per_s"), std::string::npos);
  config = CabinetConfig{};
  config.grip_chance_max = 0.1;
  EXPECT_NE(validate(config)->find("grip_chance_max"), std::string::npos);
  config = CabinetConfig{};
  config.start_x_mm = -1;
  EXPECT_NE(validate(config)->find("start_x_mm"), std::string::npos);
  EXPECT_THROW(CabinetPhysics(config, seeded(1), 0), std::invalid_argument);
}

TEST(CabinetPhysics, StartsWithTheSwitchesOfItsPosition) {
  CabinetPhysics home(config_at(0, 0, 0), seeded(1), 0);
  EXPECT_TRUE(pressed(home, Switch::limit_left));
  EXPECT_TRUE(pressed(home, Switch::limit_down));
  EXPECT_TRUE(pressed(home, Switch::claw_top));
  EXPECT_FALSE(pressed(home, Switch::limit_right));
  EXPECT_FALSE(pressed(home, Switch::limit_up));
  EXPECT_FALSE(pressed(home, Switch::claw_bottom));
  CabinetPhysics far(config_at(600, 500, 300), seeded(1), 0);
  EXPECT_TRUE(pressed(far, Switch::limit_right));
  EXPECT_TRUE(pressed(far, Switch::limit_up));
  EXPECT_TRUE(pressed(far, Switch::claw_bottom));
  EXPECT_EQ(far.next_switch_change_ms(), time_never);  // No motor on.
}

TEST(CabinetPhysics, MovesAtTheConfiguredSpeed) {
  CabinetPhysics cabinet(config_at(100, 100, 100), seeded(1), 1'000);
  cabinet.set_motor(Motor::gantry_right, true, 1'000);
  cabinet.set_motor(Motor::gantry_up, true, 1'000);
  cabinet.set_motor(Motor::claw_lower, true, 1'000);
  EXPECT_TRUE(cabinet.advance_to(2'000).empty());
  const CabinetView view = cabinet.view();
  EXPECT_EQ(view.x_mm, 200.0);
  EXPECT_EQ(view.y_mm, 200.0);
  EXPECT_EQ(view.z_mm, 250.0);
  EXPECT_TRUE(view.motors.at(static_cast<std::size_t>(Motor::gantry_right)));
  cabinet.set_motor(Motor::gantry_up, false, 2'000);
  cabinet.set_motor(Motor::claw_lower, false, 2'000);
  cabinet.set_motor(Motor::gantry_left, true, 2'000);  // Cancels gantry_right.
  (void)cabinet.advance_to(2'500);
  EXPECT_EQ(cabinet.view().x_mm, 200.0);
  EXPECT_EQ(cabinet.view().y_mm, 200.0);
}

TEST(CabinetPhysics, StopsAtTheLimitAndReportsTheExactTime) {
  CabinetPhysics cabinet(config_at(100, 50, 0), seeded(1), 0);
  cabinet.set_motor(Motor::gantry_left, true, 0);
  EXPECT_EQ(cabinet.next_switch_change_ms(), 1'000);
  EXPECT_TRUE(cabinet.advance_to(999).empty());
  EXPECT_FALSE(pressed(cabinet, Switch::limit_left));
  const auto changes = cabinet.advance_to(5'000);
  EXPECT_EQ(changes, (std::vector<SwitchChange>{{Switch::limit_left, true, 1'000}}));
  EXPECT_EQ(cabinet.view().x_mm, 0.0);
  EXPECT_TRUE(pressed(cabinet, Switch::limit_left));
  EXPECT_EQ(cabinet.next_switch_change_ms(), time_never);  // Pushing against the end.
  EXPECT_EQ(cabinet.overrun_ms(Motor::gantry_left), 4'000);
  EXPECT_EQ(cabinet.overrun_ms(Motor::gantry_right), 0);
}

TEST(CabinetPhysics, ArrivalBetweenMillisecondsIsReportedAtTheNextOne) {
  CabinetConfig config = config_at(500, 0, 0);
  config.gantry_mm_per_s = 70;  // 100 mm take 1428.57 ms.
  CabinetPhysics cabinet(config, seeded(1), 0);
  cabinet.set_motor(Motor::gantry_right, true, 0);
  EXPECT_EQ(cabinet.next_switch_change_ms(), 1'429);
  EXPECT_TRUE(cabinet.advance_to(1'428).empty());
  EXPECT_LT(cabinet.view().x_mm, 600.0);
  EXPECT_EQ(cabinet.advance_to(1'429), (std::vector<SwitchChange>{{Switch::limit_right, true, 1'429}}));
  EXPECT_EQ(cabinet.view().x_mm, 600.0);
  EXPECT_EQ(cabinet.overrun_ms(Motor::gantry_right), 0);
}

TEST(CabinetPhysics, LeavingAnEndReleasesItsSwitchOneMillisecondLater) {
  CabinetPhysics cabinet(config_at(0, 0, 0), seeded(1), 0);
  cabinet.set_motor(Motor::claw_lower, true, 0);
  EXPECT_EQ(cabinet.next_switch_change_ms(), 1);
  EXPECT_EQ(cabinet.advance_to(1), (std::vector<SwitchChange>{{Switch::claw_top, false, 1}}));
  EXPECT_EQ(cabinet.next_switch_change_ms(), 2'000);  // 300 mm at 150 mm/s.
  EXPECT_EQ(cabinet.advance_to(2'000), (std::vector<SwitchChange>{{Switch::claw_bottom, true, 2'000}}));
  cabinet.set_motor(Motor::claw_lower, false, 2'000);
  // Both changes inside one long step come out in time order.
  cabinet.set_motor(Motor::claw_raise, true, 2'000);
  cabinet.set_motor(Motor::gantry_right, true, 2'000);
  EXPECT_EQ(cabinet.advance_to(10'000), (std::vector<SwitchChange>{{Switch::limit_left, false, 2'001},
                                                                   {Switch::claw_bottom, false, 2'001},
                                                                   {Switch::claw_top, true, 4'000},
                                                                   {Switch::limit_right, true, 8'000}}));
  EXPECT_EQ(cabinet.overrun_ms(Motor::claw_raise), 6'000);
  EXPECT_EQ(cabinet.overrun_ms(Motor::gantry_right), 2'000);
}

TEST(CabinetPhysics, RefusesTimeTravelAndUnadvancedMotorChanges) {
  CabinetPhysics cabinet(config_at(0, 0, 0), seeded(1), 100);
  EXPECT_THROW((void)cabinet.advance_to(99), std::logic_error);
  EXPECT_THROW(cabinet.set_motor(Motor::gantry_up, true, 200), std::logic_error);
  EXPECT_NO_THROW(cabinet.set_motor(Motor::gantry_up, true, 100));
}

TEST(CabinetPhysics, PlacesPrizesOutsideTheChuteDeterministically) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    CabinetConfig config;
    config.prize_count = 30;
    const CabinetView view = CabinetPhysics(config, seeded(seed), 0).view();
    ASSERT_EQ(view.prizes.size(), 30U);
    for (const PrizeView& prize : view.prizes) {
      ASSERT_FALSE(prize.x_mm <= 120 && prize.y_mm <= 120);
      ASSERT_GE(prize.x_mm, 0);
      ASSERT_LE(prize.x_mm, 600);
      ASSERT_GE(prize.y_mm, 0);
      ASSERT_LE(prize.y_mm, 500);
    }
    const CabinetView again = CabinetPhysics(config, seeded(seed), 0).view();
    for (std::size_t i = 0; i < view.prizes.size(); ++i) ASSERT_EQ(view.prizes[i].x_mm, again.prizes[i].x_mm);
  }
}

// A cabinet with one prize that is always gripped, and the claw driven over it.
struct OnePrize {
  explicit OnePrize(double grip_chance) : cabinet(make_config(grip_chance), seeded(3), 0) {
    const PrizeView prize = cabinet.view().prizes.at(0);
    run_motor(cabinet, Motor::gantry_right, std::llround(prize.x_mm * 10));  // 100 mm/s = 0.1 mm/ms.
    run_motor(cabinet, Motor::gantry_up, std::llround(prize.y_mm * 10));
  }
  static CabinetConfig make_config(double grip_chance) {
    CabinetConfig config;
    config.prize_count = 1;
    config.grip_chance_min = grip_chance;
    config.grip_chance_max = grip_chance;
    return config;
  }
  CabinetPhysics cabinet;
};

TEST(CabinetPhysics, GrabsCarriesAndWinsAPrize) {
  OnePrize test(1.0);
  CabinetPhysics& cabinet = test.cabinet;
  // Closing above the bottom grabs nothing.
  run_motor(cabinet, Motor::claw_lower, 1'000);
  cabinet.set_motor(Motor::claw_close, true, cabinet.time_ms());
  EXPECT_FALSE(cabinet.held_prize());
  cabinet.set_motor(Motor::claw_close, false, cabinet.time_ms());

  const auto lowered = run_to_switch(cabinet, Motor::claw_lower);
  EXPECT_EQ(lowered.back(), (SwitchChange{Switch::claw_bottom, true, cabinet.time_ms()}));
  cabinet.set_motor(Motor::claw_close, true, cabinet.time_ms());
  ASSERT_EQ(cabinet.held_prize(), 0U);
  EXPECT_TRUE(cabinet.view().claw_closed);
  (void)run_to_switch(cabinet, Motor::claw_raise);
  EXPECT_TRUE(pressed(cabinet, Switch::claw_top));

  // The held prize moves with the claw.
  run_motor(cabinet, Motor::gantry_right, 300);
  CabinetView view = cabinet.view();
  EXPECT_TRUE(view.prizes[0].held);
  EXPECT_EQ(view.prizes[0].x_mm, view.x_mm);
  EXPECT_EQ(view.prizes[0].y_mm, view.y_mm);

  (void)run_to_switch(cabinet, Motor::gantry_left);
  (void)run_to_switch(cabinet, Motor::gantry_down);
  EXPECT_EQ(cabinet.view().x_mm, 0.0);
  EXPECT_EQ(cabinet.view().y_mm, 0.0);
  cabinet.set_motor(Motor::claw_close, false, cabinet.time_ms());
  view = cabinet.view();
  EXPECT_FALSE(cabinet.held_prize());
  EXPECT_TRUE(view.prizes[0].won);
  EXPECT_FALSE(view.prizes[0].held);
  EXPECT_EQ(view.prizes_won, 1U);
  EXPECT_FALSE(view.claw_closed);
}

// A won prize falls through the chute's light barrier: one press, one release,
// chute_fall_ms after the gripper opens and chute_beam_ms long.
TEST(CabinetPhysics, AWonPrizeBreaksTheChuteBeamOnce) {
  OnePrize test(1.0);
  CabinetPhysics& cabinet = test.cabinet;
  (void)run_to_switch(cabinet, Motor::claw_lower);
  cabinet.set_motor(Motor::claw_close, true, cabinet.time_ms());
  ASSERT_EQ(cabinet.held_prize(), 0U);
  (void)run_to_switch(cabinet, Motor::claw_raise);
  (void)run_to_switch(cabinet, Motor::gantry_left);
  (void)run_to_switch(cabinet, Motor::gantry_down);
  const TimeMs opened_ms = cabinet.time_ms();
  cabinet.set_motor(Motor::claw_close, false, opened_ms);  // At the chute corner: a win.
  const CabinetConfig config;
  EXPECT_EQ(cabinet.next_switch_change_ms(), opened_ms + config.chute_fall_ms);
  const std::vector<SwitchChange> changes = cabinet.advance_to(opened_ms + 1'000);
  EXPECT_EQ(changes, (std::vector<SwitchChange>{
                         {Switch::prize_chute, true, opened_ms + config.chute_fall_ms},
                         {Switch::prize_chute, false, opened_ms + config.chute_fall_ms + config.chute_beam_ms}}));
  EXPECT_FALSE(pressed(cabinet, Switch::prize_chute));
}

// A stuck sensor reads pressed from the next millisecond until it is freed, and a
// prize falling meanwhile shows no edge of its own.
TEST(CabinetPhysics, AStuckChuteSensorStaysPressed) {
  OnePrize test(1.0);
  CabinetPhysics& cabinet = test.cabinet;
  const TimeMs stuck_ms = cabinet.time_ms();
  cabinet.set_chute_stuck(true, stuck_ms);
  EXPECT_EQ(cabinet.advance_to(stuck_ms + 10),
            (std::vector<SwitchChange>{{Switch::prize_chute, true, stuck_ms + 1}}));
  (void)run_to_switch(cabinet, Motor::claw_lower);
  cabinet.set_motor(Motor::claw_close, true, cabinet.time_ms());
  (void)run_to_switch(cabinet, Motor::claw_raise);
  (void)run_to_switch(cabinet, Motor::gantry_left);
  (void)run_to_switch(cabinet, Motor::gantry_down);
  cabinet.set_motor(Motor::claw_close, false, cabinet.time_ms());
  ASSERT_EQ(cabinet.prizes_won(), 1U);
  EXPECT_TRUE(cabinet.advance_to(cabinet.time_ms() + 1'000).empty());
  EXPECT_TRUE(pressed(cabinet, Switch::prize_chute));
  const TimeMs freed_ms = cabinet.time_ms();
  cabinet.set_chute_stuck(false, freed_ms);
  EXPECT_EQ(cabinet.advance_to(freed_ms + 10),
            (std::vector<SwitchChange>{{Switch::prize_chute, false, freed_ms + 1}}));
}

TEST(CabinetPhysics, PrizeReleasedOutsideTheChuteFallsWhereTheClawIs) {
  OnePrize test(1.0);
  CabinetPhysics& cabinet = test.cabinet;
  (void)run_to_switch(cabinet, Motor::claw_lower);
  cabinet.set_motor(Motor::claw_close, true, cabinet.time_ms());
  ASSERT_TRUE(cabinet.held_prize());
  (void)run_to_switch(cabinet, Motor::claw_raise);
  (void)run_to_switch(cabinet, Motor::gantry_right);
  cabinet.set_motor(Motor::claw_close, false, cabinet.time_ms());
  const CabinetView view = cabinet.view();
  EXPECT_FALSE(view.prizes[0].held);
  EXPECT_FALSE(view.prizes[0].won);
  EXPECT_EQ(view.prizes[0].x_mm, 600.0);
  EXPECT_EQ(view.prizes[0].y_mm, view.y_mm);
  EXPECT_EQ(view.prizes_won, 0U);
}

TEST(CabinetPhysics, ZeroGripChanceNeverGrabs) {
  OnePrize test(0.0);
  (void)run_to_switch(test.cabinet, Motor::claw_lower);
  test.cabinet.set_motor(Motor::claw_close, true, test.cabinet.time_ms());
  EXPECT_FALSE(test.cabinet.held_prize());
}

// Always the lowest value and the first chance: a generator whose draws are known.
struct LowestRandom {
  std::int64_t between(std::int64_t lo, std::int64_t) { return lo; }
  double unit() { return 0; }
  bool chance(double p) { return p > 0; }
};

TEST(CabinetRandom, TheCabinetDrawsOnlyFromTheGeneratorItIsGiven) {
  CabinetConfig config;
  config.prize_count = 2;
  const CabinetView view = CabinetPhysics(config, CabinetRandom(LowestRandom{}), 0).view();
  // y at its lowest is beside the chute, so x is the first micrometre past it.
  for (const PrizeView& prize : view.prizes) {
    EXPECT_EQ(prize.x_mm, 120.001);
    EXPECT_EQ(prize.y_mm, 0.0);
  }
}

TEST(CabinetRandom, ACopyDrawsWhatTheOriginalWouldAndLeavesItAlone) {
  CabinetRandom original(TestRandom(9));
  (void)original.between(0, 100);
  CabinetRandom copy = original;
  std::vector<std::int64_t> from_copy;
  for (int i = 0; i < 5; ++i) from_copy.push_back(copy.between(0, 1'000'000));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(original.between(0, 1'000'000), from_copy.at(static_cast<std::size_t>(i)));
}

TEST(CabinetRandom, ACopiedCabinetGripsAsTheOriginalWould) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    CabinetConfig config;
    config.prize_count = 1;
    config.grab_radius_mm = 1'000;  // Any closing at the bottom tries the prize.
    CabinetPhysics original(config, seeded(seed), 0);
    (void)run_to_switch(original, Motor::claw_lower);
    CabinetPhysics copy = original;
    original.set_motor(Motor::claw_close, true, original.time_ms());
    copy.set_motor(Motor::claw_close, true, copy.time_ms());
    EXPECT_EQ(original.held_prize(), copy.held_prize()) << seed;
  }
}

}  // namespace
}  // namespace clawnet
