#include "store/store_file.hpp"

#include "store/file_probe.hpp"
#include "store/queue_store.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace clawnet {
namespace {

using sqlite::execute;
using sqlite::fail;
using sqlite::query_integer;
using sqlite::query_text;

// docs/store.md describes this schema (version 1, then the migrations below); a
// change to it is a new migration and a new schema_version.
// 'aborted' is still accepted by the outcome CHECK: the first development builds
// wrote it, no build since does (TurnOutcome has no such value). Version 1 stays as
// it is, so those files still open (docs/store.md, "Schema").
constexpr std::string_view schema_sql = R"sql(
CREATE TABLE players (
  ticket INTEGER PRIMARY KEY CHECK (ticket > 0),
  channel TEXT NOT NULL UNIQUE,
  joined_ms INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting', 'playing', 'departed', 'played')),
  departure_reason TEXT CHECK (departure_reason IN ('left', 'presence_expired'))
) STRICT;
CREATE TABLE turns (
  turn INTEGER PRIMARY KEY CHECK (turn > 0),
  ticket INTEGER NOT NULL REFERENCES players (ticket),
  started_ms INTEGER NOT NULL,
  ended_ms INTEGER,
  outcome TEXT CHECK (outcome IN ('completed', 'ended_by_server', 'aborted')),
  CHECK ((ended_ms IS NULL) = (outcome IS NULL))
) STRICT;
CREATE INDEX turns_open ON turns (turn) WHERE ended_ms IS NULL;
)sql";

// Each migration takes a store from the version before it to its own; a new file
// gets version 1 and every migration, so old and new files end the same.
// A migration that rebuilds a table (SQLite cannot alter a CHECK) runs with foreign
// keys off, as SQLite's "generalized ALTER TABLE procedure" asks, and checks them after.
struct Migration {
  int to_version;
  std::string_view sql;
  bool rebuilds_tables = false;
};
constexpr std::array<Migration, 5> migrations = {{
    // How each turn ended for its player (docs/protocol.md, "Turn results"); NULL for
    // turns that ended before version 2, or have not ended.
    {2, "ALTER TABLE turns ADD COLUMN result TEXT CHECK (result IN "
        "('win', 'loss', 'timeout', 'ended_by_server', 'abandoned'));"},
    // Operators: a player can be kicked, and every admin action is kept (docs/store.md).
    {3, R"sql(
CREATE TABLE players_v3 (
  ticket INTEGER PRIMARY KEY CHECK (ticket > 0),
  channel TEXT NOT NULL UNIQUE,
  joined_ms INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting', 'playing', 'departed', 'played')),
  departure_reason TEXT CHECK (departure_reason IN ('left', 'presence_expired', 'kicked'))
) STRICT;
INSERT INTO players_v3 SELECT ticket, channel, joined_ms, status, departure_reason FROM players;
DROP TABLE players;
ALTER TABLE players_v3 RENAME TO players;
CREATE TABLE admin_actions (
  id INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('pause', 'resume', 'skip', 'kick', 'estop', 'reset')),
  ticket INTEGER CHECK (ticket > 0),
  done INTEGER NOT NULL CHECK (done IN (0, 1)),
  detail TEXT NOT NULL
) STRICT;
)sql",
     true},
    // The ready check: a head of the queue that does not confirm in time departs 'unready'.
    {4, R"sql(
CREATE TABLE players_v4 (
  ticket INTEGER PRIMARY KEY CHECK (ticket > 0),
  channel TEXT NOT NULL UNIQUE,
  joined_ms INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting', 'playing', 'departed', 'played')),
  departure_reason TEXT CHECK (departure_reason IN ('left', 'presence_expired', 'kicked', 'unready'))
) STRICT;
INSERT INTO players_v4 SELECT ticket, channel, joined_ms, status, departure_reason FROM players;
DROP TABLE players;
ALTER TABLE players_v4 RENAME TO players;
)sql",
     true},
    // Per-turn records: the claw's summary of a turn, its JSON as the protocol
    // writes it (docs/protocol.md, "Turn summaries"); only the newest are kept.
    {5, R"sql(
CREATE TABLE turn_records (
  turn INTEGER PRIMARY KEY REFERENCES turns (turn),
  record TEXT NOT NULL
) STRICT;
)sql"},
    // History is pruned (docs/store.md, "What the file holds"): these find the oldest
    // finished players, and the turns that still name a player, without a scan.
    {6, R"sql(
CREATE INDEX players_finished ON players (ticket) WHERE status IN ('departed', 'played');
CREATE INDEX turns_by_ticket ON turns (ticket);
)sql"},
}};
static_assert(migrations.back().to_version == QueueStore::schema_version);

// Brings a store of `version` up to this build's, one migration per transaction.
void migrate(sqlite3* database, const std::string& path, std::int64_t version) {
  for (const Migration& migration : migrations) {
    if (migration.to_version <= version) continue;
    const auto what = fmt::format("{}: cannot migrate the store to schema version {}", path, migration.to_version);
    if (migration.rebuilds_tables) execute(database, "PRAGMA foreign_keys = OFF", what);
    execute(database, fmt::format("BEGIN IMMEDIATE; {} PRAGMA user_version = {};", migration.sql, migration.to_version),
            what);
    if (migration.rebuilds_tables && query_integer(database, "SELECT count(*) FROM pragma_foreign_key_check", what) != 0) {
      execute(database, "ROLLBACK; PRAGMA foreign_keys = ON", what);
      fail(fmt::format("{}: a foreign key no longer holds after the rebuild", what));
    }
    execute(database, "COMMIT", what);
    if (migration.rebuilds_tables) execute(database, "PRAGMA foreign_keys = ON", what);
  }
}

// Opens a connection that cannot write yet: open_store_file() inspects the file, then
// calls allow_writes(). Exclusive locking keeps the WAL index in memory (no -shm
// file) and keeps a second process, or a second QueueStore, away from the file.
sqlite::Database open_database(const std::string& path, int flags, const std::string& vfs) {
  sqlite3* raw = nullptr;
  const int code = sqlite3_open_v2(path.c_str(), &raw, flags, vfs.empty() ? nullptr : vfs.c_str());
  sqlite::Database database(raw);
  if (code != SQLITE_OK) {
    fail(fmt::format("{}: cannot open: {}", path, raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  execute(raw, "PRAGMA locking_mode = EXCLUSIVE; PRAGMA query_only = 1", path);
  return database;
}

void allow_writes(sqlite3* database, const std::string& path, Durability durability) {
  sqlite3_db_config(database, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);
  execute(database, "PRAGMA query_only = 0; PRAGMA foreign_keys = ON", path);
  execute(database, durability == Durability::power_loss ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
          path);
}

// What the file is, from its first 100 bytes (the SQLite header), read without SQLite
// (but through its VFS, if one is named).
enum class FileKind : std::uint8_t { empty, rollback_journal, write_ahead_log };

FileKind read_header(const std::string& path, const FileProbe& probe) {
  const std::optional<std::string> header = probe.read_prefix(path, 100);
  if (!header || header->empty()) return FileKind::empty;
  if (header->size() < 100) {
    fail(fmt::format("{}: not a SQLite database: {} bytes, shorter than a SQLite header", path, header->size()));
  }
  if (std::string_view(*header).substr(0, 16) != std::string_view("SQLite format 3\0", 16)) {
    fail(fmt::format("{}: not a SQLite database: it does not start with the SQLite header", path));
  }
  return (*header)[18] == 2 ? FileKind::write_ahead_log : FileKind::rollback_journal;
}

struct Contents {
  bool empty = true;
  std::int64_t version = 0;  // Of a store: 1..QueueStore::schema_version.
};

// Checks, before anything is written, that the file is empty or a store of our schema
// version, and that SQLite finds it sound.
Contents inspect(sqlite3* database, const std::string& path) {
  const auto what = fmt::format("{}: damaged, or not a SQLite database", path);
  std::int64_t application_id = 0;
  try {
    application_id = query_integer(database, "PRAGMA application_id", what).value_or(0);
  } catch (const sqlite::Failure&) {
    if (sqlite3_errcode(database) != SQLITE_BUSY) throw;
    fail(fmt::format("{}: in use by another QueueStore or program (database is locked)", path));
  }
  const auto version = query_integer(database, "PRAGMA user_version", what).value_or(0);
  const auto objects = query_integer(database, "SELECT count(*) FROM sqlite_schema", what).value_or(0);
  const bool empty = application_id == 0 && version == 0 && objects == 0;
  if (!empty && application_id != store_application_id) {
    fail(
        fmt::format("not a clawnet queue store: {} has application_id {:#010x} and {} schema objects "
                    "(a clawnet store has application_id {:#010x})",
                    path, static_cast<std::uint32_t>(application_id), objects, store_application_id));
  }
  if (!empty && (version < 1 || version > QueueStore::schema_version)) {
    fail(fmt::format("{}: store schema version {} is {} than this build's version {}", path, version,
                     version > QueueStore::schema_version ? "newer" : "older", QueueStore::schema_version));
  }
  const auto verdict = query_text(database, "PRAGMA quick_check(3)", what).value_or("no answer");
  if (verdict != "ok") fail(fmt::format("{}: corrupt database: quick_check says: {}", path, verdict));
  return Contents{empty, version};
}

// Inspects a file already in WAL mode through `database` itself: a read-only
// connection cannot read WAL without creating -shm and -wal files. Checkpoints are
// off until allow_writes(), so a refused file keeps its bytes; a -wal file that
// SQLite created for the inspection is removed again.
Contents inspect_write_ahead_log(sqlite::Database& database, const std::string& path, const FileProbe& probe) {
  const auto log_path = path + "-wal";
  const bool log_existed = probe.exists(log_path);
  try {
    return inspect(database.get(), path);
  } catch (const sqlite::Failure&) {
    database.reset();
    if (!log_existed && probe.size(log_path) == std::optional<std::uint64_t>(0)) probe.remove(log_path);
    throw;
  }
}

}  // namespace

sqlite::Database open_store_file(const std::string& path, Durability durability, const std::string& vfs) {
  sqlite3_vfs* named = nullptr;
  if (!vfs.empty() && (named = sqlite3_vfs_find(vfs.c_str())) == nullptr) {
    fail(fmt::format("{}: cannot open: no such vfs: {}", path, vfs));
  }
  const FileProbe probe(named);
  const auto kind = read_header(path, probe);
  Contents contents;
  if (kind == FileKind::rollback_journal) {
    // Read-only, so not even a foreign hot journal is rolled back.
    contents = inspect(open_database(path, SQLITE_OPEN_READONLY, vfs).get(), path);
  }
  auto database =
      open_database(path, SQLITE_OPEN_READWRITE | (kind == FileKind::empty ? SQLITE_OPEN_CREATE : 0), vfs);
  if (kind == FileKind::write_ahead_log) contents = inspect_write_ahead_log(database, path, probe);
  sqlite3* raw = database.get();
  allow_writes(raw, path, durability);
  if (contents.empty) {
    execute(raw,
            fmt::format("BEGIN IMMEDIATE; PRAGMA application_id = {}; PRAGMA user_version = 1; {} COMMIT",
                        store_application_id, schema_sql),
            fmt::format("{}: cannot create the schema", path));
    contents.version = 1;
  }
  migrate(raw, path, contents.version);
  const auto mode = query_text(raw, "PRAGMA journal_mode = WAL", path).value_or("unknown");
  if (mode != "wal") fail(fmt::format("{}: cannot switch to WAL mode (journal_mode is {})", path, mode));

  return database;
}

}  // namespace clawnet
