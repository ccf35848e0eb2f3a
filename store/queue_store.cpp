#include "store/queue_store.hpp"
#include "core/planted.hpp"
#include "core/overloaded.hpp"
#include "core/limits.hpp"
#include "core/assert.hpp"

#include "store/sqlite_handle.hpp"
#include "store/store_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

namespace clawnet {
namespace {

using sqlite::check;
using sqlite::fail;

// SQLite integers are signed 64-bit; tickets and turns start at 1.
std::int64_t to_sql(std::uint64_t number, std::string_view what) {
  if (number == 0 || number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    fail(fmt::format("{} {} is out of range", what, number));
  }
  return static_cast<std::int64_t>(number);
}

std::uint64_t from_sql(std::int64_t number, std::string_view what) {
  if (number < 0) fail(fmt::format("stored {} {} is negative", what, number));
  return static_cast<std::uint64_t>(number);
}

}  // namespace

struct QueueStore::Statements {
  sqlite::Statement begin, commit, rollback;
  sqlite::Statement player_status, max_ticket, channel_owner, insert_player, set_status, depart;
  sqlite::Statement max_turn, turn_state, open_turns, insert_turn, end_turn, waiting;
  sqlite::Statement insert_admin, last_mode_action;
  sqlite::Statement turn_exists, upsert_record, prune_records, recent_turns, one_turn, record_of;
  sqlite::Statement prune_old_records, prune_turns, prune_players, prune_admin;

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
      if (found) fail(fmt::format("turns {} and {} are both open", found->turn, cursor.integer(0)));
      if (cursor.is_null(2)) fail(fmt::format("open turn {} has no stored player", cursor.integer(0)));
      found = StoredTurn{from_sql(cursor.integer(0), "turn"),
                         StoredPlayer{from_sql(cursor.integer(1), "ticket"), cursor.text(2)}};
    }
    check(cursor, "reading the open turn");
    return found;
  }

  void join(const PersistJoin& effect) {
    const auto ticket = to_sql(effect.ticket, "PersistJoin: ticket");
    if (status_of(ticket)) fail(fmt::format("PersistJoin: ticket {} is already stored", ticket));
    const auto last_ticket = last(max_ticket, "reading the last ticket");
    if (ticket <= last_ticket) {
      fail(fmt::format("PersistJoin: ticket {} is not after the last stored ticket {}", ticket, last_ticket));
    }
    if (!is_player_channel(effect.channel)) {
      fail(fmt::format("PersistJoin ticket {}: '{}' is not a player channel", ticket, effect.channel));
    }
    {
      auto cursor = channel_owner.run(std::string_view(effect.channel));
      check(cursor, "looking up a channel");
      if (cursor.has_row()) {
        fail(fmt::format("PersistJoin ticket {}: channel {} already belongs to ticket {}", ticket,
                         effect.channel, cursor.integer(0)));
      }
    }
    write(insert_player, fmt::format("PersistJoin ticket {}", ticket), ticket,
          std::string_view(effect.channel), effect.joined_ms);
  }

  void departure(const PersistDeparture& effect) {
    const auto ticket = to_sql(effect.ticket, "PersistDeparture: ticket");
    const auto status = status_of(ticket);
    if (!status) fail(fmt::format("PersistDeparture: ticket {} is not stored", ticket));
    if (*status != "waiting" && *status != "playing") {
      fail(fmt::format("PersistDeparture: ticket {} is {}, not waiting or playing", ticket, *status));
    }
    if (planted(PlantedBug::departure_not_stored)) return;
    write(depart, fmt::format("PersistDeparture ticket {}", ticket), to_string(effect.reason), ticket);
  }

  void turn_start(const PersistTurnStart& effect) {
    const auto turn = to_sql(effect.turn, "PersistTurnStart: turn");
    const auto ticket = to_sql(effect.ticket, fmt::format("PersistTurnStart turn {}: ticket", turn));
    const auto last_turn = last(max_turn, "reading the last turn");
    if (turn <= last_turn) {
      fail(fmt::format("PersistTurnStart: turn {} is not after the last stored turn {}", turn, last_turn));
    }
    if (const auto open = open_turn()) {
      fail(fmt::format("PersistTurnStart: turn {} starts while turn {} is open", turn, open->turn));
    }
    const auto status = status_of(ticket);
    if (status != "waiting") {
      fail(fmt::format("PersistTurnStart turn {}: ticket {} is {}, not waiting", turn, ticket,
                       status.value_or("not stored")));
    }
    const auto what = fmt::format("PersistTurnStart turn {}", turn);
    write(insert_turn, what, turn, ticket, effect.started_ms);
    write(set_status, what, std::string_view("playing"), ticket);
  }

  void admin_action(const PersistAdminAction& effect) {
    const auto what = fmt::format("PersistAdminAction {}", to_string(effect.action));
    if (effect.ticket != 0) {
      write(insert_admin, what, effect.at_ms, to_string(effect.action), to_sql(effect.ticket, "PersistAdminAction: ticket"),
            std::int64_t{effect.done}, std::string_view(effect.detail));
    } else {
      write(insert_admin, what, effect.at_ms, to_string(effect.action), nullptr, std::int64_t{effect.done},
            std::string_view(effect.detail));
    }
  }

  void turn_record(const PersistTurnRecord& effect, std::size_t kept) {
    const auto turn = to_sql(effect.turn, "PersistTurnRecord: turn");
    if (effect.summary.turn != effect.turn) {
      fail(fmt::format("PersistTurnRecord turn {}: the record is of turn {}", turn, effect.summary.turn));
    }
    {
      auto cursor = turn_exists.run(turn);
      check(cursor, "reading a turn");
      if (!cursor.has_row()) {
        // Turns are numbered without gaps: one below the newest that is gone was pruned.
        if (turn < last(max_turn, "reading the last turn")) return;
        fail(fmt::format("PersistTurnRecord: turn {} is not stored", turn));
      }
    }
    const auto what = fmt::format("PersistTurnRecord turn {}", turn);
    const std::string record = encode_turn_record(effect.summary);
    write(upsert_record, what, turn, std::string_view(record));
    write(prune_records, what, static_cast<std::int64_t>(kept));
  }

  // Keeps the `kept` newest of each kind of history (the contract in queue_store.hpp).
  // Records go with their turns, and turns before the players they name.
  void prune_history(std::size_t kept) {
    const auto offset = static_cast<std::int64_t>(kept);
    write(prune_old_records, "pruning turn records", offset);
    write(prune_turns, "pruning turns", offset);
    write(prune_players, "pruning players", offset);
    write(prune_admin, "pruning admin actions", offset);
  }

  static TurnRow turn_row(const sqlite::Cursor& cursor) {
    TurnRow row;
    row.turn = from_sql(cursor.integer(0), "turn");
    row.ticket = from_sql(cursor.integer(1), "ticket");
    row.channel = cursor.text(2);
    row.started_ms = cursor.integer(3);
    if (!cursor.is_null(4)) row.ended_ms = cursor.integer(4);
    if (!cursor.is_null(5)) row.outcome = cursor.text(5);
    if (!cursor.is_null(6)) row.result = cursor.text(6);
    row.has_record = cursor.integer(7) != 0;
    return row;
  }

  QueueMode mode() {
    auto cursor = last_mode_action.run();
    check(cursor, "reading the last admin action");
    if (!cursor.has_row()) return QueueMode::running;
    const std::string action = cursor.text(0);
    if (action == "pause") return QueueMode::paused;
    if (action == "estop") return QueueMode::stopped;
    return QueueMode::running;  // resume, reset
  }

  void turn_end(const PersistTurnEnd& effect) {
    const auto turn = to_sql(effect.turn, "PersistTurnEnd: turn");
    const auto ticket = to_sql(effect.ticket, fmt::format("PersistTurnEnd turn {}: ticket", turn));
    {
      auto cursor = turn_state.run(turn);
      check(cursor, "reading a turn");
      if (!cursor.has_row()) fail(fmt::format("PersistTurnEnd: turn {} is not stored", turn));
      if (cursor.integer(1) == 0) fail(fmt::format("PersistTurnEnd: turn {} has already ended", turn));
      if (cursor.integer(0) != ticket) {
        fail(fmt::format("PersistTurnEnd: turn {} belongs to ticket {}, not {}", turn, cursor.integer(0),
                         ticket));
      }
    }
    const auto what = fmt::format("PersistTurnEnd turn {}", turn);
    write(end_turn, what, effect.ended_ms, to_string(effect.outcome), to_string(effect.result), turn);
    // Whatever the outcome, the player has had its turn; one who departed during it
    // stays departed.
    if (status_of(ticket) == "playing") {
      const bool requeued = planted(PlantedBug::turn_end_requeues) && effect.outcome == TurnOutcome::ended_by_server;
      write(set_status, what, std::string_view(requeued ? "waiting" : "played"), ticket);
    }
  }
};

std::variant<std::unique_ptr<QueueStore>, StoreError> QueueStore::open(const std::string& path, Durability durability,
                                                                      const std::string& vfs) {
  try {
    auto database = open_store_file(path, durability, vfs);
    sqlite3* raw = database.get();
    auto prepare = [&](std::string_view sql) {
      auto statement = sqlite::Statement::prepare(raw, sql);
      if (!statement) fail(fmt::format("{}: store schema is broken: {}", path, sqlite3_errmsg(raw)));
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
        .end_turn = prepare("UPDATE turns SET ended_ms = ?1, outcome = ?2, result = ?3 WHERE turn = ?4"),
        .waiting = prepare("SELECT ticket, channel FROM players WHERE status = 'waiting' ORDER BY ticket"),
        .insert_admin = prepare(
            "INSERT INTO admin_actions (at_ms, action, ticket, done, detail) VALUES (?1, ?2, ?3, ?4, ?5)"),
        .last_mode_action = prepare(
            "SELECT action FROM admin_actions WHERE done = 1 AND action IN ('pause', 'resume', 'estop', 'reset') "
            "ORDER BY id DESC LIMIT 1"),
        .turn_exists = prepare("SELECT 1 FROM turns WHERE turn = ?1"),
        .upsert_record = prepare(
            "INSERT INTO turn_records (turn, record) VALUES (?1, ?2) "
            "ON CONFLICT (turn) DO UPDATE SET record = excluded.record"),
        // Everything at or below the (kept + 1)-th newest record.
        .prune_records = prepare(
            "DELETE FROM turn_records WHERE turn <= "
            "(SELECT turn FROM turn_records ORDER BY turn DESC LIMIT 1 OFFSET ?1)"),
        .recent_turns = prepare(
            "SELECT turns.turn, turns.ticket, coalesce(players.channel, ''), turns.started_ms, turns.ended_ms, "
            "turns.outcome, turns.result, turn_records.turn IS NOT NULL FROM turns "
            "LEFT JOIN players USING (ticket) LEFT JOIN turn_records USING (turn) ORDER BY turns.turn DESC LIMIT ?1"),
        .one_turn = prepare(
            "SELECT turns.turn, turns.ticket, coalesce(players.channel, ''), turns.started_ms, turns.ended_ms, "
            "turns.outcome, turns.result, turn_records.turn IS NOT NULL FROM turns "
            "LEFT JOIN players USING (ticket) LEFT JOIN turn_records USING (turn) WHERE turns.turn = ?1"),
        .record_of = prepare("SELECT record FROM turn_records WHERE turn = ?1"),
        // Each: everything at or below the (kept + 1)-th newest.
        .prune_old_records = prepare(
            "DELETE FROM turn_records WHERE turn <= "
            "(SELECT turn FROM turns WHERE ended_ms IS NOT NULL ORDER BY turn DESC LIMIT 1 OFFSET ?1)"),
        .prune_turns = prepare(
            "DELETE FROM turns WHERE ended_ms IS NOT NULL AND turn <= "
            "(SELECT turn FROM turns WHERE ended_ms IS NOT NULL ORDER BY turn DESC LIMIT 1 OFFSET ?1)"),
        .prune_players = prepare(
            "DELETE FROM players WHERE status IN ('departed', 'played') AND ticket <= "
            "(SELECT ticket FROM players WHERE status IN ('departed', 'played') ORDER BY ticket DESC LIMIT 1 OFFSET ?1) "
            "AND NOT EXISTS (SELECT 1 FROM turns WHERE turns.ticket = players.ticket)"),
        .prune_admin = prepare(
            "DELETE FROM admin_actions WHERE id <= (SELECT id FROM admin_actions ORDER BY id DESC LIMIT 1 OFFSET ?1)"),
    });
    return std::unique_ptr<QueueStore>(new QueueStore(database.release(), std::move(statements)));
  } catch (const sqlite::Failure& failure) {
    return StoreError{failure.message};
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
         std::holds_alternative<PersistTurnStart>(effect) || std::holds_alternative<PersistTurnEnd>(effect) ||
         std::holds_alternative<PersistAdminAction>(effect) || std::holds_alternative<PersistTurnRecord>(effect);
}

void QueueStore::set_history_kept(std::size_t kept) {
  CLAWNET_ASSERT(kept >= 1);
  CLAWNET_ASSERT(kept <= limits::history_kept_max);
  history_kept_ = kept;
}

void QueueStore::set_turn_records_kept(std::size_t kept) {
  CLAWNET_ASSERT(kept >= 1);
  CLAWNET_ASSERT(kept <= limits::turn_records_kept_max);
  turn_records_kept_ = kept;
}

std::variant<std::vector<TurnRow>, StoreError> QueueStore::recent_turns(std::size_t limit) const {
  CLAWNET_ASSERT(limit >= 1);
  try {
    std::vector<TurnRow> rows;
    auto cursor = statements_->recent_turns.run(static_cast<std::int64_t>(std::min<std::size_t>(limit, static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max()))));
    for (; cursor.has_row(); cursor.next()) rows.push_back(Statements::turn_row(cursor));
    check(cursor, "reading the recent turns");
    return rows;
  } catch (const sqlite::Failure& failure) {
    return StoreError{failure.message};
  }
}

std::variant<std::optional<TurnDetail>, StoreError> QueueStore::turn(Turn turn) const {
  try {
    const auto number = to_sql(turn, "turn");
    TurnDetail detail;
    {
      auto cursor = statements_->one_turn.run(number);
      check(cursor, "reading a turn");
      if (!cursor.has_row()) return std::optional<TurnDetail>();
      detail.row = Statements::turn_row(cursor);
    }
    if (detail.row.has_record) {
      auto cursor = statements_->record_of.run(number);
      check(cursor, "reading a turn record");
      if (!cursor.has_row()) fail(fmt::format("the record of turn {} vanished", turn));
      auto decoded = decode_turn_record(cursor.text(0));
      if (const auto* failure = std::get_if<DecodeError>(&decoded)) {
        fail(fmt::format("the stored record of turn {} does not decode: {}", turn, failure->detail));
      }
      detail.record = std::get<TurnSummary>(std::move(decoded));
    }
    return std::optional<TurnDetail>(std::move(detail));
  } catch (const sqlite::Failure& failure) {
    return StoreError{failure.message};
  }
}

std::optional<StoreError> QueueStore::apply(const Effect& effect) { return apply_all(std::span(&effect, 1)); }

std::optional<StoreError> QueueStore::apply_all(std::span<const Effect> effects) {
  for (const Effect& effect : effects) {
    if (!is_persistent(effect)) return StoreError{fmt::format("not a Persist* effect: {}", describe(effect))};
  }
  if (effects.empty()) return std::nullopt;
  Statements& statements = *statements_;
  const bool adds_history = std::any_of(effects.begin(), effects.end(), [](const Effect& effect) {
    return std::holds_alternative<PersistDeparture>(effect) || std::holds_alternative<PersistTurnEnd>(effect) ||
           std::holds_alternative<PersistAdminAction>(effect);
  });
  try {
    Statements::write(statements.begin, "BEGIN");
    for (const Effect& effect : effects) {
      std::visit(Overloaded{
                     [&](const PersistJoin& join) { statements.join(join); },
                     [&](const PersistDeparture& departure) { statements.departure(departure); },
                     [&](const PersistTurnStart& start) { statements.turn_start(start); },
                     [&](const PersistTurnEnd& end) { statements.turn_end(end); },
                     [&](const PersistAdminAction& action) { statements.admin_action(action); },
                     [&](const PersistTurnRecord& record) { statements.turn_record(record, turn_records_kept_); },
                     [](const auto&) {},
                 },
                 effect);
    }
    if (adds_history) statements.prune_history(history_kept_);
    Statements::write(statements.commit, "COMMIT");
    return std::nullopt;
  } catch (const sqlite::Failure& failure) {
    if (sqlite3_get_autocommit(database_) == 0) statements.rollback.run();
    return StoreError{failure.message};
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
          fail(fmt::format("stored channel '{}' of ticket {} is not a player channel", cursor.text(1),
                           ticket));
        }
        stored.waiting.push_back(StoredPlayer{ticket, cursor.text(1)});
      }
      check(cursor, "reading waiting players");
    }
    stored.open_turn = statements.open_turn();
    stored.next_ticket =
        from_sql(statements.last(statements.max_ticket, "reading the last ticket"), "ticket") + 1;
    stored.next_turn = from_sql(statements.last(statements.max_turn, "reading the last turn"), "turn") + 1;
    stored.mode = statements.mode();
    return stored;
  } catch (const sqlite::Failure& failure) {
    return StoreError{failure.message};
  }
}

}  // namespace clawnet
