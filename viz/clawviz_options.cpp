#include "viz/clawviz_options.hpp"

#include "viz/controls.hpp"
#include "viz/headless.hpp"
#include "viz/window.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <string_view>
#include <tuple>

namespace clawnet::viz {

const char* const clawviz_usage =
    "usage: clawviz FILE.scenario [--seed N] [--play NAME] [--speed X] [--paused] [--frames-max N]\n"
    "       clawviz FILE.scenario --png OUT.png [--at T] [--size WxH]\n"
    "       clawviz FILE.scenario --frames DIR [--every T] [--until T] [--size WxH]\n"
    "       clawviz --turn TURN.json [--png OUT.png [--at T] | --frames DIR ...]  (TURN.json: GET /v1/turns/{turn})\n"
    "other options: --width N --height N --font PATH --mono-font PATH; T is a duration (1500ms, 6.4s, 1m30s)\n";

namespace {

using Error = std::optional<std::string>;

// What the scenario parser accepts as a run's length: a week.
constexpr TimeMs instant_ms_max = 7LL * 24 * 3'600'000;

template <typename Integer>
bool parse_integer(std::string_view text, Integer low, Integer high, Integer& out) {
  Integer value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    return false;
  }
  out = value;
  return true;
}

// "0.25", "0.5", "1", "2", ... "64" -> its exponent.
bool parse_speed(std::string_view text, int& exponent) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value <= 0) return false;
  int e = 0;
  const double mantissa = std::frexp(value, &e);  // value = mantissa * 2^e, mantissa in [0.5, 1).
  if (mantissa != 0.5) return false;
  e -= 1;
  if (e < speed_exponent_min || e > speed_exponent_max) return false;
  exponent = e;
  return true;
}

bool valid_player_name(std::string_view name) {
  if (name.empty() || name.size() > player_name_bytes_max) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<TimeMs> parse_instant(std::string_view text) {
  const std::optional<TimeMs> ms = sim::parse_duration(text);
  if (!ms || *ms < 0 || *ms > instant_ms_max) return std::nullopt;
  return ms;
}

std::string duration_error(std::string_view name, std::string_view value) {
  return fmt::format("{}: expected a duration such as 1500ms, 6.4s or 1m30s (at most 168h), got '{}'", name, value);
}

Error frame_side(std::string_view name, std::string_view value, int max, int& out) {
  if (parse_integer(value, frame_side_min, max, out)) return std::nullopt;
  return fmt::format("{}: expected an integer in [{}, {}], got '{}'", name, frame_side_min, max, value);
}

// "1280x720" -> width and height, each checked like --width and --height.
Error apply_size(VizOptions& options, std::string_view value) {
  const std::size_t cross = value.find('x');
  int width = 0;
  int height = 0;
  constexpr int int_max = std::numeric_limits<int>::max();
  if (cross == std::string_view::npos || !parse_integer(value.substr(0, cross), 0, int_max, width) ||
      !parse_integer(value.substr(cross + 1), 0, int_max, height)) {
    return fmt::format("--size: expected WIDTHxHEIGHT such as 1280x720, got '{}'", value);
  }
  if (auto bad = validate_frame_size(width, height)) return "--size: " + *bad;
  options.width = width;
  options.height = height;
  return std::nullopt;
}

Error path(std::string_view name, std::string_view value, std::string_view what, std::string& out) {
  if (value.empty()) return fmt::format("{}: expected a {}", name, what);
  out = std::string(value);
  return std::nullopt;
}

// The options that take a value. CLI11 collects each one's text; `apply`
// converts and checks it into the command, or returns an error naming the
// option. Applied in this order, so --size overrides --width and --height.
struct ValueOption {
  const char* name;
  Error (*apply)(ClawvizCommand& command, std::string_view value);
};

constexpr ValueOption value_options[] = {
    {"--seed",
     [](ClawvizCommand& c, std::string_view v) -> Error {
       std::uint64_t seed = 0;
       if (!parse_integer<std::uint64_t>(v, 0, UINT64_MAX, seed)) {
         return fmt::format("--seed: expected a non-negative integer, got '{}'", v);
       }
       c.seed = seed;
       return std::nullopt;
     }},
    {"--play",
     [](ClawvizCommand& c, std::string_view v) -> Error {
       if (!valid_player_name(v)) {
         return fmt::format("--play: expected a player name of 1..{} characters [A-Za-z0-9_-], got '{}'",
                            player_name_bytes_max, v);
       }
       c.viz.play = std::string(v);
       return std::nullopt;
     }},
    {"--speed",
     [](ClawvizCommand& c, std::string_view v) -> Error {
       if (parse_speed(v, c.viz.speed_exponent)) return std::nullopt;
       return fmt::format("--speed: expected a power of two from 0.25 to 64, got '{}'", v);
     }},
    {"--width",
     [](ClawvizCommand& c, std::string_view v) { return frame_side("--width", v, frame_width_max, c.viz.width); }},
    {"--height",
     [](ClawvizCommand& c, std::string_view v) { return frame_side("--height", v, frame_height_max, c.viz.height); }},
    {"--size", [](ClawvizCommand& c, std::string_view v) { return apply_size(c.viz, v); }},
    {"--frames-max",
     [](ClawvizCommand& c, std::string_view v) -> Error {
       if (parse_integer<std::uint64_t>(v, 0, UINT64_MAX, c.viz.frames_max)) return std::nullopt;
       return fmt::format("--frames-max: expected a non-negative integer, got '{}'", v);
     }},
    {"--png", [](ClawvizCommand& c, std::string_view v) { return path("--png", v, "file path", c.viz.png_path); }},
    {"--png-after-ms",
     [](ClawvizCommand& c, std::string_view v) -> Error {
       // A day of virtual time is far beyond any scenario; more is a typo.
       if (parse_integer<TimeMs>(v, 0, 86'400'000, c.viz.png_after_ms)) return std::nullopt;
       return fmt::format("--png-after-ms: expected an integer in [0, 86400000], got '{}'", v);
     }},
    {"--at",
     [](ClawvizCommand& c, std::string_view v) -> Error {
       const std::optional<TimeMs> at_ms = parse_instant(v);
       if (!at_ms) return duration_error("--at", v);
       c.viz.png_after_ms = *at_ms;
       return std::nullopt;
     }},
    {"--frames",
     [](ClawvizCommand& c, std::string_view v) { return path("--frames", v, "directory", c.viz.frames_dir); }},
    {"--every",
     [](ClawvizCommand& c, std::string_view v) -> Error {
       const std::optional<TimeMs> every_ms = parse_instant(v);
       if (!every_ms) return duration_error("--every", v);
       if (*every_ms < frame_every_ms_min) {
         return fmt::format("--every: expected at least {}ms, got '{}'", frame_every_ms_min, v);
       }
       c.viz.frame_every_ms = *every_ms;
       return std::nullopt;
     }},
    {"--until",
     [](ClawvizCommand& c, std::string_view v) -> Error {
       const std::optional<TimeMs> until_ms = parse_instant(v);
       if (!until_ms) return duration_error("--until", v);
       if (*until_ms == 0) return std::string("--until: expected a duration above zero, got '0'");
       c.viz.frames_until_ms = *until_ms;
       return std::nullopt;
     }},
    {"--font", [](ClawvizCommand& c, std::string_view v) { return path("--font", v, "file path", c.viz.fonts.sans); }},
    {"--turn", [](ClawvizCommand& c, std::string_view v) { return path("--turn", v, "file path", c.turn_path); }},
    {"--mono-font",
     [](ClawvizCommand& c, std::string_view v) { return path("--mono-font", v, "file path", c.viz.fonts.mono); }},
};

// Options that only make sense together, or not at all together.
Error check_combination(const ClawvizCommand& command, const CLI::App& app) {
  const VizOptions& viz = command.viz;
  if (!command.turn_path.empty()) {
    if (!command.scenario_path.empty()) {
      return fmt::format("--turn and a scenario file ('{}'): give one, not both", command.scenario_path);
    }
    if (command.seed) return std::string("--seed: not with --turn (a recorded turn has no seed)");
    if (!viz.play.empty()) return std::string("--play: not with --turn (a recorded turn takes no commands)");
  }
  if (command.scenario_path.empty() && command.turn_path.empty()) {
    return std::string("missing the scenario file (or --turn FILE)");
  }
  if (!viz.png_path.empty() && !viz.frames_dir.empty()) return std::string("--png and --frames: give one, not both");
  if (app.count("--at") > 0 && viz.png_path.empty()) {
    return std::string("--at: only with --png (the instant it renders)");
  }
  if (app.count("--at") > 0 && app.count("--png-after-ms") > 0) {
    return std::string("--at and --png-after-ms: give one, not both");
  }
  if (app.count("--every") > 0 && viz.frames_dir.empty()) return std::string("--every: only with --frames");
  if (app.count("--until") > 0 && viz.frames_dir.empty()) return std::string("--until: only with --frames");
  return std::nullopt;
}

}  // namespace

ParsedClawviz parse_clawviz_command(const std::vector<std::string>& args) {
  ParsedClawviz parsed;
  ClawvizCommand& command = parsed.command;
  CLI::App app;
  app.allow_extras();  // Unknown options and a second file are reported below, in our words.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("scenario", command.scenario_path);
  app.add_flag("--paused", command.viz.start_paused);
  std::array<std::string, std::size(value_options)> values;
  for (std::size_t i = 0; i < values.size(); ++i) app.add_option(value_options[i].name, values[i]);
  // CLI11 takes a vector last argument first. It reads "--png=" as "--png"
  // and would take the next argument as the value: pass an empty value instead.
  std::vector<std::string> reversed;
  for (auto arg = args.rbegin(); arg != args.rend(); ++arg) {
    const std::string name = arg->substr(0, arg->size() - 1);
    const auto named = [&name](const ValueOption& option) { return name == option.name; };
    if (arg->ends_with('=') && std::ranges::any_of(value_options, named)) {
      reversed.insert(reversed.end(), {std::string(), name});
    } else {
      reversed.push_back(*arg);
    }
  }
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    // --help wins over the other errors, also over one CLI11 meets first.
    if (dynamic_cast<const CLI::CallForHelp*>(&error) != nullptr || app.get_help_ptr()->count() > 0) {
      command.help = true;
      return parsed;
    }
    // CLI11's texts name the option; "--seed: 1 required TEXT missing" reads better in our words.
    const std::string what = error.what();
    const bool missing = dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr && what.ends_with(" missing");
    parsed.error = missing ? what.substr(0, what.find(':')) + ": missing value" : what;
    return parsed;
  }
  if (const std::vector<std::string> extras = app.remaining(); !extras.empty()) {
    const std::string& extra = extras.front();
    parsed.error =
        extra.size() > 1 && extra[0] == '-'
            ? fmt::format("unknown option '{}'", extra)
            : fmt::format("unexpected argument '{}' (the scenario file is '{}')", extra, command.scenario_path);
    return parsed;
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (app.count(value_options[i].name) == 0) continue;
    if (auto error = value_options[i].apply(command, values[i])) {
      parsed.error = *error;
      return parsed;
    }
  }
  if (auto error = check_combination(command, app)) parsed.error = *error;
  return parsed;
}

namespace {

// --at, --until and the series' length against a run of `duration_ms`, and the fonts.
std::optional<std::string> check_against_run(const VizOptions& viz, const std::string& name, TimeMs duration_ms) {
  const std::string end = sim::format_duration(duration_ms);
  if (!viz.png_path.empty() && viz.png_after_ms > duration_ms) {
    return fmt::format("--at: {} is after the end of {} ({})", sim::format_duration(viz.png_after_ms), name, end);
  }
  if (!viz.frames_dir.empty()) {
    if (viz.frames_until_ms > duration_ms) {
      return fmt::format("--until: {} is after the end of {} ({})", sim::format_duration(viz.frames_until_ms),
                         name, end);
    }
    const TimeMs last_ms = viz.frames_until_ms > 0 ? viz.frames_until_ms : duration_ms;
    const auto frames = static_cast<std::uint64_t>(last_ms / viz.frame_every_ms) + 1;
    if (frames > frame_series_max) {
      return fmt::format("--every: {} frames to {} at one every {}, at most {}: raise --every or set --until", frames,
                         sim::format_duration(last_ms), sim::format_duration(viz.frame_every_ms), frame_series_max);
    }
  }
  const FontPaths defaults;
  for (const auto& [option, path, default_path] : {std::tuple{"--font", viz.fonts.sans, defaults.sans},
                                                   std::tuple{"--mono-font", viz.fonts.mono, defaults.mono}}) {
    if (path != default_path && !std::ifstream(path, std::ios::binary).good()) {
      return fmt::format("{}: cannot read '{}'", option, path);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_clawviz_command(const ClawvizCommand& command, const sim::Scenario& scenario) {
  return check_against_run(command.viz, scenario.name, scenario.duration_ms);
}

std::optional<std::string> check_turn_command(const ClawvizCommand& command, const std::string& name, TimeMs end_ms) {
  return check_against_run(command.viz, name, end_ms);
}

}  // namespace clawnet::viz
