// The server and claw nodes: machines wired to the simulated network, the
// store and the cabinet physics. Each input goes in, then the machine's effects
// are carried out in order, then its next wakeup is scheduled.
#include "sim/world.hpp"
#include "core/overloaded.hpp"
#include "core/planted.hpp"
#include "core/probes.hpp"

#include <fmt/format.h>

namespace clawnet::sim {

// Encodes a machine's message onto the wire and logs it (the world watches some
// messages: grants for the oracle, turn starts for snapshots).
void World::publish_from(const std::string& node, const Publish& publish) {
  const PublishResult result = network_.publish(node, publish.channel, encode(publish.message));
  log(node, fmt::format("-> {} {}{}", label(publish.channel), describe(publish.message),
                        result == PublishResult::sent ? "" : fmt::format(" [{}]", to_string(result))));
}

// The server is done with a player: its rights on its channel go, after the same
// linger as production's (its last messages are read first).
void World::revoke_player(const std::string& channel) {
  oracle_.on_player_revoked(channel, scheduler_.now());
  const std::optional<std::string> owner = owner_of(channel);
  if (!owner) return;
  schedule_at(scheduler_.now() + player_revoke_linger_ms, [this, owner = *owner, channel] {
    network_.revoke(owner, channel);
    log(owner, fmt::format("rights on {} revoked", label(channel)));
  });
}

// An armed mid-step crash fires in the first step with more than K effects:
// the step keeps its first K effects (the rest are lost), and the caller
// crashes the node once they are carried out. Returns the effects the step had.
std::optional<std::size_t> World::cut_for_crash(std::optional<std::uint32_t>& armed, Effects& effects) {
  if (!armed || effects.size() <= *armed) return std::nullopt;
  const std::size_t returned = effects.size();
  effects.resize(*armed);
  armed.reset();
  coverage::sometimes(coverage::Probe::sim_crash_mid_step);
  return returned;
}

// What the world learns from the server's messages on the wire: grants (for
// the single-control check and snapshots) and positions (for invariant 6).
void World::watch_server_publish(const Message& message, const std::string& channel) {
  if (const ChannelListen* listen = std::get_if<ChannelListen>(&message)) {
    oracle_.on_listen_sent(listen->turn, listen->channel);
  } else if (const Position* position = std::get_if<Position>(&message)) {
    oracle_.on_position_sent(channel, position->position);
  } else if (const TurnOver* over = std::get_if<TurnOver>(&message)) {
    last_result_ = ResultView{over->turn, over->result};
  }
}

// The claw's {"control":...} messages: when turns start and end, as the player sees them.
void World::watch_claw_publish(const Message& message, const std::string& channel) {
  if (const ClawStatusMessage* status = std::get_if<ClawStatusMessage>(&message)) oracle_.on_claw_status(status->status);
  const Control* control = std::get_if<Control>(&message);
  if (control == nullptr) return;
  if (control->result) return oracle_.on_result_told(control->turn, *control->result);
  if (!control->granted) return oracle_.on_control_ended(control->turn);
  turn_started_ms_[control->turn] = scheduler_.now();
  oracle_.on_control_granted(*this, control->turn, channel, scheduler_.now());
}

// --- Server -----------------------------------------------------------------------------

void World::server_callbacks() {
  NodeCallbacks callbacks;
  callbacks.on_message = [this](const std::string& channel, const std::string& payload) {
    if (channel != secure_channel) {
      // A player's channel, read while the server asks that player the ready check.
      return to_node(NodeKind::server, [this, channel, payload] {
        with_server([&](ServerMachine& server) {
          const DecodeResult decoded = decode(payload);
          const Message* message = std::get_if<Message>(&decoded);
          const bool confirms = message != nullptr && std::holds_alternative<ReadyConfirm>(*message);
          if (confirms && server.asking_ready() == channel) oracle_.on_ready_confirmed(channel);
          server.handle_player_message(channel, payload, server_time());
        });
      });
    }
    to_node(NodeKind::server, [this, payload] {
      with_server([&](ServerMachine& server) { server.handle_secure_message(payload, server_time()); });
    });
  };
  callbacks.on_presence = [this](const std::string& channel, const std::string& member, PresenceKind kind) {
    if (channel == secure_channel && member == "claw") {
      log("server", fmt::format("presence: claw {}", to_string(kind)));
      to_node(NodeKind::server, [this, kind] {
        with_server([&](ServerMachine& server) { server.handle_claw_presence(kind == PresenceKind::join, server_time()); });
      });
    } else if (owner_of(channel) == member) {
      log("server", fmt::format("presence: {} {}", member, to_string(kind)));
      to_node(NodeKind::server, [this, channel, kind] {
        with_server([&](ServerMachine& server) { server.handle_player_presence(channel, kind, server_time()); });
      });
    }
  };
  callbacks.on_link = [this](bool up) {
    log("server", up ? "link up" : "link down");
    if (up && server_) {
      keep_subscribed("server", std::string(secure_channel));
      network_.watch_presence("server", "p-*");
      network_.watch_presence("server", secure_channel);
    }
  };
  network_.set_callbacks("server", std::move(callbacks));
}

void World::start_server() {
  const TimeMs now = server_time();
  auto opened = QueueStore::open("queue.db", store_durability_, disk_.vfs_name());
  if (const StoreError* failure = std::get_if<StoreError>(&opened)) return fatal("store: " + failure->message);
  store_ = std::move(std::get<std::unique_ptr<QueueStore>>(opened));
  auto loaded = store_->load();
  if (const StoreError* failure = std::get_if<StoreError>(&loaded)) return fatal("store: " + failure->message);
  StoredQueue stored = std::move(std::get<StoredQueue>(loaded));
  std::vector<std::string> channels;
  for (const StoredPlayer& player : stored.waiting) channels.push_back(player.channel);
  if (stored.open_turn) channels.push_back(stored.open_turn->player.channel);

  server_ = std::make_unique<ServerMachine>(scenario_.server);
  last_server_state_.clear();
  keep_subscribed("server", std::string(secure_channel));
  network_.watch_presence("server", "p-*");
  network_.watch_presence("server", secure_channel);
  log("server", fmt::format("start: {} waiting in the store", stored.waiting.size()));
  with_server([&](ServerMachine& server) { server.handle_start(std::move(stored), now); });
  // Presence sync (PubNub here_now): who is on their channel right now.
  for (const std::string& channel : channels) {
    std::optional<std::string> owner = owner_of(channel);
    if (!owner) continue;
    std::vector<std::string> present = network_.present(channel);
    if (std::find(present.begin(), present.end(), *owner) == present.end()) continue;
    with_server([&](ServerMachine& server) { server.handle_player_presence(channel, PresenceKind::join, now); });
  }
  if (server_) oracle_.on_server_restarted(*this, scheduler_.now());
}

void World::crash_server() { stop_server(false, false); }

void World::power_cut_server(bool tear) { stop_server(true, tear); }

// The server's process dies: its disk keeps every write, but the store is not closed
// as a living process closes it (no checkpoint; the WAL stays). A power cut also
// loses what the disk had not synced (PowerCutDisk::power_cut).
void World::stop_server(bool power_cut, bool tear) {
  if (!server_) return;
  const std::string_view state = server_->state_name();
  if (state == "Granting") coverage::sometimes(coverage::Probe::sim_server_crash_granting);
  if (state == "InTurn") coverage::sometimes(coverage::Probe::sim_server_crash_in_turn);
  if (state == "Ending") coverage::sometimes(coverage::Probe::sim_server_crash_ending);
  forget_stalled_inputs(NodeKind::server);
  add_retired_server();
  server_.reset();
  // Requests in flight die with the process: each client sees its connection
  // reset and asks again (the join may have been committed: the store keeps it).
  for (const auto& [request, join] : std::exchange(pending_joins_, {})) {
    log(join.player, fmt::format("join request #{}: connection reset", request));
    schedule_at(scheduler_.now() + player_join_retry_ms,
                [this, join] { request_join(join.player, join.attempt + 1, join.spam); });
  }
  const auto close = [this] { store_.reset(); };
  std::size_t torn = 0;
  if (power_cut) {
    coverage::sometimes(coverage::Probe::sim_power_cut);
    torn = disk_.power_cut(close, tear);
  } else {
    disk_.process_crash(close);
  }
  if (server_wake_) scheduler_.cancel(*server_wake_);
  server_wake_.reset();
  network_.crash("server");
  if (!power_cut) return log("server", "CRASH");
  log("server", torn > 0 ? fmt::format("POWER CUT: {} bytes of the last unsynced write reached the disk", torn)
                         : std::string("POWER CUT"));
}

void World::with_server(const std::function<void(ServerMachine&)>& input) {
  if (!server_) return;
  input(*server_);
  run_server_effects();
}

void World::run_server_effects() {
  if (!server_) return;
  const TimeMs now = scheduler_.now();
  Effects effects = server_->take_effects();
  const std::optional<std::size_t> crashes_after = cut_for_crash(server_crash_after_, effects);
  for (Effect& effect : effects) {
    std::visit(
        Overloaded{
            [&](Publish& e) {
              publish_from("server", e);
              watch_server_publish(e.message, e.channel);
            },
            [&](RevokePlayer& e) { revoke_player(e.channel); },
            [&](Subscribe& e) { keep_subscribed("server", e.channel); },
            [&](Unsubscribe& e) { network_.unsubscribe("server", e.channel); },
            [&](JoinReply& e) {
              if (e.accepted) oracle_.on_join_acknowledged(e.ticket, e.channel, now);
              if (e.accepted && planted(PlantedBug::canary) && seed_ % 10 == 3) {
                oracle_.fail(1, "single control", "canary: the planted failure of every seed ending in 3", now);
              }
              schedule_at(now + latency_sample(), [this, reply = std::move(e)] { deliver_join_reply(reply); });
            },
            [&](Log& e) { log("server", e.text); },
            [&](SetMotor&) {},
            [&](auto& persist) {
              if (std::optional<StoreError> failure = store_->apply(Effect{persist})) {
                return fatal("store: " + failure->message);
              }
              retired_.store_writes += 1;
              using Persist = std::decay_t<decltype(persist)>;
              if constexpr (std::is_same_v<Persist, PersistJoin>) {
                oracle_.on_join_committed(persist.ticket, persist.channel);
              }
              if constexpr (std::is_same_v<Persist, PersistDeparture>) {
                oracle_.on_departure(persist.ticket);
                if (persist.reason == DepartureReason::unready) oracle_.on_skipped_unready(now);
              }
              if constexpr (std::is_same_v<Persist, PersistTurnStart>) {
                oracle_.on_turn_start(*this, persist.ticket, persist.turn, now);
              }
              if constexpr (std::is_same_v<Persist, PersistTurnEnd>) oracle_.on_turn_end(persist, now);
            },
        },
        effect);
    if (!server_) return;
  }
  if (crashes_after) {
    log("server", fmt::format("crashes after {} of the step's {} effects", effects.size(), *crashes_after));
    return crash_server();
  }
  if (server_->state_name() != last_server_state_) {
    last_server_state_ = std::string(server_->state_name());
    log("server", "state " + last_server_state_);
    fire_state_triggers(NodeKind::server);
  }
  reschedule_server();
}

void World::reschedule_server() {
  if (server_wake_) scheduler_.cancel(*server_wake_);
  server_wake_.reset();
  if (!server_ || server_->next_deadline() == time_never) return;
  server_wake_ = scheduler_.schedule(server_clock_.true_at(server_->next_deadline()), [this] {
    server_wake_.reset();
    to_node(NodeKind::server,
            [this] { with_server([&](ServerMachine& server) { server.handle_timeout(server_time()); }); });
  });
  if (!server_wake_) fatal("the scheduler is full");
}

// --- Claw -------------------------------------------------------------------------------

void World::claw_callbacks() {
  NodeCallbacks callbacks;
  callbacks.on_message = [this](const std::string& channel, const std::string& payload) {
    // The oracle records each player command as received, and as read when the claw handles it.
    std::optional<Command> command;
    if (channel != secure_channel) {
      const DecodeResult decoded = decode(payload);
      const Message* message = std::get_if<Message>(&decoded);
      if (const Command* sent = message ? std::get_if<Command>(message) : nullptr) command = *sent;
    }
    if (command) oracle_.on_claw_received(channel, *command, scheduler_.now());
    to_node(NodeKind::claw, [this, channel, payload, command] {
      with_claw([&](ClawMachine& claw) {
        if (channel == secure_channel) return claw.handle_secure_message(payload, claw_time());
        if (command) claw_reading_ = ReadCommand{channel, *command};
        claw.handle_player_message(channel, payload, claw_time());
      });
    });
  };
  callbacks.on_subscribed = [this](const std::string& channel) {
    if (channel == secure_channel) return;
    to_node(NodeKind::claw,
            [this, channel] { with_claw([&](ClawMachine& claw) { claw.handle_subscribed(channel, claw_time()); }); });
  };
  callbacks.on_link = [this](bool up) {
    log("claw", up ? "link up" : "link down");
    if (up && claw_) keep_subscribed("claw", std::string(secure_channel));
    to_node(NodeKind::claw, [this, up] {
      if (!up && claw_) oracle_.on_claw_link_lost();
      with_claw([&](ClawMachine& claw) { claw.handle_link(up, claw_time()); });
    });
  };
  network_.set_callbacks("claw", std::move(callbacks));
}

void World::start_claw(bool cold_boot) {
  claw_ = std::make_unique<ClawMachine>(scenario_.claw);
  last_claw_state_.clear();
  last_finished_seen_ = 0;
  keep_subscribed("claw", std::string(secure_channel));
  log("claw", cold_boot ? "power on" : "restart");
  sync_physics();
  with_claw([&](ClawMachine& claw) { claw.handle_boot(physics_.switches(), claw_time()); });
}

// A crashed cabinet controller stops driving its outputs: the motor drivers
// fall back to off (on real hardware, a watchdog relay; see docs/safety).
void World::crash_claw() {
  if (!claw_) return;
  if (claw_->state_name() == "Controlled" || claw_->state_name() == "Subscribing") {
    coverage::sometimes(coverage::Probe::sim_claw_reboot_mid_turn);
  }
  oracle_.on_claw_crashed();
  add_retired_claw();
  claw_.reset();
  if (claw_wake_) scheduler_.cancel(*claw_wake_);
  claw_wake_.reset();
  physics_.advance_to(scheduler_.now());
  for (int index = 0; index < motor_count; index += 1) {
    physics_.set_motor(static_cast<Motor>(index), false, scheduler_.now());
  }
  forget_stalled_inputs(NodeKind::claw);  // Once its motors are off: a stall's overrun ends here.
  reschedule_physics();
  network_.crash("claw");
  log("claw", "CRASH");
}

void World::sync_physics() {
  for (const SwitchChange& change : physics_.advance_to(scheduler_.now())) {
    log("cabinet", fmt::format("{} {}", to_string(change.which), change.pressed ? "pressed" : "released"));
    if (!claw_) continue;
    // A frozen controller's GPIO edges wait in the kernel until it runs again.
    to_node(NodeKind::claw, [this, change] {
      with_claw([&](ClawMachine& claw) { claw.handle_switch(change.which, change.pressed, claw_time()); });
    });
  }
}

void World::with_claw(const std::function<void(ClawMachine&)>& input) {
  if (!claw_) return;
  sync_physics();
  if (!claw_) return;
  input(*claw_);
  run_claw_effects();
}

void World::run_claw_effects() {
  if (!claw_) return;
  const TimeMs now = scheduler_.now();
  Effects effects = claw_->take_effects();
  const std::optional<std::size_t> crashes_after = cut_for_crash(claw_crash_after_, effects);
  // A command the step obeyed, judged by the turn the claw served when it read
  // it (the same step may end that turn on the wire).
  if (const std::optional<ReadCommand> reading = std::exchange(claw_reading_, std::nullopt)) {
    const bool obeyed = std::any_of(effects.begin(), effects.end(),
                                    [](const Effect& effect) { return std::holds_alternative<SetMotor>(effect); });
    if (obeyed) oracle_.on_command_obeyed(*this, reading->channel, reading->command, now);
  }
  for (Effect& effect : effects) {
    std::visit(
        Overloaded{
            [&](Publish& e) {
              publish_from("claw", e);
              watch_claw_publish(e.message, e.channel);
              if (const TurnSummary* summary = std::get_if<TurnSummary>(&e.message)) {
                oracle_.on_turn_summary(*summary, now);
              }
            },
            [&](Subscribe& e) {
              keep_subscribed("claw", e.channel);
              oracle_.on_claw_subscribe();
            },
            [&](Unsubscribe& e) { network_.unsubscribe("claw", e.channel); },
            [&](SetMotor& e) {
              physics_.set_motor(e.motor, e.on, now);
              oracle_.on_claw_motor(e.motor, e.on);
              log("claw", fmt::format("motor {} {}", to_string(e.motor), e.on ? "on" : "off"));
            },
            [&](Log& e) { log("claw", e.text); },
            [&](auto&) {},
        },
        effect);
  }
  if (crashes_after) {
    log("claw", fmt::format("crashes after {} of the step's {} effects", effects.size(), *crashes_after));
    return crash_claw();
  }
  if (claw_->last_finished_turn() != last_finished_seen_) {
    last_finished_seen_ = claw_->last_finished_turn();
    turn_finished(last_finished_seen_);
  }
  if (claw_->state_name() != last_claw_state_) {
    last_claw_state_ = std::string(claw_->state_name());
    log("claw", "state " + last_claw_state_);
    fire_state_triggers(NodeKind::claw);
    if (last_claw_state_ == "Fault" && healed_ && scheduler_.now() < heal_settles_at_ms_) {
      // What a fault before the heal left behind (a clock step during a drop-cycle
      // step): the heal's power-cycle, a little late.
      schedule_at(scheduler_.now(), [this] { power_cycle_faulted_claw(); });
    }
  }
  reschedule_claw();
  reschedule_physics();
}

void World::turn_finished(Turn turn) {
  std::optional<std::string> channel = granted_channel(turn);
  if (!channel) return;
  std::optional<std::string> owner = owner_of(*channel);
  if (!owner) return;
  retired_.turns_played += 1;
  auto found = players_.find(*owner);
  if (found != players_.end()) found->second.turns_played += 1;
  auto started = turn_started_ms_.find(turn);
  if (on_turn_span && started != turn_started_ms_.end()) {
    on_turn_span(*owner, fmt::format("turn {}", turn), started->second, scheduler_.now());
  }
  player_after_turn(*owner);
}

void World::reschedule_claw() {
  if (claw_wake_) scheduler_.cancel(*claw_wake_);
  claw_wake_.reset();
  if (!claw_ || claw_->next_deadline() == time_never) return;
  claw_wake_ = scheduler_.schedule(claw_clock_.true_at(claw_->next_deadline()), [this] {
    claw_wake_.reset();
    to_node(NodeKind::claw, [this] { with_claw([&](ClawMachine& claw) { claw.handle_timeout(claw_time()); }); });
  });
  if (!claw_wake_) fatal("the scheduler is full");
}

void World::reschedule_physics() {
  if (physics_wake_) scheduler_.cancel(*physics_wake_);
  physics_wake_.reset();
  const TimeMs next_ms = physics_.next_switch_change_ms();
  if (next_ms == time_never) return;
  physics_wake_ = scheduler_.schedule(next_ms, [this] {
    physics_wake_.reset();
    sync_physics();
    reschedule_physics();
  });
  if (!physics_wake_) fatal("the scheduler is full");
}

// A subscribe request can be lost (a node cut off while asking): like a real
// client library, the driver asks again until the subscription is confirmed,
// for as long as the node still wants it.
void World::keep_subscribed(const std::string& node, const std::string& channel) {
  // Refused for good: the rights are gone (the player's place is over).
  if (network_.subscribe(node, channel) == SubscribeResult::denied) {
    return log(node, fmt::format("subscribe {} denied", label(channel)));
  }
  schedule_at(scheduler_.now() + subscribe_retry_ms, [this, node, channel] {
    if (!wants_subscription(node, channel) || network_.is_subscribed(node, channel)) return;
    keep_subscribed(node, channel);
  });
}

bool World::wants_subscription(const std::string& node, const std::string& channel) const {
  if (!network_.is_up(node)) return false;
  if (node == "server") {
    return server_ != nullptr && (channel == secure_channel || server_->asking_ready() == channel);
  }
  if (node == "claw") {
    if (!claw_) return false;
    return channel == secure_channel || claw_->listening_channel() == channel;
  }
  auto player = players_.find(node);
  if (player == players_.end() || !player->second.connected) return false;
  return channel == player->second.channel || channel == lobby_channel;
}

void World::add_retired_server() {
  if (server_) add_counters(retired_.server, server_->counters());
}

void World::add_retired_claw() {
  if (claw_) add_counters(retired_.claw, claw_->counters());
}

}  // namespace clawnet::sim
