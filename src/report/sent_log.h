// Which parts of each day's report reached which chat (state_dir/reports.sqlite),
// so a retry after a partial failure (the text went out, the album did not)
// sends only what is missing, and a re-run of a delivered report sends nothing
// unless asked to (`vigil report --resend` forgets the day first).
//
// Parts: "text" (the whole text, as messages or as a caption), "text i/n"
// (one message of a text split in n), and each chart by file name ("feed.png").
// A part is recorded right after Telegram accepted it; if vigil dies between
// the two, the retry sends that part again (the one unavoidable duplicate).
//
// Two runs for one day (serve's report job and a person, an Airflow retry)
// must not both read "nothing sent" and both send: a run holds lock_day(day)
// (state_dir/locks/report-D.lock, base/file_lock) from reading the log until
// its last part is recorded; the second waits, then finds the parts sent.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "base/file_lock.h"
#include "base/result.h"
#include "base/sqlite.h"
#include "base/time.h"

namespace vigil {

// How long a report run waits for another run of the same day to finish sending.
inline constexpr std::chrono::seconds kReportLockWait{300};

class ReportSentLog {
 public:
  // Opens (creating) the log; errors name the file and say what to do.
  // lock_day waits up to `lock_wait` for another run.
  static Result<ReportSentLog> open(const std::string& path,
                                    std::chrono::milliseconds lock_wait = kReportLockWait);

  // Takes the lock of `day`'s sends (locks/report-D.lock beside the log), waiting
  // for a run that holds it (logged once). Failure: the lock file cannot be
  // opened, or the other run (named by pid) still holds it after the wait.
  Result<FileLock> lock_day(Days day) const;

  // The parts of `day`'s report already delivered to `chat`.
  Result<std::set<std::string>> parts(Days day, const std::string& chat) const;
  Status record(Days day, const std::string& chat, const std::vector<std::string>& parts);
  // Forgets what went out for `day` in `chat`, so the next send is complete.
  Status forget(Days day, const std::string& chat);

 private:
  ReportSentLog(SqliteDb db, std::string path, std::chrono::milliseconds lock_wait)
      : db_(std::move(db)), path_(std::move(path)), lock_wait_(lock_wait) {}
  SqliteDb db_;
  std::string path_;
  std::chrono::milliseconds lock_wait_;
};

}  // namespace vigil
