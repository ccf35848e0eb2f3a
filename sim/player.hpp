// SimPlayer: what one simulated player knows and holds, as the world drives it.
// A player learns only from messages it receives (its channel and the lobby);
// the world reads these fields for expectations and the visualizer.
#pragma once

#include "core/protocol.hpp"
#include "sim/rng.hpp"
#include "sim/scenario.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace clawnet::sim {

// Held directions are re-sent this often, so the claw's dead-man stays fed.
inline constexpr TimeMs player_refresh_ms = 200;
// A join whose server is down is retried this often, this many times.
inline constexpr TimeMs player_join_retry_ms = 1'000;
inline constexpr std::uint32_t player_join_attempts_max = 60;

struct SimPlayer {
  SimPlayer(std::string player_name, PlayerMode player_mode, Rng player_rng)
      : name(std::move(player_name)), mode(player_mode), rng(player_rng) {}

  std::string name;
  PlayerMode mode;
  Rng rng;
  bool human = false;          // Driven by the visualizer's keyboard.
  bool leave_after_turn = false;

  std::string channel;         // Set once the join is acknowledged.
  Ticket ticket = 0;
  bool joining = false;
  bool connected = false;      // Wants to be subscribed (reconnect restores it).
  std::optional<Turn> control_turn;  // Set by {"control":true}, cleared by false.
  std::optional<Turn> result_turn;  // The last turn whose result it heard (once, duplicates aside).
  Seq next_seq = 1;
  std::array<bool, direction_count> held{};
  std::array<bool, direction_count> refreshing{};
  std::uint64_t refresh_generation = 0;  // Bumped to stop a refresh chain.
  std::string last_command;    // Payload of the last command sent (for replay attacks).

  std::optional<std::uint64_t> shown_position;  // As last told by the server.
  std::optional<ClawStatus> lobby;
  std::uint32_t turns_played = 0;
  std::uint32_t refusals = 0;
};

}  // namespace clawnet::sim
