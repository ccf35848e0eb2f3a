#include "sim/power_cut_disk.hpp"
#include "sim/paged_bytes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace clawnet::sim {

struct PowerCutDisk::File {
  struct Range {
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
  };
  PagedBytes current;
  PagedBytes durable;
  std::vector<Range> dirty;        // Written since the last sync (current's bytes to copy).
  std::uint64_t smallest_size = 0;  // The smallest size since the last sync: what a truncation cut.

  bool synced() const { return dirty.empty() && smallest_size == current.size() && durable.size() == current.size(); }

  void write(const void* bytes, std::uint64_t offset, std::uint64_t length) {
    current.write(offset, bytes, length);
    // The WAL grows by appends: one range for a run of them.
    if (!dirty.empty() && dirty.back().end == offset) {
      dirty.back().end = offset + length;
    } else {
      dirty.push_back(Range{offset, offset + length});
    }
  }

  void truncate(std::uint64_t size) {
    current.resize(size);
    smallest_size = std::min(smallest_size, size);
  }

  // Returns the number of bytes copied to `durable`.
  std::uint64_t sync() {
    const std::uint64_t size = current.size();
    // Bytes past a truncation are zeros now unless written again (the ranges copy those).
    durable.resize(std::min(smallest_size, size));
    durable.resize(size);
    std::uint64_t copied = 0;
    for (const Range& range : dirty) {
      const std::uint64_t end = std::min(range.end, size);
      if (range.begin >= end) continue;
      durable.copy_from(current, range.begin, end);
      copied += end - range.begin;
    }
    dirty.clear();
    smallest_size = size;
    return copied;
  }
};

// One open file, as SQLite holds it: the slot SQLite allocates (szOsFile bytes)
// starts with the sqlite3_file, so SQLite's pointer is the slot's.
struct PowerCutDisk::Handle {
  PowerCutDisk* disk = nullptr;
  std::shared_ptr<File> file;
  std::string path;
  bool delete_on_close = false;
};

struct PowerCutDisk::Undo {
  std::map<std::string, std::shared_ptr<File>> files;  // The names before `close`.
  std::map<const File*, std::pair<std::shared_ptr<File>, File>> originals;  // Files before `close` changed them.
  std::optional<Write> last_write;
};

namespace {

struct Slot {
  sqlite3_file base;
  void* handle;  // A PowerCutDisk::Handle.
};
static_assert(std::is_standard_layout_v<Slot>);

std::atomic<std::uint64_t> disks_made{0};

}  // namespace

// The VFS and I/O method callbacks: C functions that find their disk and file.
struct Vfs {
  using Handle = PowerCutDisk::Handle;

  static PowerCutDisk& disk(sqlite3_vfs* vfs) { return *static_cast<PowerCutDisk*>(vfs->pAppData); }
  static Handle& handle(sqlite3_file* file) {
    return *static_cast<Handle*>(reinterpret_cast<Slot*>(file)->handle);
  }

  // --- I/O methods --------------------------------------------------------------------
  static int close(sqlite3_file* file) {
    Handle* open = &handle(file);
    PowerCutDisk& owner = *open->disk;
    if (open->delete_on_close) {
      auto found = owner.files_.find(open->path);
      if (found != owner.files_.end() && found->second == open->file) owner.forget(found);
    }
    delete open;
    owner.open_handles_ -= 1;
    file->pMethods = nullptr;
    return SQLITE_OK;
  }

  static int read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
    const auto wanted = static_cast<std::uint64_t>(amount);
    // SQLite's contract for a short read, which PagedBytes::read keeps: the rest is zeros.
    const std::uint64_t stored = handle(file).file->current.read(static_cast<std::uint64_t>(offset), buffer, wanted);
    return stored == wanted ? SQLITE_OK : SQLITE_IOERR_SHORT_READ;
  }

  static int write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
    Handle& open = handle(file);
    PowerCutDisk& owner = *open.disk;
    const auto length = static_cast<std::uint64_t>(amount);
    const auto start = static_cast<std::uint64_t>(offset);
    owner.remember(open.file);
    open.file->write(buffer, start, length);
    owner.last_write_ = PowerCutDisk::Write{open.file, start, length};
    owner.counters_.writes += 1;
    owner.counters_.bytes_written += length;
    return SQLITE_OK;
  }

  static int truncate(sqlite3_file* file, sqlite3_int64 size) {
    Handle& open = handle(file);
    PowerCutDisk& owner = *open.disk;
    owner.remember(open.file);
    open.file->truncate(static_cast<std::uint64_t>(size));
    // A simplification: a truncated file has no write left to tear.
    if (owner.last_write_ && owner.last_write_->file == open.file) owner.last_write_.reset();
    return SQLITE_OK;
  }

  static int sync(sqlite3_file* file, int /*flags*/) {
    Handle& open = handle(file);
    PowerCutDisk& owner = *open.disk;
    owner.counters_.syncs += 1;
    if (open.file->synced()) return SQLITE_OK;
    owner.remember(open.file);
    owner.counters_.bytes_synced += open.file->sync();
    if (owner.last_write_ && owner.last_write_->file == open.file) owner.last_write_.reset();
    return SQLITE_OK;
  }

  static int file_size(sqlite3_file* file, sqlite3_int64* size) {
    *size = static_cast<sqlite3_int64>(handle(file).file->current.size());
    return SQLITE_OK;
  }

  // One connection per disk (REQUIRES in the header): nothing to lock against.
  static int lock(sqlite3_file*, int) { return SQLITE_OK; }
  static int check_reserved_lock(sqlite3_file*, int* reserved) {
    *reserved = 0;
    return SQLITE_OK;
  }
  static int file_control(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }
  static int sector_size(sqlite3_file*) { return static_cast<int>(PowerCutDisk::sector_bytes); }
  // A torn write damages only the bytes it wrote, never its neighbours.
  static int device_characteristics(sqlite3_file*) { return SQLITE_IOCAP_POWERSAFE_OVERWRITE; }

  static constexpr sqlite3_io_methods io_methods = {
      1,  // iVersion: no xShm (exclusive locking keeps the WAL index in memory), no mmap.
      close, read, write, truncate, sync, file_size, lock, lock, check_reserved_lock,
      file_control, sector_size, device_characteristics,
      nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
  };

  // --- The VFS ---------------------------------------------------------------------------
  static int open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
    PowerCutDisk& owner = disk(vfs);
    file->pMethods = nullptr;
    std::string path = name != nullptr ? std::string(name) : fmt::format("temporary-{}", ++owner.temporary_files_);
    auto found = owner.files_.find(path);
    const bool create = (flags & SQLITE_OPEN_CREATE) != 0;
    if (found == owner.files_.end()) {
      if (!create) return SQLITE_CANTOPEN;
      found = owner.files_.emplace(path, std::make_shared<PowerCutDisk::File>()).first;
    } else if (create && (flags & SQLITE_OPEN_EXCLUSIVE) != 0) {
      return SQLITE_CANTOPEN;
    }
    auto* open = new Handle{&owner, found->second, std::move(path), (flags & SQLITE_OPEN_DELETEONCLOSE) != 0};
    reinterpret_cast<Slot*>(file)->handle = open;
    file->pMethods = &io_methods;
    owner.open_handles_ += 1;
    if (out_flags != nullptr) *out_flags = flags;
    return SQLITE_OK;
  }

  static int remove(sqlite3_vfs* vfs, const char* name, int /*sync_directory*/) {
    PowerCutDisk& owner = disk(vfs);
    auto found = owner.files_.find(name);
    if (found == owner.files_.end()) return SQLITE_IOERR_DELETE_NOENT;
    owner.forget(found);
    return SQLITE_OK;
  }

  static int access(sqlite3_vfs* vfs, const char* name, int flags, int* result) {
    const PowerCutDisk& owner = disk(vfs);
    auto found = owner.files_.find(name);
    const bool exists = found != owner.files_.end();
    *result = flags == SQLITE_ACCESS_EXISTS ? exists && !found->second->current.empty() : exists;
    return SQLITE_OK;
  }

  static int full_pathname(sqlite3_vfs*, const char* name, int out_size, char* out) {
    const std::size_t length = std::strlen(name);
    if (length + 1 > static_cast<std::size_t>(out_size)) return SQLITE_CANTOPEN;
    std::memcpy(out, name, length + 1);
    return SQLITE_OK;
  }

  // SQLite's default VFS does the rest (header, point 4).
  static sqlite3_vfs& fallback(sqlite3_vfs* vfs) { return *disk(vfs).fallback_; }
  static void* dl_open(sqlite3_vfs* vfs, const char* name) { return fallback(vfs).xDlOpen(&fallback(vfs), name); }
  static void dl_error(sqlite3_vfs* vfs, int size, char* message) { fallback(vfs).xDlError(&fallback(vfs), size, message); }
  static void (*dl_sym(sqlite3_vfs* vfs, void* library, const char* symbol))(void) {
    return fallback(vfs).xDlSym(&fallback(vfs), library, symbol);
  }
  static void dl_close(sqlite3_vfs* vfs, void* library) { fallback(vfs).xDlClose(&fallback(vfs), library); }
  static int randomness(sqlite3_vfs* vfs, int size, char* out) { return fallback(vfs).xRandomness(&fallback(vfs), size, out); }
  static int sleep(sqlite3_vfs* vfs, int microseconds) { return fallback(vfs).xSleep(&fallback(vfs), microseconds); }
  static int current_time(sqlite3_vfs* vfs, double* julian_day) {
    return fallback(vfs).xCurrentTime(&fallback(vfs), julian_day);
  }
  static int last_error(sqlite3_vfs*, int, char*) { return 0; }
};

PowerCutDisk::PowerCutDisk()
    : name_(fmt::format("clawnet-power-cut-disk-{}", disks_made.fetch_add(1))), fallback_(sqlite3_vfs_find(nullptr)) {
  if (fallback_ == nullptr) throw std::runtime_error("PowerCutDisk: SQLite has no default VFS");
  vfs_.iVersion = 1;
  vfs_.szOsFile = static_cast<int>(sizeof(Slot));
  vfs_.mxPathname = 512;
  vfs_.zName = name_.c_str();
  vfs_.pAppData = this;
  vfs_.xOpen = Vfs::open;
  vfs_.xDelete = Vfs::remove;
  vfs_.xAccess = Vfs::access;
  vfs_.xFullPathname = Vfs::full_pathname;
  vfs_.xDlOpen = Vfs::dl_open;
  vfs_.xDlError = Vfs::dl_error;
  vfs_.xDlSym = Vfs::dl_sym;
  vfs_.xDlClose = Vfs::dl_close;
  vfs_.xRandomness = Vfs::randomness;
  vfs_.xSleep = Vfs::sleep;
  vfs_.xCurrentTime = Vfs::current_time;
  vfs_.xGetLastError = Vfs::last_error;
  if (const int code = sqlite3_vfs_register(&vfs_, 0); code != SQLITE_OK) {
    throw std::runtime_error(fmt::format("PowerCutDisk: cannot register VFS {}: {}", name_, sqlite3_errstr(code)));
  }
}

PowerCutDisk::~PowerCutDisk() { sqlite3_vfs_unregister(&vfs_); }

void PowerCutDisk::forget(std::map<std::string, std::shared_ptr<File>>::iterator file) {
  if (last_write_ && last_write_->file == file->second) last_write_.reset();
  files_.erase(file);
}

void PowerCutDisk::remember(const std::shared_ptr<File>& file) {
  if (!undo_ || undo_->originals.contains(file.get())) return;
  undo_->originals.emplace(file.get(), std::pair(file, *file));
}

// Copy on write: only the files `close` changes are copied (the checkpoint writes the
// main file; deleting the WAL only drops its name).
void PowerCutDisk::run_undone(const std::function<void()>& close) {
  undo_ = std::make_unique<Undo>(Undo{files_, {}, last_write_});
  try {
    close();
  } catch (...) {
    undo_.reset();
    throw;
  }
  if (open_handles_ != 0) {
    undo_.reset();
    throw std::logic_error(fmt::format("PowerCutDisk: {} files still open after close", open_handles_));
  }
  for (auto& [raw, original] : undo_->originals) *original.first = std::move(original.second);
  files_ = std::move(undo_->files);
  last_write_ = std::move(undo_->last_write);
  undo_.reset();
}

void PowerCutDisk::process_crash(const std::function<void()>& close) {
  counters_.process_crashes += 1;
  run_undone(close);
}

std::size_t PowerCutDisk::power_cut(const std::function<void()>& close, bool tear) {
  counters_.power_cuts += 1;
  run_undone(close);
  std::optional<Write> torn;
  if (tear && last_write_) {
    torn = last_write_;
    const std::uint64_t end = std::min(torn->offset + torn->length, torn->file->current.size());
    const std::uint64_t written = end > torn->offset ? end - torn->offset : 0;
    torn->length = written / 2 / sector_bytes * sector_bytes;
    if (torn->length == 0) torn.reset();
  }
  for (auto& [path, file] : files_) {
    PagedBytes cache = std::move(file->current);
    file->current = file->durable;
    if (torn && torn->file == file) {
      file->current.copy_from(cache, torn->offset, torn->offset + torn->length);
      file->durable = file->current;
    }
    file->dirty.clear();
    file->smallest_size = file->current.size();
  }
  last_write_.reset();
  return torn ? torn->length : 0;
}

std::optional<std::string> PowerCutDisk::contents(const std::string& path) const {
  auto found = files_.find(path);
  if (found == files_.end()) return std::nullopt;
  const PagedBytes& bytes = found->second->current;
  std::string copy(bytes.size(), '\0');
  bytes.read(0, copy.data(), bytes.size());
  return copy;
}

std::vector<std::string> PowerCutDisk::paths() const {
  std::vector<std::string> names;
  for (const auto& [path, file] : files_) names.push_back(path);
  return names;
}

}  // namespace clawnet::sim
