#include "support/alert_data.h"

#include <filesystem>

#include <fmt/format.h>

#include "alert/run.h"
#include "alert/store.h"
#include "base/files.h"
#include "metrics/series.h"
#include "sim/simulator.h"
#include "support/clickhouse_fixture.h"

namespace vigil {

Config views_only_config(const std::string& source_db) {
  Config config;
  config.clickhouse = test_server().config("default");
  config.source.database = source_db;
  for (const auto& metric : alert_metric_names()) {
    if (metric != "views") config.alerts.metrics[metric].enabled = false;
  }
  return config;
}

SimParams alert_data_params(Days from) {
  SimParams params;
  params.from = from;
  params.days = 9;
  params.users = 5000;
  params.feed_per_day = 400000;
  params.messages_per_day = 20000;
  return params;
}

Status simulate_views_dip(const Config& config, std::int64_t feed_per_day) {
  auto zone = find_zone(config.timezone);
  if (!zone.ok()) return zone.error();
  auto client = make_http_clickhouse(config.clickhouse);
  SimParams params = alert_data_params();
  params.feed_per_day = feed_per_day;
  const EpochSeconds start = *parse_local_time("2026-03-09 20:00", *zone);
  auto simulated =
      simulate(*client, config, *zone, params, {{"views", start, start + 1800, 0.3, ""}});
  if (!simulated.ok()) return simulated.error();
  return {};
}

std::string time_window_sql(EpochSeconds start, int seconds) {
  return fmt::format("time >= toDateTime({}) AND time < toDateTime({})", start, start + seconds);
}

Status copy_source(ClickHouse& clickhouse, const Config& config, const std::string& from,
                   const std::string& to, const std::string& keep_feed,
                   const std::string& repeat_feed, int extra_copies) {
  const std::string feed_from = sql_table(from, config.source.feed_table);
  const std::string feed_to = sql_table(to, config.source.feed_table);
  const std::string messages_from = sql_table(from, config.source.message_table);
  const std::string messages_to = sql_table(to, config.source.message_table);
  std::string feed = fmt::format("SELECT * FROM {} WHERE {}", feed_from, keep_feed);
  for (int i = 0; i < extra_copies; ++i) {
    feed += fmt::format(" UNION ALL SELECT * FROM {} WHERE {}", feed_from, repeat_feed);
  }
  const std::vector<std::string> statements = {
      "DROP DATABASE IF EXISTS " + to, "CREATE DATABASE " + to,
      fmt::format("CREATE VIEW {} AS {}", feed_to, feed),
      fmt::format("CREATE VIEW {} AS SELECT * FROM {}", messages_to, messages_from)};
  for (const auto& sql : statements) {
    if (auto done = clickhouse.execute(sql); !done.ok()) {
      return Error::failure(sql + ": " + done.error().message);
    }
  }
  return {};
}

std::string dry_run_message(const Config& config, const date::time_zone* zone,
                            const std::string& dir, const char* local, const std::string& file,
                            ClickHouse* via) {
  auto store = open_sqlite_alert_store(dir + "/alerts.sqlite");
  if (!store.ok()) return "store: " + store.error().message;
  const std::string out = dir + "/out";
  auto sink = make_directory_alert_sink(out, zone);
  auto client = make_http_clickhouse(config.clickhouse);
  const EpochSeconds at = *parse_local_time(local, zone);
  auto run = run_alerts(via != nullptr ? *via : *client, config, zone, **store, *sink, chart::default_renderer(),
                        {at, true}, [at] { return at + 7; });
  if (!run.ok()) return "run: " + run.error().message;
  auto html = read_file(out + "/" + file);
  if (html.ok()) return *html;
  std::string files;
  if (std::filesystem::exists(out)) {
    for (const auto& entry : std::filesystem::directory_iterator(out)) {
      files += " " + entry.path().filename().string();
    }
  }
  return fmt::format("no file {} ({}; files:{})", file, alert_run_summary(*run), files);
}

}  // namespace vigil
