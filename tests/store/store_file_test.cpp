// QueueStore::open on files it must refuse, on damaged files, and after a crash.
// Every refused file must be left byte for byte as it was, with no new side files.
#include "store/queue_store.hpp"
#include "store/store_file.hpp"
#include "tests/store/store_test_support.hpp"

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace clawnet::store_test {
namespace {

// Runs `sql` on `path` with plain SQLite, as another program would.
void run_sqlite(const std::string& path, const std::string& sql) {
  sqlite3* database = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &database), SQLITE_OK);
  char* message = nullptr;
  const int code = sqlite3_exec(database, sql.c_str(), nullptr, nullptr, &message);
  EXPECT_EQ(code, SQLITE_OK) << (message != nullptr ? message : "");
  sqlite3_free(message);
  sqlite3_close(database);
}

void write_store_with_joins(const std::string& path, Ticket count) {
  auto store = open_store(path);
  ASSERT_TRUE(store);
  for (Ticket ticket = 1; ticket <= count; ++ticket) join(*store, ticket);
}

// Opens `path`, expects an error containing every part, and no change in its directory.
void expect_refused_untouched(const TempDir& dir, const std::string& path,
                              const std::vector<std::string>& parts) {
  const auto before = snapshot(dir.path());
  const auto error = open_error(path);
  for (const auto& part : parts) {
    EXPECT_NE(error.find(part), std::string::npos) << "got: " << error << "\nwanted: " << part;
  }
  EXPECT_TRUE(snapshot(dir.path()) == before) << "open modified files in " << dir.path();
}

TEST(StoreFile, RefusesForeignDatabaseWithOtherApplicationId) {
  TempDir dir;
  const auto path = dir.file("other.db");
  run_sqlite(path,
             "PRAGMA application_id = 1234; CREATE TABLE photos (id INTEGER, name TEXT);"
             "INSERT INTO photos VALUES (1, 'cat');");
  expect_refused_untouched(dir, path, {"not a clawnet queue store", path, "0x000004d2", "0x436c6177"});
}

TEST(StoreFile, RefusesForeignDatabaseWithoutApplicationId) {
  TempDir dir;
  const auto path = dir.file("other.db");
  run_sqlite(path, "CREATE TABLE players (name TEXT); INSERT INTO players VALUES ('eve');");
  expect_refused_untouched(dir, path, {"not a clawnet queue store", "0x00000000", "1 schema objects"});
}

TEST(StoreFile, RefusesForeignDatabaseInWalMode) {
  TempDir dir;
  const auto path = dir.file("other.db");
  run_sqlite(path, "PRAGMA journal_mode = WAL; CREATE TABLE notes (text TEXT);");
  expect_refused_untouched(dir, path, {"not a clawnet queue store"});
}

// A foreign WAL database copied mid-life: its newest commits are only in the -wal
// file. Refusing it must neither checkpoint them into the main file nor delete the log.
TEST(StoreFile, RefusesForeignDatabaseWithUncheckpointedLog) {
  TempDir dir;
  const auto live = dir.file("live.db");
  const auto path = dir.file("copy.db");
  sqlite3* database = nullptr;
  ASSERT_EQ(sqlite3_open(live.c_str(), &database), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(database,
                         "PRAGMA journal_mode = WAL; CREATE TABLE notes (text TEXT);"
                         "INSERT INTO notes VALUES ('kept in the log');",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  std::filesystem::copy_file(live, path);
  std::filesystem::copy_file(live + "-wal", path + "-wal");
  sqlite3_close(database);
  ASSERT_GT(std::filesystem::file_size(path + "-wal"), 0u);
  expect_refused_untouched(dir, path, {"not a clawnet queue store", "1 schema objects"});
}

TEST(StoreFile, RefusesNewerSchemaVersion) {
  TempDir dir;
  const auto path = dir.file("queue.db");
  write_store_with_joins(path, 3);
  run_sqlite(path, "PRAGMA user_version = 7");
  expect_refused_untouched(dir, path,
                           {path, "schema version 7 is newer", fmt::format("version {}", QueueStore::schema_version)});
}

// A store as version 1 builds wrote it: the schema of that version, verbatim.
void write_version_one_store(const std::string& path) {
  run_sqlite(path, fmt::format(R"sql(
PRAGMA application_id = {};
PRAGMA user_version = 1;
PRAGMA journal_mode = WAL;
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
INSERT INTO players VALUES (1, 'p-0001', 10, 'played', NULL), (2, 'p-0002', 20, 'waiting', NULL),
                           (3, 'p-0003', 30, 'waiting', NULL);
INSERT INTO turns VALUES (1, 1, 100, 150, 'completed');
)sql",
                               store_application_id));
}

// A version 1 file migrates in place: its queue loads as it was, its old turns
// keep no result, and new turns record theirs; the players table rebuilt by
// versions 3 and 4 keeps every row and the turns' references to it, and takes kicks
// and unready departures.
TEST(StoreFile, VersionOneFileMigratesToTheCurrentVersion) {
  TempDir dir;
  const auto path = dir.file("queue.db");
  write_version_one_store(path);
  auto store = open_store(path);
  ASSERT_TRUE(store);
  const auto stored = load_store(*store);
  EXPECT_EQ(tickets_of(stored.waiting), (std::vector<Ticket>{2, 3}));
  EXPECT_EQ(stored.next_turn, 2u);
  apply_ok(*store, PersistTurnStart{2, 2, 400});
  apply_ok(*store, PersistTurnEnd{2, 2, TurnOutcome::completed, TurnResult::win, 500});
  apply_ok(*store, PersistDeparture{3, DepartureReason::kicked});
  apply_ok(*store, PersistJoin{4, "p-0004", 600});
  apply_ok(*store, PersistDeparture{4, DepartureReason::unready});
  store.reset();
  sqlite3* database = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &database), SQLITE_OK);
  auto text_of = [&](const char* sql) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(database, sql, -1, &statement, nullptr), SQLITE_OK);
    std::string text = "(none)";
    if (sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_type(statement, 0) != SQLITE_NULL) {
      text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    }
    sqlite3_finalize(statement);
    return text;
  };
  EXPECT_EQ(text_of("PRAGMA user_version"), std::to_string(QueueStore::schema_version));
  EXPECT_EQ(text_of("SELECT count(*) FROM players"), "4");
  EXPECT_EQ(text_of("SELECT departure_reason FROM players WHERE ticket = 3"), "kicked");
  EXPECT_EQ(text_of("SELECT departure_reason FROM players WHERE ticket = 4"), "unready");
  EXPECT_EQ(text_of("SELECT count(*) FROM pragma_foreign_key_check"), "0");
  EXPECT_EQ(text_of("SELECT result FROM turns WHERE turn = 1"), "(none)");
  EXPECT_EQ(text_of("SELECT result FROM turns WHERE turn = 2"), "win");
  sqlite3_close(database);
}

// The first development builds ended a lost turn as 'aborted' and put its player back
// as waiting; no build since writes it (TurnOutcome has no such value), and the outcome
// CHECK still accepts it, so such a file opens and loads as those builds left it.
TEST(StoreFile, FileWithAnAbortedTurnOpensAndLoads) {
  TempDir dir;
  const auto path = dir.file("queue.db");
  write_store_with_joins(path, 2);
  run_sqlite(path, "INSERT INTO turns (turn, ticket, started_ms, ended_ms, outcome) VALUES (1, 1, 100, 150, 'aborted')");
  auto store = open_store(path);
  ASSERT_TRUE(store);
  const auto stored = load_store(*store);
  EXPECT_EQ(tickets_of(stored.waiting), (std::vector<Ticket>{1, 2}));
  EXPECT_FALSE(stored.open_turn.has_value());
  EXPECT_EQ(stored.next_turn, 2u);
  apply_ok(*store, PersistTurnStart{2, 1, 400});
  apply_ok(*store, PersistTurnEnd{2, 1, TurnOutcome::completed, TurnResult::loss, 500});
  EXPECT_EQ(tickets_of(load_store(*store).waiting), (std::vector<Ticket>{2}));
}

TEST(StoreFile, RefusesGarbageFile) {
  TempDir dir;
  const auto path = dir.file("garbage.db");
  std::mt19937_64 generator(20261127);
  std::string bytes;
  for (int index = 0; index < 3 * 4096 + 17; ++index) bytes.push_back(static_cast<char>(generator() & 0xff));
  write_bytes(path, bytes);
  expect_refused_untouched(dir, path, {path, "not a SQLite database"});
}

TEST(StoreFile, RefusesTextFile) {
  TempDir dir;
  const auto path = dir.file("notes.txt");
  std::string text;
  for (int line = 0; line < 20; ++line) text += fmt::format("player {}: waiting\n", line);
  write_bytes(path, text);
  expect_refused_untouched(dir, path,
                           {path, "not a SQLite database", "does not start with the SQLite header"});
}

TEST(StoreFile, RefusesDirectoryAndMissingParent) {
  TempDir dir;
  EXPECT_NE(open_error(dir.path().string()).find("not a regular file"), std::string::npos);
  const auto missing = dir.file("no-such-dir/queue.db");
  EXPECT_NE(open_error(missing).find(missing), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST(StoreFile, EmptyFileBecomesStore) {
  TempDir dir;
  const auto path = dir.file("queue.db");
  write_bytes(path, "");
  {
    auto store = open_store(path);
    ASSERT_TRUE(store);
    join(*store, 1);
  }
  auto store = open_store(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(tickets_of(load_store(*store).waiting), (std::vector<Ticket>{1}));
}

TEST(StoreFile, SecondStoreOnSameFileIsRefusedWhileFirstIsOpen) {
  TempDir dir;
  const auto path = dir.file("queue.db");
  auto first = open_store(path);
  ASSERT_TRUE(first);
  join(*first, 1);
  EXPECT_NE(open_error(path).find("in use by another QueueStore"), std::string::npos);
  join(*first, 2);
  first.reset();
  auto second = open_store(path);
  ASSERT_TRUE(second);
  EXPECT_EQ(tickets_of(load_store(*second).waiting), (std::vector<Ticket>{1, 2}));
}

// A copy of a store cut off at `length` bytes either gives an error or loads; it
// never crashes, and the cut file is left as it was.
void check_truncated(const TempDir& dir, const std::string& whole, std::size_t length, bool must_fail) {
  SCOPED_TRACE(fmt::format("truncated at {} of {} bytes", length, whole.size()));
  const auto path = dir.file(fmt::format("cut-{}.db", length));
  write_bytes(path, whole.substr(0, length));
  const auto before = snapshot(dir.path());
  auto opened = QueueStore::open(path);
  if (auto* error = std::get_if<StoreError>(&opened)) {
    EXPECT_NE(error->message.find(path), std::string::npos) << error->message;
  } else {
    EXPECT_FALSE(must_fail) << "a store cut in half opened";
    auto& store = std::get<std::unique_ptr<QueueStore>>(opened);
    (void)store->load();
    store.reset();
  }
  EXPECT_EQ(read_bytes(path), whole.substr(0, length));
  if (must_fail) {
    EXPECT_TRUE(snapshot(dir.path()) == before);
  }
  std::filesystem::remove(path);
}

TEST(StoreFile, TruncatedStoreIsRefusedOrLoadsAndIsNotModified) {
  TempDir dir;
  const auto path = dir.file("queue.db");
  write_store_with_joins(path, 800);
  const auto whole = read_bytes(path);
  ASSERT_GT(whole.size(), 8u * 4096u) << "the store should span many pages";
  ASSERT_FALSE(std::filesystem::exists(path + "-wal")) << "a closed store is checkpointed";
  check_truncated(dir, whole, whole.size() / 2, true);
  check_truncated(dir, whole, whole.size() / 2 + 1234, true);
  // One byte short still holds every page in part; SQLite may read it as sound.
  check_truncated(dir, whole, whole.size() - 1, false);
  check_truncated(dir, whole, 4096 + 100, true);
  check_truncated(dir, whole, 100, true);
  check_truncated(dir, whole, 50, true);
}

TEST(StoreFile, CopyTakenWhileOpenRecoversEveryCommittedJoin) {
  TempDir dir;
  const auto path = dir.file("queue.db");
  const auto crashed = dir.file("crashed.db");
  auto store = open_store(path);
  ASSERT_TRUE(store);
  for (Ticket ticket = 1; ticket <= 300; ++ticket) join(*store, ticket);
  apply_ok(*store, PersistDeparture{10, DepartureReason::left});
  apply_ok(*store, PersistTurnStart{1, 1, 5000});
  // The copy is what a power cut right now would leave on disk: the main file and
  // the WAL, which holds the commits not yet checkpointed.
  ASSERT_GT(std::filesystem::file_size(path + "-wal"), 0u);
  std::filesystem::copy_file(path, crashed);
  std::filesystem::copy_file(path + "-wal", crashed + "-wal");

  auto recovered = open_store(crashed);
  ASSERT_TRUE(recovered);
  const auto stored = load_store(*recovered);
  std::vector<Ticket> expected;
  for (Ticket ticket = 2; ticket <= 300; ++ticket) {
    if (ticket != 10) expected.push_back(ticket);
  }
  EXPECT_EQ(tickets_of(stored.waiting), expected);
  ASSERT_TRUE(stored.open_turn.has_value());
  EXPECT_EQ(stored.open_turn->player.ticket, 1u);
  EXPECT_EQ(stored.next_ticket, 301u);
  EXPECT_EQ(stored.next_turn, 2u);
  // The original store is unaffected and keeps working.
  join(*store, 301);
}

}  // namespace
}  // namespace clawnet::store_test
