// `vigil report`: yesterday's KPIs with 7-day charts, to Telegram or to files.
#include <iostream>

#include "base/files.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "cli/delivery.h"
#include "report/report.h"

namespace vigil {

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
  // Settings and output problems show before any query runs.
  if (!options.dry_run && !telegram_config.token.empty()) {
    if (auto checked = check_telegram_config(telegram_config); !checked.ok()) {
      return fail(checked.error());
    }
  } else if (auto writable = check_writable_dir(out_dir); !writable.ok()) {
    return fail(writable.error());
  }
  auto report = build_report(*ctx->clickhouse, ctx->config, ctx->zone, day,
                             chart::default_renderer());
  if (!report.ok()) return fail(report.error());
  // A failed chart is logged but is not a failed run; re-running the day sends just that chart.
  auto where = deliver_report(*report, ctx->config, {options.dry_run, out_dir, options.resend});
  if (!where.ok()) return fail(where.error());
  std::cout << *where << "\n";
  return 0;
}

}  // namespace vigil
