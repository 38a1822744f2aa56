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
// must not both read "nothing sent" and both send: a log opened for a day
// (open_for_day) holds that day's lock (locks/report-D.lock beside the log,
// base/file_lock) for its lifetime, from before the file is opened (two first
// runs must not create it at once) until the last part is recorded; the second
// run waits, then finds the parts sent.
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
  static Result<ReportSentLog> open(const std::string& path);
  // Takes `day`'s lock, waiting up to `lock_wait` for a run that holds it
  // (logged once), then opens the log. Failure: as open, or the lock file
  // cannot be opened, or the other run (named by pid) still holds it.
  static Result<ReportSentLog> open_for_day(const std::string& path, Days day,
                                            std::chrono::milliseconds lock_wait = kReportLockWait);

  // The parts of `day`'s report already delivered to `chat`.
  Result<std::set<std::string>> parts(Days day, const std::string& chat) const;
  Status record(Days day, const std::string& chat, const std::vector<std::string>& parts);
  // Forgets what went out for `day` in `chat`, so the next send is complete.
  Status forget(Days day, const std::string& chat);

 private:
  explicit ReportSentLog(SqliteDb db) : db_(std::move(db)) {}
  SqliteDb db_;
  FileLock day_lock_;  // open_for_day: held while the log lives
};

}  // namespace vigil
