#include "cli/delivery.h"

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

Result<std::string> deliver_report(const ReportArtifacts& report, const TelegramConfig& telegram,
                                   bool dry_run, const std::string& dir) {
  if (!dry_run && telegram.token.empty()) {
    spdlog::warn("VIGIL_TELEGRAM_TOKEN is not set: writing the report to {} instead of sending it",
                 dir);
  }
  if (dry_run || telegram.token.empty()) {
    auto written = write_report(report, dir);
    if (!written.ok()) return written.error();
    return fmt::format("report for {} written (not sent): {}", format_date(report.day),
                       fmt::join(*written, ", "));
  }
  auto client = make_bot_api_telegram(telegram, real_sleeper());
  VIGIL_TRY(send_report(*client, report));
  return fmt::format("report for {} sent to Telegram chat {}{}", format_date(report.day),
                     telegram.chat_id,
                     report.chart_errors.empty() ? "" : " (without the failed charts)");
}

}  // namespace vigil
