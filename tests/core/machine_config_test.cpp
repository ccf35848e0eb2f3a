// The field tables of ServerConfig and ClawConfig: every row is complete, every
// default in range, and validate() refuses each field just outside its range by
// naming that field.
#include "core/machine_config.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

namespace clawnet {
namespace {

template <class Config>
const Config defaults{};

template <class Config>
void expect_complete_rows(const ConfigSchema<Config>& schema) {
  std::set<std::string_view> names;
  std::set<std::string_view> scenario_keys;
  for (const ConfigField<Config>& field : schema.fields) {
    SCOPED_TRACE(field.name);
    EXPECT_FALSE(field.name.empty());
    EXPECT_FALSE(field.scenario_key.empty());
    EXPECT_FALSE(to_string(field.unit).empty());
    EXPECT_NE(to_string(field.unit), "?");
    EXPECT_FALSE(field.doc.empty());
    EXPECT_TRUE(field.doc.ends_with('.')) << "a doc is one sentence";
    EXPECT_LE(field.min, field.max);
    const std::int64_t fallback = field_value(field, defaults<Config>);
    EXPECT_LE(field.min, fallback);
    EXPECT_LE(fallback, field.max);
    EXPECT_TRUE(names.insert(field.name).second) << "names are unique";
    EXPECT_TRUE(scenario_keys.insert(field.scenario_key).second) << "scenario keys are unique";
    if (field.unit == FieldUnit::milliseconds) {
      EXPECT_TRUE(field.name.ends_with("_ms") || field.name.ends_with("_ms_max")) << "units come last";
    }
  }
}

// Each row's member is its own: setting it changes that field and no other.
template <class Config>
void expect_distinct_members(const ConfigSchema<Config>& schema) {
  for (const ConfigField<Config>& field : schema.fields) {
    Config config;
    const std::int64_t changed = field_value(field, config) == field.max ? field.min : field.max;
    set_field_value(field, config, changed);
    for (const ConfigField<Config>& other : schema.fields) {
      const std::int64_t expected = &other == &field ? changed : field_value(other, defaults<Config>);
      EXPECT_EQ(field_value(other, config), expected) << "setting " << field.name << ", reading " << other.name;
    }
  }
}

// Just outside the range is refused naming the field; at its ends, the range
// check passes (a rule between fields may still refuse the whole config).
template <class Config>
void expect_ranges_enforced(const ConfigSchema<Config>& schema) {
  ASSERT_FALSE(validate(defaults<Config>).has_value()) << validate(defaults<Config>)->message;
  for (const ConfigField<Config>& field : schema.fields) {
    SCOPED_TRACE(field.name);
    const std::string range_message =
        fmt::format("{} must be {}..{} {}", field.name, field.min, field.max, to_string(field.unit));
    for (const std::int64_t outside : {field.min - 1, field.max + 1}) {
      if (outside < 0 && field.min == 0 && !std::holds_alternative<std::int64_t Config::*>(field.member)) continue;
      Config config;
      set_field_value(field, config, outside);
      const std::optional<ConfigFieldError> error = validate(config);
      ASSERT_TRUE(error.has_value()) << outside;
      EXPECT_EQ(error->field, field.name);
      EXPECT_EQ(error->message, range_message);
    }
    for (const std::int64_t edge : {field.min, field.max}) {
      EXPECT_FALSE(check_field(field, edge).has_value()) << edge;
      Config config;
      set_field_value(field, config, edge);
      const std::optional<ConfigFieldError> error = validate(config);
      if (error) {
        EXPECT_NE(error->message, range_message) << edge;
      }
    }
  }
}

TEST(MachineConfig, ServerRowsAreComplete) { expect_complete_rows(server_config_schema); }
TEST(MachineConfig, ClawRowsAreComplete) { expect_complete_rows(claw_config_schema); }
TEST(MachineConfig, ServerRowsHaveTheirOwnMembers) { expect_distinct_members(server_config_schema); }
TEST(MachineConfig, ClawRowsHaveTheirOwnMembers) { expect_distinct_members(claw_config_schema); }
TEST(MachineConfig, ServerRangesAreEnforced) { expect_ranges_enforced(server_config_schema); }
TEST(MachineConfig, ClawRangesAreEnforced) { expect_ranges_enforced(claw_config_schema); }

TEST(MachineConfig, SectionsAreTheConfigFileAndScenarioWords) {
  EXPECT_EQ(server_config_schema.section, "server");
  EXPECT_EQ(claw_config_schema.section, "claw");
  EXPECT_EQ(server_config_schema.fields.size(), server_config_fields.size());
  EXPECT_EQ(claw_config_schema.fields.size(), claw_config_fields.size());
}

TEST(MachineConfig, AMotorLimitAtTheDeadmanIsRefusedNamingTheMotorLimit) {
  ClawConfig config;
  config.motor_on_ms_max = config.deadman_ms;
  const std::optional<ConfigFieldError> error = validate(config);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->field, "motor_on_ms_max");
  EXPECT_EQ(error->message, "motor_on_ms_max must exceed deadman_ms");
  config.motor_on_ms_max = config.deadman_ms + 1;
  EXPECT_FALSE(validate(config).has_value());
}

TEST(MachineConfig, TheFirstFieldOutOfRangeIsTheOneNamed) {
  ServerConfig config;
  config.grace_ms = -1;
  config.queue_length_max = 0;
  EXPECT_EQ(validate(config).value_or(ConfigFieldError{}).field, "grace_ms");
}

}  // namespace
}  // namespace clawnet
