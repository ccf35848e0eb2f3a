#include "store/queue_store.hpp"

#include "store/sqlite_handle.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <system_error>
#include <utility>

namespace clawnet {
namespace {

constexpr std::int64_t clawnet_application_id = 0x436C6177;  // "Claw" in ASCII.

// docs/store.md describes this schema; a change to it needs a new schema_version.
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

// Thrown inside this file only; every public function turns it into a StoreError.
struct Refusal {
  std::string message;
};

[[noreturn]] void refuse(std::string message) { throw Refusal{std::move(message)}; }

void check(const sqlite::Cursor& cursor, std::string_view what) {
  if (cursor.failed()) refuse(fmt::format("{}: {}", what, cursor.error()));
}

// SQLite integers are signed 64-bit; tickets and turns start at 1.
std::int64_t to_sql(std::uint64_t number, std::string_view what) {
  if (number == 0 || number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    refuse(fmt::format("{} {} is out of range", what, number));
  }
  return static_cast<std::int64_t>(number);
}

std::uint64_t from_sql(std::int64_t number, std::string_view what) {
  if (number < 0) refuse(fmt::format("stored {} {} is negative", what, number));
  return static_cast<std::uint64_t>(number);
}

void execute(sqlite3* database, const std::string& sql, std::string_view what) {
  char* message = nullptr;
  if (sqlite3_exec(database, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return;
  std::string text = message != nullptr ? message : sqlite3_errmsg(database);
  sqlite3_free(message);
  refuse(fmt::format("{}: {}", what, text));
}

// The first column of the first row of `sql` (a pragma or an aggregate).
std::optional<std::int64_t> query_integer(sqlite3* database, std::string_view sql, std::string_view what) {
  auto statement = sqlite::Statement::prepare(database, sql);
  if (!statement) refuse(fmt::format("{}: {}", what, sqlite3_errmsg(database)));
  auto cursor = statement->run();
  check(cursor, what);
  return cursor.has_row() ? std::optional(cursor.integer(0)) : std::nullopt;
}

std::string query_text(sqlite3* database, std::string_view sql, std::string_view what) {
  auto statement = sqlite::Statement::prepare(database, sql);
  if (!statement) refuse(fmt::format("{}: {}", what, sqlite3_errmsg(database)));
  auto cursor = statement->run();
  check(cursor, what);
  return cursor.has_row() ? cursor.text(0) : std::string();
}

sqlite::Database open_database(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int code = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  sqlite::Database database(raw);
  if (code != SQLITE_OK) {
    refuse(fmt::format("{}: cannot open: {}", path, raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_extended_result_codes(raw, 1);
  // Exclusive locking keeps the WAL index in memory (no -shm file) and keeps a second
  // process, or a second QueueStore, away from the file.
  execute(raw, "PRAGMA locking_mode = EXCLUSIVE", path);
  return database;
}

enum class FileKind : std::uint8_t { empty, store };

// Reads an existing file through a read-only connection, so a file we refuse is
// never modified. Returns whether it is empty (to be given the schema) or our store.
FileKind inspect(const std::string& path) {
  std::error_code error;
  const bool exists = std::filesystem::exists(path, error);
  if (error) refuse(fmt::format("{}: cannot inspect: {}", path, error.message()));
  if (!exists) return FileKind::empty;
  if (!std::filesystem::is_regular_file(path, error)) refuse(fmt::format("{}: not a regular file", path));

  const auto database = open_database(path, SQLITE_OPEN_READONLY);
  const auto what = fmt::format("{}: cannot read as a SQLite database", path);
  const auto application_id = query_integer(database.get(), "PRAGMA application_id", what).value_or(0);
  const auto version = query_integer(database.get(), "PRAGMA user_version", what).value_or(0);
  const auto objects = query_integer(database.get(), "SELECT count(*) FROM sqlite_schema", what).value_or(0);
  const bool empty = application_id == 0 && version == 0 && objects == 0;
  if (!empty && application_id != clawnet_application_id) {
    refuse(fmt::format("not a clawnet queue store: {} has application_id {:#010x} and {} schema objects "
                       "(a clawnet store has application_id {:#010x})",
                       path, static_cast<std::uint32_t>(application_id), objects, clawnet_application_id));
  }
  if (!empty && version != QueueStore::schema_version) {
    refuse(fmt::format("{}: store schema version {} is {} than this build's version {}", path, version,
                       version > QueueStore::schema_version ? "newer" : "older", QueueStore::schema_version));
  }
  const auto verdict = query_text(database.get(), "PRAGMA quick_check(3)", what);
  if (verdict != "ok") refuse(fmt::format("{}: corrupt database: quick_check says: {}", path, verdict));
  return empty ? FileKind::empty : FileKind::store;
}

template <class... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};

}  // namespace

struct QueueStore::Statements {
  sqlite::Statement begin, commit, rollback;
  sqlite::Statement player_status, max_ticket, channel_owner, insert_player, set_status, depart;
  sqlite::Statement max_turn, turn_state, open_turns, insert_turn, end_turn, waiting;

  static void write(sqlite::Statement& statement, std::string_view what, const auto&... values) {
    check(statement.run(values...), what);
  }

  std::int64_t last(sqlite::Statement& statement, std::string_view what) {
    auto cursor = statement.run();
    check(cursor, what);
    return cursor.integer(0);
  }

  std::optional<std::string> status_of(std::int64_t ticket) {
    auto cursor = player_status.run(ticket);
    check(cursor, "reading a player's status");
    return cursor.has_row() ? std::optional(cursor.text(0)) : std::nullopt;
  }

  std::optional<StoredTurn> open_turn() {
    std::optional<StoredTurn> found;
    auto cursor = open_turns.run();
    for (; cursor.has_row(); cursor.next()) {
      if (found) refuse(fmt::format("turns {} and {} are both open", found->turn, cursor.integer(0)));
      if (cursor.is_null(2)) refuse(fmt::format("open turn {} has no stored player", cursor.integer(0)));
      found = StoredTurn{from_sql(cursor.integer(0), "turn"),
                         StoredPlayer{from_sql(cursor.integer(1), "ticket"), cursor.text(2)}};
    }
    check(cursor, "reading the open turn");
    return found;
  }

  void join(const PersistJoin& effect) {
    const auto ticket = to_sql(effect.ticket, "PersistJoin: ticket");
    if (status_of(ticket)) refuse(fmt::format("PersistJoin: ticket {} is already stored", ticket));
    const auto last_ticket = last(max_ticket, "reading the last ticket");
    if (ticket <= last_ticket) {
      refuse(fmt::format("PersistJoin: ticket {} is not after the last stored ticket {}", ticket, last_ticket));
    }
    if (!is_player_channel(effect.channel)) {
      refuse(fmt::format("PersistJoin ticket {}: '{}' is not a player channel", ticket, effect.channel));
    }
    {
      auto cursor = channel_owner.run(std::string_view(effect.channel));
      check(cursor, "looking up a channel");
      if (cursor.has_row()) {
        refuse(fmt::format("PersistJoin ticket {}: channel {} already belongs to ticket {}", ticket,
                           effect.channel, cursor.integer(0)));
      }
    }
    write(insert_player, fmt::format("PersistJoin ticket {}", ticket), ticket,
          std::string_view(effect.channel), effect.joined_ms);
  }

  void departure(const PersistDeparture& effect) {
    const auto ticket = to_sql(effect.ticket, "PersistDeparture: ticket");
    const auto status = status_of(ticket);
    if (!status) refuse(fmt::format("PersistDeparture: ticket {} is not stored", ticket));
    if (*status != "waiting" && *status != "playing") {
      refuse(fmt::format("PersistDeparture: ticket {} is {}, not waiting or playing", ticket, *status));
    }
    write(depart, fmt::format("PersistDeparture ticket {}", ticket), to_string(effect.reason), ticket);
  }

  void turn_start(const PersistTurnStart& effect) {
    const auto turn = to_sql(effect.turn, "PersistTurnStart: turn");
    const auto ticket = to_sql(effect.ticket, fmt::format("PersistTurnStart turn {}: ticket", turn));
    const auto last_turn = last(max_turn, "reading the last turn");
    if (turn <= last_turn) {
      refuse(fmt::format("PersistTurnStart: turn {} is not after the last stored turn {}", turn, last_turn));
    }
    if (const auto open = open_turn()) {
      refuse(fmt::format("PersistTurnStart: turn {} starts while turn {} is open", turn, open->turn));
    }
    const auto status = status_of(ticket);
    if (status != "waiting") {
      refuse(fmt::format("PersistTurnStart turn {}: ticket {} is {}, not waiting", turn, ticket,
                         status.value_or("not stored")));
    }
    const auto what = fmt::format("PersistTurnStart turn {}", turn);
    write(insert_turn, what, turn, ticket, effect.started_ms);
    write(set_status, what, std::string_view("playing"), ticket);
  }

  void turn_end(const PersistTurnEnd& effect) {
    const auto turn = to_sql(effect.turn, "PersistTurnEnd: turn");
    const auto ticket = to_sql(effect.ticket, fmt::format("PersistTurnEnd turn {}: ticket", turn));
    {
      auto cursor = turn_state.run(turn);
      check(cursor, "reading a turn");
      if (!cursor.has_row()) refuse(fmt::format("PersistTurnEnd: turn {} is not stored", turn));
      if (cursor.integer(1) == 0) refuse(fmt::format("PersistTurnEnd: turn {} has already ended", turn));
      if (cursor.integer(0) != ticket) {
        refuse(fmt::format("PersistTurnEnd: turn {} belongs to ticket {}, not {}", turn, cursor.integer(0),
                           ticket));
      }
    }
    const auto what = fmt::format("PersistTurnEnd turn {}", turn);
    write(end_turn, what, effect.ended_ms, to_string(effect.outcome), turn);
    // A player who departed during the turn stays departed; an aborted turn puts the
    // player back in the queue with its ticket, so at the front.
    if (status_of(ticket) == "playing") {
      const bool aborted = effect.outcome == TurnOutcome::aborted;
      write(set_status, what, std::string_view(aborted ? "waiting" : "played"), ticket);
    }
  }
};

std::variant<std::unique_ptr<QueueStore>, StoreError> QueueStore::open(const std::string& path) {
  try {
    const auto kind = inspect(path);
    auto database = open_database(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    sqlite3* raw = database.get();
    execute(raw, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", path);
    if (kind == FileKind::empty) {
      execute(raw,
              fmt::format("BEGIN IMMEDIATE; PRAGMA application_id = {}; PRAGMA user_version = {}; {} COMMIT",
                          clawnet_application_id, schema_version, schema_sql),
              fmt::format("{}: cannot create the schema", path));
    }
    const auto mode = query_text(raw, "PRAGMA journal_mode = WAL", path);
    if (mode != "wal") refuse(fmt::format("{}: cannot switch to WAL mode (journal_mode is {})", path, mode));

    auto prepare = [&](std::string_view sql) {
      auto statement = sqlite::Statement::prepare(raw, sql);
      if (!statement) refuse(fmt::format("{}: store schema is broken: {}", path, sqlite3_errmsg(raw)));
      return std::move(*statement);
    };
    auto statements = std::make_unique<Statements>(Statements{
        .begin = prepare("BEGIN IMMEDIATE"),
        .commit = prepare("COMMIT"),
        .rollback = prepare("ROLLBACK"),
        .player_status = prepare("SELECT status FROM players WHERE ticket = ?1"),
        .max_ticket = prepare("SELECT coalesce(max(ticket), 0) FROM players"),
        .channel_owner = prepare("SELECT ticket FROM players WHERE channel = ?1"),
        .insert_player = prepare(
            "INSERT INTO players (ticket, channel, joined_ms, status) VALUES (?1, ?2, ?3, 'waiting')"),
        .set_status = prepare("UPDATE players SET status = ?1 WHERE ticket = ?2"),
        .depart = prepare("UPDATE players SET status = 'departed', departure_reason = ?1 WHERE ticket = ?2"),
        .max_turn = prepare("SELECT coalesce(max(turn), 0) FROM turns"),
        .turn_state = prepare("SELECT ticket, ended_ms IS NULL FROM turns WHERE turn = ?1"),
        .open_turns = prepare(
            "SELECT turns.turn, turns.ticket, players.channel FROM turns LEFT JOIN players USING (ticket) "
            "WHERE turns.ended_ms IS NULL ORDER BY turns.turn"),
        .insert_turn = prepare("INSERT INTO turns (turn, ticket, started_ms) VALUES (?1, ?2, ?3)"),
        .end_turn = prepare("UPDATE turns SET ended_ms = ?1, outcome = ?2 WHERE turn = ?3"),
        .waiting = prepare("SELECT ticket, channel FROM players WHERE status = 'waiting' ORDER BY ticket"),
    });
    // Takes the exclusive lock now, so a second store on this file fails in open().
    statements->last(statements->max_ticket, fmt::format("{}: cannot read the store", path));
    return std::unique_ptr<QueueStore>(new QueueStore(database.release(), std::move(statements)));
  } catch (const Refusal& refusal) {
    return StoreError{refusal.message};
  }
}

QueueStore::QueueStore(sqlite3* database, std::unique_ptr<Statements> statements)
    : database_(database), statements_(std::move(statements)) {}

QueueStore::~QueueStore() {
  statements_.reset();
  sqlite3_close_v2(database_);
}

bool QueueStore::is_persistent(const Effect& effect) const {
  return std::holds_alternative<PersistJoin>(effect) || std::holds_alternative<PersistDeparture>(effect) ||
         std::holds_alternative<PersistTurnStart>(effect) || std::holds_alternative<PersistTurnEnd>(effect);
}

std::optional<StoreError> QueueStore::apply(const Effect& effect) {
  if (!is_persistent(effect)) return StoreError{fmt::format("not a Persist* effect: {}", describe(effect))};
  Statements& statements = *statements_;
  try {
    Statements::write(statements.begin, "BEGIN");
    std::visit(Overloaded{
                   [&](const PersistJoin& join) { statements.join(join); },
                   [&](const PersistDeparture& departure) { statements.departure(departure); },
                   [&](const PersistTurnStart& start) { statements.turn_start(start); },
                   [&](const PersistTurnEnd& end) { statements.turn_end(end); },
                   [](const auto&) {},
               },
               effect);
    Statements::write(statements.commit, "COMMIT");
    return std::nullopt;
  } catch (const Refusal& refusal) {
    if (sqlite3_get_autocommit(database_) == 0) statements.rollback.run();
    return StoreError{refusal.message};
  }
}

std::variant<StoredQueue, StoreError> QueueStore::load() const {
  Statements& statements = *statements_;
  try {
    StoredQueue stored;
    {
      auto cursor = statements.waiting.run();
      for (; cursor.has_row(); cursor.next()) {
        const auto ticket = from_sql(cursor.integer(0), "ticket");
        if (!is_player_channel(cursor.text(1))) {
          refuse(fmt::format("stored channel '{}' of ticket {} is not a player channel", cursor.text(1), ticket));
        }
        stored.waiting.push_back(StoredPlayer{ticket, cursor.text(1)});
      }
      check(cursor, "reading waiting players");
    }
    stored.open_turn = statements.open_turn();
    stored.next_ticket = from_sql(statements.last(statements.max_ticket, "reading the last ticket"), "ticket") + 1;
    stored.next_turn = from_sql(statements.last(statements.max_turn, "reading the last turn"), "turn") + 1;
    return stored;
  } catch (const Refusal& refusal) {
    return StoreError{refusal.message};
  }
}

}  // namespace clawnet
