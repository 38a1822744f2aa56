// `vigil alert`: check the last complete bucket and send what is due.
#include <chrono>
#include <iostream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "alert/run.h"
#include "alert/store.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "cli/delivery.h"

namespace vigil {
namespace {

Result<EpochSeconds> instant(const std::string& text, const date::time_zone* zone) {
  if (text.empty()) return system_now();
  return parse_local_time(text, zone);
}

}  // namespace

std::string alert_state_path(const Config& config) { return config.state_dir + "/alerts.sqlite"; }

int run_alert(const GlobalOptions& global, const AlertOptions& options) {
  auto ctx = make_context(global);
  if (!ctx.ok()) return fail(ctx.error());
  auto at = instant(options.at, ctx->zone);
  if (!at.ok()) return fail(at.error());
  auto store = open_sqlite_alert_store(alert_state_path(ctx->config));
  if (!store.ok()) return fail(store.error());

  const std::string dir = options.out.empty() ? ctx->config.out_dir + "/alerts" : options.out;
  auto delivery = make_alert_delivery(ctx->config, ctx->zone, options.dry_run, dir);
  if (!delivery.ok()) return fail(delivery.error());
  auto report = run_alerts(*ctx->clickhouse, ctx->config, ctx->zone, **store, *delivery->sink,
                           chart::default_renderer(), {*at, options.dry_run}, system_now);
  if (!report.ok()) return fail(report.error());
  std::cout << fmt::format("alert {}: {}{}\n",
                           format_local_time(report->bucket, ctx->zone).substr(0, 16),
                           alert_run_summary(*report),
                           delivery->to_telegram ? "" : fmt::format(" to {}", dir));
  if (auto status = alert_run_status(*report); !status.ok()) return fail(status.error());
  return 0;
}

}  // namespace vigil
