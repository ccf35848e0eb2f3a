#include "viz/clawviz_options.hpp"

#include "viz/headless.hpp"
#include "viz/window.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <string_view>
#include <tuple>

namespace clawnet::viz {

const char* const clawviz_usage =
    "usage: clawviz FILE.scenario [--seed N] [--play NAME] [--speed X] [--paused] [--frames-max N]\n"
    "       clawviz FILE.scenario --png OUT.png [--at T] [--size WxH]\n"
    "       clawviz FILE.scenario --frames DIR [--every T] [--until T] [--size WxH]\n"
    "other options: --width N --height N --font PATH --mono-font PATH; T is a duration (1500ms, 6.4s, 1m30s)\n";

namespace {

// What the scenario parser accepts as a run's length: a week.
constexpr TimeMs instant_ms_max = 7LL * 24 * 3'600'000;

bool takes_value(std::string_view name) {
  for (const std::string_view known : {"--seed", "--at", "--size", "--frames", "--every", "--until"}) {
    if (name == known) return true;
  }
  return false;
}

std::optional<TimeMs> parse_instant(std::string_view text) {
  const std::optional<TimeMs> ms = sim::parse_duration(text);
  if (!ms || *ms < 0 || *ms > instant_ms_max) return std::nullopt;
  return ms;
}

std::string duration_error(std::string_view name, std::string_view value) {
  return fmt::format("{}: expected a duration such as 1500ms, 6.4s or 1m30s (at most 168h), got '{}'", name, value);
}

// "1280x720" -> width and height, each checked like --width and --height.
std::optional<std::string> apply_size(VizOptions& options, std::string_view value) {
  const std::string error = fmt::format("--size: expected WIDTHxHEIGHT such as 1280x720, got '{}'", value);
  const std::size_t cross = value.find('x');
  if (cross == std::string_view::npos) return error;
  int width = 0;
  int height = 0;
  const std::string_view w = value.substr(0, cross);
  const std::string_view h = value.substr(cross + 1);
  const auto [w_end, w_error] = std::from_chars(w.data(), w.data() + w.size(), width);
  const auto [h_end, h_error] = std::from_chars(h.data(), h.data() + h.size(), height);
  if (w.empty() || h.empty() || w_error != std::errc() || h_error != std::errc() || w_end != w.data() + w.size() ||
      h_end != h.data() + h.size()) {
    return error;
  }
  if (auto bad = validate_frame_size(width, height)) return "--size: " + *bad;
  options.width = width;
  options.height = height;
  return std::nullopt;
}

struct Given {
  bool at = false;
  bool every = false;
  bool until = false;
};

std::optional<std::string> apply(ClawvizCommand& command, Given& given, std::string_view name, std::string_view value) {
  VizOptions& viz = command.viz;
  if (name == "--seed") {
    std::uint64_t seed = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seed);
    if (value.empty() || error != std::errc() || end != value.data() + value.size()) {
      return fmt::format("--seed: expected a non-negative integer, got '{}'", value);
    }
    command.seed = seed;
  } else if (name == "--at") {
    const std::optional<TimeMs> at_ms = parse_instant(value);
    if (!at_ms) return duration_error(name, value);
    given.at = true;
    viz.png_after_ms = *at_ms;
  } else if (name == "--size") {
    return apply_size(viz, value);
  } else if (name == "--frames") {
    if (value.empty()) return std::string("--frames: expected a directory");
    viz.frames_dir = std::string(value);
  } else if (name == "--every") {
    const std::optional<TimeMs> every_ms = parse_instant(value);
    if (!every_ms) return duration_error(name, value);
    if (*every_ms < frame_every_ms_min) {
      return fmt::format("--every: expected at least {}ms, got '{}'", frame_every_ms_min, value);
    }
    given.every = true;
    viz.frame_every_ms = *every_ms;
  } else if (name == "--until") {
    const std::optional<TimeMs> until_ms = parse_instant(value);
    if (!until_ms) return duration_error(name, value);
    if (*until_ms == 0) return std::string("--until: expected a duration above zero, got '0'");
    given.until = true;
    viz.frames_until_ms = *until_ms;
  }
  return std::nullopt;
}

// Options that only make sense together, or not at all together.
std::optional<std::string> check_combination(const ClawvizCommand& command, const Given& given, bool after_ms_given) {
  const VizOptions& viz = command.viz;
  if (command.scenario_path.empty()) return std::string("missing the scenario file");
  if (!viz.png_path.empty() && !viz.frames_dir.empty()) return std::string("--png and --frames: give one, not both");
  if (given.at && viz.png_path.empty()) return std::string("--at: only with --png (the instant it renders)");
  if (given.at && after_ms_given) return std::string("--at and --png-after-ms: give one, not both");
  if (given.every && viz.frames_dir.empty()) return std::string("--every: only with --frames");
  if (given.until && viz.frames_dir.empty()) return std::string("--until: only with --frames");
  return std::nullopt;
}

}  // namespace

ParsedClawviz parse_clawviz_command(const std::vector<std::string>& args) {
  ParsedClawviz parsed;
  ClawvizCommand& command = parsed.command;
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      command.help = true;
      return parsed;
    }
  }
  ParsedVizOptions viz = parse_viz_options(args);
  if (!viz.error.empty()) {
    parsed.error = viz.error;
    return parsed;
  }
  command.viz = viz.options;
  const bool after_ms_given = command.viz.png_after_ms != 0;
  Given given;
  const std::vector<std::string>& rest = viz.rest;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const std::string_view arg = rest[i];
    const std::size_t equals = arg.find('=');
    const std::string_view name = arg.substr(0, equals);
    if (takes_value(name)) {
      std::string_view value;
      if (equals != std::string_view::npos) {
        value = arg.substr(equals + 1);
      } else if (i + 1 < rest.size()) {
        value = rest[++i];
      } else {
        parsed.error = std::string(name) + ": missing value";
        return parsed;
      }
      if (auto error = apply(command, given, name, value)) {
        parsed.error = *error;
        return parsed;
      }
    } else if (arg.size() > 1 && arg[0] == '-') {
      parsed.error = fmt::format("unknown option '{}'", arg);
      return parsed;
    } else if (command.scenario_path.empty()) {
      command.scenario_path = std::string(arg);
    } else {
      parsed.error = fmt::format("unexpected argument '{}' (the scenario file is '{}')", arg, command.scenario_path);
      return parsed;
    }
  }
  if (auto error = check_combination(command, given, after_ms_given)) parsed.error = *error;
  return parsed;
}

std::optional<std::string> check_clawviz_command(const ClawvizCommand& command, const sim::Scenario& scenario) {
  const VizOptions& viz = command.viz;
  const std::string end = sim::format_duration(scenario.duration_ms);
  if (!viz.png_path.empty() && viz.png_after_ms > scenario.duration_ms) {
    return fmt::format("--at: {} is after the end of {} ({})", sim::format_duration(viz.png_after_ms),
                       scenario.name, end);
  }
  if (!viz.frames_dir.empty()) {
    if (viz.frames_until_ms > scenario.duration_ms) {
      return fmt::format("--until: {} is after the end of {} ({})", sim::format_duration(viz.frames_until_ms),
                         scenario.name, end);
    }
    const TimeMs last_ms = viz.frames_until_ms > 0 ? viz.frames_until_ms : scenario.duration_ms;
    const auto frames = static_cast<std::uint64_t>(last_ms / viz.frame_every_ms) + 1;
    if (frames > frame_series_max) {
      return fmt::format("--every: {} frames to {} at one every {}, at most {}: raise --every or set --until", frames,
                         sim::format_duration(last_ms), sim::format_duration(viz.frame_every_ms), frame_series_max);
    }
  }
  const FontPaths defaults;
  for (const auto& [name, path, default_path] : {std::tuple{"--font", viz.fonts.sans, defaults.sans},
                                                 std::tuple{"--mono-font", viz.fonts.mono, defaults.mono}}) {
    if (path != default_path && !std::ifstream(path, std::ios::binary).good()) {
      return fmt::format("{}: cannot read '{}'", name, path);
    }
  }
  return std::nullopt;
}

}  // namespace clawnet::viz
