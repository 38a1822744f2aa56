// `vigil simulate`: realistic app events (+ anomaly labels) into the source tables.
#include <iostream>

#include <fmt/format.h>

#include "base/files.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "sim/simulator.h"

namespace vigil {
namespace {

Result<SimParams> params_from(const SimulateOptions& options, const date::time_zone* zone) {
  if (options.days < 1 || options.days > 3660) {
    return Error::usage(fmt::format("--days {}: expected 1..3660", options.days));
  }
  if (options.users < 2 || options.feed_per_day < 0 || options.messages_per_day < 0) {
    return Error::usage("--users must be >= 2, --feed-per-day and --messages-per-day >= 0");
  }
  SimParams params;
  if (options.from.empty()) {
    params.from = yesterday(zone) - date::days{options.days - 1};
  } else {
    auto from = parse_date(options.from);
    if (!from.ok()) return from.error();
    params.from = *from;
  }
  params.days = options.days;
  params.users = options.users;
  params.feed_per_day = options.feed_per_day;
  params.messages_per_day = options.messages_per_day;
  params.seed = options.seed;
  return params;
}

Result<std::vector<Anomaly>> anomalies_from(const std::string& spec, const SimParams& params,
                                            const Config& config, const date::time_zone* zone) {
  if (spec == "default") return default_anomalies(params, zone);
  if (spec == "none") return std::vector<Anomaly>{};
  auto text = read_file(spec);
  if (!text.ok()) {
    return Error::usage(text.error().message + " (--anomalies takes default, none or a CSV file)");
  }
  return parse_anomalies_csv(*text, spec, zone, age_bucket_labels(config.etl.age_buckets));
}

}  // namespace

int run_simulate(const GlobalOptions& global, const SimulateOptions& options) {
  auto ctx = make_context(global);
  if (!ctx.ok()) return fail(ctx.error());
  auto params = params_from(options, ctx->zone);
  if (!params.ok()) return fail(params.error());
  auto anomalies = anomalies_from(options.anomalies, *params, ctx->config, ctx->zone);
  if (!anomalies.ok()) return fail(anomalies.error());
  // The labels go to out_dir: refuse before inserting events that would lack them.
  if (auto writable = check_writable_dir(ctx->config.out_dir); !writable.ok()) {
    return fail(writable.error());
  }
  auto report = simulate(*ctx->clickhouse, ctx->config, ctx->zone, *params, *anomalies);
  if (!report.ok()) return fail(report.error());
  const std::string labels_path = ctx->config.out_dir + "/anomalies.csv";
  auto written = write_file(labels_path, anomalies_csv(report->anomalies, ctx->zone));
  if (!written.ok()) return fail(written.error());
  std::cout << fmt::format(
      "simulated {} days from {}: {} feed events, {} messages into {}.{{{}, {}}} in {:.1f} s; "
      "{} anomaly labels in {} and {}.{}\n",
      params->days, format_date(params->from), report->feed_events, report->messages,
      ctx->config.source.database, ctx->config.source.feed_table,
      ctx->config.source.message_table, report->seconds, report->anomalies.size(), labels_path,
      ctx->config.source.database, kLabelsTable);
  return 0;
}

}  // namespace vigil
