// The queue store on the simulated disk: with synchronous=FULL (Durability::power_loss,
// production's setting) every acknowledged write survives a power cut, torn or not;
// with synchronous=NORMAL a power cut takes acknowledged joins, and the test sees it.
#include "disk_file.hpp"
#include "sim/power_cut_disk.hpp"
#include "store/queue_store.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace clawnet::sim {
namespace {

using testing::DiskFile;

constexpr const char* store_path = "queue.db";

std::string channel_of(Ticket ticket) { return fmt::format("p-{:04x}", ticket); }

std::unique_ptr<QueueStore> open_on(const PowerCutDisk& disk, Durability durability) {
  auto opened = QueueStore::open(store_path, durability, disk.vfs_name());
  if (const StoreError* error = std::get_if<StoreError>(&opened)) {
    ADD_FAILURE() << "open failed: " << error->message;
    return nullptr;
  }
  return std::move(std::get<std::unique_ptr<QueueStore>>(opened));
}

std::string open_error(const PowerCutDisk& disk) {
  auto opened = QueueStore::open(store_path, Durability::power_loss, disk.vfs_name());
  if (const StoreError* error = std::get_if<StoreError>(&opened)) return error->message;
  ADD_FAILURE() << "open unexpectedly succeeded";
  return "";
}

void join(QueueStore& store, Ticket ticket) {
  const auto error = store.apply(PersistJoin{ticket, channel_of(ticket), static_cast<TimeMs>(ticket) * 10});
  ASSERT_FALSE(error.has_value()) << error->message;
}

// The tickets waiting in the store after reopening it on `disk`.
std::vector<Ticket> waiting_after_reopen(const PowerCutDisk& disk) {
  auto store = open_on(disk, Durability::power_loss);
  if (!store) return {};
  auto loaded = store->load();
  if (const StoreError* error = std::get_if<StoreError>(&loaded)) {
    ADD_FAILURE() << "load failed: " << error->message;
    return {};
  }
  std::vector<Ticket> tickets;
  for (const StoredPlayer& player : std::get<StoredQueue>(loaded).waiting) tickets.push_back(player.ticket);
  return tickets;
}

std::vector<Ticket> one_to(Ticket last) {
  std::vector<Ticket> tickets;
  for (Ticket ticket = 1; ticket <= last; ++ticket) tickets.push_back(ticket);
  return tickets;
}

// Joins 1..`count`, each acknowledged once apply() returns, then cuts the power.
std::size_t cut_after_joins(PowerCutDisk& disk, Durability durability, Ticket count, bool tear) {
  auto store = open_on(disk, durability);
  if (!store) return 0;
  for (Ticket ticket = 1; ticket <= count; ++ticket) join(*store, ticket);
  return disk.power_cut([&] { store.reset(); }, tear);
}

TEST(StorePowerCut, FullSyncKeepsEveryAcknowledgedJoin) {
  // 600 joins take the WAL past its 1000-page checkpoint.
  for (const Ticket count : {1u, 7u, 600u}) {
    for (const bool tear : {false, true}) {
      SCOPED_TRACE(fmt::format("{} joins, tear {}", count, tear));
      PowerCutDisk disk;
      cut_after_joins(disk, Durability::power_loss, count, tear);
      EXPECT_EQ(waiting_after_reopen(disk), one_to(count));
    }
  }
}

TEST(StorePowerCut, FullSyncSurvivesRepeatedCuts) {
  PowerCutDisk disk;
  Ticket last = 0;
  for (int cut = 0; cut < 5; ++cut) {
    auto store = open_on(disk, Durability::power_loss);
    ASSERT_TRUE(store);
    for (int joins = 0; joins < 40; ++joins) join(*store, ++last);
    disk.power_cut([&] { store.reset(); }, cut % 2 == 1);
  }
  EXPECT_EQ(waiting_after_reopen(disk), one_to(last));
}

TEST(StorePowerCut, NormalSyncLosesAcknowledgedJoins) {
  for (const bool tear : {false, true}) {
    SCOPED_TRACE(fmt::format("tear {}", tear));
    PowerCutDisk disk;
    const std::size_t torn = cut_after_joins(disk, Durability::process_crash, 5, tear);
    EXPECT_EQ(torn > 0, tear) << "the last unsynced write is a WAL page";
    const std::vector<Ticket> waiting = waiting_after_reopen(disk);
    EXPECT_LT(waiting.size(), 5u) << "synchronous=NORMAL does not sync the WAL at commit";
  }
}

TEST(StorePowerCut, NormalSyncSurvivesAProcessCrash) {
  PowerCutDisk disk;
  auto store = open_on(disk, Durability::process_crash);
  ASSERT_TRUE(store);
  for (Ticket ticket = 1; ticket <= 5; ++ticket) join(*store, ticket);
  disk.process_crash([&] { store.reset(); });
  EXPECT_TRUE(disk.contents(std::string(store_path) + "-wal").has_value()) << "a killed process leaves its WAL";
  EXPECT_EQ(waiting_after_reopen(disk), one_to(5));
}

TEST(StorePowerCut, ClosedStoreIsCheckpointedIntoOneFile) {
  PowerCutDisk disk;
  {
    auto store = open_on(disk, Durability::power_loss);
    ASSERT_TRUE(store);
    join(*store, 1);
  }
  EXPECT_EQ(disk.paths(), (std::vector<std::string>{store_path})) << "no -wal, no -shm, no journal";
  EXPECT_EQ(waiting_after_reopen(disk), one_to(1));
}

TEST(StorePowerCut, FileOnTheDiskIsInspectedThroughTheVfs) {
  PowerCutDisk disk;
  DiskFile(disk, store_path).write("player 1: waiting\nplayer 2: waiting\n" + std::string(100, '.'), 0);
  const std::optional<std::string> before = disk.contents(store_path);
  EXPECT_NE(open_error(disk).find("queue.db: not a SQLite database: it does not start with the SQLite header"),
            std::string::npos);
  EXPECT_EQ(disk.contents(store_path), before);
  EXPECT_EQ(disk.paths(), (std::vector<std::string>{store_path}));

  PowerCutDisk short_disk;
  DiskFile(short_disk, store_path).write(std::string("SQLite format 3\0", 16), 0);
  EXPECT_NE(open_error(short_disk).find("16 bytes, shorter than a SQLite header"), std::string::npos);
}

TEST(StorePowerCut, UnknownVfsIsAnError) {
  auto opened = QueueStore::open(store_path, Durability::power_loss, "no-such-vfs");
  ASSERT_TRUE(std::holds_alternative<StoreError>(opened));
  EXPECT_EQ(std::get<StoreError>(opened).message, "queue.db: cannot open: no such vfs: no-such-vfs");
}

}  // namespace
}  // namespace clawnet::sim
