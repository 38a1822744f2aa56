// Where reports and alerts go: Telegram when VIGIL_TELEGRAM_TOKEN is set, files
// otherwise (or with --dry-run). One place for that choice, shared by
// `vigil report`, `vigil alert` and the jobs of `vigil serve`.
#pragma once

#include <memory>
#include <string>

#include "alert/run.h"
#include "base/result.h"
#include "config/config.h"
#include "report/report.h"
#include "telegram/telegram.h"

namespace vigil {

struct AlertDelivery {
  std::unique_ptr<Telegram> telegram;  // null when writing files; outlives `sink`
  std::unique_ptr<AlertSink> sink;
  bool to_telegram = false;
  std::string dir;                     // where files go when not sending
};

// `dry_run` or no token: a directory sink on `dir` (a missing token is logged
// as a warning); else Telegram, with its settings checked first (usage error).
Result<AlertDelivery> make_alert_delivery(const Config& config, const date::time_zone* zone,
                                          bool dry_run, const std::string& dir);

// Where `deliver_report` puts a report.
struct ReportDelivery {
  bool dry_run = false;  // write files even with a token
  std::string dir;       // where files go when not sending
  bool resend = false;   // send all of it even if (part of) it reached the chat before
};

// Sends the report to Telegram (token set and not `dry_run`), only the parts
// the chat has not received yet (state_dir/reports.sqlite, see
// report/sent_log.h); else writes its files into `dir`. Returns one line
// saying where it went.
Result<std::string> deliver_report(const ReportArtifacts& report, const Config& config,
                                   const ReportDelivery& delivery);

// state_dir/reports.sqlite.
std::string report_log_path(const Config& config);

}  // namespace vigil
