// Runs detectors over bucket series, causally: the verdict for bucket i sees
// only buckets before i. Shared by live runs (`vigil alert`), backtests and the
// alert chart, so all three judge a bucket the same way.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alert/state.h"
#include "base/result.h"
#include "config/config.h"
#include "detect/detector.h"
#include "metrics/series.h"

namespace vigil {

// Verdict for `values[index]` from the values before it; the band's lower end
// is at least 0 (the metrics are counts and ratios).
Verdict judge(const Detector& detector, const std::vector<double>& values, int index);

// The verdicts for values[first_index..last_index], each exactly as judge() gives
// it, in one pass (a detector shares work between neighbouring buckets: a day of
// verdicts costs about one, not 96).
std::vector<Verdict> judge_range(const Detector& detector, const std::vector<double>& values,
                                 int first_index, int last_index);

// Everything needed to watch one metric: its detector and noise policy.
struct MetricWatch {
  std::string metric;
  std::string method;
  std::unique_ptr<Detector> detector;
  AlertPolicy policy;
};

// The enabled metrics with their detectors, from [alerts] and its per-metric
// tables: the one place detectors are built from the config, so alerts, backtests
// and the dashboard's band judge alike. Every method gets the metric's `direction`
// and seasonal its `sensitivity` (a metric's own value, as a key or in params, wins
// over [alerts]'s). `method_override` (backtest --method) replaces every method if
// set: the metric's params are dropped unless they belong to that method, its
// direction is kept, its sensitivity only if the method is seasonal.
// Bad methods or parameters -> usage error naming [alerts.metrics.<name>].
Result<std::vector<MetricWatch>> make_watches(const AlertsConfig& alerts,
                                              const std::string& method_override = "");

// The watch of `metric` in `watches`, or null.
const MetricWatch* find_watch(const std::vector<MetricWatch>& watches, const std::string& metric);

// The evaluation of `key` at bucket `index` of `series` (a not-ready verdict if
// the key has no series).
Evaluation evaluate_bucket(const BucketSeries& series, const SeriesKey& key,
                           const Detector& detector, int index);

// The evaluation of `key`'s bucket starting at `bucket`, worth `value`, given its
// verdict (from judge or judge_range).
Evaluation evaluation_of(const SeriesKey& key, EpochSeconds bucket, double value,
                         const Verdict& verdict);

}  // namespace vigil
