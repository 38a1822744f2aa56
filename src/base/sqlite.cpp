#include "base/sqlite.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <system_error>
#include <thread>

#include <fmt/format.h>

namespace vigil {
namespace {

constexpr int kBusyTimeoutMs = 5000;

Status ensure_parent_dir(const SqliteFile& file) {
  const std::filesystem::path parent = std::filesystem::path(file.path).parent_path();
  if (file.path == ":memory:" || parent.empty()) return {};
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    return Error::failure(fmt::format(
        "cannot open {} {}: cannot create directory {}: {}: check that the state "
        "directory is writable",
        file.what, file.path, parent.string(), ec.message()));
  }
  return {};
}

Error file_error(const SqliteFile& file, std::string_view doing, sqlite3* db, int rc) {
  const std::string message = sqlite_message(db, rc);
  bool writable_hint = file.writable_hint_by_default;
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Error::failure(fmt::format("{} {} is not a vigil {} ({}): move it away", file.what,
                                        file.path, file.kind, message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::failure(
          fmt::format("cannot {} {} {}: {}: another vigil process holds it; try again", doing,
                      file.what, file.path, message));
    case SQLITE_FULL:
      return Error::failure(fmt::format("cannot {} {} {}: {}: free some disk space", doing,
                                        file.what, file.path, message));
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_IOERR:
      writable_hint = true;
      break;
    default:
      break;
  }
  if (writable_hint) {
    return Error::failure(
        fmt::format("cannot {} {} {}: {}: check that the state directory is writable", doing,
                    file.what, file.path, message));
  }
  return Error::failure(
      fmt::format("cannot {} {} {}: {}", doing, file.what, file.path, message));
}

}  // namespace

std::string sqlite_message(sqlite3* db, int rc) {
  std::string text = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

Result<SqliteDb> SqliteDb::open(SqliteFile file, int extra_flags) {
  VIGIL_TRY(ensure_parent_dir(file));
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(file.path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | extra_flags, nullptr);
  SqliteHandle handle(raw);
  if (rc != SQLITE_OK) return file_error(file, "open", handle.get(), rc);
  sqlite3_extended_result_codes(handle.get(), 1);
  sqlite3_busy_timeout(handle.get(), kBusyTimeoutMs);
  SqliteDb db(std::move(file), std::move(handle));
  // The first statement reads the file header: a file that is not SQLite fails here.
  if (db.path() != ":memory:") VIGIL_TRY(db.enable_wal());
  return db;
}

Status SqliteDb::enable_wal() const {
  // Switching a new file to WAL takes an exclusive lock that SQLite does not wait
  // for (no busy handler there): a second process creating the file at the same
  // moment gets SQLITE_BUSY. Retry within the busy timeout.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    const int rc = sqlite3_exec(db_.get(), "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return {};
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) {
      return error("open", rc);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Error SqliteDb::error(std::string_view doing, int rc) const {
  return file_error(file_, doing, db_.get(), rc);
}

Error SqliteDb::not_vigil(std::string_view why) const {
  return Error::failure(fmt::format("{} {} is not a vigil {} ({}): move it away", file_.what,
                                    file_.path, file_.kind, why));
}

Result<SqliteStmt> SqliteDb::prepare(const std::string& sql, std::string_view doing) const {
  sqlite3_stmt* raw = nullptr;
  const int rc =
      sqlite3_prepare_v2(db_.get(), sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
  SqliteStmt stmt(raw);
  if (rc != SQLITE_OK) return error(doing, rc);
  return stmt;
}

Status SqliteDb::exec(const char* sql, std::string_view doing) const {
  const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(doing, rc);
  return {};
}

Status SqliteDb::step_done(sqlite3_stmt* stmt, std::string_view doing) const {
  const int rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) return error(doing, rc);
  return {};
}

Result<int> SqliteDb::user_version() const {
  auto stmt = prepare("PRAGMA user_version", "open");
  if (!stmt) return stmt.error();
  SqliteUse use(stmt->get());
  const int rc = use.step();
  if (rc != SQLITE_ROW) return error("open", rc);
  return static_cast<int>(use.integer_at(0));
}

Status SqliteDb::refuse_foreign_tables(std::initializer_list<std::string_view> own) const {
  std::string sql = "SELECT count(*) FROM sqlite_master";
  for (std::size_t i = 0; i < own.size(); ++i) {
    sql += i == 0 ? " WHERE name != ?" : " AND name != ?";
  }
  auto stmt = prepare(sql, "open");
  if (!stmt) return stmt.error();
  SqliteUse use(stmt->get());
  for (std::string_view name : own) use.text(std::string(name));
  const int rc = use.step();
  if (rc != SQLITE_ROW) return error("open", rc);
  if (use.integer_at(0) == 0) return {};
  return not_vigil("it holds other tables");
}

Error SqliteDb::newer_schema(int found, int known) const {
  return Error::failure(fmt::format(
      "{} {} has schema version {}, newer than this vigil knows ({}): upgrade vigil or move the "
      "file away",
      file_.what, file_.path, found, known));
}

Status SqliteDb::ensure_schema(const char* create_sql, int version,
                               const std::function<Status(int found)>& migrate,
                               std::initializer_list<std::string_view> leftovers) const {
  auto found = user_version();
  if (!found) return found.error();
  if (*found == version) return {};
  VIGIL_TRY(exec("BEGIN IMMEDIATE", "open"));
  SqliteTransaction transaction(*this);
  found = user_version();  // another process may have created it meanwhile
  if (!found) return found.error();
  if (*found == version) return {};
  if (*found > version) return newer_schema(*found, version);
  if (*found == 0) {
    VIGIL_TRY(refuse_foreign_tables(leftovers));
    VIGIL_TRY(exec(create_sql, "open"));
  } else if (migrate) {
    VIGIL_TRY(migrate(*found));
  } else {
    return {};
  }
  // A constant version number, not a value from outside.
  VIGIL_TRY(exec(fmt::format("PRAGMA user_version = {}", version).c_str(), "open"));
  return transaction.commit("open");
}

SqliteTransaction::~SqliteTransaction() {
  if (!done_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Status SqliteTransaction::commit(std::string_view doing) {
  VIGIL_TRY(db_.exec("COMMIT", doing));
  done_ = true;
  return {};
}

SqliteUse& SqliteUse::text(const std::string& value) {
  sqlite3_bind_text(stmt_, ++index_, value.data(), static_cast<int>(value.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

SqliteUse& SqliteUse::integer(std::int64_t value) {
  sqlite3_bind_int64(stmt_, ++index_, value);
  return *this;
}

SqliteUse& SqliteUse::real(double value) {
  if (std::isnan(value)) {
    sqlite3_bind_null(stmt_, ++index_);
  } else {
    sqlite3_bind_double(stmt_, ++index_, value);
  }
  return *this;
}

SqliteUse& SqliteUse::null() {
  sqlite3_bind_null(stmt_, ++index_);
  return *this;
}

std::string SqliteUse::text_at(int column) const {
  const auto* data = sqlite3_column_text(stmt_, column);
  if (data == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(data),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

double SqliteUse::real_at(int column) const {
  if (null_at(column)) return std::numeric_limits<double>::quiet_NaN();
  return sqlite3_column_double(stmt_, column);
}

}  // namespace vigil
