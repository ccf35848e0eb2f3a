// parse_scenario: the scenario text format (docs/scenarios.md) into a Scenario.
//
// Each line is split into whitespace-separated tokens after '#' comments are
// cut off; a Cursor walks the tokens and every reader either returns a value
// or fails with a message saying what it expected, after which token, and what
// it found. Failures are thrown as a private Failure and become the returned
// ParseError at the top: the recursive readers stay short, and no exception
// leaves this file.
#include "core/limits.hpp"
#include "sim/scenario.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace clawnet::sim {
namespace {

// --- Bounds -------------------------------------------------------------------------------
constexpr std::size_t text_bytes_max = 16 * 1024 * 1024;
constexpr std::size_t line_bytes_max = 64 * 1024;
constexpr std::size_t actions_max = 100'000;
constexpr std::size_t expectations_max = 10'000;
constexpr TimeMs scenario_duration_ms_max = 7LL * 24 * 3'600'000;  // A week of virtual time.
constexpr std::size_t player_name_bytes_max = 32;
constexpr std::size_t state_name_bytes_max = 64;
constexpr std::size_t counter_name_bytes_max = 64;
constexpr std::uint32_t repeat_count_max = 100'000;  // xN of spoof, flood, replay, joinspam.
constexpr std::uint32_t crash_after_effects_max = 1'000;  // No step returns this many effects.
constexpr std::uint32_t crowd_count_max = static_cast<std::uint32_t>(limits::queue_length_max);
constexpr double arrivals_per_hour_max = 36'000'000;  // 10,000 a second.
constexpr double length_mm_max = 1'000'000;

constexpr std::string_view duration_hint = "a duration like 250ms or 2s";
constexpr std::string_view probability_hint = "a probability like 20% or 0.2 (0 to 1)";
constexpr std::string_view player_hint = "a player name (a-z, then up to 31 of a-z 0-9 _ -)";
constexpr std::string_view node_hint = "a node (server, claw or a player name)";
constexpr std::string_view mode_hint = "a player mode (scripted, auto, idle, sticky or ghost)";

struct Failure {
  int line = 0;
  std::string message;
};

// A token as it appears in a message: quoted, with unprintable bytes escaped.
std::string quoted(std::string_view token) {
  std::string out = "\"";
  for (char c : token) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string join_words(const std::vector<std::string_view>& words) {
  std::string out;
  for (std::string_view word : words) out += (out.empty() ? "" : ", ") + std::string(word);
  return out;
}

// --- Tokens -------------------------------------------------------------------------------
class Cursor {
 public:
  Cursor(std::vector<std::string_view> tokens, int line) : tokens_(std::move(tokens)), line_(line) {}

  int line() const { return line_; }
  bool at_end() const { return next_ >= tokens_.size(); }
  std::optional<std::string_view> peek() const {
    if (at_end()) return std::nullopt;
    return tokens_[next_];
  }
  void advance() { ++next_; }

  [[noreturn]] void fail(std::string message) const { throw Failure{line_, std::move(message)}; }
  // "expected WHAT after "prev", found "this"" about the next, unconsumed token.
  [[noreturn]] void fail_expected(std::string_view what) const {
    fail(fmt::format("expected {}{}, found {}", what, after(), found()));
  }

  // Takes the next token, whatever it is.
  std::string_view take(std::string_view what) {
    if (at_end()) fail_expected(what);
    return tokens_[next_++];
  }
  // Takes the next token if it is `word`.
  bool accept(std::string_view word) {
    if (at_end() || tokens_[next_] != word) return false;
    ++next_;
    return true;
  }
  void keyword(std::string_view word) {
    if (!accept(word)) fail_expected(quoted(word));
  }
  // Converts the next token with `convert` (returning an optional) or fails.
  template <class Convert>
  auto read(std::string_view what, Convert convert) {
    if (at_end()) fail_expected(what);
    auto value = convert(tokens_[next_]);
    if (!value) fail_expected(what);
    ++next_;
    return *value;
  }
  void finish() const {
    if (!at_end()) fail(fmt::format("unexpected {}{}: the line should end there", found(), after()));
  }

 private:
  std::string after() const { return next_ == 0 ? std::string() : " after " + quoted(tokens_[next_ - 1]); }
  std::string found() const { return at_end() ? std::string("the end of the line") : quoted(tokens_[next_]); }

  std::vector<std::string_view> tokens_;
  std::size_t next_ = 0;
  int line_ = 0;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::vector<std::string_view> tokenize(std::string_view line) {
  line = line.substr(0, line.find('#'));
  std::vector<std::string_view> tokens;
  std::size_t at = 0;
  while (at < line.size()) {
    while (at < line.size() && is_space(line[at])) ++at;
    const std::size_t start = at;
    while (at < line.size() && !is_space(line[at])) ++at;
    if (at > start) tokens.push_back(line.substr(start, at - start));
  }
  return tokens;
}

// --- Values ---------------------------------------------------------------------------------
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::optional<std::uint64_t> unsigned_value(std::string_view text, std::uint64_t max) {
  if (text.empty() || !is_digit(text.front())) return std::nullopt;
  std::uint64_t value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

// A finite, non-negative decimal ("0.25", "40", "1e-05"), at most `max`.
std::optional<double> decimal_value(std::string_view text, double max) {
  if (text.empty() || !(is_digit(text.front()) || text.front() == '.')) return std::nullopt;
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return std::nullopt;
  if (!std::isfinite(value) || value < 0 || value > max) return std::nullopt;
  return value;
}

std::optional<double> probability_value(std::string_view text) {
  if (text.ends_with('%')) {
    const auto percent = decimal_value(text.substr(0, text.size() - 1), 100);
    if (!percent) return std::nullopt;
    return *percent / 100;
  }
  return decimal_value(text, 1);
}

bool reserved_name(std::string_view name) { return name == "server" || name == "claw" || name == "none"; }

bool valid_player_name(std::string_view name) {
  if (name.empty() || name.size() > player_name_bytes_max || !is_lower(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_lower(c) || is_digit(c) || c == '_' || c == '-'; });
}

std::optional<std::string> node_value(std::string_view text) {
  if (text == "server" || text == "claw" || (valid_player_name(text) && !reserved_name(text))) {
    return std::string(text);
  }
  return std::nullopt;
}

// Lower-case words of a-z 0-9 _ separated by dots: "claw.rejected".
bool valid_counter_name(std::string_view name) {
  if (name.empty() || name.size() > counter_name_bytes_max) return false;
  bool word_start = true;
  for (char c : name) {
    if (c == '.') {
      if (word_start) return false;
      word_start = true;
    } else if (word_start ? is_lower(c) : (is_lower(c) || is_digit(c) || c == '_')) {
      word_start = false;
    } else {
      return false;
    }
  }
  return !word_start;
}

// A machine state as state_name() spells it: "ClawIdle", "Ready".
bool valid_state_name(std::string_view name) {
  const auto is_letter = [](char c) { return is_lower(c) || (c >= 'A' && c <= 'Z'); };
  if (name.empty() || name.size() > state_name_bytes_max || !is_letter(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return is_letter(c) || is_digit(c) || c == '_'; });
}

// A channel name, or a prefix followed by '*' ("p-*").
bool valid_channel_pattern(std::string_view pattern) {
  std::string_view stem = pattern;
  if (stem.ends_with('*')) stem.remove_suffix(1);
  if (stem.size() > limits::channel_bytes_max || (stem.empty() && pattern.empty())) return false;
  return std::all_of(stem.begin(), stem.end(), [](char c) {
    return is_lower(c) || is_digit(c) || (c >= 'A' && c <= 'Z') || c == '_' || c == '-' || c == '.' || c == ':';
  });
}

// --- Readers ----------------------------------------------------------------------------------
TimeMs read_duration(Cursor& c) { return c.read(duration_hint, parse_duration); }

TimeMs read_positive_duration(Cursor& c) {
  return c.read("a duration above zero like 250ms or 2s", [](std::string_view text) {
    const auto ms = parse_duration(text);
    return ms && *ms > 0 ? ms : std::nullopt;
  });
}

double read_probability(Cursor& c) { return c.read(probability_hint, probability_value); }

std::uint64_t read_unsigned(Cursor& c, std::string_view what, std::uint64_t max) {
  return c.read(what, [max](std::string_view text) { return unsigned_value(text, max); });
}

std::string read_player(Cursor& c) {
  if (const auto token = c.peek(); token && reserved_name(*token)) {
    c.fail(fmt::format("{} is reserved and cannot name a player", quoted(*token)));
  }
  return c.read(player_hint, [](std::string_view text) {
    return valid_player_name(text) ? std::optional<std::string>(text) : std::nullopt;
  });
}

// `admin pause|resume|skip|estop|reset`, `admin kick PLAYER`.
ActionBody read_admin(Cursor& c) {
  const AdminAction action = c.read("pause, resume, skip, kick, estop or reset",
                                    [](std::string_view text) -> std::optional<AdminAction> {
                                      for (int index = 0; index < admin_action_count; index += 1) {
                                        const auto named = static_cast<AdminAction>(index);
                                        if (text == to_string(named)) return named;
                                      }
                                      return std::nullopt;
                                    });
  if (action != AdminAction::kick) return Admin{action, {}};
  return Admin{action, read_player(c)};
}

NodeKind read_node_kind(Cursor& c) {
  return c.read("server or claw", [](std::string_view text) -> std::optional<NodeKind> {
    if (text == "server") return NodeKind::server;
    if (text == "claw") return NodeKind::claw;
    return std::nullopt;
  });
}

Direction read_direction(Cursor& c) {
  return c.read("a direction (up, down, left or right)", [](std::string_view text) -> std::optional<Direction> {
    for (int i = 0; i < direction_count; ++i) {
      const auto direction = static_cast<Direction>(i);
      if (to_string(direction) == text) return direction;
    }
    return std::nullopt;
  });
}

PlayerMode read_mode(Cursor& c) {
  return c.read(mode_hint, [](std::string_view text) -> std::optional<PlayerMode> {
    for (PlayerMode mode :
         {PlayerMode::scripted, PlayerMode::automatic, PlayerMode::idle, PlayerMode::sticky, PlayerMode::ghost}) {
      if (to_string(mode) == text) return mode;
    }
    return std::nullopt;
  });
}

PlayerMode read_optional_mode(Cursor& c, PlayerMode fallback) { return c.at_end() ? fallback : read_mode(c); }

// "xN": how many times a hostile player repeats its trick.
std::uint32_t read_repeat(Cursor& c) {
  return c.read(fmt::format("a count like x10 (x1 to x{})", repeat_count_max),
                [](std::string_view text) -> std::optional<std::uint32_t> {
                  if (!text.starts_with('x')) return std::nullopt;
                  const auto count = unsigned_value(text.substr(1), repeat_count_max);
                  if (!count || *count == 0) return std::nullopt;
                  return static_cast<std::uint32_t>(*count);
                });
}

std::uint32_t read_optional_repeat(Cursor& c) { return c.at_end() ? 1 : read_repeat(c); }

TimeMs read_for(Cursor& c) {
  c.keyword("for");
  return read_positive_duration(c);
}

// --- Settings lines: "KEYWORD key value key value ..." -----------------------------------------
struct SettingKey {
  std::string_view key;
  std::function<void(Cursor&)> read;  // Reads the value into the config being built.
};

void read_settings(Cursor& c, std::string_view line_name, const std::vector<SettingKey>& keys, bool all_required) {
  std::vector<std::string_view> key_names;
  for (const SettingKey& key : keys) key_names.push_back(key.key);
  std::set<std::string_view> seen;
  while (!c.at_end()) {
    const std::string_view name = *c.peek();
    const auto key = std::find_if(keys.begin(), keys.end(), [&](const SettingKey& k) { return k.key == name; });
    if (key == keys.end()) {
      c.fail(fmt::format("unknown {} key {}; expected one of: {}", line_name, quoted(name), join_words(key_names)));
    }
    if (!seen.insert(key->key).second) c.fail(fmt::format("{} key {} is given twice", line_name, quoted(name)));
    c.advance();
    key->read(c);
  }
  if (!all_required) return;
  for (std::string_view key : key_names) {
    if (!seen.contains(key)) {
      c.fail(fmt::format("the {} line is missing {} (every {} key is required: {})", line_name, quoted(key),
                         line_name, join_words(key_names)));
    }
  }
}

std::string_view message_of(const std::string& message) { return message; }
std::string_view message_of(const ConfigFieldError& error) { return error.message; }

template <class Config>
void check_valid(const Cursor& c, std::string_view line_name, const Config& config) {
  if (const auto error = validate(config)) c.fail(fmt::format("invalid {} settings: {}", line_name, message_of(*error)));
}

SettingKey duration_key(std::string_view key, std::int64_t& field) {
  return {key, [&field](Cursor& c) { field = read_duration(c); }};
}
template <class Unsigned>
SettingKey count_key(std::string_view key, Unsigned& field, std::uint64_t max) {
  return {key, [&field, max](Cursor& c) { field = static_cast<Unsigned>(read_unsigned(c, "a whole number", max)); }};
}
SettingKey length_key(std::string_view key, double& field) {
  return {key, [&field](Cursor& c) {
            field = c.read("a length in mm like 40 or 12.5",
                           [](std::string_view text) { return decimal_value(text, length_mm_max); });
          }};
}
SettingKey probability_key(std::string_view key, double& field) {
  return {key, [&field](Cursor& c) { field = read_probability(c); }};
}

void read_network(Cursor& c, NetworkOptions& n) {
  const std::vector<SettingKey> keys = {
      {"latency",
       [&n](Cursor& cursor) {
         const auto range = cursor.read("a latency range like 20ms..80ms",
                                        [](std::string_view text) -> std::optional<std::pair<TimeMs, TimeMs>> {
                                          const std::size_t dots = text.find("..");
                                          if (dots == std::string_view::npos) return std::nullopt;
                                          const auto low = parse_duration(text.substr(0, dots));
                                          const auto high = parse_duration(text.substr(dots + 2));
                                          if (!low || !high) return std::nullopt;
                                          return std::pair{*low, *high};
                                        });
         n.latency_ms_min = range.first;
         n.latency_ms_max = range.second;
       }},
      probability_key("loss", n.loss),
      probability_key("duplication", n.duplication),
      probability_key("reorder", n.reorder),
      duration_key("reorder_max", n.reorder_ms_max),
      duration_key("heartbeat", n.heartbeat_timeout_ms),
      duration_key("link_detect", n.link_detect_ms),
      count_key("message_max", n.message_bytes_max, 1ULL << 30),
  };
  read_settings(c, "network", keys, true);
  check_valid(c, "network", n);
}

// A machine's line ("server turn 30s ...", "claw deadman 600ms ..."): its keys
// and units are the field table's (core/machine_config.hpp); any subset.
template <class Config>
void read_machine(Cursor& c, const ConfigSchema<Config>& schema, Config& config) {
  std::vector<SettingKey> keys;
  for (const ConfigField<Config>& field : schema.fields) {
    keys.push_back({field.scenario_key, [&field, &config](Cursor& cursor) {
                      const std::int64_t value =
                          field.unit == FieldUnit::milliseconds
                              ? read_duration(cursor)
                              : static_cast<std::int64_t>(
                                    read_unsigned(cursor, "a whole number", static_cast<std::uint64_t>(field.max)));
                      set_field_value(field, config, value);
                    }});
  }
  read_settings(c, schema.section, keys, false);
  check_valid(c, schema.section, config);
}

void read_cabinet(Cursor& c, CabinetConfig& k) {
  read_settings(c, "cabinet",
                {length_key("width", k.geometry.width_mm), length_key("depth", k.geometry.depth_mm),
                 length_key("drop", k.geometry.drop_mm), length_key("chute", k.geometry.chute_mm),
                 count_key("gantry_speed", k.gantry_mm_per_s, static_cast<std::uint64_t>(cabinet_speed_mm_per_s_max)),
                 count_key("hoist_speed", k.hoist_mm_per_s, static_cast<std::uint64_t>(cabinet_speed_mm_per_s_max)),
                 count_key("prizes", k.prize_count, cabinet_prize_count_max),
                 length_key("grab_radius", k.grab_radius_mm), probability_key("grip_min", k.grip_chance_min),
                 probability_key("grip_max", k.grip_chance_max), length_key("start_x", k.start_x_mm),
                 length_key("start_y", k.start_y_mm), length_key("start_z", k.start_z_mm)},
                false);
  check_valid(c, "cabinet", k);
}

// --- Actions: "at T VERB ..." ---------------------------------------------------------------
// "in STATE": one of the node's machine states.
std::string read_in_state(Cursor& c, NodeKind node) {
  const std::vector<std::string_view>& states = machine_states(node);
  return std::string(c.read(fmt::format("a {} state ({})", to_string(node), join_words(states)),
                            [&](std::string_view text) -> std::optional<std::string_view> {
                              if (std::find(states.begin(), states.end(), text) == states.end()) return std::nullopt;
                              return text;
                            }));
}

ActionBody read_partition(Cursor& c) {
  const std::string_view first = c.take(node_hint);
  std::string_view from = first;
  std::string_view to;
  std::string_view arrow;
  for (std::string_view candidate : {"<->", "->"}) {
    if (const std::size_t at = first.find(candidate); at != std::string_view::npos) {
      from = first.substr(0, at);
      to = first.substr(at + candidate.size());
      arrow = candidate;
      break;
    }
  }
  if (arrow.empty()) {  // Also accept the spaced form "alice -> server".
    if (c.accept("->")) arrow = "->";
    else if (c.accept("<->")) arrow = "<->";
    if (!arrow.empty()) to = c.take(node_hint);
  }
  const auto from_node = node_value(from);
  if (!from_node) c.fail(fmt::format("expected {} to partition, found {}", node_hint, quoted(from)));
  if (arrow.empty()) {
    PartitionNode cut{*from_node, read_for(c)};
    if (c.accept("in")) {
      if (cut.node != "server" && cut.node != "claw") c.fail(fmt::format("only the server and the claw have states, not {}", quoted(cut.node)));
      cut.in_state = read_in_state(c, cut.node == "server" ? NodeKind::server : NodeKind::claw);
    }
    return cut;
  }
  const auto to_node = node_value(to);
  if (!to_node) c.fail(fmt::format("expected {} after {}, found {}", node_hint, quoted(arrow), quoted(to)));
  if (*from_node == *to_node) c.fail(fmt::format("a link partition needs two different nodes, found {} twice", quoted(to)));
  return PartitionLink{*from_node, *to_node, arrow == "<->", read_for(c)};
}

ActionBody read_channel_loss(Cursor& c) {
  ChannelLoss loss;
  loss.loss = read_probability(c);
  c.keyword("on");
  loss.pattern = c.read("a channel name or a prefix ending in * (like p-*)", [](std::string_view text) {
    return valid_channel_pattern(text) ? std::optional<std::string>(text) : std::nullopt;
  });
  loss.for_ms = read_for(c);
  return loss;
}

// "KEY VALUE ... for T", each key at most once; `read_value` reads the value
// of a key it knows and returns false for one it does not. Returns T.
template <class ReadValue>
TimeMs read_keys_then_for(Cursor& c, std::string_view line_name, std::string_view keys, ReadValue read_value) {
  std::set<std::string_view> seen;
  while (!c.accept("for")) {
    const std::string_view key = c.take(keys);
    if (!seen.insert(key).second) c.fail(fmt::format("{} key {} is given twice", line_name, quoted(key)));
    if (!read_value(key)) c.fail(fmt::format("unknown {} key {}; expected {}", line_name, quoted(key), keys));
  }
  return read_positive_duration(c);
}

ActionBody read_burst(Cursor& c) {
  Burst burst;
  burst.for_ms = read_keys_then_for(c, "burst", "loss, duplication, reorder, reorder_max, delay or \"for\"",
                                    [&](std::string_view key) {
                                      if (key == "delay") burst.delay_ms = read_positive_duration(c);
                                      else if (key == "reorder_max") burst.reorder_ms_max = read_positive_duration(c);
                                      else if (key == "loss") burst.loss = read_probability(c);
                                      else if (key == "duplication") burst.duplication = read_probability(c);
                                      else if (key == "reorder") burst.reorder = read_probability(c);
                                      else return false;
                                      return true;
                                    });
  return burst;
}

ActionBody read_spoof(Cursor& c) {
  Spoof spoof;
  spoof.player = read_player(c);
  spoof.victim = read_player(c);
  if (spoof.victim == spoof.player) c.fail(fmt::format("{} cannot spoof itself", quoted(spoof.player)));
  spoof.count = read_optional_repeat(c);
  return spoof;
}

ActionBody read_crowd(Cursor& c) {
  Crowd crowd;
  crowd.count = static_cast<std::uint32_t>(
      read_unsigned(c, fmt::format("a number of players (1 to {})", crowd_count_max), crowd_count_max));
  if (crowd.count == 0) c.fail("a crowd needs at least one player");
  c.keyword("over");
  crowd.over_ms = read_duration(c);
  crowd.mode = read_optional_mode(c, PlayerMode::automatic);
  return crowd;
}

ActionBody read_arrivals(Cursor& c) {
  Arrivals arrivals;
  arrivals.per_hour = c.read(fmt::format("a rate of arrivals above 0 (at most {})", arrivals_per_hour_max),
                             [](std::string_view text) -> std::optional<double> {
                               const auto rate = decimal_value(text, arrivals_per_hour_max);
                               return rate && *rate > 0 ? rate : std::nullopt;
                             });
  c.keyword("per");
  c.keyword("hour");
  arrivals.for_ms = read_for(c);
  arrivals.mode = read_optional_mode(c, PlayerMode::automatic);
  return arrivals;
}

ActionBody read_chaos(Cursor& c) {
  Chaos chaos;
  chaos.for_ms = read_for(c);
  c.keyword("every");
  chaos.mean_interval_ms = read_positive_duration(c);
  return chaos;
}

// "crash NODE [after K effects | in STATE]".
ActionBody read_crash(Cursor& c) {
  Crash crash{read_node_kind(c)};
  if (c.at_end()) return crash;
  if (c.accept("in")) {
    crash.in_state = read_in_state(c, crash.node);
    return crash;
  }
  c.keyword("after");
  crash.after_effects = static_cast<std::uint32_t>(
      read_unsigned(c, fmt::format("a number of effects (0 to {})", crash_after_effects_max), crash_after_effects_max));
  c.keyword("effects");
  return crash;
}

// "pause NODE for T [in STATE]".
ActionBody read_pause(Cursor& c) {
  Pause pause{read_node_kind(c), read_for(c)};
  if (c.accept("in")) pause.in_state = read_in_state(c, pause.node);
  return pause;
}

// "slow NODE by T for T".
ActionBody read_slow(Cursor& c) {
  Slow slow{read_node_kind(c)};
  c.keyword("by");
  slow.by_ms = read_positive_duration(c);
  slow.for_ms = read_for(c);
  return slow;
}

// "clock NODE [drift Nppm] [step T]", at least one of the two.
ActionBody read_clock(Cursor& c) {
  ClockChange change{read_node_kind(c)};
  const std::string drift_hint = fmt::format("a drift like 150ppm or -80ppm, at most {}ppm either way", clock_drift_ppm_max);
  const std::string step_hint =
      fmt::format("a forward step above zero, at most {} (a monotonic clock never steps back)", format_duration(clock_step_ms_max));
  while (!c.at_end()) {
    if (c.accept("drift")) {
      if (change.drift_ppm) c.fail("drift is given twice");
      change.drift_ppm = c.read(drift_hint, [](std::string_view text) -> std::optional<std::int64_t> {
        if (!text.ends_with("ppm")) return std::nullopt;
        text.remove_suffix(3);
        std::int64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
        if (value < -clock_drift_ppm_max || value > clock_drift_ppm_max) return std::nullopt;
        return value;
      });
    } else if (c.accept("step")) {
      if (change.step_ms) c.fail("step is given twice");
      change.step_ms = c.read(step_hint, [](std::string_view text) {
        const auto ms = parse_duration(text);
        return ms && *ms > 0 && *ms <= clock_step_ms_max ? ms : std::nullopt;
      });
    } else {
      c.fail(fmt::format("expected drift or step, found {}", quoted(c.take("drift or step"))));
    }
  }
  if (!change.drift_ppm && !change.step_ms) c.fail("clock needs a drift (\"drift 150ppm\") or a step (\"step 2s\")");
  return change;
}

// "power cut server [torn]".
ActionBody read_power(Cursor& c) {
  c.keyword("cut");
  c.keyword("server");
  PowerCut cut;
  if (!c.at_end()) {
    c.keyword("torn");
    cut.torn = true;
  }
  return cut;
}

// "presence loss P duplication P delay T for T" or "presence timeout PLAYER".
ActionBody read_presence(Cursor& c) {
  if (c.accept("timeout")) return SpuriousTimeout{read_player(c)};
  PresenceTrouble trouble;
  trouble.for_ms = read_keys_then_for(c, "presence", "timeout PLAYER, or loss, duplication, delay and \"for\"",
                                      [&](std::string_view key) {
                                        if (key == "delay") trouble.delay_ms = read_positive_duration(c);
                                        else if (key == "loss") trouble.loss = read_probability(c);
                                        else if (key == "duplication") trouble.duplication = read_probability(c);
                                        else return false;
                                        return true;
                                      });
  return trouble;
}

struct Verb {
  std::string_view word;
  ActionBody (*read)(Cursor&);
};

const std::vector<Verb>& verbs() {
  static const std::vector<Verb> table = {
      {"join", [](Cursor& c) -> ActionBody {
         std::string player = read_player(c);
         return Join{std::move(player), read_optional_mode(c, PlayerMode::scripted)};
       }},
      {"leave", [](Cursor& c) -> ActionBody { return Leave{read_player(c)}; }},
      {"disconnect", [](Cursor& c) -> ActionBody { return Disconnect{read_player(c)}; }},
      {"vanish", [](Cursor& c) -> ActionBody { return Vanish{read_player(c)}; }},
      {"reconnect", [](Cursor& c) -> ActionBody { return Reconnect{read_player(c)}; }},
      {"press", [](Cursor& c) -> ActionBody {
         Press press;
         press.player = read_player(c);
         press.direction = read_direction(c);
         if (!c.at_end()) {
           c.keyword("norefresh");
           press.refresh = false;
         }
         return press;
       }},
      {"release", [](Cursor& c) -> ActionBody {
         std::string player = read_player(c);
         return Release{std::move(player), read_direction(c)};
       }},
      {"drop", [](Cursor& c) -> ActionBody { return DropClaw{read_player(c)}; }},
      {"crash", read_crash},
      {"restart", [](Cursor& c) -> ActionBody { return Restart{read_node_kind(c)}; }},
      {"partition", read_partition},
      {"loss", read_channel_loss},
      {"burst", read_burst},
      {"spoof", read_spoof},
      {"flood", [](Cursor& c) -> ActionBody {
         std::string player = read_player(c);
         return Flood{std::move(player), read_optional_repeat(c)};
       }},
      {"replay", [](Cursor& c) -> ActionBody {
         std::string player = read_player(c);
         return Replay{std::move(player), read_optional_repeat(c)};
       }},
      {"joinspam", [](Cursor& c) -> ActionBody {
         std::string player = read_player(c);
         return JoinSpam{std::move(player), read_repeat(c)};
       }},
      {"crowd", read_crowd},
      {"arrivals", read_arrivals},
      {"chaos", read_chaos},
      {"presence", read_presence},
      {"pause", read_pause},
      {"slow", read_slow},
      {"clock", read_clock},
      {"power", read_power},
      {"chute", [](Cursor& c) -> ActionBody {
         if (c.accept("stuck")) return ChuteSensor{true};
         c.keyword("free");
         return ChuteSensor{false};
       }},
      {"admin", read_admin},
      {"heal", [](Cursor&) -> ActionBody { return Heal{}; }},
  };
  return table;
}

Action read_action(Cursor& c) {
  Action action;
  action.line = c.line();
  action.at_ms = read_duration(c);
  const std::string_view word = c.take("an action");
  const auto& table = verbs();
  const auto verb = std::find_if(table.begin(), table.end(), [&](const Verb& v) { return v.word == word; });
  if (verb == table.end()) {
    std::vector<std::string_view> words;
    for (const Verb& v : table) words.push_back(v.word);
    c.fail(fmt::format("unknown action {}; expected one of: {}", quoted(word), join_words(words)));
  }
  action.body = verb->read(c);
  c.finish();
  return action;
}

// --- Expectations: "expect at T|by T|end WHAT ..." ---------------------------------------------
std::vector<std::string> read_players_to_end(Cursor& c) {
  std::vector<std::string> players;
  while (!c.at_end()) players.push_back(read_player(c));
  return players;
}

Comparison read_comparison(Cursor& c) {
  return c.read("==, >= or <=", [](std::string_view text) -> std::optional<Comparison> {
    if (text == "==") return Comparison::eq;
    if (text == ">=") return Comparison::ge;
    if (text == "<=") return Comparison::le;
    return std::nullopt;
  });
}

struct Check {
  std::string_view word;
  ExpectationBody (*read)(Cursor&);
};

const std::vector<Check>& checks() {
  static const std::vector<Check> table = {
      {"controller", [](Cursor& c) -> ExpectationBody {
         if (c.accept("none")) return ExpectController{std::nullopt};
         return ExpectController{read_player(c)};
       }},
      {"queue", [](Cursor& c) -> ExpectationBody { return ExpectQueue{read_players_to_end(c)}; }},
      {"queue_length", [](Cursor& c) -> ExpectationBody {
         return ExpectQueueLength{read_unsigned(c, "a queue length", limits::queue_length_max)};
       }},
      {"motors", [](Cursor& c) -> ExpectationBody {
         c.keyword("off");
         return ExpectMotorsOff{};
       }},
      {"position", [](Cursor& c) -> ExpectationBody {
         std::string player = read_player(c);
         return ExpectPosition{std::move(player), read_unsigned(c, "a queue position", limits::queue_length_max)};
       }},
      {"state", [](Cursor& c) -> ExpectationBody {
         const NodeKind node = read_node_kind(c);
         return ExpectState{node, c.read("a state name like ClawIdle or Ready (letters, digits, _)", [](std::string_view text) {
                              return valid_state_name(text) ? std::optional<std::string>(text) : std::nullopt;
                            })};
       }},
      {"queue_mode", [](Cursor& c) -> ExpectationBody {
         return ExpectQueueMode{c.read("running, paused or stopped", [](std::string_view text) -> std::optional<QueueMode> {
           for (QueueMode mode : {QueueMode::running, QueueMode::paused, QueueMode::stopped}) {
             if (text == to_string(mode)) return mode;
           }
           return std::nullopt;
         })};
       }},
      {"counter", [](Cursor& c) -> ExpectationBody {
         ExpectCounter counter;
         counter.counter = c.read("a counter name like claw.rejected", [](std::string_view text) {
           return valid_counter_name(text) ? std::optional<std::string>(text) : std::nullopt;
         });
         counter.comparison = read_comparison(c);
         counter.value = read_unsigned(c, "a whole number", UINT64_MAX);
         return counter;
       }},
      {"played", [](Cursor& c) -> ExpectationBody {
         std::vector<std::string> players = read_players_to_end(c);
         if (players.empty()) c.fail_expected(player_hint);  // An empty list could never fail.
         return ExpectPlayed{std::move(players)};
       }},
  };
  return table;
}

Expectation read_expectation(Cursor& c) {
  Expectation expectation;
  expectation.line = c.line();
  const std::string_view when = c.take("at, by or end");
  if (when == "at" || when == "by") {
    expectation.when = when == "at" ? When::at : When::by;
    expectation.at_ms = read_duration(c);
  } else if (when == "end") {
    expectation.when = When::end;
  } else {
    c.fail(fmt::format("expected at T, by T or end after \"expect\", found {}", quoted(when)));
  }
  const std::string_view word = c.take("what to expect");
  const auto& table = checks();
  const auto check = std::find_if(table.begin(), table.end(), [&](const Check& k) { return k.word == word; });
  if (check == table.end()) {
    std::vector<std::string_view> words;
    for (const Check& k : table) words.push_back(k.word);
    c.fail(fmt::format("unknown expectation {}; expected one of: {}", quoted(word), join_words(words)));
  }
  expectation.body = check->read(c);
  c.finish();
  return expectation;
}

// --- The file ------------------------------------------------------------------------------------
class ScenarioReader {
 public:
  void read_line(Cursor& c) {
    const std::string_view keyword = c.take("a keyword");
    if (keyword == "at") return add_action(c);
    if (keyword == "expect") return add_expectation(c);
    if (keyword == "seed") {
      once(c, keyword);
      scenario_.seed = read_unsigned(c, "a seed (a whole number)", UINT64_MAX);
    } else if (keyword == "tie_shuffle") {
      once(c, keyword);
      scenario_.tie_shuffle = read_unsigned(c, "a tie shuffle seed (a whole number)", UINT64_MAX);
    } else if (keyword == "duration") {
      once(c, keyword);
      scenario_.duration_ms = c.read(
          fmt::format("a duration above zero, at most {}", format_duration(scenario_duration_ms_max)),
          [](std::string_view text) {
            const auto ms = parse_duration(text);
            return ms && *ms > 0 && *ms <= scenario_duration_ms_max ? ms : std::nullopt;
          });
    } else if (keyword == "network") {
      once(c, keyword);
      read_network(c, scenario_.network);
    } else if (keyword == server_config_schema.section) {
      once(c, keyword);
      read_machine(c, server_config_schema, scenario_.server);
    } else if (keyword == claw_config_schema.section) {
      once(c, keyword);
      read_machine(c, claw_config_schema, scenario_.claw);
    } else if (keyword == "cabinet") {
      once(c, keyword);
      read_cabinet(c, scenario_.cabinet);
    } else if (keyword == "oracle") {
      once(c, keyword);
      c.keyword("liveness");
      scenario_.liveness_bound_ms = read_positive_duration(c);
    } else {
      c.fail(fmt::format(
          "unknown keyword {}; expected one of: seed, tie_shuffle, duration, network, server, claw, cabinet, oracle, at, "
          "expect",
          quoted(keyword)));
    }
    c.finish();
  }

  // Checks what needs the whole file; returns the scenario with actions in time order.
  Scenario finish(std::string description, std::string name) {
    if (!lines_.contains("duration")) throw Failure{0, "the scenario has no \"duration\" line (it is required)"};
    if (!lines_.contains("network")) {
      throw Failure{0, "the scenario has no \"network\" line (it is required, with every key)"};
    }
    const TimeMs duration_ms = scenario_.duration_ms;
    const auto check_time = [duration_ms](TimeMs at_ms, int line) {
      if (at_ms > duration_ms) {
        throw Failure{line, fmt::format("time {} is after the end of the scenario (duration {})",
                                        format_duration(at_ms), format_duration(duration_ms))};
      }
    };
    for (const Action& action : scenario_.actions) check_time(action.at_ms, action.line);
    for (const Expectation& expectation : scenario_.expectations) {
      if (expectation.when != When::end) check_time(expectation.at_ms, expectation.line);
    }
    std::stable_sort(scenario_.actions.begin(), scenario_.actions.end(),
                     [](const Action& a, const Action& b) { return a.at_ms < b.at_ms; });
    scenario_.description = std::move(description);
    scenario_.name = std::move(name);
    return std::move(scenario_);
  }

 private:
  void once(const Cursor& c, std::string_view keyword) {
    const auto [first, inserted] = lines_.emplace(std::string(keyword), c.line());
    if (!inserted) c.fail(fmt::format("a second {} line (the first is on line {})", quoted(keyword), first->second));
  }
  void add_action(Cursor& c) {
    if (scenario_.actions.size() >= actions_max) c.fail(fmt::format("more than {} actions", actions_max));
    scenario_.actions.push_back(read_action(c));
  }
  void add_expectation(Cursor& c) {
    if (scenario_.expectations.size() >= expectations_max) {
      c.fail(fmt::format("more than {} expectations", expectations_max));
    }
    scenario_.expectations.push_back(read_expectation(c));
  }

  Scenario scenario_;
  std::map<std::string, int> lines_;  // Settings keyword -> the line that set it.
};

std::string_view trim_end(std::string_view text) {
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string file_name(std::string_view path) {
  const std::size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

Scenario parse_lines(std::string_view text, std::string_view file) {
  if (text.size() > text_bytes_max) throw Failure{0, fmt::format("the file is larger than {} bytes", text_bytes_max)};
  ScenarioReader reader;
  std::vector<std::string_view> description;
  bool in_header = true;  // Comment lines before the first other line are the description.
  int line_number = 0;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = trim_end(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_number;
    if (line.size() > line_bytes_max) throw Failure{line_number, fmt::format("line longer than {} bytes", line_bytes_max)};
    const std::size_t first = line.find_first_not_of(" \t\v\f");
    if (first == std::string_view::npos) continue;
    if (line[first] == '#') {
      if (in_header) {
        std::string_view comment = line.substr(first + 1);
        if (comment.starts_with(' ')) comment.remove_prefix(1);
        description.push_back(comment);
      }
      continue;
    }
    in_header = false;
    Cursor cursor(tokenize(line), line_number);
    if (cursor.at_end()) continue;  // Only a comment after spaces.
    reader.read_line(cursor);
  }
  std::string joined;
  for (std::size_t i = 0; i < description.size(); ++i) {
    if (i > 0) joined += "\n";
    joined += description[i];
  }
  return reader.finish(std::move(joined), file_name(file));
}

}  // namespace

std::variant<Scenario, ParseError> parse_scenario(std::string_view text, std::string_view file) {
  try {
    return parse_lines(text, file);
  } catch (const Failure& failure) {
    return ParseError{std::string(file), failure.line, failure.message};
  }
}

}  // namespace clawnet::sim
