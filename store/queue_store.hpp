// QueueStore: the durable queue, a SQLite3 file in WAL mode, used by sim/ and prod/.
//
// The server machine emits Persist* effects; the driver hands each one to apply()
// before carrying out the next effect, so a join is committed before the
// JoinReply that acknowledges it. load() rebuilds what ServerMachine::handle_start
// needs after a restart.
//
// Contract:
//  - open() creates a new file, or opens one written by this schema version.
//    A corrupt file, a SQLite file of another application, or a newer schema
//    version gives an error naming the problem, and the file is never modified.
//  - apply() of a Persist* effect is durable (committed) when it returns without error;
//    apply_all() commits several in one transaction (group commit), all or none.
//  - load() returns waiting players in ticket order, the turn that was open (started,
//    not ended) if any, the next ticket and turn numbers to hand out, and the queue
//    mode the operator's last done pause, resume, e-stop or reset left.
//  - apply() refuses, with a StoreError naming the ticket or turn and without changing
//    the store, an effect that does not fit what is stored (a duplicate join, a
//    departure of an unknown ticket, ending a turn that is not open, a record of a
//    turn never stored, ...) and any effect that is not a Persist* effect.
//  - History is bounded: a transaction with a departure, a turn's end or an admin
//    action keeps the history_kept() newest finished players (departed or played),
//    ended turns and admin actions, and deletes older ones (a player some kept turn
//    names stays). The waiting players and the open turn are never pruned, nor the
//    newest ticket and turn, so load() hands out the same numbers.
//  - Turn records are bounded: apply() of a PersistTurnRecord keeps the records of
//    the turn_records_kept() newest turns and deletes older ones, in its one
//    transaction. A second record of a turn replaces the first (the claw's summary
//    may be delivered twice).
// Not thread-safe; one QueueStore per file: while one is open, opening the file again
// (from any process) fails (on a VFS whose locks are no-ops, such as the simulation's
// disk, the caller must see to that). docs/store.md has the schema and the recovery rules.
#pragma once

#include "core/effects.hpp"
#include "core/server_machine.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

struct sqlite3;

namespace clawnet {

struct StoreError {
  std::string message;
};

// What a commit survives. In WAL mode, synchronous=NORMAL already keeps every
// commit across a crash of the process; only power loss can take the last ones.
enum class Durability : std::uint8_t {
  power_loss,     // synchronous=FULL: fsync at every commit (production and the simulation).
  process_crash,  // synchronous=NORMAL: too weak for a power cut; tests show the simulation catches it.
};

// One turn as clawd's turns API shows it (GET /v1/turns).
struct TurnRow {
  Turn turn = 0;
  Ticket ticket = 0;
  std::string channel;                // The player's.
  TimeMs started_ms = 0;
  std::optional<TimeMs> ended_ms;     // While open: none.
  std::optional<std::string> outcome;  // turns.outcome, as stored.
  std::optional<std::string> result;   // turns.result, as stored.
  bool has_record = false;             // The claw's summary is kept (turn_records).
};
// One turn with the claw's record of it, if kept (GET /v1/turns/{turn}).
struct TurnDetail {
  TurnRow row;
  std::optional<TurnSummary> record;
};

class QueueStore {
 public:
  static inline constexpr int schema_version = 6;
  static inline constexpr std::size_t turn_records_kept_default = 1'000;
  static inline constexpr std::size_t history_kept_default = 10'000;

  // `vfs` names the SQLite VFS to keep the file on (the simulation's in-memory disk);
  // empty: SQLite's default, the real file system.
  static std::variant<std::unique_ptr<QueueStore>, StoreError> open(const std::string& path,
                                                                     Durability durability = Durability::power_loss,
                                                                     const std::string& vfs = {});
  ~QueueStore();
  QueueStore(const QueueStore&) = delete;
  QueueStore& operator=(const QueueStore&) = delete;

  // Persists a PersistJoin / PersistDeparture / PersistTurnStart / PersistTurnEnd /
  // PersistAdminAction / PersistTurnRecord.
  // Returns true iff `effect` is one of those (others are not the store's business).
  bool is_persistent(const Effect& effect) const;
  std::optional<StoreError> apply(const Effect& effect);
  // One transaction for every effect, in order (each checked against the ones before
  // it); on an error none is kept. Every effect must be persistent.
  std::optional<StoreError> apply_all(std::span<const Effect> effects);
  std::variant<StoredQueue, StoreError> load() const;

  // How many turns' records to keep. REQUIRES: 1 <= kept <= limits::turn_records_kept_max.
  // Takes effect at the next PersistTurnRecord.
  void set_turn_records_kept(std::size_t kept);
  std::size_t turn_records_kept() const { return turn_records_kept_; }
  // How much history to keep. REQUIRES: 1 <= kept <= limits::history_kept_max.
  void set_history_kept(std::size_t kept);
  std::size_t history_kept() const { return history_kept_; }
  // The `limit` newest turns, newest first. REQUIRES: limit >= 1.
  std::variant<std::vector<TurnRow>, StoreError> recent_turns(std::size_t limit) const;
  // Turn `turn` with its record; nullopt if no such turn is stored.
  std::variant<std::optional<TurnDetail>, StoreError> turn(Turn turn) const;

 private:
  struct Statements;  // Prepared once by open(); defined in queue_store.cpp.
  QueueStore(sqlite3* database, std::unique_ptr<Statements> statements);
  sqlite3* database_;
  std::unique_ptr<Statements> statements_;
  std::size_t turn_records_kept_ = turn_records_kept_default;
  std::size_t history_kept_ = history_kept_default;
};

}  // namespace clawnet
