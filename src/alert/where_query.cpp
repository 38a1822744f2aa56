#include "alert/where_query.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "alert/breakdown.h"
#include "metrics/breakdown.h"

namespace vigil {
namespace {

bool explained(const AlertRecord& record) {
  return record.evaluation.key.slice.empty() && !record.silenced &&
         is_alerting(record.action);
}

}  // namespace

std::vector<std::string> metrics_to_explain(const std::vector<AlertRecord>& pending,
                                            const std::vector<AlertRecord>& records) {
  std::vector<std::string> out;
  for (const auto* list : {&pending, &records}) {
    for (const auto& record : *list) {
      const std::string& metric = record.evaluation.key.metric;
      if (explained(record) && std::find(out.begin(), out.end(), metric) == out.end()) {
        out.push_back(metric);
      }
    }
  }
  return out;
}

std::optional<WhereSource> query_where_source(ClickHouse& clickhouse, const Config& config,
                                              const std::vector<std::string>& metrics,
                                              EpochSeconds begin, EpochSeconds end) {
  if (config.alerts.explain_by.empty() || metrics.empty()) return std::nullopt;
  auto watches = breakdown_watches(config.alerts);
  if (!watches.ok()) {
    spdlog::error("alert: messages go without their Where line: {}", watches.error().message);
    return std::nullopt;
  }
  auto series = query_breakdown(clickhouse, config, config.alerts.explain_by, metrics, begin, end);
  if (!series.ok()) {
    spdlog::error("alert: messages go without their Where line: {}", series.error().message);
    return std::nullopt;
  }
  return WhereSource{std::move(*series), std::move(*watches)};
}

std::string where_line(const WhereSource* source, const AlertRecord& record) {
  if (source == nullptr || !explained(record)) return "";
  const int index = source->series.index_of(record.evaluation.bucket);
  return breakdown_of(source->series, source->watches, record.evaluation.key.metric, index).where;
}

}  // namespace vigil
