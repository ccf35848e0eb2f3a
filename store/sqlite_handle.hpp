// Small owners for the SQLite3 C API, used only inside store/.
//
//  - Database owns a connection (closed with sqlite3_close_v2, so the order of
//    destruction against its statements does not matter).
//  - Statement owns one prepared statement; run() binds ?1, ?2, ... and steps once,
//    returning a Cursor that resets the statement when it goes out of scope, so no
//    statement keeps a read transaction open between calls.
//  - The helpers at the end throw Failure; store/ catches it at QueueStore's public
//    functions and returns it as a StoreError, so it never leaves store/.
// Not thread-safe, like the QueueStore that uses them.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace clawnet::sqlite {

struct CloseDatabase {
  void operator()(sqlite3* database) const { sqlite3_close_v2(database); }
};
using Database = std::unique_ptr<sqlite3, CloseDatabase>;

struct FinalizeStatement {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};

// One execution of a statement: the current row, or the end, or an error.
class Cursor {
 public:
  Cursor(sqlite3_stmt* statement, int bind_code) : statement_(statement), code_(bind_code) {
    if (code_ == SQLITE_OK) next();
  }
  ~Cursor() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  void next() { code_ = sqlite3_step(statement_); }
  bool has_row() const { return code_ == SQLITE_ROW; }
  bool failed() const { return code_ != SQLITE_ROW && code_ != SQLITE_DONE; }
  std::string error() const { return sqlite3_errmsg(sqlite3_db_handle(statement_)); }

  bool is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
  std::int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }
  std::string text(int column) const {
    const auto* bytes = sqlite3_column_text(statement_, column);
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, column));
    return bytes == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(bytes), size);
  }

 private:
  sqlite3_stmt* statement_;
  int code_;
};

class Statement {
 public:
  // Returns the statement, or nullopt with the reason in sqlite3_errmsg(database).
  static std::optional<Statement> prepare(sqlite3* database, std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    const int code = sqlite3_prepare_v3(database, sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (code != SQLITE_OK) {
      sqlite3_finalize(raw);
      return std::nullopt;
    }
    return Statement(raw);
  }

  // Binds `values` to ?1, ?2, ... and steps once.
  template <class... Values>
  Cursor run(const Values&... values) {
    int code = SQLITE_OK;
    int index = 0;
    ((code = code == SQLITE_OK ? bind(++index, values) : code), ...);
    return Cursor(statement_.get(), code);
  }

 private:
  explicit Statement(sqlite3_stmt* raw) : statement_(raw) {}
  int bind(int index, std::int64_t value) { return sqlite3_bind_int64(statement_.get(), index, value); }
  int bind(int index, std::nullptr_t) { return sqlite3_bind_null(statement_.get(), index); }
  int bind(int index, std::string_view text) {
    return sqlite3_bind_text64(statement_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  }
  std::unique_ptr<sqlite3_stmt, FinalizeStatement> statement_;
};

struct Failure {
  std::string message;
};

[[noreturn]] inline void fail(std::string message) { throw Failure{std::move(message)}; }

inline void check(const Cursor& cursor, std::string_view what) {
  if (cursor.failed()) fail(std::string(what) + ": " + cursor.error());
}

// Runs `sql`, one or more statements whose results are not wanted.
inline void execute(sqlite3* database, const std::string& sql, std::string_view what) {
  char* message = nullptr;
  if (sqlite3_exec(database, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return;
  std::string text = message != nullptr ? message : sqlite3_errmsg(database);
  sqlite3_free(message);
  fail(std::string(what) + ": " + text);
}

// The first column of the first row of `sql` (a pragma, an aggregate), if any row.
inline std::optional<std::string> query_text(sqlite3* database, std::string_view sql, std::string_view what) {
  auto statement = Statement::prepare(database, sql);
  if (!statement) fail(std::string(what) + ": " + sqlite3_errmsg(database));
  auto cursor = statement->run();
  check(cursor, what);
  return cursor.has_row() ? std::optional(cursor.text(0)) : std::nullopt;
}

inline std::optional<std::int64_t> query_integer(sqlite3* database, std::string_view sql,
                                                 std::string_view what) {
  auto statement = Statement::prepare(database, sql);
  if (!statement) fail(std::string(what) + ": " + sqlite3_errmsg(database));
  auto cursor = statement->run();
  check(cursor, what);
  return cursor.has_row() ? std::optional(cursor.integer(0)) : std::nullopt;
}

}  // namespace clawnet::sqlite
