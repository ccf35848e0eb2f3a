#include "core/machine_config.hpp"

#include <fmt/format.h>

namespace clawnet {
namespace {

// The first field of `fields` outside its range in `config`.
template <class Config>
std::optional<ConfigFieldError> first_out_of_range(std::span<const ConfigField<Config>> fields, const Config& config) {
  for (const ConfigField<Config>& field : fields) {
    if (auto error = check_field(field, field_value(field, config))) return error;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(FieldUnit unit) {
  switch (unit) {
    case FieldUnit::milliseconds: return "ms";
    case FieldUnit::players: return "players";
    case FieldUnit::per_second: return "per second";
  }
  return "?";
}

std::optional<ConfigFieldError> check_range(std::string_view name, FieldUnit unit, std::int64_t min,
                                            std::int64_t max, std::int64_t value) {
  if (min <= value && value <= max) return std::nullopt;
  return ConfigFieldError{name, fmt::format("{} must be {}..{} {}", name, min, max, to_string(unit))};
}

std::optional<ConfigFieldError> validate(const ServerConfig& config) {
  return first_out_of_range(server_config_schema.fields, config);
}

std::optional<ConfigFieldError> validate(const ClawConfig& config) {
  if (auto error = first_out_of_range(claw_config_schema.fields, config)) return error;
  // A held direction is refreshed every dead-man period, and motor_on_ms_max
  // bounds the whole run: it must be longer than one period.
  if (config.motor_on_ms_max <= config.deadman_ms) {
    return ConfigFieldError{"motor_on_ms_max", "motor_on_ms_max must exceed deadman_ms"};
  }
  return std::nullopt;
}

}  // namespace clawnet
