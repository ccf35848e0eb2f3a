// PowerCutDisk: an in-memory disk for the simulation's SQLite store, as a SQLite VFS
// of its own, that can lose what was not synced, as a machine losing power does.
//
// Each file holds two versions of its bytes: `current`, what the operating system's
// page cache holds (every xWrite, xTruncate), and `durable`, what reached the platter
// (as of that file's last xSync). xSync copies only what changed since the last one,
// so a sync costs O(bytes written since), not O(file size).
//
// The model, in the words of a file system:
//  1. Creating and deleting a file is durable at once (a file system that journals its
//     metadata in order); a created file's durable contents are empty until its first
//     sync.
//  2. A process crash (process_crash) loses nothing that was written: the disk keeps
//     `current`. But what the dying process would have done next never happens: the
//     caller's `close` (destroying the connection, which would checkpoint and delete
//     the WAL) runs, and every change it made to the disk is undone.
//  3. A power cut (power_cut) keeps only `durable`, as it was before `close` ran. With
//     `tear`, the last write since its file's last sync is applied in part, as a torn
//     page: its first half, cut at a sector boundary (a write of one sector is atomic).
//  4. No randomness and no clock: the same calls give the same bytes. Whether to tear
//     is the caller's choice (drawn from the world's seeded generator, if at all).
//     The VFS delegates xSleep, xCurrentTime and xRandomness to SQLite's default
//     VFS; SQLite asks them only for busy waits (none: one connection), date
//     functions (the store uses none), and, for the default VFS only, to seed its
//     own generator (WAL salts), which change bytes but never what is read back.
//  5. Locks are no-ops (xCheckReservedLock answers "not reserved"): REQUIRES at most
//     one connection on the disk at a time, in exclusive locking mode (no xShm: the
//     VFS is version 1, so SQLite keeps the WAL index in the connection's memory).
//  6. xAccess(EXISTS) is true only for a file with bytes in it, like SQLite's unix VFS.
//
// Each instance registers its own VFS under a unique name (vfs_name()) and
// unregisters it on destruction. REQUIRES: no connection uses the VFS by then.
// Not thread-safe.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clawnet::sim {

struct DiskCounters {
  std::uint64_t writes = 0;
  std::uint64_t bytes_written = 0;
  std::uint64_t syncs = 0;
  std::uint64_t bytes_synced = 0;  // Copied from current to durable.
  std::uint64_t process_crashes = 0;
  std::uint64_t power_cuts = 0;
};

class PowerCutDisk {
 public:
  inline static constexpr std::size_t sector_bytes = 512;

  PowerCutDisk();
  ~PowerCutDisk();
  PowerCutDisk(const PowerCutDisk&) = delete;
  PowerCutDisk& operator=(const PowerCutDisk&) = delete;

  // The name to open SQLite connections with (sqlite3_open_v2's zVfs).
  const std::string& vfs_name() const { return name_; }

  // A crash of the process that has the disk open: runs `close` (which must close
  // every file of the disk, e.g. by destroying the connection), then undoes every
  // change `close` made. The disk keeps every write made before.
  void process_crash(const std::function<void()>& close);
  // A power cut: as process_crash, then every file falls back to its durable bytes.
  // With `tear`, the first half of the last unsynced write, in whole sectors, is
  // applied onto them. Returns the number of bytes so torn in (0 if none: no tear
  // asked, nothing unsynced, or a last write of one sector or less).
  std::size_t power_cut(const std::function<void()>& close, bool tear);

  // --- For tests ---------------------------------------------------------------------
  // The current bytes of `path`, or nullopt if there is no such file.
  std::optional<std::string> contents(const std::string& path) const;
  std::vector<std::string> paths() const;
  const DiskCounters& counters() const { return counters_; }

 private:
  struct File;
  struct Handle;
  struct Write {
    std::shared_ptr<File> file;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
  };
  struct Undo;
  friend struct Vfs;

  void remember(const std::shared_ptr<File>& file);  // Before changing `file` while closing.
  void forget(std::map<std::string, std::shared_ptr<File>>::iterator file);  // Deletes its name.
  void run_undone(const std::function<void()>& close);

  std::string name_;
  sqlite3_vfs vfs_{};
  sqlite3_vfs* fallback_ = nullptr;  // SQLite's default VFS, for xSleep and the like.
  std::map<std::string, std::shared_ptr<File>> files_;
  std::optional<Write> last_write_;  // The newest write not yet synced, if any.
  std::unique_ptr<Undo> undo_;       // Set while a crash's `close` runs.
  std::uint64_t open_handles_ = 0;
  std::uint64_t temporary_files_ = 0;
  DiskCounters counters_;
};

}  // namespace clawnet::sim
