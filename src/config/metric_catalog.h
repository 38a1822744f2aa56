// The metric catalogue: one row per metric vigil computes from the source tables,
// with everything the code needs to know about it: its name (vigil.toml, URLs,
// labels), its title and number format (alerts, report, dashboard, charts), its
// source table, how it is computed (a count's SQL aggregate, or a ratio of two
// counts), whether it is watched by the alerts and shown in the daily report, and
// the detector parameters it gets unless configured. metrics/ builds the daily and
// the per-bucket queries from these rows, so adding a metric is one row here (and a
// DailyMetrics member if the report shows a new count, see metrics/daily.h).
//
// Here, in config/, rather than in metrics/: vigil.toml names metrics
// ([alerts.metrics.<name>]) and config, which checks those names, sits below
// metrics. The rows are plain data (no query is run here).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/value_format.h"

namespace vigil {

// The source table a metric is computed from (SourceConfig's feed_table or
// message_table); named "feed" and "messages" in query results.
enum class MetricSource { kFeed, kMessages };

enum class MetricKind {
  kCount,  // an aggregate over the source table's rows of one window
  kRatio,  // numerator / denominator of the same window; no value when the denominator is 0
};

// A detector parameter a metric gets under `method` unless vigil.toml sets it.
struct DefaultParam {
  std::string method, name, value;
};

struct MetricDef {
  std::string name;          // "ctr"
  std::string title;         // "CTR": alerts, dashboard, alert charts
  std::string report_label;  // its line in the report's section of its source
  std::string chart_label;   // its panel in the report's chart of its source
  ValueFormat format = ValueFormat::kInteger;
  MetricSource source = MetricSource::kFeed;
  MetricKind kind = MetricKind::kCount;
  // kCount: the SQL aggregate over the source table's rows of the window, the same
  // for a business day (the report) and a bucket (alerts), e.g. countIf(action = 'view').
  std::string sql;
  // kRatio: the names of two kCount rows of the same source.
  std::string numerator, denominator;
  bool alerted = false;   // computed per bucket and watched (alert_metric_names)
  bool reported = false;  // in the daily report and the dashboard's overview
  std::vector<DefaultParam> defaults;
};

// Every row: the alerted ones in message order, then the report-only ones.
const std::vector<MetricDef>& metric_catalog();

// The row named `name`, or nullptr.
const MetricDef* find_metric(std::string_view name);

// The metrics vigil watches, in message order (rows with `alerted`).
const std::vector<std::string>& alert_metric_names();

// The report's metrics in report order (rows with `reported`).
const std::vector<std::string>& daily_metric_names();

// "feed" or "messages".
const char* source_name(MetricSource source);

// "Feed" or "Messenger": the report's section and chart of the table's metrics.
const char* source_title(MetricSource source);

// The row's title ("Feed active users", "CTR"), or the name itself if unknown.
std::string metric_title(const std::string& metric);

// The row's format (CTR a percent, sent_received_ratio a ratio, counts integers);
// kInteger if unknown.
ValueFormat metric_format(const std::string& metric);

// The detector parameters `metric` gets under `method` unless configured (CTR, a
// ratio, gets no count noise or minimum volume under seasonal).
std::map<std::string, std::string> default_detector_params(const std::string& metric,
                                                           const std::string& method);

}  // namespace vigil
