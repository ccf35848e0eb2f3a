// Per-turn records in the store: a record is kept with its turn, read back as
// written, bounded to the newest turn_records_kept() turns in the same transaction
// as the insert, refused for a turn never stored, and a file of the version before
// them migrates to having them.
#include "store/queue_store.hpp"

#include "tests/store/store_test_support.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

namespace clawnet::store_test {
namespace {

TurnSummary record_of(Turn turn, Seq commands) {
  TurnSummary summary;
  summary.turn = turn;
  summary.channel = channel_of(1);
  summary.turn_ms = 30'000;
  summary.control_at_ms = 40;
  summary.ended_at_ms = 5'000;
  summary.ready_at_ms = 9'000;
  summary.result = TurnResult::loss;
  for (Seq seq = 1; seq <= commands; seq += 1) {
    summary.entries.push_back(CommandEntry{static_cast<std::int64_t>(seq) * 100, CommandKind::up_on, seq, {}});
  }
  return summary;
}

// `turns` turns, each played by its own player and ended.
void play_turns(QueueStore& store, Turn turns) {
  for (Turn turn = 1; turn <= turns; turn += 1) {
    join(store, turn);
    apply_ok(store, PersistTurnStart{turn, turn, static_cast<TimeMs>(turn) * 1'000});
    apply_ok(store, PersistTurnEnd{turn, turn, TurnOutcome::completed, TurnResult::loss,
                                   static_cast<TimeMs>(turn) * 1'000 + 500});
  }
}

std::vector<TurnRow> recent(const QueueStore& store, std::size_t limit) {
  auto rows = store.recent_turns(limit);
  if (auto* error = std::get_if<StoreError>(&rows)) {
    ADD_FAILURE() << error->message;
    return {};
  }
  return std::get<std::vector<TurnRow>>(rows);
}

std::optional<TurnDetail> detail(const QueueStore& store, Turn turn) {
  auto found = store.turn(turn);
  if (auto* error = std::get_if<StoreError>(&found)) {
    ADD_FAILURE() << error->message;
    return std::nullopt;
  }
  return std::get<std::optional<TurnDetail>>(found);
}

std::vector<Turn> turns_with_records(const QueueStore& store) {
  std::vector<Turn> turns;
  for (const TurnRow& row : recent(store, 1'000)) {
    if (row.has_record) turns.push_back(row.turn);
  }
  return turns;
}

TEST(TurnRecords, ARecordIsKeptWithItsTurnAndReadBackAsWritten) {
  TempDir dir;
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  play_turns(*store, 2);
  join(*store, 3);
  apply_ok(*store, PersistTurnStart{3, 3, 7'000});  // Open: no end yet.
  apply_ok(*store, PersistTurnRecord{1, record_of(1, 3)});
  const std::vector<TurnRow> rows = recent(*store, 10);
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0].turn, 3U);  // Newest first.
  EXPECT_FALSE(rows[0].ended_ms.has_value());
  EXPECT_FALSE(rows[0].outcome.has_value());
  EXPECT_EQ(rows[2].turn, 1U);
  EXPECT_EQ(rows[2].ticket, 1U);
  EXPECT_EQ(rows[2].channel, channel_of(1));
  EXPECT_EQ(rows[2].started_ms, 1'000);
  EXPECT_EQ(rows[2].ended_ms, 1'500);
  EXPECT_EQ(rows[2].outcome, "completed");
  EXPECT_EQ(rows[2].result, "loss");
  EXPECT_TRUE(rows[2].has_record);
  EXPECT_FALSE(rows[1].has_record);
  EXPECT_EQ(recent(*store, 1).size(), 1U);
  const std::optional<TurnDetail> one = detail(*store, 1);
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->record, record_of(1, 3));
  const std::optional<TurnDetail> two = detail(*store, 2);
  ASSERT_TRUE(two.has_value());
  EXPECT_FALSE(two->record.has_value());
  EXPECT_FALSE(detail(*store, 4).has_value());
  // A summary delivered twice replaces the first; the record survives a reopen.
  apply_ok(*store, PersistTurnRecord{1, record_of(1, 5)});
  store.reset();
  store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  EXPECT_EQ(detail(*store, 1)->record, record_of(1, 5));
}

TEST(TurnRecords, OnlyTheNewestTurnsKeepTheirRecords) {
  TempDir dir;
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->turn_records_kept(), QueueStore::turn_records_kept_default);
  store->set_turn_records_kept(3);
  play_turns(*store, 6);
  for (Turn turn = 1; turn <= 5; turn += 1) apply_ok(*store, PersistTurnRecord{turn, record_of(turn, 1)});
  EXPECT_EQ(turns_with_records(*store), (std::vector<Turn>{5, 4, 3}));
  // A late record of a turn older than the kept ones is pruned at once.
  apply_ok(*store, PersistTurnRecord{1, record_of(1, 1)});
  EXPECT_EQ(turns_with_records(*store), (std::vector<Turn>{5, 4, 3}));
  apply_ok(*store, PersistTurnRecord{6, record_of(6, 1)});
  EXPECT_EQ(turns_with_records(*store), (std::vector<Turn>{6, 5, 4}));
  // The turns themselves are history and stay.
  EXPECT_EQ(recent(*store, 100).size(), 6U);
  store->set_turn_records_kept(1);
  apply_ok(*store, PersistTurnRecord{6, record_of(6, 2)});
  EXPECT_EQ(turns_with_records(*store), (std::vector<Turn>{6}));
}

TEST(TurnRecords, ARecordOfATurnNeverStoredIsRefusedAndChangesNothing) {
  TempDir dir;
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  play_turns(*store, 1);
  const auto unknown = store->apply(PersistTurnRecord{2, record_of(2, 1)});
  ASSERT_TRUE(unknown.has_value());
  EXPECT_NE(unknown->message.find("PersistTurnRecord: turn 2 is not stored"), std::string::npos) << unknown->message;
  const auto mismatched = store->apply(PersistTurnRecord{1, record_of(2, 1)});
  ASSERT_TRUE(mismatched.has_value());
  EXPECT_NE(mismatched->message.find("turn 1: the record is of turn 2"), std::string::npos) << mismatched->message;
  EXPECT_TRUE(turns_with_records(*store).empty());
  EXPECT_TRUE(store->is_persistent(PersistTurnRecord{}));
}

// A file of the version before turn records (made here from a new one, as the
// migration only adds its table) opens, migrates, and keeps records.
// A version 4 file (before turn records and the history indexes of version 6).
TEST(TurnRecords, AFileOfVersionFourMigrates) {
  TempDir dir;
  const auto path = dir.file("queue.db");
  {
    auto store = open_store(path);
    ASSERT_TRUE(store);
    play_turns(*store, 2);
  }
  sqlite3* database = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &database), SQLITE_OK);
  const std::string downgrade =
      "DROP TABLE turn_records; DROP INDEX players_finished; DROP INDEX turns_by_ticket; PRAGMA user_version = 4;";
  ASSERT_EQ(sqlite3_exec(database, downgrade.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(database);
  sqlite3_close(database);
  auto store = open_store(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(load_store(*store).next_turn, 3U);
  EXPECT_EQ(turns_with_records(*store), (std::vector<Turn>{}));
  apply_ok(*store, PersistTurnRecord{2, record_of(2, 4)});
  EXPECT_EQ(detail(*store, 2)->record, record_of(2, 4));
}

}  // namespace
}  // namespace clawnet::store_test
