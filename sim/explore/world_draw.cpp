#include "sim/explore/world_draw.hpp"

#include "core/limits.hpp"
#include "sim/oracle.hpp"
#include "sim/rng.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace clawnet::sim {
namespace {

constexpr std::size_t generated_players_max = 10;
constexpr double fault_per_minute_min = 0.2;
constexpr double fault_per_minute_max = 8;
constexpr double extreme_intensity_chance = 0.2;  // Some worlds push a fault to its worst.

// Uniform on a log scale: rates from rare to relentless, equally often.
double log_uniform(Rng& rng, double lo, double hi) { return lo * std::exp(rng.unit() * std::log(hi / lo)); }

TimeMs fraction_of(TimeMs span_ms, double fraction) {
  return static_cast<TimeMs>(std::llround(static_cast<double>(span_ms) * fraction));
}

struct Draw {
  Rng rng;
  Scenario& scenario;
  TimeMs chaos_ms;
  std::vector<std::string> players;  // Every generated player, in creation order.

  // Every generated line falls in the chaos phase; one drawn past it (a late
  // restart or reconnect) happens at its last instant.
  // Half the node faults wait for a state of the node's machine, so every
  // state gets its crashes and cuts, however short it lasts.
  std::optional<std::string> maybe_in_state(NodeKind node, double chance) {
    if (!rng.chance(chance)) return std::nullopt;
    const std::vector<std::string_view>& states = machine_states(node);
    return std::string(states[rng.below(states.size())]);
  }
  void at(TimeMs at_ms, ActionBody body) {
    scenario.actions.push_back(Action{std::min(at_ms, chaos_ms - 1), std::move(body), 0});
  }
  TimeMs chaos_time() { return rng.between(0, chaos_ms - 1); }
  const std::string& some_player() { return players[rng.below(players.size())]; }
};

// Machine settings within their validated ranges, and within what the default
// cabinet can meet (a raise takes 2 s, a homing run up to 6 s).
void draw_settings(Draw& draw) {
  Rng& rng = draw.rng;
  ServerConfig& server = draw.scenario.server;
  server.turn_ms = rng.between(5, 30) * 1'000;
  server.turn_slack_ms = rng.between(1, 45) * 1'000;
  server.grace_ms = rng.between(2, 60) * 1'000;
  server.resend_ms = rng.between(200, 3'000);
  server.queue_length_max = rng.chance(0.2) ? static_cast<std::size_t>(rng.between(1, 6)) : 100'000;
  server.ready_ms = rng.chance(0.5) ? rng.between(3, 15) * 1'000 : 0;  // Players answer within 1.5 s.
  ClawConfig& claw = draw.scenario.claw;
  claw.deadman_ms = rng.between(200, 1'500);
  claw.motor_on_ms_max = rng.between(claw.deadman_ms + 500, 10'000);
  claw.lower_ms = rng.between(1'000, 4'000);
  claw.grip_ms = rng.between(300, 1'500);
  claw.raise_ms_max = rng.between(3'000, 8'000);
  claw.home_ms_max = rng.between(8'000, limits::drop_step_ms_max);
  claw.release_ms = rng.between(300, 1'500);
  claw.subscribe_ms_max = rng.between(1'000, 8'000);
  claw.ready_repeat_ms = rng.between(500, 4'000);
  claw.commands_per_second_max = static_cast<std::uint32_t>(rng.between(5, 40));
  NetworkOptions& network = draw.scenario.network;
  network.latency_ms_min = rng.between(1, 50);
  network.latency_ms_max = network.latency_ms_min + rng.between(0, 150);
  network.loss = 0;  // After the heal the network is lossless: liveness bounds are exact.
  network.duplication = rng.chance(0.5) ? rng.unit() * 0.02 : 0;
  network.reorder = rng.chance(0.5) ? rng.unit() * 0.05 : 0;
  network.reorder_ms_max = network.reorder > 0 ? rng.between(1, 300) : 0;
  network.heartbeat_timeout_ms = rng.between(20, 60) * 1'000;
  network.link_detect_ms = rng.between(500, 5'000);
  network.message_bytes_max = 32'768;
}

// Players of every kind, joining during the first four fifths of the chaos phase.
void draw_players(Draw& draw, std::size_t count) {
  for (std::size_t index = 1; index <= count; index += 1) {
    const TimeMs join_ms = draw.rng.between(0, draw.chaos_ms * 4 / 5);
    const std::uint64_t kind = draw.rng.below(7);
    auto join = [&](const std::string& prefix, PlayerMode mode, TimeMs at_ms) {
      draw.players.push_back(fmt::format("{}-{}", prefix, index));
      draw.at(at_ms, Join{draw.players.back(), mode});
    };
    switch (kind) {
      case 0: join("steady", PlayerMode::automatic, join_ms); break;
      case 1: join("slow", PlayerMode::idle, join_ms); break;       // Plays out the whole turn.
      case 2: join("sticky", PlayerMode::sticky, join_ms); break;   // Never sends Off.
      case 3: join("silent", PlayerMode::scripted, join_ms); break; // Has control, does nothing.
      case 5: join("ghost", PlayerMode::ghost, join_ms); break;     // Never answers the ready check.
      case 4: {
        // Bursty: joins, and on a reload joins again at once.
        join("bursty", PlayerMode::automatic, join_ms);
        draw.at(join_ms + draw.rng.between(1, 900), Join{draw.players.back(), PlayerMode::automatic});
        break;
      }
      default: {
        // Reconnecting: drops off now and then and comes back.
        join("flaky", PlayerMode::automatic, join_ms);
        const TimeMs away_ms = join_ms + draw.rng.between(1'000, 20'000);
        draw.at(away_ms, Disconnect{draw.players.back()});
        draw.at(away_ms + draw.rng.between(500, draw.scenario.server.grace_ms * 2), Reconnect{draw.players.back()});
        break;
      }
    }
  }
}

SwarmMix draw_mix(Rng& rng, bool every_fault) {
  SwarmMix mix;
  for (FaultSetting& fault : mix.faults) {
    fault.on = every_fault || rng.chance(0.5);
    fault.per_minute = log_uniform(rng, fault_per_minute_min, fault_per_minute_max);
    fault.intensity = rng.chance(extreme_intensity_chance) ? 1.0 : rng.unit();
  }
  return mix;
}

// A span that grows with intensity; at 1 it reaches `extreme_ms`.
TimeMs span(Draw& draw, double intensity, TimeMs least_ms, TimeMs extreme_ms) {
  return least_ms + fraction_of(extreme_ms - least_ms, intensity * (0.25 + 0.75 * draw.rng.unit()));
}

// A player's tab closes (or it unsubscribes); most come back, some inside
// their grace period and some after it.
void draw_player_away(Draw& draw, bool vanish, TimeMs at_ms) {
  const std::string& player = draw.some_player();
  if (vanish) {
    draw.at(at_ms, Vanish{player});
  } else {
    draw.at(at_ms, Disconnect{player});
  }
  if (draw.rng.chance(0.7)) draw.at(at_ms + draw.rng.between(200, 2 * draw.scenario.server.grace_ms), Reconnect{player});
}

void draw_hostile(Draw& draw, double intensity, TimeMs at_ms) {
  const auto times = [&](std::uint32_t most) {
    return static_cast<std::uint32_t>(1 + fraction_of(most - 1, intensity * draw.rng.unit()));
  };
  switch (draw.rng.below(4)) {
    case 0: draw.at(at_ms, Spoof{"mallory", draw.some_player(), times(20)}); break;
    case 1: draw.at(at_ms, Flood{draw.some_player(), times(50)}); break;
    case 2: draw.at(at_ms, Replay{draw.some_player(), times(10)}); break;
    default: draw.at(at_ms, JoinSpam{"spammer", times(30)}); break;
  }
}

// An operator at work: a hold (pause, or e-stop) released after a while, or a
// turn or a place taken away. The heal releases whatever still holds.
void draw_operator(Draw& draw, FaultKind kind, double intensity, TimeMs at_ms) {
  Rng& rng = draw.rng;
  if (kind == FaultKind::operator_end) {
    if (rng.chance(0.5)) return draw.at(at_ms, Admin{AdminAction::skip, {}});
    return draw.at(at_ms, Admin{AdminAction::kick, draw.some_player()});
  }
  const bool estop = rng.chance(0.5);
  draw.at(at_ms, Admin{estop ? AdminAction::estop : AdminAction::pause, {}});
  const TimeMs hold_ms = span(draw, intensity, 200, 2 * draw.scenario.server.turn_ms);
  draw.at(at_ms + hold_ms, Admin{estop ? AdminAction::reset : AdminAction::resume, {}});
}

// Faults of the nodes themselves: crashes, freezes, slowness, clocks, power.
void draw_node_fault(Draw& draw, FaultKind kind, double intensity, TimeMs at_ms) {
  Rng& rng = draw.rng;
  const TimeMs turn_ms = draw.scenario.server.turn_ms;
  switch (kind) {
    case FaultKind::server_crash:
    case FaultKind::claw_crash: {
      const NodeKind crashed = kind == FaultKind::server_crash ? NodeKind::server : NodeKind::claw;
      draw.at(at_ms, Crash{crashed, std::nullopt, draw.maybe_in_state(crashed, 0.5)});
      draw.at(at_ms + span(draw, intensity, 100, 60'000), Restart{crashed});
      break;
    }
    case FaultKind::crash_mid_step: {
      const NodeKind crashed = rng.chance(0.7) ? NodeKind::server : NodeKind::claw;
      draw.at(at_ms, Crash{crashed, static_cast<std::uint32_t>(rng.below(4))});
      draw.at(at_ms + span(draw, intensity, 1'000, 60'000), Restart{crashed});
      break;
    }
    case FaultKind::node_pause: {
      // A frozen claw mid-turn is the hung firmware of a cabinet: present, silent.
      const NodeKind frozen = rng.chance(0.5) ? NodeKind::server : NodeKind::claw;
      draw.at(at_ms, Pause{frozen, span(draw, intensity, 100, 3 * turn_ms), draw.maybe_in_state(frozen, 0.5)});
      break;
    }
    case FaultKind::node_slow: {
      const NodeKind slow = rng.chance(0.5) ? NodeKind::server : NodeKind::claw;
      draw.at(at_ms, Slow{slow, span(draw, intensity, 1, turn_ms / 2), span(draw, intensity, 1'000, 3 * turn_ms)});
      break;
    }
    case FaultKind::clock_skew: {
      const NodeKind skewed = rng.chance(0.5) ? NodeKind::server : NodeKind::claw;
      if (rng.chance(0.5)) {
        const auto ppm = static_cast<std::int64_t>(fraction_of(clock_drift_ppm_max, intensity * rng.unit()));
        draw.at(at_ms, ClockChange{skewed, rng.chance(0.5) ? ppm : -ppm, std::nullopt});
      } else {
        draw.at(at_ms, ClockChange{skewed, std::nullopt, span(draw, intensity, 1, 3 * turn_ms)});
      }
      break;
    }
    case FaultKind::power_cut:
      draw.at(at_ms, PowerCut{rng.chance(0.5)});
      draw.at(at_ms + span(draw, intensity, 100, 60'000), Restart{NodeKind::server});
      break;
    default: break;  // Not a node fault: draw_one_fault handles it.
  }
}

// Faults of the network: partitions, loss, bursts, presence going wrong.
void draw_network_fault(Draw& draw, FaultKind kind, double intensity, TimeMs at_ms) {
  Rng& rng = draw.rng;
  const TimeMs turn_ms = draw.scenario.server.turn_ms;
  switch (kind) {
    case FaultKind::node_partition: {
      const std::uint64_t pick = rng.below(3);
      const std::string cut = pick == 0 ? "server" : pick == 1 ? "claw" : draw.some_player();
      std::optional<std::string> in_state;
      if (pick < 2) in_state = draw.maybe_in_state(pick == 0 ? NodeKind::server : NodeKind::claw, 0.5);
      draw.at(at_ms, PartitionNode{cut, span(draw, intensity, 200, 3 * turn_ms), in_state});
      break;
    }
    case FaultKind::link_partition: {
      const bool from_server = rng.chance(0.5);
      draw.at(at_ms, PartitionLink{from_server ? "server" : "claw", from_server ? "claw" : "server", rng.chance(0.5),
                                   span(draw, intensity, 200, 3 * turn_ms)});
      break;
    }
    case FaultKind::channel_loss: {
      const std::uint64_t pick = rng.below(3);
      const std::string pattern = pick == 0 ? "clawcomm" : pick == 1 ? "p-*" : "lobby";
      draw.at(at_ms, ChannelLoss{pattern, 0.05 + 0.9 * intensity * rng.unit(), span(draw, intensity, 1'000, 2 * turn_ms)});
      break;
    }
    case FaultKind::burst:
      // Extreme bursts reorder and delay messages by more than a turn.
      draw.at(at_ms, Burst{0.6 * intensity * rng.unit(), 0.3 * intensity * rng.unit(), 0.5 * intensity * rng.unit(),
                           span(draw, intensity, 1'000, 2 * turn_ms), span(draw, intensity, 0, 2 * turn_ms),
                           span(draw, intensity, 1, 2 * turn_ms)});
      break;
    case FaultKind::presence_trouble:
      draw.at(at_ms, PresenceTrouble{0.8 * intensity * rng.unit(), 0.5 * intensity * rng.unit(),
                                     span(draw, intensity, 0, draw.scenario.server.grace_ms),
                                     span(draw, intensity, 1'000, 3 * turn_ms)});
      break;
    case FaultKind::presence_timeout: draw.at(at_ms, SpuriousTimeout{draw.some_player()}); break;
    default: break;  // Not a network fault: draw_one_fault handles it.
  }
}

// Every kind is named here, so a new FaultKind left undrawn is a -Wswitch error.
void draw_one_fault(Draw& draw, FaultKind kind, double intensity, TimeMs at_ms) {
  switch (kind) {
    case FaultKind::server_crash:
    case FaultKind::claw_crash:
    case FaultKind::crash_mid_step:
    case FaultKind::node_pause:
    case FaultKind::node_slow:
    case FaultKind::clock_skew:
    case FaultKind::power_cut: draw_node_fault(draw, kind, intensity, at_ms); break;
    case FaultKind::node_partition:
    case FaultKind::link_partition:
    case FaultKind::channel_loss:
    case FaultKind::burst:
    case FaultKind::presence_trouble:
    case FaultKind::presence_timeout: draw_network_fault(draw, kind, intensity, at_ms); break;
    case FaultKind::player_vanish:
    case FaultKind::player_disconnect: draw_player_away(draw, kind == FaultKind::player_vanish, at_ms); break;
    case FaultKind::player_leave: draw.at(at_ms, Leave{draw.some_player()}); break;
    case FaultKind::hostile: draw_hostile(draw, intensity, at_ms); break;
    case FaultKind::operator_hold:
    case FaultKind::operator_end: draw_operator(draw, kind, intensity, at_ms); break;
    case FaultKind::chute_stuck:
      draw.at(at_ms, ChuteSensor{true});
      draw.at(at_ms + span(draw, intensity, 1'000, 3 * draw.scenario.server.turn_ms), ChuteSensor{false});
      break;
    case FaultKind::count: break;
  }
}

void draw_faults(Draw& draw, const SwarmMix& mix) {
  for (std::size_t index = 0; index < fault_kind_count; index += 1) {
    const FaultSetting& fault = mix.faults[index];
    if (!fault.on) continue;
    const double mean_gap_ms = 60'000.0 / fault.per_minute;
    for (TimeMs at_ms = static_cast<TimeMs>(draw.rng.exponential(mean_gap_ms)); at_ms < draw.chaos_ms;
         at_ms += 1 + static_cast<TimeMs>(draw.rng.exponential(mean_gap_ms))) {
      draw_one_fault(draw, static_cast<FaultKind>(index), fault.intensity, at_ms);
    }
  }
}

// Players a base scenario brings (joins and crowds), for the heal phase's length.
std::size_t base_players(const Scenario& base) {
  std::size_t count = 0;
  for (const Action& action : base.actions) {
    if (std::holds_alternative<Join>(action.body)) count += 1;
    if (const Crowd* crowd = std::get_if<Crowd>(&action.body)) count += crowd->count;
  }
  return count;
}

}  // namespace

std::string_view to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::server_crash: return "server_crash";
    case FaultKind::claw_crash: return "claw_crash";
    case FaultKind::crash_mid_step: return "crash_mid_step";
    case FaultKind::node_partition: return "node_partition";
    case FaultKind::link_partition: return "link_partition";
    case FaultKind::channel_loss: return "channel_loss";
    case FaultKind::burst: return "burst";
    case FaultKind::player_vanish: return "player_vanish";
    case FaultKind::player_disconnect: return "player_disconnect";
    case FaultKind::player_leave: return "player_leave";
    case FaultKind::hostile: return "hostile";
    case FaultKind::presence_trouble: return "presence_trouble";
    case FaultKind::presence_timeout: return "presence_timeout";
    case FaultKind::node_pause: return "node_pause";
    case FaultKind::node_slow: return "node_slow";
    case FaultKind::clock_skew: return "clock_skew";
    case FaultKind::power_cut: return "power_cut";
    case FaultKind::operator_hold: return "operator_hold";
    case FaultKind::operator_end: return "operator_end";
    case FaultKind::chute_stuck: return "chute_stuck";
    case FaultKind::count: break;
  }
  return "?";
}

std::string describe(const SwarmMix& mix) {
  std::string text;
  for (std::size_t index = 0; index < fault_kind_count; index += 1) {
    const FaultSetting& fault = mix.faults[index];
    const std::string_view name = to_string(static_cast<FaultKind>(index));
    text += fault.on ? fmt::format("{} on {:.2f}/min intensity {:.2f}\n", name, fault.per_minute, fault.intensity)
                     : fmt::format("{} off\n", name);
  }
  return text;
}

DrawnWorld draw_world(std::uint64_t seed, const Scenario* base, const DrawSettings& settings) {
  DrawnWorld drawn;
  Scenario& scenario = drawn.scenario;
  Rng root(seed);
  Draw draw{root.fork("explore"), scenario, 0, {}};
  if (base != nullptr) {
    scenario = *base;
    scenario.expectations.clear();
    draw.chaos_ms = scenario.duration_ms;
  } else {
    draw_settings(draw);
    draw.chaos_ms = draw.rng.between(settings.chaos_ms_min, settings.chaos_ms_max);
  }
  scenario.seed = seed;
  scenario.name = fmt::format("seed-{}", seed);
  // Its own stream, so the order of ties changes and nothing else the seed draws.
  if (!scenario.tie_shuffle) scenario.tie_shuffle = root.fork("ties").uint64();
  drawn.mix = draw_mix(draw.rng, settings.every_fault);
  drawn.players = 1 + draw.rng.below(generated_players_max);
  draw_players(draw, drawn.players);
  draw_faults(draw, drawn.mix);

  drawn.heal_at_ms = draw.chaos_ms;
  scenario.actions.push_back(Action{drawn.heal_at_ms, Heal{}, 0});
  const HealBounds bounds = heal_bounds(scenario.server, scenario.claw, scenario.network);
  const std::size_t players = drawn.players + (base ? base_players(*base) : 0);
  scenario.duration_ms =
      drawn.heal_at_ms + bounds.settle_ms + static_cast<TimeMs>(players + 2) * bounds.turn_bound_ms;
  scenario.liveness_bound_ms = std::max(scenario.liveness_bound_ms, 2 * bounds.turn_bound_ms);
  std::stable_sort(scenario.actions.begin(), scenario.actions.end(),
                   [](const Action& a, const Action& b) { return a.at_ms < b.at_ms; });
  scenario.description = fmt::format(
      "explore seed {}: {} players, chaos for {}, heal at {}{}\nfault mix:\n{}", seed, drawn.players,
      format_duration(draw.chaos_ms), format_duration(drawn.heal_at_ms),
      base ? fmt::format(", over base {}", base->name) : std::string(), describe(drawn.mix));
  while (!scenario.description.empty() && scenario.description.back() == '\n') scenario.description.pop_back();
  // A drawn setting out of its range is a bug here, not a finding about the machines.
  for (const std::optional<ConfigFieldError>& invalid : {validate(scenario.server), validate(scenario.claw)}) {
    if (invalid) throw std::logic_error(fmt::format("draw_world(seed {}): {}", seed, invalid->message));
  }
  for (const std::optional<std::string>& invalid : {validate(scenario.network), validate(scenario.cabinet)}) {
    if (invalid) throw std::logic_error(fmt::format("draw_world(seed {}): {}", seed, *invalid));
  }
  return drawn;
}

}  // namespace clawnet::sim
