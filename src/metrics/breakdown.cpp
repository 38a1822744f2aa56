#include "metrics/breakdown.h"

#include <algorithm>

#include "metrics/bucket_table.h"

namespace vigil {

std::vector<const MetricDef*> breakdown_counts(const std::vector<std::string>& metrics) {
  std::vector<std::string> names;
  for (const auto& metric : metrics) {
    const MetricDef* row = find_metric(metric);
    if (row == nullptr) continue;
    if (row->kind == MetricKind::kRatio) {
      names.push_back(row->numerator);
      names.push_back(row->denominator);
    } else {
      names.push_back(row->name);
    }
  }
  std::vector<const MetricDef*> out;
  for (const auto& row : metric_catalog()) {
    if (row.kind == MetricKind::kCount &&
        std::find(names.begin(), names.end(), row.name) != names.end()) {
      out.push_back(&row);
    }
  }
  return out;
}

SeriesRequest breakdown_request(const std::vector<std::string>& dimensions,
                                const std::vector<std::string>& metrics) {
  return {false, dimensions, breakdown_counts(metrics)};
}

Result<BucketSeries> query_breakdown(ClickHouse& clickhouse, const Config& config,
                                     const std::vector<std::string>& dimensions,
                                     const std::vector<std::string>& metrics, EpochSeconds begin,
                                     EpochSeconds end) {
  SeriesRequest request = breakdown_request(dimensions, metrics);
  if (dimensions.empty()) request.counts.clear();  // all users only: not a breakdown
  return query_series_cached(clickhouse, config, request, begin, end);
}

}  // namespace vigil
