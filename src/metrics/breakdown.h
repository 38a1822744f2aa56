// The per-slice series an explanation of all-users metrics needs ("where is the
// change?", alert/breakdown.h): for each slice of the `[alerts] explain_by`
// dimensions (os, gender, age, source, country), per bucket, the counts behind the
// metrics, a count itself and a ratio's numerator and denominator (the
// catalogue's). ONE query for every metric of a run, over the same history window
// as the alert run, built by metrics/series (the same SQL, other slices and counts),
// so each slice can be judged by the metric's detector over its own history.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "metrics/series.h"

namespace vigil {

// The catalogue's count rows behind `metrics` (unknown names are skipped), each
// once, in catalogue order.
std::vector<const MetricDef*> breakdown_counts(const std::vector<std::string>& metrics);

// Slices only (no all-users series), keys ("views", "country=Russia").
SeriesRequest breakdown_request(const std::vector<std::string>& dimensions,
                                const std::vector<std::string>& metrics);

// Runs the request for [begin, end); an empty series without dimensions or metrics
// (no query is sent).
Result<BucketSeries> query_breakdown(ClickHouse& clickhouse, const Config& config,
                                     const std::vector<std::string>& dimensions,
                                     const std::vector<std::string>& metrics, EpochSeconds begin,
                                     EpochSeconds end);

}  // namespace vigil
