// FileProbe: looking at a store's files without a SQLite connection, for the checks
// open_store_file() makes before SQLite touches a file.
//
// With no VFS name, it goes to the real file system (std::filesystem), where SQLite's
// default VFS keeps its files. With the name of a registered SQLite VFS (the
// simulation's in-memory disk), it goes through that VFS (xAccess, xOpen, xRead,
// xFileSize, xDelete), so the checks see the files SQLite will see.
// read_prefix() throws sqlite::Failure naming the path; the others answer. Not thread-safe.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>

namespace clawnet {

class FileProbe {
 public:
  // `vfs` null: the real file system; otherwise a registered VFS (sqlite3_vfs_find).
  explicit FileProbe(sqlite3_vfs* vfs) : vfs_(vfs) {}

  // The first `size` bytes of `path` (fewer if it is shorter), or nullopt if there is
  // no such file (through a VFS: or if the file is empty, as xAccess sees it).
  std::optional<std::string> read_prefix(const std::string& path, std::size_t size) const;
  // True iff `path` exists (through a VFS: and is not empty).
  bool exists(const std::string& path) const;
  // The size of `path`, or nullopt if it cannot be found out (no such file).
  std::optional<std::uint64_t> size(const std::string& path) const;
  // Removes `path`; a missing file or an error is ignored.
  void remove(const std::string& path) const;

 private:
  sqlite3_vfs* vfs_ = nullptr;  // Null: the real file system.
};

}  // namespace clawnet
