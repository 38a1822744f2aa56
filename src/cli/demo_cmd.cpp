// `vigil demo`: the whole job on one machine. Starts the managed ClickHouse
// (unless one already answers at [clickhouse] url), simulates 14 days ending
// yesterday, runs the ETL for each and shows the last day's slices.
#include <iostream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/files.h"
#include "base/parse.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "cli/delivery.h"
#include "cli/demo.h"
#include "chart/format.h"
#include "etl/etl.h"
#include "report/report.h"
#include "sim/simulator.h"

namespace vigil {
namespace {

constexpr int kDemoDays = 14;

Status ensure_clickhouse(AppContext& ctx) {
  if (ctx.clickhouse->query_value("SELECT 1").ok()) {
    spdlog::info("demo: using the ClickHouse already answering at {}", ctx.clickhouse->describe());
    return {};
  }
  auto options = managed_server_options(ctx.config);
  if (!options.ok()) return options.error();
  spdlog::info("demo: starting the managed ClickHouse in {}", options->dir);
  auto status = start_managed_server(*options);
  if (!status.ok()) return status.error();
  return {};
}

Status print_slices(AppContext& ctx, Days day) {
  auto rows = ctx.clickhouse->query_rows(fmt::format(
      "SELECT dimension, dimension_value, views, likes, messages_sent, messages_received, "
      "users_sent, users_received FROM {} WHERE event_date = '{}' "
      "ORDER BY dimension, dimension_value",
      sql_table(ctx.config.clickhouse.database, ctx.config.etl.target_table), format_date(day)));
  if (!rows.ok()) return rows.error();
  std::cout << fmt::format("\nslices for {}:\n", format_date(day));
  std::cout << fmt::format("{:<10} {:<10} {:>10} {:>9} {:>9} {:>9} {:>10} {:>10}\n", "dimension",
                           "value", "views", "likes", "msg_sent", "msg_recv", "users_sent",
                           "users_recv");
  const std::string source = fmt::format("slices from {}.{}", ctx.config.clickhouse.database,
                                         ctx.config.etl.target_table);
  for (const auto& r : *rows) {
    CellReader cells(r, source);
    auto n = [&](size_t i, const char* name) {
      return chart::format_number(cells.number(i, name));
    };
    const std::string line = fmt::format(
        "{:<10} {:<10} {:>10} {:>9} {:>9} {:>9} {:>10} {:>10}\n", cells.text(0, "dimension"),
        cells.text(1, "dimension_value"), n(2, "views"), n(3, "likes"), n(4, "messages_sent"),
        n(5, "messages_received"), n(6, "users_sent"), n(7, "users_received"));
    if (cells.error()) return *cells.error();
    std::cout << line;
  }
  return {};
}

// The injected anomalies (the labels), each with the slice it targets.
void print_anomalies(const std::vector<Anomaly>& anomalies, const date::time_zone* zone) {
  std::cout << "\nanomalies injected:\n";
  for (const auto& a : anomalies) {
    std::cout << fmt::format("  {:<16} {} – {}  x{:<5} {}\n", a.metric,
                             format_local_time(a.start, zone).substr(0, 16),
                             format_local_time(a.end, zone).substr(11, 5), a.factor,
                             a.slice.empty() ? "everyone" : a.slice);
  }
}

std::string dashboard_hint(const Config& config, Days day) {
  const std::string base = dashboard_base_url(config.serve);
  if (base.empty()) return "set [serve] listen to see it";
  return fmt::format("`vigil serve --dashboard-only` (or `make dashboard`), then open "
                     "{}/overview?date={}",
                     base, format_date(day));
}

}  // namespace

int run_demo(const GlobalOptions& global) {
  auto ctx = make_context(global);
  if (!ctx.ok()) return fail(ctx.error());
  // Labels and the report go to out_dir: refuse before starting or inserting anything.
  if (auto writable = check_writable_dir(ctx->config.out_dir); !writable.ok()) {
    return fail(writable.error());
  }
  if (auto up = ensure_clickhouse(*ctx); !up.ok()) return fail(up.error());

  SimParams params;
  params.from = yesterday(ctx->zone) - date::days{kDemoDays - 1};
  params.days = kDemoDays;
  const auto anomalies = default_anomalies(params, ctx->zone);
  auto simulated = simulate(*ctx->clickhouse, ctx->config, ctx->zone, params, anomalies);
  if (!simulated.ok()) return fail(simulated.error());
  const std::string labels_path = ctx->config.out_dir + "/anomalies.csv";
  if (auto w = write_file(labels_path, anomalies_csv(simulated->anomalies, ctx->zone)); !w.ok()) {
    return fail(w.error());
  }

  Etl etl(*ctx->clickhouse, ctx->config, ctx->zone);
  const Days last = params.from + date::days{kDemoDays - 1};
  auto loaded = etl.run_range(params.from, last, EtlStep::kAll);
  if (!loaded.ok()) return fail(loaded.error());
  if (auto shown = print_slices(*ctx, last); !shown.ok()) return fail(shown.error());
  print_anomalies(simulated->anomalies, ctx->zone);
  // The report for the last day: to Telegram when a token is set, else to files.
  auto built = build_report(*ctx->clickhouse, ctx->config, ctx->zone, last, chart::default_renderer());
  if (!built.ok()) return fail(built.error());
  auto report = deliver_report(*built, ctx->config, {false, ctx->config.out_dir});
  if (!report.ok()) return fail(report.error());
  auto alerts = demo_alerts(*ctx, last);
  if (!alerts.ok()) return fail(alerts.error());

  const auto& c = ctx->config;
  std::cout << fmt::format(
      "\nwhere things are:\n"
      "  ClickHouse      {} (managed data in {}/clickhouse; stop with `vigil clickhouse stop`)\n"
      "  events          {}.{}, {}.{} ({} feed events, {} messages)\n"
      "  slice table     {}.{} ({} days)\n"
      "  anomaly labels  {} and {}.{}\n"
      "  daily report    {}\n"
      "  alerts          {}\n"
      "  backtest        vigil backtest --from {} --to {} --labels {}\n"
      "  dashboard       {}\n",
      ctx->clickhouse->describe(), c.state_dir, c.source.database, c.source.feed_table,
      c.source.database, c.source.message_table, simulated->feed_events, simulated->messages,
      c.clickhouse.database, c.etl.target_table, loaded->size(), labels_path, c.source.database,
      kLabelsTable, *report, *alerts, format_date(params.from), format_date(last), labels_path,
      dashboard_hint(c, last));
  return 0;
}

}  // namespace vigil
