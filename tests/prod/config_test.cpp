// Config parsing: every key kind, every error names key and line, secrets.
#include "prod/config.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <unistd.h>

namespace clawnet::prod {
namespace {

Config parse_ok(std::string_view text) {
  ConfigResult result = parse_config(text, "test.conf");
  if (const auto* error = std::get_if<ConfigError>(&result)) {
    ADD_FAILURE() << error->describe();
    return Config{};
  }
  return std::get<Config>(std::move(result));
}

ConfigError parse_error(std::string_view text) {
  ConfigResult result = parse_config(text, "test.conf");
  if (std::holds_alternative<Config>(result)) {
    ADD_FAILURE() << "expected an error for: " << text;
    return ConfigError{};
  }
  return std::get<ConfigError>(std::move(result));
}

TEST(Config, EmptyTextGivesDefaults) {
  const Config config = parse_ok("");
  EXPECT_EQ(config.server.turn_ms, ServerConfig{}.turn_ms);
  EXPECT_EQ(config.claw.deadman_ms, ClawConfig{}.deadman_ms);
  EXPECT_EQ(config.broker.host, "127.0.0.1");
  EXPECT_EQ(config.broker.port, 1883);
  EXPECT_EQ(config.http.port, 8080);
  EXPECT_EQ(config.gpio.backend, GpioBackend::simulated);
  EXPECT_FALSE(config.gpio.motors.at(0).offset.has_value());
}

TEST(Config, ParsesEveryKindOfKey) {
  const Config config = parse_ok(
      "# a comment\n"
      "\n"
      "server.turn_ms = 45000\n"
      "  claw.deadman_ms=500  \n"
      "claw.commands_per_second_max = 10\n"
      "broker.host = broker.example\n"
      "broker.port = 8883\n"
      "broker.username = clawd\n"
      "http.join_burst = 3\n"
      "gpio.backend = libgpiod\n"
      "gpio.motor.gantry_left = 17\n"
      "gpio.motor.gantry_left.active_low = true\n"
      "gpio.switch.claw_top = 4\n"
      "store.path = /tmp/q.sqlite3\r\n");
  EXPECT_EQ(config.server.turn_ms, 45000);
  EXPECT_EQ(config.claw.deadman_ms, 500);
  EXPECT_EQ(config.claw.commands_per_second_max, 10u);
  EXPECT_EQ(config.broker.host, "broker.example");
  EXPECT_EQ(config.broker.port, 8883);
  EXPECT_EQ(config.broker.username, "clawd");
  EXPECT_EQ(config.http.join_burst, 3);
  EXPECT_EQ(config.gpio.backend, GpioBackend::libgpiod);
  const GpioLine& left = config.gpio.motors.at(static_cast<std::size_t>(Motor::gantry_left));
  EXPECT_EQ(left.offset, 17u);
  EXPECT_TRUE(left.active_low);
  EXPECT_EQ(config.gpio.switches.at(static_cast<std::size_t>(Switch::claw_top)).offset, 4u);
  EXPECT_EQ(config.store.path, "/tmp/q.sqlite3");
  EXPECT_EQ(config.key_lines.at("server.turn_ms"), 3);
}

TEST(Config, ErrorsNameKeyAndLine) {
  ConfigError error = parse_error("server.turn_ms = 100\nbroker.port = 70000\n");
  EXPECT_EQ(error.line, 2);
  EXPECT_EQ(error.key, "broker.port");
  EXPECT_EQ(error.describe(), "test.conf:2: key 'broker.port': 70000 is outside [1, 65535]");

  error = parse_error("server.turn_ms = 10s\n");
  EXPECT_EQ(error.key, "server.turn_ms");
  EXPECT_NE(error.message.find("expected an integer"), std::string::npos);

  error = parse_error("\n\nserver.turn_mss = 1\n");
  EXPECT_EQ(error.line, 3);
  EXPECT_EQ(error.message, "unknown key");

  error = parse_error("just words\n");
  EXPECT_EQ(error.line, 1);
  EXPECT_TRUE(error.key.empty());

  error = parse_error("gpio.backend = sysfs\n");
  EXPECT_EQ(error.key, "gpio.backend");

  error = parse_error("gpio.motor.claw_close.active_low = maybe\n");
  EXPECT_EQ(error.key, "gpio.motor.claw_close.active_low");

  error = parse_error("broker.host =\n");
  EXPECT_EQ(error.message, "must not be empty");

  error = parse_error("http.port = 1\nhttp.port = 2\n");
  EXPECT_EQ(error.line, 2);
  EXPECT_EQ(error.message, "already set on line 1");
}

// The server.* and claw.* keys come from core's field tables, with their ranges.
TEST(Config, MachineKeysAreTheFieldTables) {
  std::string text;
  for (const auto& field : server_config_fields) text += fmt::format("server.{} = {}\n", field.name, field.max);
  for (const auto& field : claw_config_fields) text += fmt::format("claw.{} = {}\n", field.name, field.min);
  const Config config = parse_ok(text);
  for (const auto& field : server_config_fields) EXPECT_EQ(field_value(field, config.server), field.max) << field.name;
  for (const auto& field : claw_config_fields) EXPECT_EQ(field_value(field, config.claw), field.min) << field.name;
}

// docs/config.md lists every machine key with the table's default and range.
template <class Section>
void expect_documented(const std::string& docs, const ConfigSchema<Section>& schema) {
  for (const ConfigField<Section>& field : schema.fields) {
    const std::string row = fmt::format("| `{}.{}` | {} | {}..{} {} |", schema.section, field.name,
                                        field_value(field, Section{}), field.min, field.max, to_string(field.unit));
    EXPECT_NE(docs.find(row), std::string::npos) << "docs/config.md has no row starting " << row;
  }
}

TEST(Config, TheDocsListEveryMachineKeyWithItsDefaultAndRange) {
  std::ifstream file(std::string(CLAWNET_DOCS_DIR) + "/config.md");
  ASSERT_TRUE(file.good());
  const std::string docs((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  expect_documented(docs, server_config_schema);
  expect_documented(docs, claw_config_schema);
}

TEST(Config, MachineKeysOutsideTheirRangeAreRefusedAtTheirLine) {
  ConfigError error = parse_error("server.turn_ms = 45000\nclaw.deadman_ms = 5000\n");
  EXPECT_EQ(error.describe(), "test.conf:2: key 'claw.deadman_ms': deadman_ms must be 1..2000 ms");
  error = parse_error("server.queue_length_max = 0\n");
  EXPECT_EQ(error.describe(), "test.conf:1: key 'server.queue_length_max': queue_length_max must be 1..1000000 players");
  error = parse_error("claw.commands_per_second_max = 99999999999\n");
  EXPECT_EQ(error.message, "commands_per_second_max must be 1..50 per second");
  error = parse_error("server.grace_ms = -1\n");
  EXPECT_EQ(error.message, "grace_ms must be 0..86400000 ms");
  error = parse_error("server.turn_ms = 99999999999999999999\n");
  EXPECT_NE(error.message.find("expected an integer"), std::string::npos);
}

// How many turns' records clawd keeps: a bound of its own, checked at its line.
TEST(Config, TurnRecordsKeptIsBounded) {
  EXPECT_EQ(parse_ok("").store.turn_records_kept, 1000U);
  EXPECT_EQ(parse_ok("store.turn_records_kept = 5\n").store.turn_records_kept, 5U);
  EXPECT_EQ(parse_error("store.turn_records_kept = 0\n").describe(),
            "test.conf:1: key 'store.turn_records_kept': 0 is outside [1, 1000000]");
  EXPECT_EQ(parse_error("store.turn_records_kept = 1000001\n").key, "store.turn_records_kept");
}

TEST(Config, RefusesAPasswordInTheFile) {
  const ConfigError error = parse_error("broker.password = hunter2\n");
  EXPECT_EQ(error.key, "broker.password");
  EXPECT_NE(error.message.find("CLAWNET_BROKER_PASSWORD"), std::string::npos);
  EXPECT_EQ(error.message.find("hunter2"), std::string::npos);
}

class SecretFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("clawnet-secret-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void write(std::string_view text, mode_t mode) {
    std::ofstream(path_) << text;
    ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
  }
  std::filesystem::path path_;
};

TEST_F(SecretFile, EnvironmentWins) {
  write("from-file\n", 0600);
  Config config = parse_ok("broker.username = u\nbroker.password_file = " + path_.string() + "\n");
  EXPECT_FALSE(resolve_secrets(config, std::string("from-env")).has_value());
  EXPECT_EQ(config.broker.password, "from-env");
}

TEST_F(SecretFile, ReadsThePasswordFile) {
  write("from-file\n", 0600);
  Config config = parse_ok("broker.username = u\nbroker.password_file = " + path_.string() + "\n");
  EXPECT_FALSE(resolve_secrets(config, std::nullopt).has_value());
  EXPECT_EQ(config.broker.password, "from-file");
}

TEST_F(SecretFile, RefusesAWorldReadableFile) {
  write("from-file\n", 0644);
  Config config = parse_ok("broker.username = u\nbroker.password_file = " + path_.string() + "\n");
  const auto error = resolve_secrets(config, std::nullopt);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->key, "broker.password_file");
  EXPECT_EQ(error->line, 2);
  EXPECT_TRUE(config.broker.password.empty());
}

TEST_F(SecretFile, MissingFileNamesTheKey) {
  Config config = parse_ok("broker.password_file = " + path_.string() + "\n");
  const auto error = resolve_secrets(config, std::nullopt);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->key, "broker.password_file");
}

TEST_F(SecretFile, ReadsTheAdminTokenFile) {
  write("0123456789abcdef0123\n", 0600);
  Config config = parse_ok("http.admin_token_file = " + path_.string() + "\n");
  EXPECT_FALSE(resolve_secrets(config, std::nullopt).has_value());
  EXPECT_EQ(config.http.admin_token, "0123456789abcdef0123");
}

TEST_F(SecretFile, RefusesAShortOrWorldReadableAdminToken) {
  write("short\n", 0600);
  Config config = parse_ok("http.admin_token_file = " + path_.string() + "\n");
  auto error = resolve_secrets(config, std::nullopt);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->key, "http.admin_token_file");
  EXPECT_NE(error->message.find("shorter than 16 bytes"), std::string::npos) << error->message;
  write("0123456789abcdef0123\n", 0644);
  error = resolve_secrets(config, std::nullopt);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("readable by others"), std::string::npos) << error->message;
  EXPECT_TRUE(config.http.admin_token.empty());
}

// The keys here are made up for the test and shaped unlike PubNub's.
constexpr std::string_view pubnub_keys =
    "# players' key set (Access Manager on)\n"
    "players.publish_key = pub-test-players\n"
    "players.subscribe_key = sub-test-players\n"
    "players.secret_key = sec-test-players\n"
    "secure.publish_key = pub-test-secure\n"
    "secure.subscribe_key = sub-test-secure\n";

TEST_F(SecretFile, ReadsBothPubnubKeySetsFromTheKeysFile) {
  write(pubnub_keys, 0600);
  Config config = parse_ok("broker.kind = pubnub\npubnub.keys_file = " + path_.string() + "\n");
  ASSERT_EQ(config.broker.kind, TransportKind::pubnub);
  const auto error = resolve_secrets(config, std::nullopt);
  ASSERT_FALSE(error.has_value()) << error->describe();
  EXPECT_EQ(config.pubnub.players.publish_key, "pub-test-players");
  EXPECT_EQ(config.pubnub.players.subscribe_key, "sub-test-players");
  EXPECT_EQ(config.pubnub.players.secret_key, "sec-test-players");
  EXPECT_EQ(config.pubnub.secure.publish_key, "pub-test-secure");
  EXPECT_EQ(config.pubnub.secure.subscribe_key, "sub-test-secure");
  EXPECT_TRUE(config.pubnub.secure.secret_key.empty()) << "the secure key set may go without Access Manager";
}

TEST_F(SecretFile, APubnubKeysFileWithAProblemNamesTheLineButNeverAKey) {
  const std::string config_text = "broker.kind = pubnub\npubnub.keys_file = " + path_.string() + "\n";
  const auto problem = [&](std::string_view keys) {
    write(keys, 0600);
    Config config = parse_ok(config_text);
    const auto error = resolve_secrets(config, std::nullopt);
    if (!error.has_value()) return std::string("accepted");
    EXPECT_EQ(error->key, "pubnub.keys_file");
    EXPECT_EQ(error->line, 2);
    return error->message;
  };
  EXPECT_NE(problem("players.publish_key = pub-test-players\n").find("players.subscribe_key is missing"),
            std::string::npos);
  const std::string twice = problem(std::string(pubnub_keys) + "players.secret_key = sec-test-other\n");
  EXPECT_NE(twice.find("line 7: players.secret_key is set twice"), std::string::npos) << twice;
  EXPECT_EQ(twice.find("sec-test"), std::string::npos) << "never the value";
  EXPECT_NE(problem(std::string(pubnub_keys) + "players.auth = x\n").find("unknown name 'players.auth'"),
            std::string::npos);
  EXPECT_NE(problem("players.publish_key\n").find("line 1: expected 'name = value'"), std::string::npos);
  write(pubnub_keys, 0644);
  Config config = parse_ok(config_text);
  const auto error = resolve_secrets(config, std::nullopt);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("readable by others"), std::string::npos) << error->message;
}

TEST(Config, PubnubNeedsAKeysFileAndNamesAnUnknownKind) {
  Config config = parse_ok("broker.kind = pubnub\n");
  const auto error = validate_config(config, "test.conf");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->key, "broker.kind");
  EXPECT_NE(error->message.find("pubnub.keys_file"), std::string::npos) << error->message;
  const ConfigError unknown = parse_error("broker.kind = amqp\n");
  EXPECT_EQ(unknown.key, "broker.kind");
  EXPECT_NE(unknown.message.find("expected mqtt or pubnub"), std::string::npos) << unknown.message;
  EXPECT_EQ(parse_ok("").broker.kind, TransportKind::mqtt) << "MQTT stays the default";
}

TEST(Config, RefusesAnAdminTokenInTheFile) {
  const ConfigError error = parse_error("http.admin_token = 0123456789abcdef\n");
  EXPECT_EQ(error.key, "http.admin_token");
  EXPECT_EQ(error.message.find("0123456789abcdef"), std::string::npos);
}

TEST(Config, NoPasswordFileMeansNoPassword) {
  Config config = parse_ok("");
  EXPECT_FALSE(resolve_secrets(config, std::nullopt).has_value());
  EXPECT_TRUE(config.broker.password.empty());
}

TEST(Config, LoadingAMissingFileIsAnError) {
  const ConfigResult result = load_config_file("/nonexistent/clawnet.conf");
  ASSERT_TRUE(std::holds_alternative<ConfigError>(result));
  EXPECT_EQ(std::get<ConfigError>(result).origin, "/nonexistent/clawnet.conf");
}

}  // namespace
}  // namespace clawnet::prod
