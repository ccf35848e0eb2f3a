// print_scenario: the canonical text form of a Scenario (docs/scenarios.md).
// Every setting is written out, even when it equals the default, so a printed
// file says everything the run depends on. Numbers are written so that they
// parse back to the same value: durations by format_duration, fractions by the
// shortest round-trip decimal (std::to_chars).
#include "sim/scenario.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

namespace clawnet::sim {
namespace {

std::string number(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string repeat(std::uint32_t count) { return count == 1 ? std::string() : fmt::format(" x{}", count); }

std::string_view comparison_text(Comparison comparison) {
  switch (comparison) {
    case Comparison::eq: return "==";
    case Comparison::ge: return ">=";
    case Comparison::le: return "<=";
  }
  return "?";
}

std::string names(const std::vector<std::string>& players) {
  std::string out;
  for (const std::string& player : players) out += " " + player;
  return out;
}

std::string link_text(const PartitionLink& link) {
  return link.from + (link.both_ways ? "<->" : "->") + link.to;
}

std::string expectation_text(const ExpectationBody& body) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ExpectController>) return "controller " + e.player.value_or("none");
        if constexpr (std::is_same_v<T, ExpectQueue>) return "queue" + names(e.players);
        if constexpr (std::is_same_v<T, ExpectQueueLength>) return fmt::format("queue_length {}", e.length);
        if constexpr (std::is_same_v<T, ExpectMotorsOff>) return "motors off";
        if constexpr (std::is_same_v<T, ExpectPosition>) return fmt::format("position {} {}", e.player, e.position);
        if constexpr (std::is_same_v<T, ExpectState>) return fmt::format("state {} {}", to_string(e.node), e.state);
        if constexpr (std::is_same_v<T, ExpectQueueMode>) return fmt::format("queue_mode {}", to_string(e.mode));
        if constexpr (std::is_same_v<T, ExpectCounter>)
          return fmt::format("counter {} {} {}", e.counter, comparison_text(e.comparison), e.value);
        if constexpr (std::is_same_v<T, ExpectPlayed>) return "played" + names(e.players);
      },
      body);
}

std::string when_text(const Expectation& expectation) {
  switch (expectation.when) {
    case When::at: return "at " + format_duration(expectation.at_ms);
    case When::by: return "by " + format_duration(expectation.at_ms);
    case When::end: return "end";
  }
  return "?";
}

void print_description(const std::string& description, std::string& out) {
  if (description.empty()) return;
  std::string_view rest = description;
  while (true) {
    const std::size_t newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    out += line.empty() ? std::string("#\n") : fmt::format("# {}\n", line);
    if (newline == std::string_view::npos) break;
    rest.remove_prefix(newline + 1);
  }
  out += "\n";
}

// A machine's line: every key of its field table (core/machine_config.hpp), in order.
template <class Config>
std::string machine_line(const ConfigSchema<Config>& schema, const Config& config) {
  std::string line(schema.section);
  for (const ConfigField<Config>& field : schema.fields) {
    const std::int64_t value = field_value(field, config);
    line += fmt::format(" {} {}", field.scenario_key,
                        field.unit == FieldUnit::milliseconds ? format_duration(value) : std::to_string(value));
  }
  return line + "\n";
}

void print_settings(const Scenario& s, std::string& out) {
  const NetworkOptions& n = s.network;
  out += fmt::format("seed {}\n", s.seed);
  if (s.tie_shuffle) out += fmt::format("tie_shuffle {}\n", *s.tie_shuffle);
  out += fmt::format("duration {}\n", format_duration(s.duration_ms));
  out += fmt::format(
      "network latency {}..{} loss {} duplication {} reorder {} reorder_max {} heartbeat {} link_detect {} "
      "message_max {}\n",
      format_duration(n.latency_ms_min), format_duration(n.latency_ms_max), number(n.loss), number(n.duplication),
      number(n.reorder), format_duration(n.reorder_ms_max), format_duration(n.heartbeat_timeout_ms),
      format_duration(n.link_detect_ms), n.message_bytes_max);
  out += machine_line(server_config_schema, s.server);
  out += machine_line(claw_config_schema, s.claw);
  const CabinetConfig& k = s.cabinet;
  out += fmt::format(
      "cabinet width {} depth {} drop {} chute {} gantry_speed {} hoist_speed {} prizes {} grab_radius {} "
      "grip_min {} grip_max {} start_x {} start_y {} start_z {}\n",
      number(k.geometry.width_mm), number(k.geometry.depth_mm), number(k.geometry.drop_mm),
      number(k.geometry.chute_mm), k.gantry_mm_per_s, k.hoist_mm_per_s, k.prize_count, number(k.grab_radius_mm),
      number(k.grip_chance_min), number(k.grip_chance_max), number(k.start_x_mm), number(k.start_y_mm),
      number(k.start_z_mm));
  out += fmt::format("oracle liveness {}\n", format_duration(s.liveness_bound_ms));
}

}  // namespace

// The words after "at T" for one action.
std::string action_text(const ActionBody& body) {
  return std::visit(
      [](const auto& a) -> std::string {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, Join>) return fmt::format("join {} {}", a.player, to_string(a.mode));
        if constexpr (std::is_same_v<T, Leave>) return "leave " + a.player;
        if constexpr (std::is_same_v<T, Disconnect>) return "disconnect " + a.player;
        if constexpr (std::is_same_v<T, Vanish>) return "vanish " + a.player;
        if constexpr (std::is_same_v<T, Reconnect>) return "reconnect " + a.player;
        if constexpr (std::is_same_v<T, Press>)
          return fmt::format("press {} {}{}", a.player, to_string(a.direction), a.refresh ? "" : " norefresh");
        if constexpr (std::is_same_v<T, Release>) return fmt::format("release {} {}", a.player, to_string(a.direction));
        if constexpr (std::is_same_v<T, DropClaw>) return "drop " + a.player;
        if constexpr (std::is_same_v<T, Crash>) {
          if (a.in_state) return fmt::format("crash {} in {}", to_string(a.node), *a.in_state);
          if (!a.after_effects) return fmt::format("crash {}", to_string(a.node));
          return fmt::format("crash {} after {} effects", to_string(a.node), *a.after_effects);
        }
        if constexpr (std::is_same_v<T, Restart>) return fmt::format("restart {}", to_string(a.node));
        if constexpr (std::is_same_v<T, PartitionNode>)
          return fmt::format("partition {} for {}{}", a.node, format_duration(a.for_ms), a.in_state ? " in " + *a.in_state : "");
        if constexpr (std::is_same_v<T, PartitionLink>)
          return fmt::format("partition {} for {}", link_text(a), format_duration(a.for_ms));
        if constexpr (std::is_same_v<T, ChannelLoss>)
          return fmt::format("loss {} on {} for {}", number(a.loss), a.pattern, format_duration(a.for_ms));
        if constexpr (std::is_same_v<T, Burst>)
          return fmt::format("burst loss {} duplication {} reorder {}{}{} for {}", number(a.loss),
                             number(a.duplication), number(a.reorder),
                             a.reorder_ms_max > 0 ? " reorder_max " + format_duration(a.reorder_ms_max) : "",
                             a.delay_ms > 0 ? " delay " + format_duration(a.delay_ms) : "", format_duration(a.for_ms));
        if constexpr (std::is_same_v<T, Spoof>) return fmt::format("spoof {} {}{}", a.player, a.victim, repeat(a.count));
        if constexpr (std::is_same_v<T, Flood>) return fmt::format("flood {}{}", a.player, repeat(a.count));
        if constexpr (std::is_same_v<T, Replay>) return fmt::format("replay {}{}", a.player, repeat(a.count));
        // joinspam always says its count: the file format requires it.
        if constexpr (std::is_same_v<T, JoinSpam>) return fmt::format("joinspam {} x{}", a.player, a.count);
        if constexpr (std::is_same_v<T, Crowd>)
          return fmt::format("crowd {} over {} {}", a.count, format_duration(a.over_ms), to_string(a.mode));
        if constexpr (std::is_same_v<T, Arrivals>)
          return fmt::format("arrivals {} per hour for {} {}", number(a.per_hour), format_duration(a.for_ms),
                             to_string(a.mode));
        if constexpr (std::is_same_v<T, Chaos>)
          return fmt::format("chaos for {} every {}", format_duration(a.for_ms), format_duration(a.mean_interval_ms));
        if constexpr (std::is_same_v<T, PresenceTrouble>)
          return fmt::format("presence loss {} duplication {}{} for {}", number(a.loss), number(a.duplication),
                             a.delay_ms > 0 ? " delay " + format_duration(a.delay_ms) : "", format_duration(a.for_ms));
        if constexpr (std::is_same_v<T, SpuriousTimeout>) return "presence timeout " + a.player;
        if constexpr (std::is_same_v<T, Pause>)
          return fmt::format("pause {} for {}{}", to_string(a.node), format_duration(a.for_ms),
                             a.in_state ? " in " + *a.in_state : "");
        if constexpr (std::is_same_v<T, Slow>)
          return fmt::format("slow {} by {} for {}", to_string(a.node), format_duration(a.by_ms), format_duration(a.for_ms));
        if constexpr (std::is_same_v<T, ClockChange>)
          return fmt::format("clock {}{}{}", to_string(a.node), a.drift_ppm ? fmt::format(" drift {}ppm", *a.drift_ppm) : "",
                             a.step_ms ? " step " + format_duration(*a.step_ms) : "");
        if constexpr (std::is_same_v<T, PowerCut>) return a.torn ? "power cut server torn" : "power cut server";
        if constexpr (std::is_same_v<T, ChuteSensor>) return a.stuck ? "chute stuck" : "chute free";
        if constexpr (std::is_same_v<T, Admin>) {
          return fmt::format("admin {}{}", to_string(a.action), a.action == AdminAction::kick ? " " + a.player : "");
        }
        if constexpr (std::is_same_v<T, Heal>) return "heal";
      },
      body);
}


std::string print_scenario(const Scenario& scenario) {
  std::string out;
  print_description(scenario.description, out);
  print_settings(scenario, out);

  // Time order even if the caller built the list out of order (stable, as parsing sorts).
  std::vector<const Action*> actions;
  for (const Action& action : scenario.actions) actions.push_back(&action);
  std::stable_sort(actions.begin(), actions.end(),
                   [](const Action* a, const Action* b) { return a->at_ms < b->at_ms; });
  if (!actions.empty()) out += "\n";
  for (const Action* action : actions) {
    out += fmt::format("at {} {}\n", format_duration(action->at_ms), action_text(action->body));
  }

  if (!scenario.expectations.empty()) out += "\n";
  for (const Expectation& expectation : scenario.expectations) {
    out += fmt::format("expect {} {}\n", when_text(expectation), expectation_text(expectation.body));
  }
  return out;
}

}  // namespace clawnet::sim
