// validate_config(): the core validators and the cross-key checks name a key and line.
#include "prod/config.hpp"

#include <gtest/gtest.h>

namespace clawnet::prod {
namespace {

ConfigError validation_error(std::string_view text) {
  ConfigResult result = parse_config(text, "test.conf");
  EXPECT_TRUE(std::holds_alternative<Config>(result));
  if (!std::holds_alternative<Config>(result)) return ConfigError{};
  auto error = validate_config(std::get<Config>(result), "test.conf");
  EXPECT_TRUE(error.has_value()) << text;
  return error.value_or(ConfigError{});
}

TEST(ConfigValidate, DefaultsAreValid) {
  ConfigResult result = parse_config("", "test.conf");
  ASSERT_TRUE(std::holds_alternative<Config>(result));
  const auto error = validate_config(std::get<Config>(result), "test.conf");
  EXPECT_FALSE(error.has_value()) << error->describe();
}

TEST(ConfigValidate, CoreErrorsNameTheKey) {
  // Each value is in its range (the parser checks those); the core validator
  // refuses the pair, and names the field it blames.
  const ConfigError error = validation_error("claw.deadman_ms = 900\nclaw.motor_on_ms_max = 900\n");
  EXPECT_EQ(error.key, "claw.motor_on_ms_max") << error.describe();
  EXPECT_EQ(error.line, 2);
  EXPECT_EQ(error.describe(), "test.conf:2: key 'claw.motor_on_ms_max': motor_on_ms_max must exceed deadman_ms");
}

TEST(ConfigValidate, ACoreErrorOfAKeyLeftOutHasNoLine) {
  Config config = std::get<Config>(parse_config("", "test.conf"));
  config.server.grace_ms = -1;  // Set by code, not by the file.
  const auto error = validate_config(config, "test.conf");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->key, "server.grace_ms");
  EXPECT_EQ(error->line, 0);
  EXPECT_EQ(error->message, "grace_ms must be 0..86400000 ms");
}

TEST(ConfigValidate, ReconnectBoundsMustBeOrdered) {
  const ConfigError error = validation_error("broker.reconnect_min_ms = 5000\nbroker.reconnect_max_ms = 100\n");
  EXPECT_EQ(error.key, "broker.reconnect_min_ms");
  EXPECT_EQ(error.line, 1);
}

TEST(ConfigValidate, TwoMotorsOnOneLineAreRefused) {
  const ConfigError error = validation_error("gpio.motor.gantry_up = 5\ngpio.motor.claw_close = 5\n");
  EXPECT_EQ(error.key, "gpio.motor.claw_close");
  EXPECT_EQ(error.line, 2);
}

TEST(ConfigValidate, LibgpiodNeedsEveryMotorLine) {
  const ConfigError error = validation_error("gpio.backend = libgpiod\n");
  EXPECT_EQ(error.key, "gpio.motor.gantry_up");
}

}  // namespace
}  // namespace clawnet::prod

namespace clawnet::prod {
namespace {

// The example configs in deploy/ parse and validate.
TEST(ConfigValidate, WebUrlsAreCheckedAndNamed) {
  EXPECT_EQ(validation_error("web.broker_url = http://example.com:8083\n").key, "web.broker_url");
  EXPECT_EQ(validation_error("web.broker_url = ws://{port}:8083\n").key, "web.broker_url");
  EXPECT_EQ(validation_error("web.broker_url = ws://h/';x\n").key, "web.broker_url");
  const ConfigError missing = validation_error("web.camera_kind = mjpeg\n");
  EXPECT_EQ(missing.key, "web.camera_url");
  EXPECT_NE(missing.message.find("must be set"), std::string::npos) << missing.describe();
  EXPECT_EQ(validation_error("web.camera_url = http://cam/\n").key, "web.camera_url");  // Kind none.
  EXPECT_EQ(validation_error("web.camera_kind = page\nweb.camera_url = ws://cam/\n").key, "web.camera_url");
  EXPECT_EQ(validation_error("web.camera_kind = page\nweb.camera_url = http://{host}/\n").key, "web.camera_url");
  for (const char* text : {"web.broker_url = wss://claw.example.com/mqtt\n",
                           "web.camera_kind = mjpeg\nweb.camera_url = http://10.0.0.9:8081/stream.mjpg\n"}) {
    ConfigResult result = parse_config(text, "test.conf");
    ASSERT_TRUE(std::holds_alternative<Config>(result)) << text;
    const auto error = validate_config(std::get<Config>(result), "test.conf");
    EXPECT_FALSE(error.has_value()) << error->describe();
  }
}

TEST(ConfigValidate, ShippedConfigsAreValid) {
  for (const char* name : {"clawd.conf", "clawcab.conf"}) {
    const std::string path = std::string(CLAWNET_DEPLOY_DIR) + "/" + name;
    ConfigResult result = load_config_file(path);
    ASSERT_TRUE(std::holds_alternative<Config>(result)) << std::get<ConfigError>(result).describe();
    const auto error = validate_config(std::get<Config>(result), path);
    EXPECT_FALSE(error.has_value()) << error->describe();
  }
}

}  // namespace
}  // namespace clawnet::prod
