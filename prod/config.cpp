#include "prod/config.hpp"

#include "core/limits.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <sys/stat.h>
#include <vector>

namespace clawnet::prod {

namespace {

// Each key's setter parses its value; it returns an error message or nullopt.
using Setter = std::function<std::optional<std::string>(std::string_view value, Config& config)>;

struct KeySpec {
  std::string key;
  Setter set;
};

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

// One meaningful line of a `key = value` text (blank lines and # comments are
// not); `malformed` when it has no '='.
struct SettingLine {
  int number = 0;
  std::string_view key;
  std::string_view value;
  bool malformed = false;
};

std::vector<SettingLine> setting_lines(std::string_view text) {
  std::vector<SettingLine> lines;
  int number = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    number += 1;
    if (line.empty() || line.front() == '#') continue;
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) {
      lines.push_back({number, {}, {}, true});
    } else {
      lines.push_back({number, trim(line.substr(0, equals)), trim(line.substr(equals + 1)), false});
    }
  }
  return lines;
}

std::optional<std::string> parse_integer(std::string_view value, std::int64_t min, std::int64_t max,
                                         std::int64_t& out) {
  std::int64_t parsed = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (error != std::errc{} || end != value.data() + value.size()) {
    return fmt::format("expected an integer, got '{}'", value);
  }
  if (parsed < min || parsed > max) return fmt::format("{} is outside [{}, {}]", parsed, min, max);
  out = parsed;
  return std::nullopt;
}

// A setter for an integer field reached by `field`, accepting [min, max].
template <class Integer>
Setter integer(std::function<Integer&(Config&)> field, std::int64_t min, std::int64_t max) {
  return [field, min, max](std::string_view value, Config& config) -> std::optional<std::string> {
    std::int64_t parsed = 0;
    if (auto error = parse_integer(value, min, max, parsed)) return error;
    field(config) = static_cast<Integer>(parsed);
    return std::nullopt;
  };
}

std::optional<std::string> parse_bool(std::string_view value, bool& out) {
  if (value == "true" || value == "yes" || value == "1") {
    out = true;
    return std::nullopt;
  }
  if (value == "false" || value == "no" || value == "0") {
    out = false;
    return std::nullopt;
  }
  return fmt::format("expected true or false, got '{}'", value);
}

Setter boolean(std::function<bool&(Config&)> field) {
  return [field](std::string_view value, Config& config) { return parse_bool(value, field(config)); };
}

// A non-empty string of at most `bytes_max` printable ASCII characters.
Setter text(std::function<std::string&(Config&)> field, std::size_t bytes_max) {
  return [field, bytes_max](std::string_view value, Config& config) -> std::optional<std::string> {
    if (value.empty()) return std::string("must not be empty");
    if (value.size() > bytes_max) return fmt::format("longer than {} bytes", bytes_max);
    for (const char c : value) {
      if (c < 0x21 || c > 0x7e) return std::string("must be printable ASCII without spaces");
    }
    field(config) = std::string(value);
    return std::nullopt;
  };
}

constexpr std::array<std::string_view, switch_count> switch_names = {
    "limit_up", "limit_down", "limit_left", "limit_right", "claw_bottom", "claw_top", "prize_chute"};

// The keys "<section>.<field>" of one machine's field table
// (core/machine_config.hpp): an integer in the field's range, refused with the
// message core's validate() gives for it.
template <class Section>
void add_machine_keys(std::vector<KeySpec>& keys, Section Config::*section, const ConfigSchema<Section>& schema) {
  for (const ConfigField<Section>& field : schema.fields) {
    keys.push_back({fmt::format("{}.{}", schema.section, field.name),
                    [&field, section](std::string_view value, Config& config) -> std::optional<std::string> {
                      std::int64_t parsed = 0;
                      if (auto error = parse_integer(value, std::numeric_limits<std::int64_t>::min(),
                                                     std::numeric_limits<std::int64_t>::max(), parsed)) {
                        return error;
                      }
                      if (auto error = check_field(field, parsed)) return std::move(error->message);
                      set_field_value(field, config.*section, parsed);
                      return std::nullopt;
                    }});
  }
}

void add_broker_keys(std::vector<KeySpec>& keys) {
  keys.push_back({"broker.host", text([](Config& c) -> auto& { return c.broker.host; }, 253)});
  keys.push_back({"broker.port", integer<std::uint16_t>([](Config& c) -> auto& { return c.broker.port; }, 1, 65535)});
  keys.push_back({"broker.client_id", text([](Config& c) -> auto& { return c.broker.client_id; }, 23)});
  keys.push_back({"broker.username", text([](Config& c) -> auto& { return c.broker.username; }, 64)});
  keys.push_back({"broker.password_file", text([](Config& c) -> auto& { return c.broker.password_file; }, 4096)});
  keys.push_back({"broker.password", [](std::string_view, Config&) -> std::optional<std::string> {
                    return "secrets are not read from the config file: use broker.password_file or "
                           "the environment variable CLAWNET_BROKER_PASSWORD";
                  }});
  keys.push_back({"broker.keepalive_s", integer<std::int64_t>([](Config& c) -> auto& { return c.broker.keepalive_s; }, 5, 3600)});
  keys.push_back({"broker.reconnect_min_ms",
                  integer<std::int64_t>([](Config& c) -> auto& { return c.broker.reconnect_min_ms; }, 10, 60'000)});
  keys.push_back({"broker.reconnect_max_ms",
                  integer<std::int64_t>([](Config& c) -> auto& { return c.broker.reconnect_max_ms; }, 10, 600'000)});
  keys.push_back({"broker.topic_prefix", text([](Config& c) -> auto& { return c.broker.topic_prefix; }, 64)});
  keys.push_back({"broker.player_accounts", [](std::string_view value, Config& config) -> std::optional<std::string> {
                    if (value == "dynsec") config.broker.player_accounts = true;
                    else if (value == "none") config.broker.player_accounts = false;
                    else return fmt::format("expected dynsec or none, got '{}'", value);
                    return std::nullopt;
                  }});
  keys.push_back({"broker.player_keepalive_s",
                  integer<std::int64_t>([](Config& c) -> auto& { return c.broker.player_keepalive_s; }, 2, 3600)});
}

void add_http_keys(std::vector<KeySpec>& keys) {
  keys.push_back({"http.address", text([](Config& c) -> auto& { return c.http.address; }, 64)});
  keys.push_back({"http.port", integer<std::uint16_t>([](Config& c) -> auto& { return c.http.port; }, 0, 65535)});
  keys.push_back({"http.body_bytes_max", integer<std::size_t>([](Config& c) -> auto& { return c.http.body_bytes_max; }, 16, 65536)});
  keys.push_back({"http.header_bytes_max",
                  integer<std::size_t>([](Config& c) -> auto& { return c.http.header_bytes_max; }, 512, 65536)});
  keys.push_back({"http.request_timeout_ms",
                  integer<std::int64_t>([](Config& c) -> auto& { return c.http.request_timeout_ms; }, 100, 600'000)});
  keys.push_back({"http.connections_max",
                  integer<std::size_t>([](Config& c) -> auto& { return c.http.connections_max; }, 1, 1'000'000)});
  keys.push_back({"http.join_rate_per_s", integer<std::int64_t>([](Config& c) -> auto& { return c.http.join_rate_per_s; }, 1, 1'000'000)});
  keys.push_back({"http.join_burst", integer<std::int64_t>([](Config& c) -> auto& { return c.http.join_burst; }, 1, 1'000'000)});
  keys.push_back({"http.admin_token_file", text([](Config& c) -> auto& { return c.http.admin_token_file; }, 4096)});
  keys.push_back({"http.admin_token", [](std::string_view, Config&) -> std::optional<std::string> {
                    return "secrets are not read from the config file: use http.admin_token_file";
                  }});
  keys.push_back({"http.clients_tracked_max",
                  integer<std::size_t>([](Config& c) -> auto& { return c.http.clients_tracked_max; }, 1, 10'000'000)});
}

void add_gpio_keys(std::vector<KeySpec>& keys) {
  keys.push_back({"gpio.backend", [](std::string_view value, Config& config) -> std::optional<std::string> {
                    if (value == "simulated") config.gpio.backend = GpioBackend::simulated;
                    else if (value == "libgpiod") config.gpio.backend = GpioBackend::libgpiod;
                    else return fmt::format("expected simulated or libgpiod, got '{}'", value);
                    return std::nullopt;
                  }});
  keys.push_back({"gpio.chip", text([](Config& c) -> auto& { return c.gpio.chip; }, 255)});
  keys.push_back({"gpio.consumer", text([](Config& c) -> auto& { return c.gpio.consumer; }, 31)});
  keys.push_back({"gpio.sim_seed", integer<std::uint64_t>([](Config& c) -> auto& { return c.gpio.sim_seed; }, 0,
                                                         std::numeric_limits<std::int64_t>::max())});
  keys.push_back({"gpio.debounce_ms", integer<std::int64_t>([](Config& c) -> auto& { return c.gpio.debounce_ms; }, 0, 1000)});
  const auto line_keys = [&keys](std::string prefix, std::function<GpioLine&(Config&)> line) {
    keys.push_back({prefix, [line](std::string_view value, Config& config) -> std::optional<std::string> {
                      std::int64_t offset = 0;
                      if (auto error = parse_integer(value, 0, 1023, offset)) return error;
                      line(config).offset = static_cast<std::uint32_t>(offset);
                      return std::nullopt;
                    }});
    keys.push_back({prefix + ".active_low", boolean([line](Config& c) -> bool& { return line(c).active_low; })});
  };
  for (int i = 0; i < motor_count; ++i) {
    const auto index = static_cast<std::size_t>(i);
    line_keys(fmt::format("gpio.motor.{}", to_string(static_cast<Motor>(i))),
              [index](Config& c) -> GpioLine& { return c.gpio.motors.at(index); });
  }
  for (std::size_t i = 0; i < switch_names.size(); ++i) {
    line_keys(fmt::format("gpio.switch.{}", switch_names.at(i)),
              [i](Config& c) -> GpioLine& { return c.gpio.switches.at(i); });
  }
}

void add_pubnub_keys(std::vector<KeySpec>& keys) {
  keys.push_back({"broker.kind", [](std::string_view value, Config& config) -> std::optional<std::string> {
                    if (value == "mqtt") config.broker.kind = TransportKind::mqtt;
                    else if (value == "pubnub") config.broker.kind = TransportKind::pubnub;
                    else return fmt::format("expected mqtt or pubnub, got '{}'", value);
                    return std::nullopt;
                  }});
  keys.push_back({"pubnub.origin", text([](Config& c) -> auto& { return c.pubnub.origin; }, 253)});
  keys.push_back({"pubnub.port", integer<std::uint16_t>([](Config& c) -> auto& { return c.pubnub.port; }, 1, 65535)});
  keys.push_back({"pubnub.tls", boolean([](Config& c) -> auto& { return c.pubnub.tls; })});
  keys.push_back({"pubnub.ca_file", text([](Config& c) -> auto& { return c.pubnub.ca_file; }, 4096)});
  keys.push_back({"pubnub.client_origin", text([](Config& c) -> auto& { return c.pubnub.client_origin; }, 259)});
  keys.push_back({"pubnub.channel_prefix", text([](Config& c) -> auto& { return c.pubnub.channel_prefix; }, 64)});
  keys.push_back({"pubnub.uuid", text([](Config& c) -> auto& { return c.pubnub.uuid; }, 64)});
  keys.push_back({"pubnub.claw_uuid", text([](Config& c) -> auto& { return c.pubnub.claw_uuid; }, 64)});
  keys.push_back({"pubnub.heartbeat_s", integer<std::int64_t>([](Config& c) -> auto& { return c.pubnub.heartbeat_s; }, 2, 3600)});
  keys.push_back({"pubnub.player_heartbeat_s",
                  integer<std::int64_t>([](Config& c) -> auto& { return c.pubnub.player_heartbeat_s; }, 2, 3600)});
  // PubNub's Access Manager takes 1 minute to 30 days.
  keys.push_back({"pubnub.grant_ttl_minutes",
                  integer<std::int64_t>([](Config& c) -> auto& { return c.pubnub.grant_ttl_minutes; }, 1, 43'200)});
  keys.push_back({"pubnub.reconnect_min_ms",
                  integer<std::int64_t>([](Config& c) -> auto& { return c.pubnub.reconnect_min_ms; }, 10, 60'000)});
  keys.push_back({"pubnub.reconnect_max_ms",
                  integer<std::int64_t>([](Config& c) -> auto& { return c.pubnub.reconnect_max_ms; }, 10, 600'000)});
  keys.push_back({"pubnub.keys_file", text([](Config& c) -> auto& { return c.pubnub.keys_file; }, 4096)});
}

void add_web_keys(std::vector<KeySpec>& keys) {
  keys.push_back({"web.dir", text([](Config& c) -> auto& { return c.web.dir; }, 4096)});
  keys.push_back({"web.broker_url", text([](Config& c) -> auto& { return c.web.broker_url; }, 256)});
  keys.push_back({"web.camera_kind", [](std::string_view value, Config& config) -> std::optional<std::string> {
                    for (const CameraKind kind :
                         {CameraKind::none, CameraKind::mjpeg, CameraKind::video, CameraKind::page}) {
                      if (value != to_string(kind)) continue;
                      config.web.camera_kind = kind;
                      return std::nullopt;
                    }
                    return fmt::format("expected none, mjpeg, video or page, got '{}'", value);
                  }});
  keys.push_back({"web.camera_url", text([](Config& c) -> auto& { return c.web.camera_url; }, 1024)});
}

}  // namespace

std::string_view to_string(CameraKind kind) {
  switch (kind) {
    case CameraKind::none: return "none";
    case CameraKind::mjpeg: return "mjpeg";
    case CameraKind::video: return "video";
    case CameraKind::page: return "page";
  }
  return "none";
}

namespace {

const std::vector<KeySpec>& key_specs() {
  static const std::vector<KeySpec> keys = [] {
    std::vector<KeySpec> all;
    add_machine_keys(all, &Config::server, server_config_schema);
    add_machine_keys(all, &Config::claw, claw_config_schema);
    add_broker_keys(all);
    add_http_keys(all);
    add_gpio_keys(all);
    all.push_back({"store.path", text([](Config& c) -> auto& { return c.store.path; }, 4096)});
    all.push_back({"store.commit_writes_max",
                   integer<std::size_t>([](Config& c) -> auto& { return c.store.commit_writes_max; }, 1, 100'000)});
    all.push_back({"store.commit_wait_us",
                   integer<std::int64_t>([](Config& c) -> auto& { return c.store.commit_wait_us; }, 0, 100'000)});
    all.push_back({"store.turn_records_kept",
                   integer<std::size_t>([](Config& c) -> auto& { return c.store.turn_records_kept; }, 1,
                                        static_cast<std::int64_t>(limits::turn_records_kept_max))});
    all.push_back({"store.history_kept",
                   integer<std::size_t>([](Config& c) -> auto& { return c.store.history_kept; }, 1,
                                        static_cast<std::int64_t>(limits::history_kept_max))});
    all.push_back({"metrics.address", text([](Config& c) -> auto& { return c.metrics.address; }, 64)});
    all.push_back({"metrics.port", integer<std::uint16_t>([](Config& c) -> auto& { return c.metrics.port; }, 0, 65535)});
    add_web_keys(all);
    add_pubnub_keys(all);
    return all;
  }();
  return keys;
}

const KeySpec* find_key(std::string_view key) {
  for (const KeySpec& spec : key_specs()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

}  // namespace

std::string_view motor_key_name(Motor motor) { return to_string(motor); }

std::string_view switch_key_name(Switch which) {
  return switch_names.at(static_cast<std::size_t>(which));
}

std::string ConfigError::describe() const {
  std::string text = origin;
  if (line > 0) text += fmt::format(":{}", line);
  text += ": ";
  if (!key.empty()) text += fmt::format("key '{}': ", key);
  text += message;
  return text;
}

ConfigResult parse_config(std::string_view text, std::string_view origin) {
  Config config;
  config.origin = std::string(origin);
  for (const auto& [line_number, key, value, malformed] : setting_lines(text)) {
    if (malformed) return ConfigError{std::string(origin), line_number, "", "expected 'key = value'"};
    const KeySpec* spec = find_key(key);
    if (spec == nullptr) return ConfigError{std::string(origin), line_number, std::string(key), "unknown key"};
    if (config.key_lines.contains(key)) {
      return ConfigError{std::string(origin), line_number, std::string(key),
                         fmt::format("already set on line {}", config.key_lines.find(key)->second)};
    }
    if (auto error = spec->set(value, config)) {
      return ConfigError{std::string(origin), line_number, std::string(key), std::move(*error)};
    }
    config.key_lines.emplace(std::string(key), line_number);
  }
  return config;
}

ConfigResult load_config_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return ConfigError{path, 0, "", "cannot open the file"};
  constexpr std::size_t file_bytes_max = 1 << 20;
  std::string text(file_bytes_max + 1, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(file.gcount()));
  if (text.size() > file_bytes_max) return ConfigError{path, 0, "", "larger than 1 MiB"};
  return parse_config(text, path);
}

namespace {

// The secret in the file that `key` names, or an error at that key.
std::variant<std::string, ConfigError> read_secret_file(const Config& config, std::string_view key,
                                                        const std::string& path, std::size_t bytes_min) {
  const auto line_it = config.key_lines.find(key);
  const int line = line_it == config.key_lines.end() ? 0 : line_it->second;
  const auto fail = [&](std::string message) {
    return ConfigError{config.origin, line, std::string(key), fmt::format("{}: {}", path, message)};
  };
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return fail("cannot be read");
  if ((status.st_mode & S_IROTH) != 0) return fail("is readable by others; chmod o-r it");
  std::ifstream file(path, std::ios::binary);
  if (!file) return fail("cannot be opened");
  constexpr std::size_t secret_bytes_max = 1024;
  std::string secret(secret_bytes_max + 1, '\0');
  file.read(secret.data(), static_cast<std::streamsize>(secret.size()));
  secret.resize(static_cast<std::size_t>(file.gcount()));
  if (secret.size() > secret_bytes_max) return fail("longer than 1024 bytes");
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) return fail("is empty");
  if (secret.size() < bytes_min) return fail(fmt::format("is shorter than {} bytes", bytes_min));
  return secret;
}

// The key sets in a pubnub.keys_file's text: `players.*` and `secure.*` lines.
std::variant<std::pair<PubnubKeys, PubnubKeys>, std::string> parse_pubnub_keys(std::string_view text) {
  PubnubKeys players;
  PubnubKeys secure;
  const std::vector<std::pair<std::string_view, std::string*>> fields{
      {"players.publish_key", &players.publish_key}, {"players.subscribe_key", &players.subscribe_key},
      {"players.secret_key", &players.secret_key},   {"secure.publish_key", &secure.publish_key},
      {"secure.subscribe_key", &secure.subscribe_key}, {"secure.secret_key", &secure.secret_key}};
  for (const auto& [line_number, name, value, malformed] : setting_lines(text)) {
    if (malformed) return fmt::format("line {}: expected 'name = value'", line_number);
    const auto field =
        std::find_if(fields.begin(), fields.end(), [&](const auto& named) { return named.first == name; });
    // The values are secrets: errors name the line and the key, never the value.
    if (field == fields.end()) return fmt::format("line {}: unknown name '{}'", line_number, name);
    if (!field->second->empty()) return fmt::format("line {}: {} is set twice", line_number, name);
    if (value.empty() || value.size() > 128 ||
        !std::all_of(value.begin(), value.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
      return fmt::format("line {}: {} must be 1 to 128 printable characters", line_number, name);
    }
    *field->second = std::string(value);
  }
  for (const auto& [name, value] : fields) {
    if (value->empty() && name != "secure.secret_key") return fmt::format("{} is missing", name);
  }
  return std::pair{std::move(players), std::move(secure)};
}

}  // namespace

std::optional<ConfigError> resolve_secrets(Config& config, std::optional<std::string> environment_password) {
  if (environment_password.has_value()) {
    config.broker.password = std::move(*environment_password);
  } else if (!config.broker.password_file.empty()) {
    auto read = read_secret_file(config, "broker.password_file", config.broker.password_file, 1);
    if (auto* error = std::get_if<ConfigError>(&read)) return std::move(*error);
    config.broker.password = std::get<std::string>(std::move(read));
  }
  if (!config.http.admin_token_file.empty()) {
    constexpr std::size_t admin_token_bytes_min = 16;
    auto read = read_secret_file(config, "http.admin_token_file", config.http.admin_token_file, admin_token_bytes_min);
    if (auto* error = std::get_if<ConfigError>(&read)) return std::move(*error);
    config.http.admin_token = std::get<std::string>(std::move(read));
  }
  if (config.broker.kind == TransportKind::pubnub) {
    auto read = read_secret_file(config, "pubnub.keys_file", config.pubnub.keys_file, 1);
    if (auto* error = std::get_if<ConfigError>(&read)) return std::move(*error);
    auto keys = parse_pubnub_keys(std::get<std::string>(read));
    if (auto* problem = std::get_if<std::string>(&keys)) {
      const auto line = config.key_lines.find("pubnub.keys_file");
      return ConfigError{config.origin, line == config.key_lines.end() ? 0 : line->second, "pubnub.keys_file",
                         fmt::format("{}: {}", config.pubnub.keys_file, *problem)};
    }
    std::tie(config.pubnub.players, config.pubnub.secure) = std::get<0>(std::move(keys));
  }
  return std::nullopt;
}

}  // namespace clawnet::prod
