// QueueStore's history bound (store.history_kept; docs/store.md, "What the file
// holds"): many joins that leave or play keep the newest history only, the file
// stops growing, and a reopened store still hands out the next numbers.
#include "tests/store/store_test_support.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

namespace clawnet::store_test {
namespace {

constexpr std::size_t kept = 100;
constexpr Ticket cycles_per_group = 100;

// Joins `count` players from `first` on; every other one plays a turn (numbered from
// `first_turn`), the rest depart. A group of players per transaction, as clawd commits.
void run_cycles(QueueStore& store, Ticket first, Ticket count, Turn first_turn) {
  Turn turn = first_turn;
  std::vector<Effect> group;
  for (Ticket ticket = first; ticket < first + count; ticket += 1) {
    group.push_back(PersistJoin{ticket, channel_of(ticket), 0});
    if (ticket % 2 == 0) {
      group.push_back(PersistTurnStart{turn, ticket, 0});
      group.push_back(PersistTurnEnd{turn, ticket, TurnOutcome::completed, TurnResult::loss, 0});
      turn += 1;
    } else {
      group.push_back(PersistDeparture{ticket, ticket % 3 == 0 ? DepartureReason::left : DepartureReason::unready});
    }
    if (group.size() >= cycles_per_group || ticket + 1 == first + count) {
      const auto error = store.apply_all(group);
      ASSERT_FALSE(error.has_value()) << error->message;
      group.clear();
    }
  }
}

std::int64_t count_rows(const std::string& path, const std::string& sql) {
  sqlite3* database = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &database), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(database, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sql;
  std::int64_t value = -1;
  if (sqlite3_step(statement) == SQLITE_ROW) value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(database);
  return value;
}

TEST(HistoryPruning, ManyJoinsKeepTheNewestHistoryAndTheFileStopsGrowing) {
  TempDir dir;
  const std::string path = dir.file("queue.db");
  auto store = open_store(path);
  ASSERT_TRUE(store);
  store->set_history_kept(kept);
  ASSERT_NO_FATAL_FAILURE(run_cycles(*store, 1, 3'000, 1));
  join(*store, 3'001);  // One player still waits: never pruned.
  store.reset();
  const auto first_size = std::filesystem::file_size(path);

  store = open_store(path);
  ASSERT_TRUE(store);
  store->set_history_kept(kept);
  ASSERT_NO_FATAL_FAILURE(run_cycles(*store, 3'002, 3'000, 1'501));
  const StoredQueue stored = load_store(*store);
  EXPECT_EQ(tickets_of(stored.waiting), std::vector<Ticket>{3'001});
  EXPECT_EQ(stored.next_ticket, 6'002U) << "the newest ticket is kept";
  EXPECT_EQ(stored.next_turn, 3'001U) << "the newest turn is kept";
  store.reset();

  EXPECT_LE(std::filesystem::file_size(path), first_size) << "the second 3,000 joins reuse the pages freed";
  EXPECT_EQ(count_rows(path, "SELECT count(*) FROM turns"), static_cast<std::int64_t>(kept));
  EXPECT_EQ(count_rows(path, "SELECT min(turn) FROM turns"), 3'001 - static_cast<std::int64_t>(kept));
  // The kept turns' players, the kept departed ones and the one waiting.
  EXPECT_LE(count_rows(path, "SELECT count(*) FROM players"), static_cast<std::int64_t>(2 * kept + 1));
  EXPECT_EQ(count_rows(path, "SELECT count(*) FROM players WHERE status = 'waiting'"), 1);
  EXPECT_EQ(count_rows(path, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

TEST(HistoryPruning, ARecordOfAPrunedTurnIsDropped) {
  TempDir dir;
  auto store = open_store(dir.file("queue.db"));
  ASSERT_TRUE(store);
  store->set_history_kept(1);
  ASSERT_NO_FATAL_FAILURE(run_cycles(*store, 1, 6, 1));  // Turns 1, 2 and 3; only turn 3 is kept.
  TurnSummary summary;
  summary.turn = 1;
  EXPECT_FALSE(store->apply(PersistTurnRecord{1, summary}).has_value()) << "a late record of a pruned turn";
  summary.turn = 9;
  const auto unknown = store->apply(PersistTurnRecord{9, summary});
  ASSERT_TRUE(unknown.has_value()) << "a turn never started is still refused";
  EXPECT_NE(unknown->message.find("turn 9"), std::string::npos) << unknown->message;
}

}  // namespace
}  // namespace clawnet::store_test
