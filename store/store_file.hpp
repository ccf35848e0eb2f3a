// Opening the SQLite file behind a QueueStore.
//
// open_store_file(path) inspects the file before anything is written to it, then
// returns a connection ready for QueueStore: WAL mode, synchronous=FULL (NORMAL for
// Durability::process_crash), exclusive locking, foreign keys on, holding the schema
// of QueueStore::schema_version (a missing or empty file gets it). A file that is not SQLite, is damaged, belongs to
// another application or has another schema version throws sqlite::Failure naming
// the problem, and its bytes (main file and -wal) stay as they were.
// docs/store.md describes the schema and the version policy.
#pragma once

#include <cstdint>
#include <string>

#include "store/queue_store.hpp"
#include "store/sqlite_handle.hpp"

namespace clawnet {

inline constexpr std::int64_t store_application_id = 0x436C6177;  // "Claw" in ASCII.

// `vfs` empty: SQLite's default VFS (the real file system); otherwise the registered
// VFS of that name, through which the file is inspected too.
sqlite::Database open_store_file(const std::string& path, Durability durability, const std::string& vfs);

}  // namespace clawnet
