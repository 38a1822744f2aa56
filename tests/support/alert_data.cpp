#include "support/alert_data.h"

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

Status simulate_views_dip(const Config& config) {
  auto zone = find_zone(config.timezone);
  if (!zone.ok()) return zone.error();
  auto client = make_http_clickhouse(config.clickhouse);
  SimParams params;
  params.from = *parse_date("2026-03-01");
  params.days = 9;
  params.users = 5000;
  params.feed_per_day = 400000;
  params.messages_per_day = 20000;
  const EpochSeconds start = *parse_local_time("2026-03-09 20:00", *zone);
  auto simulated =
      simulate(*client, config, *zone, params, {{"views", start, start + 1800, 0.3, ""}});
  if (!simulated.ok()) return simulated.error();
  return {};
}

}  // namespace vigil
