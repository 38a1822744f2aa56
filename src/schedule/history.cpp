#include "schedule/history.h"

#include <cmath>
#include <mutex>

#include <fmt/format.h>

#include "base/sqlite.h"

namespace vigil {
namespace {

constexpr int kSchemaVersion = 1;

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
)sql";

constexpr const char* kColumns =
    "SELECT id, job, target, scheduled_for, started, ended, status, attempt, error, detail "
    "FROM runs";

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

RunStatus parse_status(const std::string& name) {
  for (RunStatus s : {RunStatus::kOk, RunStatus::kFailed, RunStatus::kAbandoned}) {
    if (name == run_status_name(s)) return s;
  }
  return RunStatus::kRunning;
}

class SqliteRunHistory final : public RunHistory {
 public:
  explicit SqliteRunHistory(SqliteDb db) : db_(std::move(db)) {}

  Result<std::int64_t> start(const RunRecord& run) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(
        "INSERT INTO runs(job, target, scheduled_for, started, ended, status, attempt, error, "
        "detail) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "save");
    if (!stmt.ok()) return stmt.error();
    SqliteUse use(stmt->get());
    use.text(run.job).text(run.target).integer(run.scheduled_for).real(run.started);
    if (run.ended > 0) {
      use.real(run.ended);
    } else {
      use.null();
    }
    use.text(run_status_name(run.status)).integer(run.attempt);
    use.text(one_line(run.error)).text(one_line(run.detail));
    VIGIL_TRY(db_.step_done(stmt->get(), "save"));
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_.get()));
  }

  Status finish(std::int64_t id, RunStatus status, double ended, const std::string& error,
                const std::string& detail) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(
        "UPDATE runs SET status = ?, ended = ?, error = ?, detail = ? WHERE id = ?", "save");
    if (!stmt.ok()) return stmt.error();
    SqliteUse use(stmt->get());
    use.text(run_status_name(status)).real(ended).text(one_line(error)).text(one_line(detail));
    use.integer(id);
    VIGIL_TRY(db_.step_done(stmt->get(), "save"));
    if (sqlite3_changes(db_.get()) == 0) {
      return Error::failure(fmt::format("run history {} has no run {}", db_.path(), id));
    }
    return {};
  }

  Result<int> abandon_running(double now, const std::string& reason) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(
        "UPDATE runs SET status = 'abandoned', ended = ?, error = ? WHERE status = 'running'",
        "save");
    if (!stmt.ok()) return stmt.error();
    SqliteUse use(stmt->get());
    use.real(now).text(one_line(reason));
    VIGIL_TRY(db_.step_done(stmt->get(), "save"));
    return sqlite3_changes(db_.get());
  }

  Result<std::vector<RunRecord>> list(const RunFilter& filter) override;
  Result<std::string> latest_target(const std::string& job, RunStatus status) override;

 private:
  SqliteDb db_;
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
  auto stmt = db_.prepare(sql, "read");
  if (!stmt.ok()) return stmt.error();
  SqliteUse use(stmt->get());
  if (filter.job) use.text(*filter.job);
  if (filter.status) use.text(run_status_name(*filter.status));
  if (filter.target) use.text(*filter.target);
  use.integer(filter.limit > 0 ? filter.limit : -1);
  std::vector<RunRecord> runs;
  int rc;
  while ((rc = use.step()) == SQLITE_ROW) {
    RunRecord r;
    r.id = use.integer_at(0);
    r.job = use.text_at(1);
    r.target = use.text_at(2);
    r.scheduled_for = use.integer_at(3);
    r.started = sqlite3_column_double(stmt->get(), 4);
    r.ended = use.null_at(5) ? 0 : sqlite3_column_double(stmt->get(), 5);
    r.status = parse_status(use.text_at(6));
    r.attempt = sqlite3_column_int(stmt->get(), 7);
    r.error = use.text_at(8);
    r.detail = use.text_at(9);
    runs.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return db_.error("read", rc);
  return runs;
}

Result<std::string> SqliteRunHistory::latest_target(const std::string& job, RunStatus status) {
  std::lock_guard lock(mutex_);
  auto stmt = db_.prepare("SELECT max(target) FROM runs WHERE job = ? AND status = ?", "read");
  if (!stmt.ok()) return stmt.error();
  SqliteUse use(stmt->get());
  use.text(job).text(run_status_name(status));
  const int rc = use.step();
  if (rc != SQLITE_ROW) return db_.error("read", rc);
  return use.text_at(0);
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
  auto db = SqliteDb::open({path, "run history", "run history", /*writable_hint_by_default=*/true},
                           SQLITE_OPEN_FULLMUTEX);
  if (!db.ok()) return db.error();
  // Runs tables left by an older vigil's interrupted create are ours.
  VIGIL_TRY(db->ensure_schema(kCreateSchema, kSchemaVersion, {}, {"runs", "runs_job"}));
  return std::unique_ptr<RunHistory>(std::make_unique<SqliteRunHistory>(std::move(*db)));
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
