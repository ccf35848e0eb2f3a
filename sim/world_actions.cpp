// Scenario actions of players and hostile clients; faults are in world_faults.cpp.
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
    schedule_at(action.at_ms, [this, &action] { apply(action); }, scenario_lane_);
  }
}

void World::apply(const Action& action) {
  if (apply_fault(action)) return;
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
              to_node(NodeKind::server, [this, channel] {
                with_server([&](ServerMachine& server) { server.handle_leave(channel, server_time()); });
              });
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
          [](const auto&) {},  // Faults: apply_fault (world_faults.cpp).
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

}  // namespace clawnet::sim
