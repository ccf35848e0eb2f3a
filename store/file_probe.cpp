#include "store/file_probe.hpp"

#include "store/sqlite_handle.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <memory>
#include <system_error>
#include <vector>

namespace clawnet {
namespace {

using sqlite::fail;

// A file opened read-only through a VFS, closed on destruction. The name is made by
// sqlite3_create_filename, as SQLite makes it: a VFS may look for URI parameters after it.
class VfsFile {
 public:
  VfsFile(sqlite3_vfs* vfs, const std::string& path)
      : name_(sqlite3_create_filename(path.c_str(), "", "", 0, nullptr)),
        storage_((static_cast<std::size_t>(vfs->szOsFile) + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t)),
        file_(reinterpret_cast<sqlite3_file*>(storage_.data())) {
    file_->pMethods = nullptr;
    if (name_ == nullptr) return;
    int flags = 0;
    code_ = vfs->xOpen(vfs, name_, file_, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &flags);
  }
  ~VfsFile() {
    // SQLite's rule: xClose whenever xOpen set pMethods, even if it failed.
    if (file_->pMethods != nullptr) file_->pMethods->xClose(file_);
    sqlite3_free_filename(name_);
  }
  VfsFile(const VfsFile&) = delete;
  VfsFile& operator=(const VfsFile&) = delete;

  bool opened() const { return name_ != nullptr && code_ == SQLITE_OK; }
  std::optional<std::uint64_t> size() const {
    sqlite3_int64 bytes = 0;
    if (file_->pMethods->xFileSize(file_, &bytes) != SQLITE_OK || bytes < 0) return std::nullopt;
    return static_cast<std::uint64_t>(bytes);
  }
  bool read(std::string& into) const {
    return file_->pMethods->xRead(file_, into.data(), static_cast<int>(into.size()), 0) == SQLITE_OK;
  }

 private:
  sqlite3_filename name_;
  std::vector<std::max_align_t> storage_;  // The szOsFile bytes SQLite would allocate.
  sqlite3_file* file_;
  int code_ = SQLITE_CANTOPEN;
};

}  // namespace

std::optional<std::string> FileProbe::read_prefix(const std::string& path, std::size_t size) const {
  if (vfs_ != nullptr) {
    int found = 0;
    if (const int code = vfs_->xAccess(vfs_, path.c_str(), SQLITE_ACCESS_EXISTS, &found); code != SQLITE_OK) {
      fail(fmt::format("{}: cannot inspect: {}", path, sqlite3_errstr(code)));
    }
    if (found == 0) return std::nullopt;
    VfsFile file(vfs_, path);
    if (!file.opened()) fail(fmt::format("{}: cannot read", path));
    const std::optional<std::uint64_t> bytes = file.size();
    if (!bytes) fail(fmt::format("{}: cannot inspect: the VFS gives no file size", path));
    std::string prefix(static_cast<std::size_t>(std::min<std::uint64_t>(*bytes, size)), '\0');
    if (!file.read(prefix)) fail(fmt::format("{}: cannot read", path));
    return prefix;
  }
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) return std::nullopt;
  if (error) fail(fmt::format("{}: cannot inspect: {}", path, error.message()));
  if (!std::filesystem::is_regular_file(status)) fail(fmt::format("{}: not a regular file", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(fmt::format("{}: cannot read", path));
  std::string prefix(size, '\0');
  in.read(prefix.data(), static_cast<std::streamsize>(size));
  prefix.resize(static_cast<std::size_t>(in.gcount()));
  return prefix;
}

bool FileProbe::exists(const std::string& path) const {
  if (vfs_ == nullptr) {
    std::error_code error;
    return std::filesystem::exists(path, error);
  }
  int found = 0;
  return vfs_->xAccess(vfs_, path.c_str(), SQLITE_ACCESS_EXISTS, &found) == SQLITE_OK && found != 0;
}

std::optional<std::uint64_t> FileProbe::size(const std::string& path) const {
  if (vfs_ == nullptr) {
    std::error_code error;
    const std::uintmax_t bytes = std::filesystem::file_size(path, error);
    if (error) return std::nullopt;
    return bytes;
  }
  VfsFile file(vfs_, path);
  if (!file.opened()) return std::nullopt;
  return file.size();
}

void FileProbe::remove(const std::string& path) const {
  if (vfs_ == nullptr) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return;
  }
  vfs_->xDelete(vfs_, path.c_str(), 0);
}

}  // namespace clawnet
