// Scenario actions of players and hostile clients; faults are in world_faults.cpp.
#include "sim/world.hpp"
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

void World::operator_request(AdminRequest request) {
  const std::string what = fmt::format("admin {}{}", to_string(request.action),
                                       request.action == AdminAction::kick ? fmt::format(" #{}", request.ticket) : "");
  if (!server_) return log("operator", what + ": no answer (the server is down)");
  AdminAnswer answer;
  with_server([&](ServerMachine& server) { answer = server.handle_admin(request, server_time()); });
  log("operator", fmt::format("{}: {}{}", what, answer.done ? "" : "refused: ", answer.detail));
}

void World::release_operator_hold() {
  if (!server_) return;
  switch (server_->queue_mode()) {
    case QueueMode::running: break;
    case QueueMode::paused: operator_request(AdminRequest{AdminAction::resume, 0}); break;
    case QueueMode::stopped: operator_request(AdminRequest{AdminAction::reset, 0}); break;
  }
}

void World::schedule_actions() {
  for (const Action& action : scenario_.actions) {
    schedule_at(action.at_ms, [this, &action] { apply(action); }, scenario_lane_);
  }
}

// One scenario action of a player, a hostile client or a crowd, as a visitor
// of Action::body with one function per kind (faults are WorldFaults', in
// world_faults.cpp). A friend of World.
class WorldActions {
 public:
  WorldActions(World& world, const Action& action) : world_(world), action_(action), now_(world.scheduler_.now()) {}

  void operator()(const Join& a) const {
    world_.ensure_player(a.player, a.mode).mode = a.mode;
    if (!world_.network_.is_up(a.player)) world_.network_.restart(a.player);
    world_.request_join(a.player, 0, false);
  }
  void operator()(const Leave& a) const {
    SimPlayer* player = joined(a.player);
    if (player == nullptr) return;
    world_.log(a.player, "asks to leave");
    World& world = world_;
    world.schedule_at(now_ + world.latency_sample(), [&world, channel = player->channel] {
      world.to_node(NodeKind::server, [&world, channel] {
        world.with_server([&](ServerMachine& server) { server.handle_leave(channel, world.server_time()); });
      });
    });
  }
  void operator()(const Disconnect& a) const {
    SimPlayer* player = joined(a.player);
    if (player == nullptr) return;
    player->connected = false;
    world_.network_.unsubscribe(a.player, player->channel);
    world_.network_.unsubscribe(a.player, std::string(lobby_channel));
    world_.log(a.player, "disconnects");
  }
  void operator()(const Vanish& a) const {
    SimPlayer* player = joined(a.player);
    if (player == nullptr) return;
    player->connected = false;
    player->refresh_generation += 1;
    world_.network_.crash(a.player);
    world_.log(a.player, "vanishes (tab closed)");
  }
  void operator()(const Reconnect& a) const {
    SimPlayer* player = joined(a.player);
    if (player == nullptr) return;
    if (!world_.network_.is_up(a.player)) world_.network_.restart(a.player);
    player->connected = true;
    world_.log(a.player, "reconnects");
    world_.subscribe_player(*player);
  }
  void operator()(const Press& a) const {
    if (SimPlayer* player = joined(a.player)) world_.press(*player, a.direction, a.refresh);
  }
  void operator()(const Release& a) const {
    if (SimPlayer* player = joined(a.player)) world_.release(*player, a.direction);
  }
  void operator()(const DropClaw& a) const {
    SimPlayer* player = joined(a.player);
    if (player == nullptr) return;
    player->held = {};
    player->refresh_generation += 1;
    world_.player_send(*player, CommandKind::drop);
  }
  void operator()(const Spoof& a) const { world_.spoof(a.player, a.victim, a.count); }
  void operator()(const Flood& a) const {
    SimPlayer* player = joined(a.player);
    if (player == nullptr) return;
    std::vector<std::string> payloads = hostile_payloads(player->control_turn.value_or(0));
    for (std::uint32_t index = 0; index < a.count; index += 1) {
      world_.network_.publish(a.player, player->channel, payloads[index % payloads.size()]);
    }
    world_.log(a.player, fmt::format("floods its channel with {} malformed messages", a.count));
  }
  void operator()(const Replay& a) const {
    SimPlayer* player = joined(a.player);
    if (player == nullptr || player->last_command.empty()) return;
    for (std::uint32_t index = 0; index < a.count; index += 1) {
      world_.network_.publish(a.player, player->channel, player->last_command);
    }
    world_.log(a.player, fmt::format("replays its last command {} times", a.count));
  }
  void operator()(const JoinSpam& a) const {
    world_.ensure_player(a.player, PlayerMode::idle);
    world_.log(a.player, fmt::format("spams {} joins", a.count));
    for (std::uint32_t index = 0; index < a.count; index += 1) world_.request_join(a.player, 0, true);
  }
  void operator()(const Crowd& a) const {
    World& world = world_;
    for (std::uint32_t index = 0; index < a.count; index += 1) {
      const TimeMs offset_ms = a.count > 1 ? a.over_ms * index / (a.count - 1) : 0;
      world.schedule_at(now_ + offset_ms, [&world, mode = a.mode] { world.arrive("guest", mode); });
    }
  }
  void operator()(const Arrivals& a) const { world_.schedule_arrival(a.per_hour, now_ + a.for_ms, a.mode); }
  void operator()(const Admin& a) const {
    Ticket ticket = 0;
    if (a.action == AdminAction::kick) {
      auto player = world_.players_.find(a.player);
      ticket = player == world_.players_.end() ? 0 : player->second.ticket;
    }
    // The heal ends every hold: a request it overtakes is void.
    World& world = world_;
    world.schedule_at(now_ + world.latency_sample(),
                      [&world, request = AdminRequest{a.action, ticket}, before_heal = !world.healed_] {
                        if (before_heal && world.healed_) return world.log("operator", "request void: the heal came first");
                        world.to_node(NodeKind::server, [&world, request] { world.operator_request(request); });
                      });
  }
  void operator()(const auto&) const {}  // Faults: WorldFaults (world_faults.cpp).

 private:
  // The player named `name` if it has a channel; else nullptr, and the skip is logged.
  SimPlayer* joined(const std::string& name) const {
    auto found = world_.players_.find(name);
    if (found == world_.players_.end() || found->second.channel.empty()) {
      world_.log("scenario", fmt::format("line {}: {} has not joined; action skipped", action_.line, name));
      return nullptr;
    }
    return &found->second;
  }

  World& world_;
  const Action& action_;
  TimeMs now_;
};

void World::apply(const Action& action) {
  if (apply_fault(action)) return;
  std::visit(WorldActions(*this, action), action.body);
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
    const std::string forged = encode(ClawStatusMessage{ClawStatus::ready, 0, {}});
    if (network_.publish(name, std::string(secure_channel), forged) != PublishResult::sent) denied += 1;
  }
  if (denied > 0) coverage::sometimes(coverage::Probe::sim_hostile_denied);
  log(name, fmt::format("spoofs {} on {}'s channel and clawcomm: {} of {} refused", count, victim, denied, count * 2));
}

}  // namespace clawnet::sim
