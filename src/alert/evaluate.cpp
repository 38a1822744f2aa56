#include "alert/evaluate.h"

#include <algorithm>
#include <cmath>
#include <span>

#include <fmt/format.h>

namespace vigil {

namespace {

// Every watched metric is a count or a ratio of counts: a band below zero says
// nothing more than zero (and no value >= 0 is judged differently).
Verdict clamped(Verdict v) {
  if (v.ready && v.lower < 0) v.lower = 0;
  return v;
}

}  // namespace

Verdict judge(const Detector& detector, const std::vector<double>& values, int index) {
  const int need = static_cast<int>(detector.history_needed());
  const int first = std::max(0, index - need);
  return clamped(detector.evaluate(
      std::span<const double>(values.data() + first, index - first), values[index]));
}

std::vector<Verdict> judge_range(const Detector& detector, const std::vector<double>& values,
                                 int first_index, int last_index) {
  if (last_index < first_index) return {};
  const int need = static_cast<int>(detector.history_needed());
  const int start = std::max(0, first_index - need);
  std::vector<Verdict> out(static_cast<std::size_t>(last_index - first_index + 1));
  detector.evaluate_range(
      std::span<const double>(values.data() + start, last_index + 1 - start),
      static_cast<std::size_t>(first_index - start), out);
  for (Verdict& v : out) v = clamped(v);
  return out;
}

namespace {

// Only seasonal takes a sensitivity (its self-calibrated threshold).
bool takes_sensitivity(const std::string& method) { return method == "seasonal"; }

// The detector parameters of `metric` under `method`: the metric's own params when
// the method is the metric's own (an override starts clean), its direction (every
// method; from params, the metric's key or [alerts], in that order) and, for
// seasonal, its sensitivity likewise; then the catalogue's defaults of the metric
// under that method (config/metric_catalog.h) where not given.
DetectorParams watch_params(const AlertsConfig& alerts, const std::string& metric,
                            const MetricAlertConfig& m, const std::string& method,
                            bool overridden) {
  DetectorParams params = !overridden || method == m.method ? m.params : DetectorParams{};
  auto pick = [&](const char* name, const std::string& own, const std::string& general) {
    if (auto it = m.params.find(name); it != m.params.end()) return it->second;
    return own.empty() ? general : own;
  };
  params["direction"] = pick("direction", m.direction, alerts.direction);
  if (takes_sensitivity(method)) {
    params["sensitivity"] = pick("sensitivity", m.sensitivity, alerts.sensitivity);
  } else {
    params.erase("sensitivity");
  }
  // The metric's own defaults (CTR, a ratio: no count noise, no minimum volume).
  for (const auto& [name, value] : default_detector_params(metric, method)) {
    params.try_emplace(name, value);
  }
  return params;
}

}  // namespace

Result<std::vector<MetricWatch>> make_watches(const AlertsConfig& alerts,
                                              const std::string& method_override) {
  const int buckets_per_day = 24 * 60 / alerts.interval_minutes;
  std::vector<MetricWatch> watches;
  for (const auto& metric : alert_metric_names()) {
    MetricAlertConfig m;
    if (auto it = alerts.metrics.find(metric); it != alerts.metrics.end()) m = it->second;
    if (!m.enabled) continue;
    MetricWatch watch;
    watch.metric = metric;
    watch.method = !method_override.empty() ? method_override
                   : m.method.empty()       ? alerts.method
                                            : m.method;
    const DetectorParams params =
        watch_params(alerts, metric, m, watch.method, !method_override.empty());
    auto detector = make_detector(watch.method, params, buckets_per_day);
    if (!detector.ok()) {
      return Error::usage(fmt::format("[alerts.metrics.{}]: {}", metric, detector.error().message));
    }
    watch.detector = std::move(*detector);
    watch.policy.consecutive = m.consecutive > 0 ? m.consecutive : alerts.consecutive;
    watch.policy.repeat_every_seconds =
        60 * (m.repeat_every_minutes > 0 ? m.repeat_every_minutes : alerts.repeat_every_minutes);
    watches.push_back(std::move(watch));
  }
  return watches;
}

Evaluation evaluate_bucket(const BucketSeries& series, const SeriesKey& key,
                           const Detector& detector, int index) {
  auto it = series.values.find(key);
  if (it == series.values.end()) {
    Evaluation e;
    e.key = {key.first, key.second};
    e.bucket = series.bucket_start(index);
    e.value = std::nan("");
    return e;
  }
  return evaluation_of(key, series.bucket_start(index), it->second[index],
                       judge(detector, it->second, index));
}

Evaluation evaluation_of(const SeriesKey& key, EpochSeconds bucket, double value,
                         const Verdict& v) {
  Evaluation e;
  e.key = {key.first, key.second};
  e.bucket = bucket;
  e.value = value;
  e.lower = v.lower;
  e.upper = v.upper;
  e.expected = v.expected;
  e.score = v.score;
  e.anomaly = v.anomaly && v.ready;
  e.ready = v.ready;
  return e;
}

const MetricWatch* find_watch(const std::vector<MetricWatch>& watches, const std::string& metric) {
  for (const auto& w : watches) {
    if (w.metric == metric) return &w;
  }
  return nullptr;
}

}  // namespace vigil
