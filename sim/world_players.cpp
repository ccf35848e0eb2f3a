// Simulated players: they join over "HTTP" (a direct call with latency), listen
// on their channel and the lobby, and steer when told {"control":true}.
#include "sim/world.hpp"

#include <fmt/format.h>

namespace clawnet::sim {

SimPlayer& World::ensure_player(const std::string& name, PlayerMode mode) {
  auto [it, created] = players_.try_emplace(name, name, mode, rng_.fork("player-" + name));
  if (!created) return it->second;
  NodeCallbacks callbacks;
  callbacks.on_message = [this, name](const std::string& channel, const std::string& payload) {
    player_message(name, channel, payload);
  };
  callbacks.on_link = [this, name](bool up) {
    SimPlayer& player = players_.at(name);
    if (up && player.connected && !player.channel.empty()) subscribe_player(player);
  };
  network_.add_node(name, std::move(callbacks));
  return it->second;
}

void World::request_join(const std::string& name, std::uint32_t attempt, bool spam) {
  players_.at(name).joining = true;
  schedule_at(scheduler_.now() + latency_sample(), [this, name, attempt, spam] {
    if (!server_ || !reachable("server") || !reachable(name) || !network_.is_up(name)) {
      if (attempt + 1 >= player_join_attempts_max) {
        players_.at(name).joining = false;
        return log(name, "join: gave up, the server did not answer");
      }
      schedule_at(scheduler_.now() + player_join_retry_ms, [this, name, attempt, spam] {
        request_join(name, attempt + 1, spam);
      });
      return;
    }
    const RequestId request = next_request_;
    next_request_ += 1;
    pending_joins_.emplace(request, PendingJoin{name, spam, attempt});
    retired_.players_joined += spam ? 0 : 1;
    log(name, fmt::format("join request #{}", request));
    to_node(NodeKind::server, [this, request] {
      with_server([&](ServerMachine& server) { server.handle_join(request, fresh_channel(), server_time()); });
    });
  });
}

void World::deliver_join_reply(const JoinReply& reply) {
  auto pending = pending_joins_.find(reply.request);
  if (pending == pending_joins_.end()) return;
  const PendingJoin join = pending->second;
  pending_joins_.erase(pending);
  SimPlayer& player = players_.at(join.player);
  player.joining = false;
  if (!reply.accepted) {
    player.refusals += 1;
    return log(player.name, fmt::format("join refused: {}", reply.refusal));
  }
  channel_owner_[reply.channel] = player.name;
  network_.grant(player.name, reply.channel, true, true);
  network_.grant(player.name, lobby_channel, true, false);
  if (join.spam) return log(player.name, fmt::format("spam join accepted as {}", reply.channel));
  if (!player.channel.empty() && player.connected) {
    network_.unsubscribe(player.name, player.channel);  // A rejoin replaces the old channel.
  }
  player.channel = reply.channel;
  player.ticket = reply.ticket;
  player.shown_position = reply.position;
  oracle_.on_position_received(*this, reply.channel, reply.position, scheduler_.now());
  player.control_turn.reset();
  player.connected = true;
  log(player.name, fmt::format("joined as {} (ticket #{}, position {})", reply.channel, reply.ticket, reply.position));
  subscribe_player(player);
}

void World::subscribe_player(SimPlayer& player) {
  if (!network_.is_up(player.name)) return;
  keep_subscribed(player.name, player.channel);
  keep_subscribed(player.name, std::string(lobby_channel));
}

void World::player_message(const std::string& name, const std::string& channel, const std::string& payload) {
  SimPlayer& player = players_.at(name);
  DecodeResult decoded = decode(payload);
  const Message* message = std::get_if<Message>(&decoded);
  if (message == nullptr) return log(name, "received a malformed message");
  if (const LobbyStatus* lobby = std::get_if<LobbyStatus>(message)) {
    player.lobby = lobby->claw;
    return;
  }
  if (channel != player.channel) return;
  if (const Position* position = std::get_if<Position>(message)) {
    player.shown_position = position->position;
    oracle_.on_position_received(*this, channel, position->position, scheduler_.now());
  } else if (std::holds_alternative<GetReady>(*message)) {
    log(name, "get ready: next up");
  } else if (std::holds_alternative<ReadyCheck>(*message)) {
    player_answer_ready_check(name);
  } else if (const Departed* departed = std::get_if<Departed>(message)) {
    log(name, fmt::format("lost its place: {}", to_string(departed->reason)));
  } else if (const Control* control = std::get_if<Control>(message)) {
    if (control->granted) {
      if (player.control_turn == control->turn) return;  // A duplicate.
      player.control_turn = control->turn;
      player.next_seq = 1;
      player.shown_position.reset();
      log(name, fmt::format("has control, turn {}", control->turn));
      if (player.mode == PlayerMode::automatic) player_auto_plan(name, control->turn);
      if (player.mode == PlayerMode::sticky) player_sticky_plan(name, control->turn);
    } else if (player.control_turn == control->turn) {
      player.control_turn.reset();
      player.held = {};
      player.refresh_generation += 1;
      log(name, fmt::format("control ended, turn {}", control->turn));
    }
    if (control->result && player.result_turn != control->turn) {
      player.result_turn = control->turn;
      retired_.results_heard[static_cast<std::size_t>(*control->result)] += 1;
      log(name, fmt::format("turn {} result: {}", control->turn, to_string(*control->result)));
    }
  }
}

// Every player but a ghost answers each ready check it hears, after a human's
// reaction time (the server asks again until it hears the answer).
void World::player_answer_ready_check(const std::string& name) {
  SimPlayer& player = players_.at(name);
  if (player.mode == PlayerMode::ghost) return log(name, "ready check: does not answer");
  schedule_at(scheduler_.now() + player.rng.between(200, 1'500), [this, name] {
    SimPlayer& p = players_.at(name);
    if (!p.connected || p.channel.empty()) return;
    const PublishResult result = network_.publish(p.name, p.channel, encode(ReadyConfirm{}));
    log(p.name, fmt::format("ready{}", result == PublishResult::sent ? "" : fmt::format(" [{}]", to_string(result))));
  });
}

void World::player_send(SimPlayer& player, CommandKind kind) {
  const std::string payload = encode(Command{kind, player.control_turn.value_or(0), player.next_seq});
  player.next_seq += 1;
  player.last_command = payload;
  const PublishResult result = network_.publish(player.name, player.channel, payload);
  log(player.name, fmt::format("{}{}", to_string(kind),
                               result == PublishResult::sent ? "" : fmt::format(" [{}]", to_string(result))));
}

// Held directions are re-sent every player_refresh_ms, so a player who holds a
// key keeps the dead-man fed; one that stops refreshing is stopped by it.
void World::player_refresh(const std::string& name, std::uint64_t generation) {
  SimPlayer& player = players_.at(name);
  if (generation != player.refresh_generation || player.channel.empty()) return;
  bool any = false;
  for (int index = 0; index < direction_count; index += 1) {
    const auto slot = static_cast<std::size_t>(index);
    if (!player.held[slot] || !player.refreshing[slot]) continue;
    player_send(player, static_cast<CommandKind>(index * 2));
    any = true;
  }
  if (any) schedule_at(scheduler_.now() + player_refresh_ms, [this, name, generation] { player_refresh(name, generation); });
}

// An automatic player steers with one to three random presses, then drops.
void World::player_auto_plan(const std::string& name, Turn turn) {
  SimPlayer& player = players_.at(name);
  TimeMs at_ms = scheduler_.now() + player.rng.between(300, 800);
  const std::int64_t moves = player.rng.between(1, 3);
  auto while_in_control = [this, name, turn](std::function<void(SimPlayer&)> act) {
    return [this, name, turn, act = std::move(act)] {
      SimPlayer& p = players_.at(name);
      if (p.control_turn == turn) act(p);
    };
  };
  for (std::int64_t move = 0; move < moves; move += 1) {
    const auto direction = static_cast<Direction>(player.rng.below(direction_count));
    const TimeMs hold_ms = player.rng.between(300, 2'500);
    schedule_at(at_ms, while_in_control([this, direction](SimPlayer& p) { press(p, direction, true); }));
    schedule_at(at_ms + hold_ms, while_in_control([this, direction](SimPlayer& p) { release(p, direction); }));
    at_ms += hold_ms + player.rng.between(100, 400);
  }
  schedule_at(at_ms, while_in_control([this](SimPlayer& p) {
    p.held = {};
    p.refresh_generation += 1;
    player_send(p, CommandKind::drop);
  }));
}

// A sticky player holds one or two directions, refreshing them, and never
// sends Off nor drops: the claw's on-time limit, end switches and turn timer stop it.
void World::player_sticky_plan(const std::string& name, Turn turn) {
  SimPlayer& player = players_.at(name);
  TimeMs at_ms = scheduler_.now() + player.rng.between(200, 600);
  const std::int64_t presses = player.rng.between(1, 2);
  for (std::int64_t index = 0; index < presses; index += 1) {
    const auto direction = static_cast<Direction>(player.rng.below(direction_count));
    schedule_at(at_ms, [this, name, turn, direction] {
      SimPlayer& p = players_.at(name);
      if (p.control_turn == turn) press(p, direction, true);
    });
    at_ms += player.rng.between(1'000, 4'000);
  }
}

void World::press(SimPlayer& player, Direction direction, bool refresh) {
  const auto slot = static_cast<std::size_t>(direction);
  player.held[slot] = true;
  player.refreshing[slot] = refresh;
  player_send(player, static_cast<CommandKind>(static_cast<int>(direction) * 2));
  if (!refresh) return;
  player.refresh_generation += 1;
  const std::uint64_t generation = player.refresh_generation;
  const std::string name = player.name;
  schedule_at(scheduler_.now() + player_refresh_ms, [this, name, generation] { player_refresh(name, generation); });
}

void World::release(SimPlayer& player, Direction direction) {
  player.held[static_cast<std::size_t>(direction)] = false;
  player_send(player, static_cast<CommandKind>(static_cast<int>(direction) * 2 + 1));
}

void World::player_after_turn(const std::string& name) {
  SimPlayer& player = players_.at(name);
  if (!player.leave_after_turn || player.channel.empty()) return;
  schedule_at(scheduler_.now() + player.rng.between(10'000, 20'000), [this, name] {
    SimPlayer& p = players_.at(name);
    if (!p.connected) return;
    p.connected = false;
    network_.unsubscribe(p.name, p.channel);
    network_.unsubscribe(p.name, std::string(lobby_channel));
    log(name, "leaves after playing");
  });
}

// --- The visualizer's human player ---------------------------------------------------------

void World::join_human(const std::string& name) {
  SimPlayer& player = ensure_player(name, PlayerMode::scripted);
  player.human = true;
  log(name, "a human joins");
  request_join(name, 0, false);
}

void World::human_command(const std::string& name, std::string_view command) {
  auto found = players_.find(name);
  if (found == players_.end() || found->second.channel.empty()) return;
  SimPlayer& player = found->second;
  for (int index = 0; index <= static_cast<int>(CommandKind::drop); index += 1) {
    const auto kind = static_cast<CommandKind>(index);
    if (to_string(kind) != command) continue;
    if (kind == CommandKind::drop) {
      player.held = {};
      return player_send(player, kind);
    }
    if (is_on(kind)) return press(player, direction_of(kind), true);
    return release(player, direction_of(kind));
  }
}

}  // namespace clawnet::sim
