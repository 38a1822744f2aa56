#include "report/sent_log.h"

#include <filesystem>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace vigil {
namespace {

constexpr int kSchemaVersion = 1;

// Constant SQL only: every value goes through a bound parameter.
constexpr const char* kCreateSchema = R"sql(
CREATE TABLE IF NOT EXISTS report_parts(
  report_date TEXT NOT NULL,
  chat TEXT NOT NULL,
  part TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  PRIMARY KEY(report_date, chat, part));
)sql";

}  // namespace

Result<ReportSentLog> ReportSentLog::open(const std::string& path) {
  auto db = SqliteDb::open({path, "report delivery log", "report delivery log",
                            /*writable_hint_by_default=*/true});
  if (!db) return db.error();
  VIGIL_TRY(db->ensure_schema(kCreateSchema, kSchemaVersion));
  return ReportSentLog(std::move(*db));
}

Result<ReportSentLog> ReportSentLog::open_for_day(const std::string& log_path, Days day,
                                                  std::chrono::milliseconds lock_wait) {
  const std::string date = format_date(day);
  const auto dir = std::filesystem::path(log_path).parent_path() / "locks";
  const std::string path = (dir / fmt::format("report-{}.lock", date)).string();
  auto lock = FileLock::lock_within(
      path, lock_wait,
      [&](const std::string& holder) {
        spdlog::info("report {}: another report run (pid {}) is sending it; waiting for it",
                     date, holder);
      },
      /*remove_when_released=*/true);
  if (!lock.ok()) return lock.error();
  if (!lock->acquired()) {
    return Error::failure(fmt::format(
        "another report run (pid {}) has held {} for {:g} s: it is still sending the report for "
        "{}; let it finish (or stop it), then run this one again",
        lock->holder(), path, std::chrono::duration<double>(lock_wait).count(), date));
  }
  auto log = open(log_path);
  if (!log.ok()) return log.error();
  log->day_lock_ = std::move(*lock);
  return log;
}

Result<std::set<std::string>> ReportSentLog::parts(Days day, const std::string& chat) const {
  auto stmt =
      db_.prepare("SELECT part FROM report_parts WHERE report_date = ? AND chat = ?", "read");
  if (!stmt) return stmt.error();
  SqliteUse use(stmt->get());
  use.text(format_date(day)).text(chat);
  std::set<std::string> parts;
  int rc;
  while ((rc = use.step()) == SQLITE_ROW) parts.insert(use.text_at(0));
  if (rc != SQLITE_DONE) return db_.error("read", rc);
  return parts;
}

Status ReportSentLog::record(Days day, const std::string& chat,
                             const std::vector<std::string>& parts) {
  auto stmt = db_.prepare(
      "INSERT OR REPLACE INTO report_parts(report_date, chat, part, sent_at) "
      "VALUES(?, ?, ?, CAST(strftime('%s', 'now') AS INTEGER))",
      "save");
  if (!stmt) return stmt.error();
  VIGIL_TRY(db_.exec("BEGIN IMMEDIATE", "save"));
  SqliteTransaction transaction(db_);
  for (const auto& part : parts) {
    SqliteUse use(stmt->get());
    use.text(format_date(day)).text(chat).text(part);
    VIGIL_TRY(db_.step_done(stmt->get(), "save"));
  }
  return transaction.commit("save");
}

Status ReportSentLog::forget(Days day, const std::string& chat) {
  auto stmt = db_.prepare("DELETE FROM report_parts WHERE report_date = ? AND chat = ?", "save");
  if (!stmt) return stmt.error();
  SqliteUse use(stmt->get());
  use.text(format_date(day)).text(chat);
  return db_.step_done(stmt->get(), "save");
}

}  // namespace vigil
