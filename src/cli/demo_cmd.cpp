// `vigil demo`: the whole job on one machine. Starts the managed ClickHouse
// (unless one already answers at [clickhouse] url), simulates 14 days ending
// yesterday, runs the ETL for each and shows the last day's slices.
#include <iostream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/files.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "etl/etl.h"
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
  for (const auto& r : *rows) {
    std::cout << fmt::format("{:<10} {:<10} {:>10} {:>9} {:>9} {:>9} {:>10} {:>10}\n", r.at(0),
                             r.at(1), r.at(2), r.at(3), r.at(4), r.at(5), r.at(6), r.at(7));
  }
  return {};
}

}  // namespace

int run_demo(const GlobalOptions& global) {
  auto ctx = make_context(global);
  if (!ctx.ok()) return fail(ctx.error());
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

  const auto& c = ctx->config;
  std::cout << fmt::format(
      "\nwhere things are:\n"
      "  ClickHouse      {} (managed data in {}/clickhouse; stop with `vigil clickhouse stop`)\n"
      "  events          {}.{}, {}.{} ({} feed events, {} messages)\n"
      "  slice table     {}.{} ({} days)\n"
      "  anomaly labels  {} and {}.{}\n",
      ctx->clickhouse->describe(), c.state_dir, c.source.database, c.source.feed_table,
      c.source.database, c.source.message_table, simulated->feed_events, simulated->messages,
      c.clickhouse.database, c.etl.target_table, loaded->size(), labels_path, c.source.database,
      kLabelsTable);
  return 0;
}

}  // namespace vigil
