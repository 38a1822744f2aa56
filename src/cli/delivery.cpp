#include "cli/delivery.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

namespace vigil {

Result<AlertDelivery> make_alert_delivery(const Config& config, const date::time_zone* zone,
                                          bool dry_run, const std::string& dir) {
  AlertDelivery delivery;
  delivery.dir = dir;
  const auto& tg = config.telegram;
  if (dry_run || tg.token.empty()) {
    if (!dry_run) {
      spdlog::warn("VIGIL_TELEGRAM_TOKEN is not set: alerts are written to {} instead", dir);
    }
    delivery.sink = make_directory_alert_sink(dir, zone);
    return delivery;
  }
  VIGIL_TRY(check_telegram_config(tg));
  delivery.telegram = make_bot_api_telegram(tg, real_sleeper());
  delivery.sink = make_telegram_alert_sink(*delivery.telegram);
  delivery.to_telegram = true;
  return delivery;
}

std::string report_log_path(const Config& config) { return config.state_dir + "/reports.sqlite"; }

namespace {

// Parts as people read them: the messages of a text are not listed beside "text".
std::string shown_parts(const std::vector<std::string>& parts) {
  const bool whole_text = std::find(parts.begin(), parts.end(), "text") != parts.end();
  std::vector<std::string> shown;
  for (const auto& part : parts) {
    if (!(whole_text && part.rfind("text ", 0) == 0)) shown.push_back(part);
  }
  return fmt::format("{}", fmt::join(shown, ", "));
}

// One line for what a (possibly resumed) send did.
std::string report_sent_line(const ReportArtifacts& report, const TelegramConfig& telegram,
                             const ReportSendResult& sent) {
  const std::string day = format_date(report.day);
  if (sent.sent_now.empty()) {
    return fmt::format("report for {} was already sent to Telegram chat {}: nothing sent "
                       "(`vigil report --date {} --resend` sends it again)",
                       day, telegram.chat_id, day);
  }
  const std::string failed_charts =
      report.chart_errors.empty() ? "" : " (without the failed charts)";
  if (sent.sent_before.empty()) {
    return fmt::format("report for {} sent to Telegram chat {}{}", day, telegram.chat_id,
                       failed_charts);
  }
  return fmt::format("report for {}: the missing part ({}) sent to Telegram chat {}{}; {} had "
                     "gone out before",
                     day, shown_parts(sent.sent_now), telegram.chat_id, failed_charts,
                     shown_parts(sent.sent_before));
}

}  // namespace

Result<std::string> deliver_report(const ReportArtifacts& report, const Config& config,
                                   const ReportDelivery& delivery) {
  const TelegramConfig& telegram = config.telegram;
  if (!delivery.dry_run && telegram.token.empty()) {
    spdlog::warn("VIGIL_TELEGRAM_TOKEN is not set: writing the report to {} instead of sending it",
                 delivery.dir);
  }
  if (delivery.dry_run || telegram.token.empty()) {
    auto written = write_report(report, delivery.dir);
    if (!written.ok()) return written.error();
    return fmt::format("report for {} written (not sent): {}", format_date(report.day),
                       fmt::join(*written, ", "));
  }
  // Held until the report is sent and recorded: one run of a day at a time.
  auto log = ReportSentLog::open_for_day(report_log_path(config), report.day);
  if (!log.ok()) return log.error();
  if (delivery.resend) VIGIL_TRY(log->forget(report.day, telegram.chat_id));
  auto client = make_bot_api_telegram(telegram, real_sleeper());
  auto sent = send_report(*client, report, &*log, telegram.chat_id);
  if (!sent.ok()) return sent.error();
  return report_sent_line(report, telegram, *sent);
}

}  // namespace vigil
