// DiskFile: a test's handle on one file of a PowerCutDisk, opened through its VFS
// as SQLite opens files (szOsFile bytes, xOpen, xClose), to write, sync and read.
#pragma once

#include "sim/power_cut_disk.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace clawnet::sim::testing {

class DiskFile {
 public:
  DiskFile(const PowerCutDisk& disk, const std::string& path, int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
      : vfs_(sqlite3_vfs_find(disk.vfs_name().c_str())),
        storage_(static_cast<std::size_t>(vfs_->szOsFile) / sizeof(std::max_align_t) + 1),
        file_(reinterpret_cast<sqlite3_file*>(storage_.data())),
        code_(vfs_->xOpen(vfs_, path.c_str(), file_, flags | SQLITE_OPEN_MAIN_DB, nullptr)) {}
  ~DiskFile() {
    if (file_->pMethods != nullptr) file_->pMethods->xClose(file_);
  }
  DiskFile(const DiskFile&) = delete;
  DiskFile& operator=(const DiskFile&) = delete;

  int open_code() const { return code_; }
  void write(const std::string& bytes, std::int64_t offset) {
    ASSERT_EQ(file_->pMethods->xWrite(file_, bytes.data(), static_cast<int>(bytes.size()), offset), SQLITE_OK);
  }
  void sync() { ASSERT_EQ(file_->pMethods->xSync(file_, SQLITE_SYNC_FULL), SQLITE_OK); }
  void truncate(std::int64_t size) { ASSERT_EQ(file_->pMethods->xTruncate(file_, size), SQLITE_OK); }
  std::string read(int amount, std::int64_t offset, int* code = nullptr) {
    std::string bytes(static_cast<std::size_t>(amount), '?');
    const int result = file_->pMethods->xRead(file_, bytes.data(), amount, offset);
    if (code != nullptr) *code = result;
    return bytes;
  }
  void close() {
    file_->pMethods->xClose(file_);
    file_->pMethods = nullptr;
  }

 private:
  sqlite3_vfs* vfs_;
  std::vector<std::max_align_t> storage_;
  sqlite3_file* file_;
  int code_;
};

}  // namespace clawnet::sim::testing
