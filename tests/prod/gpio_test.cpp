// Gpio's safety rules on the simulated backend (the sim's real cabinet physics,
// with an injected clock), signal handling, and the libgpiod backend's errors.
#include "prod/gpio.hpp"
#include "prod/gpio_simulated.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>

namespace clawnet::prod {
namespace {

class SimulatedGpioTest : public ::testing::Test {
 protected:
  SimulatedGpioTest()
      : gpio_(io_, CabinetConfig{}, 7,
              [this](Switch which, bool pressed) { changes_.emplace_back(which, pressed); },
              [this] { return now_ms_; }) {}

  bool pressed(Switch which) const { return gpio_.switches().at(static_cast<std::size_t>(which)); }
  bool all_motors_off() const {
    for (int i = 0; i < motor_count; ++i) {
      if (gpio_.motor_on(static_cast<Motor>(i)) || gpio_.physics().motor_on(static_cast<Motor>(i))) return false;
    }
    return true;
  }

  boost::asio::io_context io_;
  TimeMs now_ms_ = 0;
  std::vector<std::pair<Switch, bool>> changes_;
  SimulatedGpio gpio_;
};

TEST_F(SimulatedGpioTest, StartsWithMotorsOffAndTheSwitchesOfTheHomePosition) {
  EXPECT_TRUE(all_motors_off());
  EXPECT_TRUE(pressed(Switch::limit_left));
  EXPECT_TRUE(pressed(Switch::limit_down));
  EXPECT_TRUE(pressed(Switch::claw_top));
  EXPECT_FALSE(pressed(Switch::limit_right));
  io_.poll();
  EXPECT_TRUE(changes_.empty());  // Initial states are not changes.
}

TEST_F(SimulatedGpioTest, RefusesToDriveIntoAPressedEndSwitch) {
  EXPECT_FALSE(gpio_.set_motor(Motor::gantry_left, true));
  EXPECT_FALSE(gpio_.set_motor(Motor::claw_raise, true));
  EXPECT_TRUE(all_motors_off());
  EXPECT_EQ(gpio_.limit_stops(), 2u);
  EXPECT_TRUE(gpio_.set_motor(Motor::claw_close, true));  // No end switch.
}

TEST_F(SimulatedGpioTest, AnEndSwitchStopsItsMotorAndIsReported) {
  ASSERT_TRUE(gpio_.set_motor(Motor::gantry_right, true));
  now_ms_ = 10;
  gpio_.poll_inputs();
  EXPECT_FALSE(pressed(Switch::limit_left));
  // 600 mm at 100 mm/s: the right end is reached by 6 s.
  now_ms_ = 7'000;
  gpio_.poll_inputs();
  EXPECT_TRUE(pressed(Switch::limit_right));
  EXPECT_FALSE(gpio_.motor_on(Motor::gantry_right));
  EXPECT_FALSE(gpio_.physics().motor_on(Motor::gantry_right));
  EXPECT_EQ(gpio_.limit_stops(), 1u);
  io_.poll();  // Notifications are posted, never delivered from inside the Gpio.
  const std::vector<std::pair<Switch, bool>> expected{{Switch::limit_left, false}, {Switch::limit_right, true}};
  EXPECT_EQ(changes_, expected);
}

TEST_F(SimulatedGpioTest, AllOffStopsEveryMotor) {
  ASSERT_TRUE(gpio_.set_motor(Motor::gantry_up, true));
  ASSERT_TRUE(gpio_.set_motor(Motor::claw_lower, true));
  ASSERT_TRUE(gpio_.set_motor(Motor::claw_close, true));
  gpio_.all_off();
  EXPECT_TRUE(all_motors_off());
}

TEST_F(SimulatedGpioTest, SigtermDrivesEveryMotorOffThenStops) {
  boost::asio::signal_set signals(io_, SIGINT, SIGTERM);
  int stopped_by = 0;
  drive_off_on_signals(signals, gpio_, [&](int signal) { stopped_by = signal; });
  ASSERT_TRUE(gpio_.set_motor(Motor::gantry_up, true));
  ASSERT_TRUE(gpio_.set_motor(Motor::gantry_right, true));
  ASSERT_EQ(std::raise(SIGTERM), 0);
  while (stopped_by == 0 && io_.run_one_for(std::chrono::seconds(10)) > 0) {
  }
  EXPECT_EQ(stopped_by, SIGTERM);
  EXPECT_TRUE(all_motors_off());
}

TEST(LibgpiodGpio, AMissingChipIsAnErrorNamingTheKey) {
  boost::asio::io_context io;
  GpioConfig config;
  config.chip = "/dev/clawnet-no-such-gpiochip";
  config.motors.at(0).offset = 1;
  const GpioResult result = open_libgpiod_gpio(io, config, {});
  ASSERT_TRUE(std::holds_alternative<GpioError>(result));
  EXPECT_NE(std::get<GpioError>(result).message.find("gpio.chip"), std::string::npos)
      << std::get<GpioError>(result).message;
}

// Real hardware: needs a chip and a line that is safe to toggle, named by
// CLAWNET_GPIO_TEST_CHIP and CLAWNET_GPIO_TEST_LINE.
TEST(LibgpiodGpio, DrivesAConfiguredLineOnAndOff) {
  bool any_chip = false;
  for (const auto& entry : std::filesystem::directory_iterator("/dev")) {
    if (entry.path().filename().string().starts_with("gpiochip")) any_chip = true;
  }
  if (!any_chip) GTEST_SKIP() << "no /dev/gpiochip* on this machine";
  const char* chip = std::getenv("CLAWNET_GPIO_TEST_CHIP");
  const char* line = std::getenv("CLAWNET_GPIO_TEST_LINE");
  if (chip == nullptr || line == nullptr) {
    GTEST_SKIP() << "set CLAWNET_GPIO_TEST_CHIP and CLAWNET_GPIO_TEST_LINE to a line safe to toggle";
  }
  boost::asio::io_context io;
  GpioConfig config;
  config.chip = chip;
  config.motors.at(static_cast<std::size_t>(Motor::claw_close)).offset = static_cast<std::uint32_t>(std::stoul(line));
  GpioResult result = open_libgpiod_gpio(io, config, {});
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<Gpio>>(result)) << std::get<GpioError>(result).message;
  auto& gpio = *std::get<std::unique_ptr<Gpio>>(result);
  EXPECT_FALSE(gpio.motor_on(Motor::claw_close));
  EXPECT_TRUE(gpio.set_motor(Motor::claw_close, true));
  EXPECT_TRUE(gpio.motor_on(Motor::claw_close));
  gpio.all_off();
  EXPECT_FALSE(gpio.motor_on(Motor::claw_close));
}

}  // namespace
}  // namespace clawnet::prod
