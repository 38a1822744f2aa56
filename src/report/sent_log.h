// Which parts of each day's report reached which chat (state_dir/reports.sqlite),
// so a retry after a partial failure (the text went out, the album did not)
// sends only what is missing, and a re-run of a delivered report sends nothing
// unless asked to (`vigil report --resend` forgets the day first).
//
// Parts: "text" (the whole text, as messages or as a caption), "text i/n"
// (one message of a text split in n), and each chart by file name ("feed.png").
// A part is recorded right after Telegram accepted it; if vigil dies between
// the two, the retry sends that part again (the one unavoidable duplicate).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/sqlite.h"
#include "base/time.h"

namespace vigil {

class ReportSentLog {
 public:
  // Opens (creating) the log; errors name the file and say what to do.
  static Result<ReportSentLog> open(const std::string& path);

  // The parts of `day`'s report already delivered to `chat`.
  Result<std::set<std::string>> parts(Days day, const std::string& chat) const;
  Status record(Days day, const std::string& chat, const std::vector<std::string>& parts);
  // Forgets what went out for `day` in `chat`, so the next send is complete.
  Status forget(Days day, const std::string& chat);

 private:
  explicit ReportSentLog(SqliteDb db) : db_(std::move(db)) {}
  SqliteDb db_;
};

}  // namespace vigil
