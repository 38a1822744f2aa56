#include "schedule/history.h"

#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <mutex>

#include <fmt/format.h>

namespace vigil {
namespace {

constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 5000;

// Constant SQL only: every value goes through a bound parameter.
constexpr const char* kCreateSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY,
  job TEXT NOT NULL,
  target TEXT NOT NULL,
  scheduled_for INTEGER NOT NULL,
  started REAL NOT NULL,
  ended REAL,
  status TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  error TEXT NOT NULL,
  detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS runs_job ON runs(job, status, target);
PRAGMA user_version = 1;
)sql";

constexpr const char* kColumns =
    "SELECT id, job, target, scheduled_for, started, ended, status, attempt, error, detail "
    "FROM runs";

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

Error history_error(const std::string& path, const std::string& doing, sqlite3* db, int rc) {
  const std::string message = one_line(db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Error::failure(fmt::format(
          "run history {} is not a vigil run history ({}): move it away", path, message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::failure(fmt::format(
          "cannot {} run history {}: {}: another vigil process holds it; try again", doing, path,
          message));
    case SQLITE_FULL:
      return Error::failure(fmt::format("cannot {} run history {}: {}: free some disk space",
                                        doing, path, message));
    default:
      return Error::failure(fmt::format(
          "cannot {} run history {}: {}: check that the state directory is writable", doing,
          path, message));
  }
}

RunStatus parse_status(const std::string& name) {
  for (RunStatus s : {RunStatus::kOk, RunStatus::kFailed, RunStatus::kAbandoned}) {
    if (name == run_status_name(s)) return s;
  }
  return RunStatus::kRunning;
}

std::string column_text(sqlite3_stmt* stmt, int column) {
  const auto* data = sqlite3_column_text(stmt, column);
  return data == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(data));
}

class SqliteRunHistory final : public RunHistory {
 public:
  SqliteRunHistory(std::string path, Db db) : path_(std::move(path)), db_(std::move(db)) {}

  Result<std::int64_t> start(const RunRecord& run) override {
    std::lock_guard lock(mutex_);
    auto stmt = prepare(
        "INSERT INTO runs(job, target, scheduled_for, started, ended, status, attempt, error, "
        "detail) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "save");
    if (!stmt.ok()) return stmt.error();
    sqlite3_stmt* s = stmt->get();
    bind_text(s, 1, run.job);
    bind_text(s, 2, run.target);
    sqlite3_bind_int64(s, 3, run.scheduled_for);
    sqlite3_bind_double(s, 4, run.started);
    if (run.ended > 0) sqlite3_bind_double(s, 5, run.ended);
    bind_text(s, 6, run_status_name(run.status));
    sqlite3_bind_int(s, 7, run.attempt);
    bind_text(s, 8, one_line(run.error));
    bind_text(s, 9, one_line(run.detail));
    VIGIL_TRY(step_done(s, "save"));
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_.get()));
  }

  Status finish(std::int64_t id, RunStatus status, double ended, const std::string& error,
                const std::string& detail) override {
    std::lock_guard lock(mutex_);
    auto stmt = prepare("UPDATE runs SET status = ?, ended = ?, error = ?, detail = ? WHERE id = ?",
                        "save");
    if (!stmt.ok()) return stmt.error();
    sqlite3_stmt* s = stmt->get();
    bind_text(s, 1, run_status_name(status));
    sqlite3_bind_double(s, 2, ended);
    bind_text(s, 3, one_line(error));
    bind_text(s, 4, one_line(detail));
    sqlite3_bind_int64(s, 5, id);
    VIGIL_TRY(step_done(s, "save"));
    if (sqlite3_changes(db_.get()) == 0) {
      return Error::failure(fmt::format("run history {} has no run {}", path_, id));
    }
    return {};
  }

  Result<int> abandon_running(double now, const std::string& reason) override {
    std::lock_guard lock(mutex_);
    auto stmt = prepare(
        "UPDATE runs SET status = 'abandoned', ended = ?, error = ? WHERE status = 'running'",
        "save");
    if (!stmt.ok()) return stmt.error();
    sqlite3_bind_double(stmt->get(), 1, now);
    bind_text(stmt->get(), 2, one_line(reason));
    VIGIL_TRY(step_done(stmt->get(), "save"));
    return sqlite3_changes(db_.get());
  }

  Result<std::vector<RunRecord>> list(const RunFilter& filter) override;
  Result<std::string> latest_target(const std::string& job, RunStatus status) override;

  Status init() { return exec(kCreateSchema, "open"); }
  Result<int> user_version();
  Status exec(const char* sql, const char* doing) {
    const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return history_error(path_, doing, db_.get(), rc);
    return {};
  }

 private:
  Result<Stmt> prepare(const std::string& sql, const char* doing) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr);
    Stmt stmt(raw);
    if (rc != SQLITE_OK) return history_error(path_, doing, db_.get(), rc);
    return stmt;
  }
  static void bind_text(sqlite3_stmt* s, int index, const std::string& value) {
    sqlite3_bind_text(s, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  Status step_done(sqlite3_stmt* s, const char* doing) {
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return history_error(path_, doing, db_.get(), rc);
    return {};
  }

  std::string path_;
  Db db_;
  std::mutex mutex_;
};

Result<std::vector<RunRecord>> SqliteRunHistory::list(const RunFilter& filter) {
  std::lock_guard lock(mutex_);
  // Assembled from fixed pieces only; values are bound below in the same order.
  std::string sql = std::string(kColumns) + " WHERE 1 = 1";
  if (filter.job) sql += " AND job = ?";
  if (filter.status) sql += " AND status = ?";
  if (filter.target) sql += " AND target = ?";
  sql += " ORDER BY id DESC LIMIT ?";
  auto stmt = prepare(sql, "read");
  if (!stmt.ok()) return stmt.error();
  sqlite3_stmt* s = stmt->get();
  int index = 0;
  if (filter.job) bind_text(s, ++index, *filter.job);
  if (filter.status) bind_text(s, ++index, run_status_name(*filter.status));
  if (filter.target) bind_text(s, ++index, *filter.target);
  sqlite3_bind_int(s, ++index, filter.limit > 0 ? filter.limit : -1);
  std::vector<RunRecord> runs;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    RunRecord r;
    r.id = sqlite3_column_int64(s, 0);
    r.job = column_text(s, 1);
    r.target = column_text(s, 2);
    r.scheduled_for = sqlite3_column_int64(s, 3);
    r.started = sqlite3_column_double(s, 4);
    r.ended = sqlite3_column_type(s, 5) == SQLITE_NULL ? 0 : sqlite3_column_double(s, 5);
    r.status = parse_status(column_text(s, 6));
    r.attempt = sqlite3_column_int(s, 7);
    r.error = column_text(s, 8);
    r.detail = column_text(s, 9);
    runs.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return history_error(path_, "read", db_.get(), rc);
  return runs;
}

Result<std::string> SqliteRunHistory::latest_target(const std::string& job, RunStatus status) {
  std::lock_guard lock(mutex_);
  auto stmt = prepare("SELECT max(target) FROM runs WHERE job = ? AND status = ?", "read");
  if (!stmt.ok()) return stmt.error();
  bind_text(stmt->get(), 1, job);
  bind_text(stmt->get(), 2, run_status_name(status));
  const int rc = sqlite3_step(stmt->get());
  if (rc != SQLITE_ROW) return history_error(path_, "read", db_.get(), rc);
  return column_text(stmt->get(), 0);
}

Result<int> SqliteRunHistory::user_version() {
  std::lock_guard lock(mutex_);
  auto stmt = prepare(
      "SELECT (SELECT user_version FROM pragma_user_version), "
      "(SELECT count(*) FROM sqlite_master WHERE name != 'runs' AND name != 'runs_job')",
      "open");
  if (!stmt.ok()) return stmt.error();
  const int rc = sqlite3_step(stmt->get());
  if (rc != SQLITE_ROW) return history_error(path_, "open", db_.get(), rc);
  const int version = sqlite3_column_int(stmt->get(), 0);
  if (version == 0 && sqlite3_column_int(stmt->get(), 1) > 0) {
    return Error::failure(fmt::format(
        "run history {} is not a vigil run history (it holds other tables): move it away", path_));
  }
  return version;
}

Status ensure_parent_dir(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (path == ":memory:" || parent.empty()) return {};
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    return Error::failure(fmt::format(
        "cannot open run history {}: cannot create directory {}: {}: check that the state "
        "directory is writable",
        path, parent.string(), ec.message()));
  }
  return {};
}

}  // namespace

std::string run_status_name(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning: return "running";
    case RunStatus::kOk: return "ok";
    case RunStatus::kFailed: return "failed";
    case RunStatus::kAbandoned: return "abandoned";
  }
  return "running";
}

Result<std::unique_ptr<RunHistory>> open_run_history(const std::string& path) {
  VIGIL_TRY(ensure_parent_dir(path));
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                                 nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return history_error(path, "open", db.get(), rc);
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  auto history = std::make_unique<SqliteRunHistory>(path, std::move(db));
  if (path != ":memory:") VIGIL_TRY(history->exec("PRAGMA journal_mode = WAL", "open"));
  auto version = history->user_version();
  if (!version.ok()) return version.error();
  if (*version > kSchemaVersion) {
    return Error::failure(fmt::format(
        "run history {} has schema version {}, newer than this vigil knows ({}): upgrade vigil "
        "or move the file away",
        path, *version, kSchemaVersion));
  }
  if (*version < kSchemaVersion) VIGIL_TRY(history->init());
  return std::unique_ptr<RunHistory>(std::move(history));
}

std::string runs_table(const std::vector<RunRecord>& runs, const date::time_zone* zone) {
  std::string out = fmt::format("{:>5}  {:<7} {:<19}  {:<19}  {:<19}  {:>8}  {:<9} {:>3}  {}\n",
                                "id", "job", "for", "scheduled", "started", "took", "status",
                                "try", "detail");
  for (const RunRecord& r : runs) {
    const auto started = static_cast<EpochSeconds>(std::floor(r.started));
    const std::string took = r.ended > 0 ? fmt::format("{:.1f} s", r.ended - r.started) : "-";
    std::string note = r.detail;
    if (!r.error.empty()) note = note.empty() ? r.error : note + ": " + r.error;
    out += fmt::format("{:>5}  {:<7} {:<19}  {:<19}  {:<19}  {:>8}  {:<9} {:>3}  {}\n", r.id, r.job,
                       r.target, format_local_time(r.scheduled_for, zone),
                       format_local_time(started, zone), took, run_status_name(r.status),
                       r.attempt, note);
  }
  return out;
}

}  // namespace vigil
