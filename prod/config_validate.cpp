// validate_config(): the checks that need more than one key, and the core
// machines' own validate(). Kept apart from the parser because it links the
// machines.
#include "prod/config.hpp"
#include "prod/web_url.hpp"

#include <fmt/format.h>

namespace clawnet::prod {

namespace {

std::optional<ConfigError> key_error(const Config& config, std::string_view key, std::string message) {
  const auto line_it = config.key_lines.find(key);
  const int line = line_it == config.key_lines.end() ? 0 : line_it->second;
  return ConfigError{config.origin, line, std::string(key), std::move(message)};
}

// A core validator's error, at the key of the field it names.
ConfigError core_error(const Config& config, std::string_view section, ConfigFieldError error) {
  return *key_error(config, fmt::format("{}.{}", section, error.field), std::move(error.message));
}

}  // namespace

std::optional<ConfigError> validate_config(const Config& config, std::string_view origin) {
  Config named = config;
  if (named.origin.empty()) named.origin = std::string(origin);
  if (auto error = validate(config.server)) return core_error(named, server_config_schema.section, std::move(*error));
  if (auto error = validate(config.claw)) return core_error(named, claw_config_schema.section, std::move(*error));
  if (config.broker.reconnect_min_ms > config.broker.reconnect_max_ms) {
    return key_error(named, "broker.reconnect_min_ms",
                     fmt::format("{} is above broker.reconnect_max_ms ({})", config.broker.reconnect_min_ms,
                                 config.broker.reconnect_max_ms));
  }
  if (!config.broker.password_file.empty() && config.broker.username.empty()) {
    return key_error(named, "broker.password_file", "a password needs broker.username");
  }
  // Two outputs on one line would drive two motors together.
  for (int i = 0; i < motor_count; ++i) {
    for (int j = i + 1; j < motor_count; ++j) {
      const auto& a = config.gpio.motors.at(static_cast<std::size_t>(i));
      const auto& b = config.gpio.motors.at(static_cast<std::size_t>(j));
      if (a.offset.has_value() && a.offset == b.offset) {
        return key_error(named, fmt::format("gpio.motor.{}", motor_key_name(static_cast<Motor>(j))),
                         fmt::format("line {} is already used by gpio.motor.{}", *b.offset,
                                     motor_key_name(static_cast<Motor>(i))));
      }
    }
  }
  if (auto problem = url_problem(config.web.broker_url, {"ws", "wss"}, true)) {
    return key_error(named, "web.broker_url", *problem);
  }
  if (config.web.camera_kind != CameraKind::none && config.web.camera_url.empty()) {
    return key_error(named, "web.camera_url", fmt::format("must be set when web.camera_kind = {}",
                                                          to_string(config.web.camera_kind)));
  }
  if (config.web.camera_kind == CameraKind::none && !config.web.camera_url.empty()) {
    return key_error(named, "web.camera_url", "is set but web.camera_kind is none");
  }
  if (!config.web.camera_url.empty()) {
    if (auto problem = url_problem(config.web.camera_url, {"http", "https"}, false)) {
      return key_error(named, "web.camera_url", *problem);
    }
  }
  if (config.broker.kind == TransportKind::pubnub) {
    if (config.pubnub.keys_file.empty()) {
      return key_error(named, "broker.kind", "pubnub needs pubnub.keys_file (the key sets are never in the config)");
    }
    if (config.pubnub.reconnect_min_ms > config.pubnub.reconnect_max_ms) {
      return key_error(named, "pubnub.reconnect_min_ms",
                       fmt::format("{} is above pubnub.reconnect_max_ms ({})", config.pubnub.reconnect_min_ms,
                                   config.pubnub.reconnect_max_ms));
    }
  }
  if (config.gpio.backend == GpioBackend::libgpiod) {
    for (int i = 0; i < motor_count; ++i) {
      if (!config.gpio.motors.at(static_cast<std::size_t>(i)).offset.has_value()) {
        return key_error(named, fmt::format("gpio.motor.{}", motor_key_name(static_cast<Motor>(i))),
                         "must be set when gpio.backend = libgpiod");
      }
    }
  }
  return std::nullopt;
}

}  // namespace clawnet::prod
