// The two machines' configurations: ServerConfig and ClawConfig, their defaults,
// one field table per config, and validate(), which every driver calls before
// building a machine (a machine asserts its config is valid).
//
// The field tables are the one list of the fields. validate() checks each
// field's range from its table; clawd and clawcab read the `server.*` and
// `claw.*` config keys from them (prod/config.cpp); scenario files read and
// print their `server` and `claw` lines from them (sim/scenario_parse.cpp,
// sim/scenario_print.cpp). A new field is one new row.
//
// Invariants (checked at compile time, below):
//  1. Each config has exactly as many fields as its table has rows.
//  2. Every default lies in its field's range.
// Plain values; not thread-safe.
#pragma once

#include "core/limits.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace clawnet {

// Each field's unit, range and meaning: server_config_fields below.
struct ServerConfig {
  std::int64_t turn_ms = 30'000;
  std::int64_t turn_slack_ms = 30'000;
  std::int64_t grace_ms = 20'000;
  std::int64_t resend_ms = 1'000;
  std::size_t queue_length_max = 100'000;
  std::int64_t ready_ms = 0;  // Off by default: the seed grants the next player at once.
};

// Each field's unit, range and meaning: claw_config_fields below.
struct ClawConfig {
  std::int64_t deadman_ms = 600;
  std::int64_t motor_on_ms_max = 8'000;
  std::int64_t lower_ms = 2'500;
  std::int64_t grip_ms = 700;
  std::int64_t raise_ms_max = 5'000;
  std::int64_t home_ms_max = 12'000;
  std::int64_t release_ms = 700;
  std::int64_t subscribe_ms_max = 5'000;
  std::int64_t ready_repeat_ms = 2'000;
  std::uint32_t commands_per_second_max = 20;
  std::int64_t prize_settle_ms = 1'500;
  std::int64_t prize_debounce_ms = 20;
};

// --- The field table --------------------------------------------------------------
// The unit of a field's value. It also says how a scenario file writes the
// value: milliseconds as a duration ("2.5s"), the others as a whole number.
enum class FieldUnit : std::uint8_t { milliseconds, players, per_second };
std::string_view to_string(FieldUnit unit);  // "ms", "players", "per second"

// The member pointer types of a config's fields. Each config lists only the
// types its fields have: with one no field has, GCC 12 warns of a read of
// uninitialized memory on that impossible path.
template <class Config>
struct ConfigMembers;
template <>
struct ConfigMembers<ServerConfig> {
  using type = std::variant<std::int64_t ServerConfig::*, std::size_t ServerConfig::*>;
};
template <>
struct ConfigMembers<ClawConfig> {
  using type = std::variant<std::int64_t ClawConfig::*, std::uint32_t ClawConfig::*>;
};

template <class Config>
struct ConfigField {
  using Member = typename ConfigMembers<Config>::type;
  std::string_view name;          // The member's name; the config file key is "<section>.<name>".
  std::string_view scenario_key;  // Its key on a scenario file's settings line.
  Member member;
  FieldUnit unit;
  std::int64_t min;  // The valid range, both ends included.
  std::int64_t max;
  std::string_view doc;  // One line: what the field does.
};

template <class Config>
struct ConfigSchema {
  // "server": the config file's key prefix and the scenario file's line keyword.
  std::string_view section;
  std::span<const ConfigField<Config>> fields;
};

template <class Config>
constexpr std::int64_t field_value(const ConfigField<Config>& field, const Config& config) {
  return std::visit([&](auto member) { return static_cast<std::int64_t>(config.*member); }, field.member);
}

// REQUIRES: `value` fits the member's type (every value in the field's range does).
template <class Config>
constexpr void set_field_value(const ConfigField<Config>& field, Config& config, std::int64_t value) {
  std::visit([&](auto member) { config.*member = static_cast<std::remove_reference_t<decltype(config.*member)>>(value); },
             field.member);
}

// What validate() refuses: the field, as its table names it, and a message
// for people that names it too ("turn_ms must be 1..120000 ms").
struct ConfigFieldError {
  std::string_view field;
  std::string message;
};

// Returns the error for `value` outside the range of the field `name`, or nullopt.
std::optional<ConfigFieldError> check_range(std::string_view name, FieldUnit unit, std::int64_t min,
                                            std::int64_t max, std::int64_t value);
template <class Config>
std::optional<ConfigFieldError> check_field(const ConfigField<Config>& field, std::int64_t value) {
  return check_range(field.name, field.unit, field.min, field.max, value);
}

inline constexpr std::array<ConfigField<ServerConfig>, 6> server_config_fields = {{
    {"turn_ms", "turn", &ServerConfig::turn_ms, FieldUnit::milliseconds, 1, limits::turn_duration_ms_max,
     "Turn length, sent to the claw in CHANNEL_LISTEN."},
    {"turn_slack_ms", "slack", &ServerConfig::turn_slack_ms, FieldUnit::milliseconds, 0, limits::turn_slack_ms_max,
     "Drop cycle and latency on top of turn_ms before the server ends a turn itself."},
    {"grace_ms", "grace", &ServerConfig::grace_ms, FieldUnit::milliseconds, 0, limits::grace_ms_max,
     "An absent player keeps its place this long."},
    {"resend_ms", "resend", &ServerConfig::resend_ms, FieldUnit::milliseconds, 1, limits::resend_ms_max,
     "CHANNEL_LISTEN and END_TURN repeat this often until answered."},
    {"queue_length_max", "queue_max", &ServerConfig::queue_length_max, FieldUnit::players, 1,
     static_cast<std::int64_t>(limits::queue_length_max), "Joins beyond this queue length are refused."},
    {"ready_ms", "ready", &ServerConfig::ready_ms, FieldUnit::milliseconds, 0, limits::ready_ms_max,
     "The next player must confirm the ready check this long before its turn; 0: no check (the seed's way)."},
}};

inline constexpr std::array<ConfigField<ClawConfig>, 12> claw_config_fields = {{
    {"deadman_ms", "deadman", &ClawConfig::deadman_ms, FieldUnit::milliseconds, 1, limits::deadman_ms_max,
     "Gantry motors go off without a command refresh this long."},
    {"motor_on_ms_max", "motor_max", &ClawConfig::motor_on_ms_max, FieldUnit::milliseconds, 1,
     limits::motor_on_ms_max, "One direction's longest continuous run."},
    {"lower_ms", "lower", &ClawConfig::lower_ms, FieldUnit::milliseconds, 1, limits::drop_step_ms_max,
     "Lowering stops at claw_bottom or after this."},
    {"grip_ms", "grip", &ClawConfig::grip_ms, FieldUnit::milliseconds, 1, limits::drop_step_ms_max,
     "Closing time before raising."},
    {"raise_ms_max", "raise_max", &ClawConfig::raise_ms_max, FieldUnit::milliseconds, 1, limits::drop_step_ms_max,
     "No claw_top by then is a fault."},
    {"home_ms_max", "home_max", &ClawConfig::home_ms_max, FieldUnit::milliseconds, 1, limits::drop_step_ms_max,
     "Not home by then is a fault."},
    {"release_ms", "release", &ClawConfig::release_ms, FieldUnit::milliseconds, 1, limits::drop_step_ms_max,
     "The claw stays open over the chute this long."},
    {"subscribe_ms_max", "subscribe_max", &ClawConfig::subscribe_ms_max, FieldUnit::milliseconds, 1,
     limits::drop_step_ms_max, "The player's channel not subscribed by then: the turn is given up."},
    {"ready_repeat_ms", "ready_repeat", &ClawConfig::ready_repeat_ms, FieldUnit::milliseconds, 1,
     limits::drop_step_ms_max, "CLAW_READY repeats this often while idle (lossy links)."},
    {"commands_per_second_max", "rate", &ClawConfig::commands_per_second_max, FieldUnit::per_second, 1,
     limits::commands_per_second_max, "A turn's command rate; commands beyond it are refused."},
    {"prize_settle_ms", "settle", &ClawConfig::prize_settle_ms, FieldUnit::milliseconds, 0, limits::drop_step_ms_max,
     "After release_ms the claw still watches the prize chute this long."},
    {"prize_debounce_ms", "debounce", &ClawConfig::prize_debounce_ms, FieldUnit::milliseconds, 1,
     limits::prize_debounce_ms_max, "The prize chute sensor must stay pressed this long to count."},
}};

inline constexpr ConfigSchema<ServerConfig> server_config_schema{"server", server_config_fields};
inline constexpr ConfigSchema<ClawConfig> claw_config_schema{"claw", claw_config_fields};

// Each returns the first field (in table order) outside its range, then the
// first cross-field rule broken; nullopt iff `config` is valid.
std::optional<ConfigFieldError> validate(const ServerConfig& config);
std::optional<ConfigFieldError> validate(const ClawConfig& config);

// --- Compile-time checks of the tables ---------------------------------------------
namespace config_detail {
// Converts to any field type: Config{any, any, ...} compiles for at most as
// many initializers as Config has fields.
struct AnyField {
  template <class T>
  constexpr operator T() const noexcept {
    return T{};
  }
};
template <class Config, class... Fields>
constexpr std::size_t field_count(Fields... fields) {
  if constexpr (requires { Config{fields..., AnyField{}}; }) {
    return field_count<Config>(fields..., AnyField{});
  } else {
    return sizeof...(fields);
  }
}
template <class Config, std::size_t N>
constexpr bool defaults_in_range(const std::array<ConfigField<Config>, N>& fields) {
  for (const ConfigField<Config>& field : fields) {
    const std::int64_t value = field_value(field, Config{});
    if (field.min > value || value > field.max) return false;
  }
  return true;
}
}  // namespace config_detail

static_assert(config_detail::field_count<ServerConfig>() == server_config_fields.size(),
              "every ServerConfig field needs a row in server_config_fields");
static_assert(config_detail::field_count<ClawConfig>() == claw_config_fields.size(),
              "every ClawConfig field needs a row in claw_config_fields");
static_assert(config_detail::defaults_in_range(server_config_fields));
static_assert(config_detail::defaults_in_range(claw_config_fields));

// The longest a turn can keep the claw from its next CLAW_READY beyond turn_ms:
// the subscription bound, then every drop-cycle step at its bound. The server's
// turn_slack_ms must cover it, with a resend to spare; the defaults do.
constexpr std::int64_t turn_overhead_ms_max(const ClawConfig& config) {
  return config.subscribe_ms_max + config.lower_ms + config.grip_ms + config.raise_ms_max + config.home_ms_max +
         config.release_ms + config.prize_settle_ms;
}
// With the default configs the claw is always back (CLAW_READY) before the server
// ends a turn itself. Configs that break this stay safe (the server sends END_TURN,
// which the claw's drop cycle already satisfies); the turn is then recorded as
// ended_by_server, not completed.
static_assert(ServerConfig{}.turn_slack_ms >= turn_overhead_ms_max(ClawConfig{}) + ServerConfig{}.resend_ms);

}  // namespace clawnet
