#include "alert/history_table.h"

#include <cmath>

#include <fmt/format.h>

#include "clickhouse/layout.h"

namespace vigil {
namespace {

std::string number(double value) { return std::isfinite(value) ? fmt::format("{}", value) : "nan"; }

}  // namespace

Status write_history_table(ClickHouse& clickhouse, const Config& config,
                           const std::vector<AlertRecord>& records) {
  if (records.empty()) return {};
  const std::string table = sql_table(config.clickhouse.database, config.alerts.history_table);
  const TableLayout layout(config.clickhouse);
  TableSpec spec;
  spec.database = config.clickhouse.database;
  spec.table = config.alerts.history_table;
  spec.columns =
      "bucket DateTime, metric String, slice String, value Float64, lower Float64, "
      "upper Float64, expected Float64, score Float64, anomaly UInt8, ready UInt8, action String";
  spec.keys = "PARTITION BY toYYYYMM(bucket) ORDER BY (metric, slice, bucket)";
  spec.sharding_key = "cityHash64(metric)";
  VIGIL_TRY(ensure_table(clickhouse, layout, spec));
  std::string values;
  for (const auto& r : records) {
    const auto& e = r.evaluation;
    values += fmt::format("{}(toDateTime({}), {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                          values.empty() ? "" : ", ", e.bucket, sql_quote(e.key.metric),
                          sql_quote(e.key.slice), number(e.value), number(e.lower),
                          number(e.upper), number(e.expected), number(e.score), e.anomaly ? 1 : 0,
                          e.ready ? 1 : 0, sql_quote(alert_action_name(r.action)));
  }
  return clickhouse.execute_with(fmt::format("INSERT INTO {} VALUES {}", table, values),
                                 layout.insert_settings(1));
}

}  // namespace vigil
