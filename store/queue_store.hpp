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
//    departure of an unknown ticket, ending a turn that is not open, ...) and any
//    effect that is not a Persist* effect.
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

class QueueStore {
 public:
  static inline constexpr int schema_version = 4;

  // `vfs` names the SQLite VFS to keep the file on (the simulation's in-memory disk);
  // empty: SQLite's default, the real file system.
  static std::variant<std::unique_ptr<QueueStore>, StoreError> open(const std::string& path,
                                                                     Durability durability = Durability::power_loss,
                                                                     const std::string& vfs = {});
  ~QueueStore();
  QueueStore(const QueueStore&) = delete;
  QueueStore& operator=(const QueueStore&) = delete;

  // Persists a PersistJoin / PersistDeparture / PersistTurnStart / PersistTurnEnd /
  // PersistAdminAction.
  // Returns true iff `effect` is one of those (others are not the store's business).
  bool is_persistent(const Effect& effect) const;
  std::optional<StoreError> apply(const Effect& effect);
  // One transaction for every effect, in order (each checked against the ones before
  // it); on an error none is kept. Every effect must be persistent.
  std::optional<StoreError> apply_all(std::span<const Effect> effects);
  std::variant<StoredQueue, StoreError> load() const;

 private:
  struct Statements;  // Prepared once by open(); defined in queue_store.cpp.
  QueueStore(sqlite3* database, std::unique_ptr<Statements> statements);
  sqlite3* database_;
  std::unique_ptr<Statements> statements_;
};

}  // namespace clawnet
