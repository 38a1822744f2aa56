// `vigil report`: yesterday's KPIs with 7-day charts, to Telegram or to files.
#include <iostream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/cli.h"
#include "cli/context.h"
#include "report/report.h"

namespace vigil {
namespace {

int write_dry_run(const ReportArtifacts& report, const std::string& dir) {
  auto written = write_report(report, dir);
  if (!written.ok()) return fail(written.error());
  std::cout << fmt::format("report for {} written (not sent): {}\n", format_date(report.day),
                           fmt::join(*written, ", "));
  return 0;
}

}  // namespace

int run_report(const GlobalOptions& global, const ReportOptions& options) {
  auto ctx = make_context(global);
  if (!ctx.ok()) return fail(ctx.error());
  Days day = yesterday(ctx->zone);
  if (!options.date.empty()) {
    auto parsed = parse_date(options.date);
    if (!parsed.ok()) return fail(parsed.error());
    day = *parsed;
  }
  const std::string out_dir = options.out.empty() ? ctx->config.out_dir : options.out;
  const auto& telegram_config = ctx->config.telegram;
  const bool can_send = !telegram_config.token.empty();
  if (!options.dry_run && can_send) {
    // Settings problems show before any query runs.
    if (auto checked = check_telegram_config(telegram_config); !checked.ok()) {
      return fail(checked.error());
    }
  }
  auto report = build_report(*ctx->clickhouse, ctx->config, ctx->zone, day,
                             chart::default_renderer());
  if (!report.ok()) return fail(report.error());
  if (options.dry_run) return write_dry_run(*report, out_dir);
  if (!can_send) {
    spdlog::warn("VIGIL_TELEGRAM_TOKEN is not set: writing the report to {} instead of sending it",
                 out_dir);
    return write_dry_run(*report, out_dir);
  }
  auto telegram = make_bot_api_telegram(telegram_config, real_sleeper());
  if (auto sent = send_report(*telegram, *report); !sent.ok()) return fail(sent.error());
  std::cout << fmt::format("report for {} sent to Telegram chat {}{}\n", format_date(day),
                           telegram_config.chat_id,
                           report->chart_errors.empty() ? "" : " (without the failed charts)");
  // A failed chart is logged but is not a failed run: a retry would send the text twice.
  return 0;
}

}  // namespace vigil
