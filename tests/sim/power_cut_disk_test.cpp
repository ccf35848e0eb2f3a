// PowerCutDisk through its VFS, as SQLite calls it: what a power cut keeps (the
// synced bytes), what a process crash keeps (every write), and a torn last write.
#include "sim/power_cut_disk.hpp"
#include "disk_file.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace clawnet::sim {
namespace {

using testing::DiskFile;

std::string filled(char byte, std::size_t size) { return std::string(size, byte); }

// A `close` that changes nothing, as a connection already closed would.
void nothing() {}

TEST(PowerCutDisk, EachDiskRegistersItsOwnVfsAndUnregistersIt) {
  std::string name;
  {
    PowerCutDisk one;
    PowerCutDisk two;
    EXPECT_NE(one.vfs_name(), two.vfs_name());
    EXPECT_NE(sqlite3_vfs_find(one.vfs_name().c_str()), nullptr);
    EXPECT_NE(sqlite3_vfs_find(nullptr), sqlite3_vfs_find(one.vfs_name().c_str())) << "not the default VFS";
    name = one.vfs_name();
  }
  EXPECT_EQ(sqlite3_vfs_find(name.c_str()), nullptr);
}

TEST(PowerCutDisk, OpenCreatesOnlyWithCreate) {
  PowerCutDisk disk;
  EXPECT_EQ(DiskFile(disk, "missing", SQLITE_OPEN_READWRITE).open_code(), SQLITE_CANTOPEN);
  EXPECT_EQ(DiskFile(disk, "made").open_code(), SQLITE_OK);
  EXPECT_EQ(disk.paths(), (std::vector<std::string>{"made"}));
  EXPECT_EQ(DiskFile(disk, "made", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE).open_code(),
            SQLITE_CANTOPEN);
}

TEST(PowerCutDisk, AccessDeleteAndDeleteOnClose) {
  PowerCutDisk disk;
  sqlite3_vfs* vfs = sqlite3_vfs_find(disk.vfs_name().c_str());
  int found = -1;
  {
    DiskFile file(disk, "db");
    ASSERT_EQ(vfs->xAccess(vfs, "db", SQLITE_ACCESS_EXISTS, &found), SQLITE_OK);
    EXPECT_EQ(found, 0) << "an empty file does not exist, as for SQLite's unix VFS";
    ASSERT_EQ(vfs->xAccess(vfs, "db", SQLITE_ACCESS_READWRITE, &found), SQLITE_OK);
    EXPECT_EQ(found, 1);
    file.write("x", 0);
    ASSERT_EQ(vfs->xAccess(vfs, "db", SQLITE_ACCESS_EXISTS, &found), SQLITE_OK);
    EXPECT_EQ(found, 1);
  }
  EXPECT_EQ(vfs->xDelete(vfs, "db", 0), SQLITE_OK);
  EXPECT_EQ(vfs->xDelete(vfs, "db", 0), SQLITE_IOERR_DELETE_NOENT);
  EXPECT_FALSE(disk.contents("db").has_value());
  {
    DiskFile scratch(disk, "scratch", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_DELETEONCLOSE);
    scratch.write("temporary", 0);
    EXPECT_TRUE(disk.contents("scratch").has_value());
  }
  EXPECT_TRUE(disk.paths().empty());
}

TEST(PowerCutDisk, ShortReadIsZeroFilled) {
  PowerCutDisk disk;
  DiskFile file(disk, "db");
  file.write("abc", 0);
  int code = SQLITE_OK;
  EXPECT_EQ(file.read(5, 1, &code), std::string("bc\0\0\0", 5));
  EXPECT_EQ(code, SQLITE_IOERR_SHORT_READ);
  EXPECT_EQ(file.read(2, 0, &code), "ab");
  EXPECT_EQ(code, SQLITE_OK);
}

TEST(PowerCutDisk, PowerCutKeepsSyncedBytesOnly) {
  PowerCutDisk disk;
  {
    DiskFile file(disk, "db");
    file.write(filled('a', 4096), 0);
    file.sync();
    file.write(filled('b', 4096), 4096);  // Appended, never synced.
    file.write(filled('c', 100), 10);     // Overwritten, never synced.
  }
  EXPECT_EQ(disk.power_cut(nothing, false), 0u);
  EXPECT_EQ(disk.contents("db"), filled('a', 4096));
  EXPECT_EQ(disk.counters().power_cuts, 1u);
}

TEST(PowerCutDisk, FileNeverSyncedIsEmptyAfterPowerCut) {
  PowerCutDisk disk;
  DiskFile(disk, "db").write("unsynced", 0);
  disk.power_cut(nothing, false);
  EXPECT_EQ(disk.contents("db"), "") << "created (file creation is durable), but no bytes";
}

TEST(PowerCutDisk, SyncAfterTruncateAndRegrowth) {
  PowerCutDisk disk;
  {
    DiskFile file(disk, "db");
    file.write(filled('a', 8192), 0);
    file.sync();
    file.truncate(1000);
    file.write("z", 5000);  // Bytes 1000..4999 are zeros now, not the old 'a's.
    file.sync();
  }
  disk.power_cut(nothing, false);
  EXPECT_EQ(disk.contents("db"), filled('a', 1000) + filled('\0', 4000) + "z");
}

TEST(PowerCutDisk, ProcessCrashKeepsUnsyncedWritesAndUndoesTheClose) {
  PowerCutDisk disk;
  auto file = std::make_unique<DiskFile>(disk, "db");
  file->write(filled('a', 4096), 0);
  file->sync();
  file->write(filled('b', 4096), 4096);
  // What closing a connection does, and a killed process does not: write, sync, delete.
  disk.process_crash([&] {
    file->write(filled('x', 4096), 0);
    file->sync();
    file.reset();
    DiskFile(disk, "db-new").write("made by close", 0);
    sqlite3_vfs* vfs = sqlite3_vfs_find(disk.vfs_name().c_str());
    ASSERT_EQ(vfs->xDelete(vfs, "db", 0), SQLITE_OK);
  });
  EXPECT_EQ(disk.paths(), (std::vector<std::string>{"db"}));
  EXPECT_EQ(disk.contents("db"), filled('a', 4096) + filled('b', 4096));
  // What was unsynced before the crash is still unsynced: a power cut now loses it.
  disk.power_cut(nothing, false);
  EXPECT_EQ(disk.contents("db"), filled('a', 4096));
}

TEST(PowerCutDisk, PowerCutUndoesTheCloseToo) {
  PowerCutDisk disk;
  auto file = std::make_unique<DiskFile>(disk, "db");
  file->write(filled('a', 1024), 0);
  file->sync();
  disk.power_cut([&] {
    file->write(filled('x', 1024), 0);
    file->sync();
    file.reset();
  }, false);
  EXPECT_EQ(disk.contents("db"), filled('a', 1024));
}

TEST(PowerCutDisk, FilesStillOpenAfterCloseAreAProgrammingError) {
  PowerCutDisk disk;
  DiskFile file(disk, "db");
  EXPECT_THROW(disk.process_crash(nothing), std::logic_error);
}

TEST(PowerCutDisk, TearAppliesTheFirstHalfOfTheLastWriteInWholeSectors) {
  PowerCutDisk disk;
  {
    DiskFile file(disk, "wal");
    file.write(filled('a', 4096), 0);
    file.sync();
    file.write(filled('b', 4096), 4096);
    file.write(filled('c', 3000), 8192);  // The last write: 1500 bytes is half, 1024 whole sectors.
  }
  EXPECT_EQ(disk.power_cut(nothing, true), 1024u);
  EXPECT_EQ(disk.contents("wal"), filled('a', 4096) + filled('\0', 4096) + filled('c', 1024));
  // The torn bytes reached the disk: another power cut keeps them.
  disk.power_cut(nothing, true);
  EXPECT_EQ(disk.contents("wal")->size(), 4096u + 4096u + 1024u);
}

TEST(PowerCutDisk, TearOverwritesInPlace) {
  PowerCutDisk disk;
  {
    DiskFile file(disk, "db");
    file.write(filled('a', 4096), 0);
    file.sync();
    file.write(filled('b', 4096), 0);
  }
  EXPECT_EQ(disk.power_cut(nothing, true), 2048u);
  EXPECT_EQ(disk.contents("db"), filled('b', 2048) + filled('a', 2048));
}

TEST(PowerCutDisk, NothingToTearWhenSyncedOrOneSector) {
  PowerCutDisk disk;
  {
    DiskFile file(disk, "db");
    file.write(filled('a', 4096), 0);
    file.sync();
  }
  EXPECT_EQ(disk.power_cut(nothing, true), 0u) << "the last write was synced";
  EXPECT_EQ(disk.contents("db"), filled('a', 4096));
  DiskFile(disk, "db").write(filled('b', 512), 0);
  EXPECT_EQ(disk.power_cut(nothing, true), 0u) << "a one-sector write is atomic";
  EXPECT_EQ(disk.contents("db"), filled('a', 4096));
}

TEST(PowerCutDisk, SyncCopiesOnlyWhatChanged) {
  PowerCutDisk disk;
  DiskFile file(disk, "wal");
  for (int frame = 0; frame < 100; ++frame) {
    file.write(filled('f', 4096), frame * 4096);
    file.sync();
  }
  EXPECT_EQ(disk.counters().syncs, 100u);
  EXPECT_EQ(disk.counters().bytes_synced, 100u * 4096u);
  EXPECT_EQ(disk.counters().bytes_written, 100u * 4096u);
}

}  // namespace
}  // namespace clawnet::sim
