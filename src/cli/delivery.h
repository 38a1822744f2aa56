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

// Sends the report to Telegram (token set and not `dry_run`), else writes its
// files into `dir`. Returns one line saying where it went.
Result<std::string> deliver_report(const ReportArtifacts& report, const TelegramConfig& telegram,
                                   bool dry_run, const std::string& dir);

}  // namespace vigil
