// The small shared pieces of the scenario text format: durations and the
// words for player modes and node kinds. The parser is scenario_parse.cpp, the
// printer scenario_print.cpp; docs/scenarios.md is the spec.
#include "sim/scenario.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace clawnet::sim {
namespace {

// Longer durations are typos (about 31 years); the bound also keeps the
// arithmetic below far from overflow.
constexpr TimeMs duration_ms_max = 1'000'000'000'000;
// A duration is at most a few "<number><unit>" parts; longer text is garbage.
constexpr std::size_t duration_text_bytes_max = 40;
constexpr std::size_t whole_digits_max = 13;
constexpr std::size_t fraction_digits_max = 9;

struct Unit {
  std::string_view suffix;
  TimeMs ms;
};
// In the order the parts must appear: "1h2m3s", never "3s1h".
constexpr std::array<Unit, 4> units = {{{"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return c >= 'a' && c <= 'z'; }

// Reads the digits at `text[at...]`; returns them (possibly empty) and moves `at` past them.
std::string_view take_digits(std::string_view text, std::size_t& at) {
  const std::size_t start = at;
  while (at < text.size() && is_digit(text[at])) ++at;
  return text.substr(start, at - start);
}

TimeMs digits_value(std::string_view digits) {
  TimeMs value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

TimeMs power_of_ten(std::size_t exponent) {
  TimeMs value = 1;
  for (std::size_t i = 0; i < exponent; ++i) value *= 10;
  return value;
}

}  // namespace

std::optional<TimeMs> parse_duration(std::string_view text) {
  if (text == "0") return 0;
  if (text.empty() || text.size() > duration_text_bytes_max) return std::nullopt;
  TimeMs total_ms = 0;
  std::size_t next_unit = 0;  // Units must strictly decrease.
  std::size_t at = 0;
  while (at < text.size()) {
    const std::string_view whole = take_digits(text, at);
    if (whole.empty() || whole.size() > whole_digits_max) return std::nullopt;
    std::string_view fraction;
    if (at < text.size() && text[at] == '.') {
      ++at;
      fraction = take_digits(text, at);
      if (fraction.empty() || fraction.size() > fraction_digits_max) return std::nullopt;
    }
    const std::size_t suffix_start = at;
    while (at < text.size() && is_letter(text[at])) ++at;
    const std::string_view suffix = text.substr(suffix_start, at - suffix_start);
    std::size_t unit = next_unit;
    while (unit < units.size() && units[unit].suffix != suffix) ++unit;
    if (unit == units.size()) return std::nullopt;
    next_unit = unit + 1;

    const TimeMs unit_ms = units[unit].ms;
    const TimeMs whole_value = digits_value(whole);
    if (whole_value > duration_ms_max / unit_ms) return std::nullopt;
    // The fraction must come to whole milliseconds: "1.5s" yes, "1.5ms" no.
    const TimeMs fraction_scaled = digits_value(fraction) * unit_ms;
    const TimeMs fraction_denominator = power_of_ten(fraction.size());
    if (fraction_scaled % fraction_denominator != 0) return std::nullopt;
    total_ms += whole_value * unit_ms + fraction_scaled / fraction_denominator;
    if (total_ms > duration_ms_max) return std::nullopt;
  }
  return total_ms;
}

// Canonical form: under a second "250ms"; otherwise hours, minutes and seconds,
// the seconds with up to three decimals ("1h", "1m30s", "1.5s", "2m0.25s").
std::string format_duration(TimeMs ms) {
  if (ms < 0) return std::to_string(ms) + "ms";  // Not a duration; parse_duration rejects it.
  if (ms == 0) return "0s";
  if (ms < 1'000) return std::to_string(ms) + "ms";
  const TimeMs hours = ms / 3'600'000;
  const TimeMs minutes = ms / 60'000 % 60;
  const TimeMs seconds = ms / 1'000 % 60;
  const TimeMs millis = ms % 1'000;
  std::string out;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (minutes > 0) out += std::to_string(minutes) + "m";
  if (seconds > 0 || millis > 0) {
    out += std::to_string(seconds);
    if (millis > 0) {
      std::string decimals = std::to_string(millis + 1'000).substr(1);  // Three digits, zero-padded.
      while (decimals.back() == '0') decimals.pop_back();
      out += "." + decimals;
    }
    out += "s";
  }
  return out;
}

// Every state a table names, but the boot state a machine leaves within its
// first call, so it is never seen between steps.
const std::vector<std::string_view>& machine_states(NodeKind node) {
  auto collect = [](const std::vector<coverage::TablePair>& pairs) {
    std::vector<std::string_view> states;
    auto add = [&](std::string_view state) {
      if (state != "Booting" && state != "(none)" && std::find(states.begin(), states.end(), state) == states.end()) {
        states.push_back(state);
      }
    };
    for (const coverage::TablePair& pair : pairs) {
      add(pair.state);
      for (std::string_view target : pair.targets) add(target);
    }
    return states;
  };
  static const std::vector<std::string_view> server = collect(ServerMachine::table_pairs());
  static const std::vector<std::string_view> claw = collect(ClawMachine::table_pairs());
  return node == NodeKind::server ? server : claw;
}

std::string_view to_string(PlayerMode mode) {
  switch (mode) {
    case PlayerMode::scripted: return "scripted";
    case PlayerMode::automatic: return "auto";
    case PlayerMode::idle: return "idle";
    case PlayerMode::sticky: return "sticky";
    case PlayerMode::ghost: return "ghost";
  }
  return "?";
}

std::string_view to_string(NodeKind node) {
  switch (node) {
    case NodeKind::server: return "server";
    case NodeKind::claw: return "claw";
  }
  return "?";
}

}  // namespace clawnet::sim
