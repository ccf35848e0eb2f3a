// ServerMachine: the queue server ("the app" of the seed), as a pure state machine.
//
// Inputs are handle_* calls carrying `now_ms`; outputs are effects (take_effects())
// and the next deadline (next_deadline()). The driver:
//   1. calls handle_start() once with the stored queue,
//   2. feeds every input (joins, presence, secure-channel messages) as it arrives,
//   3. calls handle_timeout(now) when now >= next_deadline() (extra calls are harmless),
//   4. after each call, carries out take_effects() in order.
// The lifecycle (claw offline / idle / awaiting ready / granting / in turn / ending) is a Boost.MSM
// table in server_machine.cpp; queue bookkeeping lives in PlayerQueue.
//
// Invariants (asserted):
//  1. At most one turn is open; while open, its player is not in the queue.
//  2. Turn numbers only grow; every CHANNEL_LISTEN carries the open turn.
//  3. Every queued player's shown position is >= its rank, and equals it when the
//     rank is below limits::position_exact_ranks.
// Not thread-safe.
#pragma once

#include "core/effects.hpp"
#include "core/machine_config.hpp"
#include "core/player_queue.hpp"
#include "core/presence.hpp"
#include "core/probes.hpp"
#include "core/protocol.hpp"
#include "core/time.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clawnet {

// What a restart recovers from the store.
struct StoredPlayer {
  Ticket ticket = 0;
  std::string channel;
};
struct StoredTurn {
  Turn turn = 0;
  StoredPlayer player;
};
struct StoredQueue {
  std::vector<StoredPlayer> waiting;   // In ticket order.
  std::optional<StoredTurn> open_turn; // A turn started but not ended before the crash.
  Ticket next_ticket = 1;
  Turn next_turn = 1;
  QueueMode mode = QueueMode::running;  // As the operator's last pause, resume, e-stop or reset left it.
};

// An operator's action (clawd: POST /v1/admin/...). `ticket` names the player to kick.
struct AdminRequest {
  AdminAction action = AdminAction::pause;
  Ticket ticket = 0;
};
// The server's answer: done, or refused, and in words either way.
struct AdminAnswer {
  bool done = false;
  std::string detail;
};

// The open turn, as the server sees it.
struct TurnView {
  Turn turn = 0;
  Ticket ticket = 0;
  std::string channel;
  TimeMs started_ms = 0;
};

struct ServerCounters {
  std::uint64_t joins_accepted = 0;
  std::uint64_t joins_refused = 0;
  std::uint64_t rejected_messages = 0;   // Malformed or unexpected on the secure channel.
  std::uint64_t rejected_events = 0;     // Events the current state does not accept.
  std::uint64_t turns_completed = 0;
  std::uint64_t turns_ended_by_server = 0;
  std::uint64_t turns_regranted = 0;     // Granted again after the claw lost them.
  std::uint64_t position_messages = 0;
  std::uint64_t listens_sent = 0;        // CHANNEL_LISTEN messages, repeats included.
  std::uint64_t admin_done = 0;          // Operator actions carried out...
  std::uint64_t admin_refused = 0;       // ... and refused (handle_admin).
  std::uint64_t ready_confirmed = 0;     // Ready checks answered in time...
  std::uint64_t players_unready = 0;     // ... and players skipped for not answering.
  std::uint64_t turn_records = 0;        // Turn summaries kept (PersistTurnRecord); others are rejected_messages.
  std::array<std::uint64_t, turn_result_count> turns_by_result{};  // Indexed by TurnResult.
};

class ServerMachine {
 public:
  explicit ServerMachine(ServerConfig config);
  ~ServerMachine();
  ServerMachine(const ServerMachine&) = delete;
  ServerMachine& operator=(const ServerMachine&) = delete;

  // --- Inputs -------------------------------------------------------------------
  void handle_start(StoredQueue stored, TimeMs now_ms);
  // A join request; `channel` is a fresh random player channel from the driver.
  void handle_join(RequestId request, std::string channel, TimeMs now_ms);
  // A player asks to leave the queue (or gives up its turn).
  void handle_leave(std::string_view channel, TimeMs now_ms);
  void handle_player_presence(std::string_view channel, PresenceKind kind, TimeMs now_ms);
  void handle_claw_presence(bool present, TimeMs now_ms);
  // On the secure channel: the claw's status, or its summary of a turn, which is
  // kept (PersistTurnRecord) iff the server started that turn (turn < next turn).
  void handle_secure_message(std::string_view text, TimeMs now_ms);
  // A message on a player's channel, which the server reads while it asks that
  // player the ready check (a Subscribe effect; an Unsubscribe ends it). Only
  // {"ready":true} from the player asked means anything here.
  void handle_player_message(std::string_view channel, std::string_view text, TimeMs now_ms);
  void handle_timeout(TimeMs now_ms);
  // An operator's action, answered at once (docs/protocol.md, "Operator actions"):
  //   pause / resume  the queue stops or starts granting turns; a turn in progress plays on;
  //   skip            the turn in progress ends (ended_by_server);
  //   kick            a waiting player departs (kicked), or the player in control loses its turn;
  //   estop           ESTOP to the claw (repeated until it says CLAW_STOPPED or goes
  //                   offline), the turn in progress ends, the queue stops until reset;
  //   reset           RESET to the claw (it homes), and the queue runs again.
  // Every request, done or refused, is recorded (PersistAdminAction) and logged.
  AdminAnswer handle_admin(AdminRequest request, TimeMs now_ms);

  // --- Outputs ------------------------------------------------------------------
  Effects take_effects();
  TimeMs next_deadline() const;

  // --- Getters --------------------------------------------------------------------
  // Every (state, event) pair of the lifecycle table, for transition coverage.
  static std::vector<coverage::TablePair> table_pairs();
  std::string_view state_name() const;
  const PlayerQueue& queue() const;
  std::optional<TurnView> open_turn() const;
  bool claw_online() const;
  // The channel of the player asked the ready check, while the server waits for its answer.
  std::optional<std::string> asking_ready() const;
  QueueMode queue_mode() const;
  const ServerCounters& counters() const;
  const ServerConfig& config() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace clawnet
