// The Where lines of one alert run: which all-users alerts need one (fire or
// repeat), ONE breakdown query for all of them (metrics/breakdown.h: the
// `[alerts] explain_by` slices of every count they need, over the run's history
// window), and each alert's line from it (alert/breakdown.h). A failing query
// costs the Where lines only, never an alert: one error line is logged and the
// messages go without it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "alert/evaluate.h"
#include "alert/store.h"
#include "clickhouse/client.h"
#include "config/config.h"
#include "metrics/series.h"

namespace vigil {

// The per-slice series and the detectors that judge them.
struct WhereSource {
  BucketSeries series;
  std::vector<MetricWatch> watches;  // breakdown_watches
};

// The metrics of the all-users records that fire or repeat (and are not held by a
// silence: never sent), each once (pure).
std::vector<std::string> metrics_to_explain(const std::vector<AlertRecord>& pending,
                                            const std::vector<AlertRecord>& records);

// The one query for `metrics` over [begin, end); nullopt without `explain_by`
// dimensions or metrics (nothing is queried) or when it fails (logged).
std::optional<WhereSource> query_where_source(ClickHouse& clickhouse, const Config& config,
                                              const std::vector<std::string>& metrics,
                                              EpochSeconds begin, EpochSeconds end);

// The record's "Where: ..." line; "" for slice alerts, back to normal, no source
// or nothing to say.
std::string where_line(const WhereSource* source, const AlertRecord& record);

}  // namespace vigil
