// SQLite plumbing shared by the stores under the state directory (alert state,
// run history, report delivery log): owning handles, opening a file (parent
// directory, WAL, busy timeout), the one schema setup (ensure_schema), a
// transaction guard, positional binds, and
// SQLite result codes turned into one-line errors that name the file and the
// next step. Each store passes a SqliteFile saying how its messages name it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"

namespace vigil {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct SqliteFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteCloser>;
using SqliteStmt = std::unique_ptr<sqlite3_stmt, SqliteFinalizer>;

// How errors name a store file: "cannot <doing> <what> <path>: ..." and
// "<what> <path> is not a vigil <kind> (...): move it away".
struct SqliteFile {
  std::string path;
  std::string what;  // "alert state", "run history"
  std::string kind;  // "state database", "run history"
  // Whether errors without a specific hint still end with "check that the
  // state directory is writable" (otherwise only open/permission/I/O errors do).
  bool writable_hint_by_default = false;
};

// What SQLite said, on one line.
std::string sqlite_message(sqlite3* db, int rc);

// An open database with the file it came from, for errors.
class SqliteDb {
 public:
  // Creates the parent directory, opens read-write (creating the file) with
  // `extra_flags`, extended result codes, a 5 s busy timeout and WAL (not for
  // ":memory:"). The WAL pragma is the first read of the header, so a file that
  // is not SQLite fails here.
  static Result<SqliteDb> open(SqliteFile file, int extra_flags = 0);

  sqlite3* get() const { return db_.get(); }
  const std::string& path() const { return file_.path; }

  // `doing` is a verb ("open", "read", "save"); the message ends with the next step.
  Error error(std::string_view doing, int rc) const;
  // "<what> <path> is not a vigil <kind> (<why>): move it away".
  Error not_vigil(std::string_view why) const;

  Result<SqliteStmt> prepare(const std::string& sql, std::string_view doing) const;
  // Runs constant SQL (no values), possibly several statements.
  Status exec(const char* sql, std::string_view doing) const;
  // Steps a statement that returns no rows.
  Status step_done(sqlite3_stmt* stmt, std::string_view doing) const;

  // PRAGMA user_version (errors say "open").
  Result<int> user_version() const;
  // A file without vigil's schema version must be new: fails if it holds
  // tables or indexes other than `own` (errors say "open").
  Status refuse_foreign_tables(std::initializer_list<std::string_view> own = {}) const;
  // "<what> <path> has schema version <found>, newer than this vigil knows ...".
  Error newer_schema(int found, int known) const;
  // The one schema setup of every store. Creates the schema once: on a file
  // without a schema version, `create_sql` runs and the version is set to
  // `version`, in one immediate transaction, re-checked inside it, so a second
  // process opening at the same time waits and then finds it done. A newer
  // version, or a versionless file holding tables or indexes other than
  // `leftovers` (what an older vigil's interrupted, non-transactional create
  // could leave), is an error (errors say "open"). An older version is passed to
  // `migrate` (same transaction), then set to `version`; without `migrate` it is
  // left as it is.
  Status ensure_schema(const char* create_sql, int version,
                       const std::function<Status(int found)>& migrate = {},
                       std::initializer_list<std::string_view> leftovers = {}) const;

 private:
  Status enable_wal() const;  // PRAGMA journal_mode = WAL, waiting out a concurrent creator
  SqliteDb(SqliteFile file, SqliteHandle db) : file_(std::move(file)), db_(std::move(db)) {}

  SqliteFile file_;
  SqliteHandle db_;
};

// Rolls back an open transaction unless it was committed.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(const SqliteDb& db) : db_(db) {}
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  Status commit(std::string_view doing);

 private:
  const SqliteDb& db_;
  bool done_ = false;
};

// A prepared statement in use: binds by position and resets when it goes out of
// scope, so the statement can be reused.
class SqliteUse {
 public:
  explicit SqliteUse(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~SqliteUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  SqliteUse(const SqliteUse&) = delete;
  SqliteUse& operator=(const SqliteUse&) = delete;

  SqliteUse& text(const std::string& value);
  SqliteUse& integer(std::int64_t value);
  // NaN (a missing value) is stored as NULL; SQLite would do so anyway.
  SqliteUse& real(double value);
  SqliteUse& null();
  int step() { return sqlite3_step(stmt_); }

  std::string text_at(int column) const;
  std::int64_t integer_at(int column) const { return sqlite3_column_int64(stmt_, column); }
  // NULL reads as NaN.
  double real_at(int column) const;
  bool null_at(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  sqlite3_stmt* stmt_;
  int index_ = 0;
};

}  // namespace vigil
