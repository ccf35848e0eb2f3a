// Scenario actions: each timed line of a scenario file becomes one of these.
#include "sim/world.hpp"
#include "core/overloaded.hpp"
#include "core/probes.hpp"

#include <fmt/format.h>

namespace clawnet::sim {
namespace {

// Malformed and oversized payloads a hostile client might send.
std::vector<std::string> hostile_payloads(Turn turn) {
  return {
      "{not json",
      fmt::format(R"({{"command":"upOn","turn":{},"seq":1,"pad":"{}"}})", turn, std::string(600, 'x')),
      fmt::format(R"({{"command":"fly","turn":{},"seq":1}})", turn),
      "[1,2,3]",
      R"({"command":{"nested":{"deeper":true}}})",
      R"({"command":"upOn"})",
      fmt::format(R"({{"command":"upOn","turn":{},"seq":-4}})", turn),
  };
}

}  // namespace

void World::schedule_actions() {
  for (const Action& action : scenario_.actions) {
    schedule_at(action.at_ms, [this, &action] { apply(action); });
  }
}

void World::apply(const Action& action) {
  const TimeMs now = scheduler_.now();
  auto needs_channel = [&](const std::string& name) -> SimPlayer* {
    auto found = players_.find(name);
    if (found == players_.end() || found->second.channel.empty()) {
      log("scenario", fmt::format("line {}: {} has not joined; action skipped", action.line, name));
      return nullptr;
    }
    return &found->second;
  };
  std::visit(
      Overloaded{
          [&](const Join& a) {
            ensure_player(a.player, a.mode).mode = a.mode;
            if (!network_.is_up(a.player)) network_.restart(a.player);
            request_join(a.player, 0, false);
          },
          [&](const Leave& a) {
            SimPlayer* player = needs_channel(a.player);
            if (player == nullptr) return;
            log(a.player, "asks to leave");
            std::string channel = player->channel;
            schedule_at(now + latency_sample(), [this, channel] {
              with_server([&](ServerMachine& server) { server.handle_leave(channel, scheduler_.now()); });
            });
          },
          [&](const Disconnect& a) {
            SimPlayer* player = needs_channel(a.player);
            if (player == nullptr) return;
            player->connected = false;
            network_.unsubscribe(a.player, player->channel);
            network_.unsubscribe(a.player, std::string(lobby_channel));
            log(a.player, "disconnects");
          },
          [&](const Vanish& a) {
            SimPlayer* player = needs_channel(a.player);
            if (player == nullptr) return;
            player->connected = false;
            player->refresh_generation += 1;
            network_.crash(a.player);
            log(a.player, "vanishes (tab closed)");
          },
          [&](const Reconnect& a) {
            SimPlayer* player = needs_channel(a.player);
            if (player == nullptr) return;
            if (!network_.is_up(a.player)) network_.restart(a.player);
            player->connected = true;
            log(a.player, "reconnects");
            subscribe_player(*player);
          },
          [&](const Press& a) {
            if (SimPlayer* player = needs_channel(a.player)) press(*player, a.direction, a.refresh);
          },
          [&](const Release& a) {
            if (SimPlayer* player = needs_channel(a.player)) release(*player, a.direction);
          },
          [&](const DropClaw& a) {
            if (SimPlayer* player = needs_channel(a.player)) {
              player->held = {};
              player->refresh_generation += 1;
              player_send(*player, CommandKind::drop);
            }
          },
          [&](const Crash& a) {
            if (a.in_state) {
              return arm_in_state(a.node, *a.in_state, Action{now, Crash{a.node, a.after_effects}, action.line});
            }
            if (a.after_effects) {
              (a.node == NodeKind::server ? server_crash_after_ : claw_crash_after_) = a.after_effects;
              return log("scenario", fmt::format("{} will crash after {} effects of a step", to_string(a.node),
                                                 *a.after_effects));
            }
            a.node == NodeKind::server ? crash_server() : crash_claw();
          },
          [&](const Restart& a) {
            const std::string node(to_string(a.node));
            if (a.node == NodeKind::server ? server_ != nullptr : claw_ != nullptr) {
              return log("scenario", fmt::format("line {}: {} is running; restart skipped", action.line, node));
            }
            network_.restart(node);
            a.node == NodeKind::server ? start_server() : start_claw(false);
          },
          [&](const PartitionNode& a) {
            if (a.in_state) {
              return arm_in_state(a.node == "server" ? NodeKind::server : NodeKind::claw, *a.in_state,
                                  Action{now, PartitionNode{a.node, a.for_ms}, action.line});
            }
            if (a.for_ms > scenario_.server.turn_ms) coverage::sometimes(coverage::Probe::sim_partition_over_turn);
            network_.partition_node(a.node, now + a.for_ms);
            cut_off_until_ms_[a.node] = std::max(cut_off_until_ms_[a.node], now + a.for_ms);
            log("net", fmt::format("partition {} for {}", a.node, format_duration(a.for_ms)));
          },
          [&](const PartitionLink& a) {
            if (a.for_ms > scenario_.server.turn_ms) coverage::sometimes(coverage::Probe::sim_partition_over_turn);
            network_.partition_link(a.from, a.to, a.both_ways, now + a.for_ms);
            for (const std::string& node : {a.from, a.to}) {
              cut_off_until_ms_[node] = std::max(cut_off_until_ms_[node], now + a.for_ms);
            }
            log("net", fmt::format("partition {}{}{} for {}", a.from, a.both_ways ? "<->" : "->", a.to,
                                   format_duration(a.for_ms)));
          },
          [&](const ChannelLoss& a) {
            network_.set_channel_loss(a.pattern, a.loss);
            channel_loss_until_ms_[a.pattern] = std::max(channel_loss_until_ms_[a.pattern], now + a.for_ms);
            log("net", fmt::format("loss {:.0f}% on {} for {}", a.loss * 100, a.pattern, format_duration(a.for_ms)));
            schedule_at(now + a.for_ms, [this, pattern = a.pattern] {
              auto active = channel_loss_until_ms_.find(pattern);
              if (active == channel_loss_until_ms_.end() || active->second > scheduler_.now()) return;
              channel_loss_until_ms_.erase(active);
              network_.clear_channel_loss(pattern);
              log("net", fmt::format("loss on {} ends", pattern));
            });
          },
          [&](const Burst& a) { burst(a); },
          [&](const Spoof& a) { spoof(a.player, a.victim, a.count); },
          [&](const Flood& a) {
            SimPlayer* player = needs_channel(a.player);
            if (player == nullptr) return;
            std::vector<std::string> payloads = hostile_payloads(player->control_turn.value_or(0));
            for (std::uint32_t index = 0; index < a.count; index += 1) {
              network_.publish(a.player, player->channel, payloads[index % payloads.size()]);
            }
            log(a.player, fmt::format("floods its channel with {} malformed messages", a.count));
          },
          [&](const Replay& a) {
            SimPlayer* player = needs_channel(a.player);
            if (player == nullptr || player->last_command.empty()) return;
            for (std::uint32_t index = 0; index < a.count; index += 1) {
              network_.publish(a.player, player->channel, player->last_command);
            }
            log(a.player, fmt::format("replays its last command {} times", a.count));
          },
          [&](const JoinSpam& a) {
            ensure_player(a.player, PlayerMode::idle);
            log(a.player, fmt::format("spams {} joins", a.count));
            for (std::uint32_t index = 0; index < a.count; index += 1) request_join(a.player, 0, true);
          },
          [&](const Crowd& a) {
            for (std::uint32_t index = 0; index < a.count; index += 1) {
              const TimeMs offset_ms = a.count > 1 ? a.over_ms * index / (a.count - 1) : 0;
              schedule_at(now + offset_ms, [this, mode = a.mode] { arrive("guest", mode); });
            }
          },
          [&](const Arrivals& a) { schedule_arrival(a.per_hour, now + a.for_ms, a.mode); },
          [&](const Chaos& a) { schedule_chaos(now + a.for_ms, a.mean_interval_ms); },
          [&](const Heal&) { heal(); },
      },
      action.body);
}

void World::arrive(const std::string& prefix, PlayerMode mode) {
  crowd_seq_ += 1;
  const std::string name = fmt::format("{}-{}", prefix, crowd_seq_);
  SimPlayer& player = ensure_player(name, mode);
  player.leave_after_turn = true;
  request_join(name, 0, false);
}

// Poisson arrivals; one visitor in ten loses patience and closes the tab.
void World::schedule_arrival(double per_hour, TimeMs until_ms, PlayerMode mode) {
  const double mean_ms = 3'600'000.0 / per_hour;
  const TimeMs at_ms = scheduler_.now() + static_cast<TimeMs>(chaos_rng_.exponential(mean_ms)) + 1;
  if (at_ms >= until_ms) return;
  schedule_at(at_ms, [this, per_hour, until_ms, mode] {
    arrive("visitor", mode);
    const std::string name = fmt::format("visitor-{}", crowd_seq_);
    if (chaos_rng_.chance(0.1)) {
      schedule_at(scheduler_.now() + chaos_rng_.between(10'000, 600'000), [this, name] {
        SimPlayer& player = players_.at(name);
        if (!player.connected || player.control_turn) return;
        player.connected = false;
        network_.crash(name);
        log(name, "loses patience and closes the tab");
      });
    }
    schedule_arrival(per_hour, until_ms, mode);
  });
}

// Random faults, about one per mean interval: crashes with restarts,
// partitions and loss bursts, each over within a minute.
void World::schedule_chaos(TimeMs until_ms, TimeMs mean_interval_ms) {
  const TimeMs at_ms = scheduler_.now() + static_cast<TimeMs>(chaos_rng_.exponential(static_cast<double>(mean_interval_ms))) + 1;
  if (at_ms >= until_ms) return;
  schedule_at(at_ms, [this, until_ms, mean_interval_ms] {
    if (healed_) return;
    chaos_seq_ += 1;
    const TimeMs now = scheduler_.now();
    const TimeMs length_ms = chaos_rng_.between(2'000, 40'000);
    const std::uint64_t fault = chaos_rng_.below(5);
    log("chaos", fmt::format("fault {} for {}", fault, format_duration(length_ms)));
    if (fault == 0 && server_) {
      crash_server();
      schedule_at(now + length_ms, [this] {
        if (server_) return;
        network_.restart("server");
        start_server();
      });
    } else if (fault == 1 && claw_) {
      crash_claw();
      schedule_at(now + length_ms, [this] {
        if (claw_) return;
        network_.restart("claw");
        start_claw(false);
      });
    } else if (fault == 2 || fault == 3) {
      const std::string node = fault == 2 ? "claw" : "server";
      network_.partition_node(node, now + length_ms);
      cut_off_until_ms_[node] = std::max(cut_off_until_ms_[node], now + length_ms);
      log("net", fmt::format("partition {} for {}", node, format_duration(length_ms)));
    } else {
      burst(Burst{chaos_rng_.unit() * 0.4, chaos_rng_.unit() * 0.1, chaos_rng_.unit() * 0.2, length_ms,
                  chaos_rng_.between(0, 2'000)});
    }
    schedule_chaos(until_ms, mean_interval_ms);
  });
}

void World::burst(const Burst& trouble) {
  NetworkOptions options = scenario_.network;
  options.loss = trouble.loss;
  options.duplication = trouble.duplication;
  options.reorder = trouble.reorder;
  options.latency_ms_min += trouble.delay_ms;
  options.latency_ms_max += trouble.delay_ms;
  if (trouble.reorder_ms_max > 0) options.reorder_ms_max = trouble.reorder_ms_max;
  if (options.reorder > 0 && options.reorder_ms_max == 0) options.reorder_ms_max = 500;
  if (std::optional<std::string> invalid = network_.set_options(options)) return fatal("burst: " + *invalid);
  log("net", fmt::format("burst: loss {:.0f}% duplication {:.0f}% reorder {:.0f}% delay +{} for {}", trouble.loss * 100,
                         trouble.duplication * 100, trouble.reorder * 100, format_duration(trouble.delay_ms),
                         format_duration(trouble.for_ms)));
  burst_generation_ += 1;
  schedule_at(scheduler_.now() + trouble.for_ms, [this, generation = burst_generation_] {
    if (generation != burst_generation_) return;  // A later burst owns the options now.
    network_.set_options(scenario_.network);
    log("net", "burst ends");
  });
}

// A hostile client tries to command another player's claw turn and to speak on
// the secure channel. Access rights (PubNub Access Manager) refuse both.
void World::spoof(const std::string& name, const std::string& victim, std::uint32_t count) {
  ensure_player(name, PlayerMode::idle);
  auto found = players_.find(victim);
  const std::string target = found == players_.end() ? std::string("p-0") : found->second.channel;
  const Turn turn = found == players_.end() ? 0 : found->second.control_turn.value_or(0);
  std::uint64_t denied = 0;
  for (std::uint32_t index = 0; index < count; index += 1) {
    const std::string command = encode(Command{CommandKind::right_on, turn, 1'000'000 + index});
    if (!target.empty() && network_.publish(name, target, command) != PublishResult::sent) denied += 1;
    const std::string forged = encode(ClawStatusMessage{ClawStatus::ready, 0});
    if (network_.publish(name, std::string(secure_channel), forged) != PublishResult::sent) denied += 1;
  }
  if (denied > 0) coverage::sometimes(coverage::Probe::sim_hostile_denied);
  log(name, fmt::format("spoofs {} on {}'s channel and clawcomm: {} of {} refused", count, victim, denied, count * 2));
}

void World::arm_in_state(NodeKind node, std::string state, Action action) {
  log("scenario", fmt::format("armed for when the {} is {}: {}", to_string(node), state, action_text(action.body)));
  state_triggers_.push_back(StateTrigger{node, std::move(state), std::move(action)});
  fire_state_triggers(node);
}

// Runs, as the next event at this instant, every fault armed for the state
// `node` is in now (so the step that entered the state completes first).
void World::fire_state_triggers(NodeKind node) {
  const std::string_view state = node == NodeKind::server ? (server_ ? server_->state_name() : std::string_view())
                                                          : (claw_ ? claw_->state_name() : std::string_view());
  for (auto it = state_triggers_.begin(); it != state_triggers_.end();) {
    if (it->node != node || it->state != state) {
      ++it;
      continue;
    }
    schedule_at(scheduler_.now(), [this, action = it->action] { apply(action); });
    it = state_triggers_.erase(it);
  }
}

// Every fault stops at once; crashed nodes restart; the oracle's heal phase begins.
void World::heal() {
  log("scenario", "heal: every fault stops");
  healed_ = true;
  network_.heal_all();
  cut_off_until_ms_.clear();
  for (const auto& [pattern, until_ms] : channel_loss_until_ms_) network_.clear_channel_loss(pattern);
  channel_loss_until_ms_.clear();
  burst_generation_ += 1;  // Ends any burst.
  network_.set_options(scenario_.network);
  server_crash_after_.reset();
  claw_crash_after_.reset();
  state_triggers_.clear();
  if (!claw_) {
    network_.restart("claw");
    start_claw(false);
  }
  if (!server_) {
    network_.restart("server");
    start_server();
  }
  oracle_.on_heal(scheduler_.now());
}

}  // namespace clawnet::sim
