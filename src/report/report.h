// The daily report end to end: metrics for the day and the 7 before it (two
// queries), the HTML text, the two charts, then either Telegram or files.
// A chart that fails to render is logged and left out; the text always goes.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/files.h"
#include "base/result.h"
#include "base/time.h"
#include "chart/chart.h"
#include "clickhouse/client.h"
#include "config/config.h"
#include "report/sent_log.h"
#include "telegram/telegram.h"

namespace vigil {

struct ReportArtifacts {
  Days day;
  std::string html;                   // the message text (Telegram HTML)
  std::optional<Photo> feed_chart;    // feed.png, absent if rendering failed
  std::optional<Photo> messenger_chart;
  std::vector<std::string> chart_errors;
};

Result<ReportArtifacts> build_report(ClickHouse& clickhouse, const Config& config,
                                     const date::time_zone* zone, Days day,
                                     const chart::Renderer& render,
                                     const std::string& late_note = "");

// Writes report.html, feed.png and messenger.png (those that exist) into `dir`
// as one set (base/files.h write_file_set): all or, on a failed write, none; a
// chart that was not rendered removes the old one. Returns the paths written.
Result<std::vector<std::string>> write_report(const ReportArtifacts& report, const std::string& dir,
                                              const FileWriter& writer = write_plain_file);

// One Telegram call of a report and the parts it delivers (report/sent_log.h).
struct ReportSend {
  enum class Kind { kMessage, kPhoto, kAlbum };
  Kind kind = Kind::kMessage;
  std::string text;                // the message, or the caption ("" = none)
  std::vector<Photo> photos;       // kPhoto: one; kAlbum: 2
  std::vector<std::string> parts;  // recorded once Telegram accepted the call
};

// The calls that deliver what `sent` lacks, in order (pure). Nothing sent yet:
// the charts as an album with the text as the first caption when it fits (1024
// UTF-16 units), else the text as message(s) followed by the album. A text
// already out is not repeated: the missing charts go without a caption.
std::vector<ReportSend> plan_report_sends(const ReportArtifacts& report,
                                          const std::set<std::string>& sent);

struct ReportSendResult {
  std::vector<std::string> sent_before;  // parts delivered by earlier runs
  std::vector<std::string> sent_now;     // parts this call delivered
};

// Sends what `log` (if given) says `chat` has not received yet, recording each
// part as Telegram accepts it; stops at the first failure. Without a log:
// everything. A log from ReportSentLog::open_for_day holds the day's lock, so
// a concurrent run of the same day sends nothing twice.
Result<ReportSendResult> send_report(Telegram& telegram, const ReportArtifacts& report,
                                     ReportSentLog* log = nullptr, const std::string& chat = "");

}  // namespace vigil
