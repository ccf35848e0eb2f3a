#include "viz/options.hpp"

#include "viz/controls.hpp"
#include "viz/headless.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>

namespace clawnet::viz {
namespace {

template <typename Integer>
bool parse_integer(std::string_view text, Integer low, Integer high, Integer& out) {
  Integer value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < low || value > high) return false;
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

bool takes_value(std::string_view name) {
  for (const std::string_view known : {"--width", "--height", "--frames-max", "--speed", "--play", "--png",
                                       "--png-after-ms", "--font", "--mono-font"}) {
    if (name == known) return true;
  }
  return false;
}

// Applies one recognised option; returns an error message or nullopt.
std::optional<std::string> apply(VizOptions& options, std::string_view name, std::string_view value) {
  const std::string quoted = "'" + std::string(value) + "'";
  if (name == "--width") {
    if (!parse_integer(value, frame_side_min, frame_width_max, options.width)) {
      return "--width: expected an integer in [" + std::to_string(frame_side_min) + ", " +
             std::to_string(frame_width_max) + "], got " + quoted;
    }
  } else if (name == "--height") {
    if (!parse_integer(value, frame_side_min, frame_height_max, options.height)) {
      return "--height: expected an integer in [" + std::to_string(frame_side_min) + ", " +
             std::to_string(frame_height_max) + "], got " + quoted;
    }
  } else if (name == "--frames-max") {
    if (!parse_integer<std::uint64_t>(value, 0, UINT64_MAX, options.frames_max)) {
      return "--frames-max: expected a non-negative integer, got " + quoted;
    }
  } else if (name == "--speed") {
    if (!parse_speed(value, options.speed_exponent)) {
      return "--speed: expected a power of two from 0.25 to 64, got " + quoted;
    }
  } else if (name == "--play") {
    if (!valid_player_name(value)) {
      return "--play: expected a player name of 1.." + std::to_string(player_name_bytes_max) +
             " characters [A-Za-z0-9_-], got " + quoted;
    }
    options.play = std::string(value);
  } else if (name == "--png") {
    if (value.empty()) return "--png: expected a file path";
    options.png_path = std::string(value);
  } else if (name == "--png-after-ms") {
    // A day of virtual time is far beyond any scenario; more is a typo.
    if (!parse_integer<TimeMs>(value, 0, 86'400'000, options.png_after_ms)) {
      return "--png-after-ms: expected an integer in [0, 86400000], got " + quoted;
    }
  } else if (name == "--font") {
    if (value.empty()) return "--font: expected a file path";
    options.fonts.sans = std::string(value);
  } else if (name == "--mono-font") {
    if (value.empty()) return "--mono-font: expected a file path";
    options.fonts.mono = std::string(value);
  }
  return std::nullopt;
}

}  // namespace

ParsedVizOptions parse_viz_options(const std::vector<std::string>& args) {
  ParsedVizOptions parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--paused") {
      parsed.options.start_paused = true;
      continue;
    }
    const std::size_t equals = arg.find('=');
    const std::string_view name = arg.substr(0, equals);
    if (!takes_value(name)) {
      parsed.rest.emplace_back(arg);
      continue;
    }
    std::string_view value;
    if (equals != std::string_view::npos) {
      value = arg.substr(equals + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      parsed.error = std::string(name) + ": missing value";
      return parsed;
    }
    if (auto error = apply(parsed.options, name, value)) {
      parsed.error = *error;
      return parsed;
    }
  }
  return parsed;
}

}  // namespace clawnet::viz
