// Test helper: one ServerMachine on a virtual clock, driven through its public
// API, keeping the effects of the last input (server machine and admin tests).
#pragma once

#include "core/server_machine.hpp"
#include "tests/core/effect_inspection.hpp"

#include <gtest/gtest.h>
#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace clawnet::test {

inline ServerConfig test_config() {
  ServerConfig config;
  config.turn_ms = 30'000;
  config.turn_slack_ms = 10'000;
  config.grace_ms = 20'000;
  config.resend_ms = 1'000;
  config.queue_length_max = 100'000;
  return config;
}

inline std::string player(std::uint64_t index) { return fmt::format("p-{:x}", 0xa000 + index); }

// Drives one ServerMachine on a virtual clock and keeps the effects of the last input.
class Server {
 public:
  explicit Server(ServerConfig config = test_config()) : machine(config) {}

  Effects& start(StoredQueue stored = {}) {
    machine.handle_start(std::move(stored), now);
    return take();
  }
  // A join request; when `present`, the player's presence join follows at once.
  Effects& join(const std::string& channel, bool present = true) {
    request += 1;
    machine.handle_join(request, channel, now);
    Effects joined = machine.take_effects();
    if (present) machine.handle_player_presence(channel, PresenceKind::join, now);
    take();
    effects.insert(effects.begin(), joined.begin(), joined.end());
    return effects;
  }
  Effects& presence(const std::string& channel, PresenceKind kind) {
    machine.handle_player_presence(channel, kind, now);
    return take();
  }
  Effects& leave(const std::string& channel) {
    machine.handle_leave(channel, now);
    return take();
  }
  Effects& claw(const Message& message) {
    machine.handle_secure_message(encode(message), now);
    return take();
  }
  // A message the player publishes on its own channel (the server reads it while it asks the ready check).
  Effects& player_says(const std::string& channel, std::string_view text) {
    machine.handle_player_message(channel, text, now);
    return take();
  }
  Effects& claw_ready(Turn turn) { return claw(ClawStatusMessage{ClawStatus::ready, turn, {}}); }
  Effects& claw_controlled(Turn turn) { return claw(ClawStatusMessage{ClawStatus::controlled, turn, {}}); }
  Effects& claw_offline() { return claw(ClawStatusMessage{ClawStatus::offline, 0, {}}); }
  Effects& claw_stopped() { return claw(ClawStatusMessage{ClawStatus::stopped, 0, {}}); }
  AdminAnswer admin(AdminAction action, Ticket ticket = 0) {
    AdminAnswer answer = machine.handle_admin(AdminRequest{action, ticket}, now);
    take();
    return answer;
  }
  Effects& advance_to(TimeMs when_ms) {
    now = when_ms;
    machine.handle_timeout(now);
    return take();
  }
  Effects& take() {
    effects = machine.take_effects();
    return effects;
  }

  // The single CHANNEL_LISTEN of the last input.
  ChannelListen listen() const {
    std::vector<ChannelListen> listens = messages_to<ChannelListen>(effects, secure_channel);
    EXPECT_EQ(listens.size(), 1U) << test::describe_all(effects);
    return listens.empty() ? ChannelListen{} : listens.front();
  }
  Turn open_turn_number() const {
    std::optional<TurnView> open = machine.open_turn();
    EXPECT_TRUE(open.has_value());
    return open ? open->turn : 0;
  }
  Ticket ticket_of(const std::string& channel) const {
    std::optional<Ticket> ticket = machine.queue().ticket_of(channel);
    EXPECT_TRUE(ticket.has_value()) << channel;
    return ticket.value_or(0);
  }
  std::string state() const { return std::string(machine.state_name()); }

  // Running, claw idle, nobody queued.
  void start_idle() {
    start();
    claw_ready(0);
    EXPECT_EQ(state(), "ClawIdle");
  }
  // Claw offline (queue paused) with `count` present players queued.
  void start_with_players(std::uint64_t count) {
    start();
    for (std::uint64_t i = 0; i < count; i += 1) join(player(i));
    EXPECT_EQ(state(), "ClawOffline");
  }

  ServerMachine machine;
  TimeMs now = 0;
  RequestId request = 0;
  Effects effects;
};

}  // namespace clawnet::test
