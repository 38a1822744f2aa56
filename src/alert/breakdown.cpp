#include "alert/breakdown.h"

#include <cmath>
#include <limits>

#include "alert/explain.h"
#include "config/metric_catalog.h"

namespace vigil {
namespace {

const Detector* detector_for(const std::vector<MetricWatch>& watches, const std::string& count) {
  const MetricWatch* watch = find_watch(watches, count);
  return watch == nullptr ? nullptr : watch->detector.get();
}

double relative(double value, double expected) {
  return expected > 0 ? value / expected - 1 : std::numeric_limits<double>::quiet_NaN();
}

std::vector<BreakdownRow> count_rows(const Explanation& e) {
  std::vector<BreakdownRow> rows;
  for (const auto& c : e.ranked) {
    rows.push_back({c.slice, c.actual, c.expected, relative(c.actual, c.expected), c.share});
  }
  return rows;
}

// A ratio's rows: each slice's rate and expected rate, ranked by its part of the
// rate effect (explain_ratio's order and shares).
std::vector<BreakdownRow> ratio_rows(const RatioExplanation& r,
                                     const std::vector<SliceRatio>& slices) {
  std::vector<BreakdownRow> rows;
  for (const auto& c : r.rate.ranked) {
    for (const auto& s : slices) {
      if (s.slice != c.slice) continue;
      const double value = s.denominator.actual > 0 ? s.numerator.actual / s.denominator.actual
                                                    : std::numeric_limits<double>::quiet_NaN();
      const double expected = s.numerator.expected / s.denominator.expected;
      rows.push_back({c.slice, value, expected, relative(value, expected), c.share});
    }
  }
  return rows;
}

}  // namespace

Result<std::vector<MetricWatch>> breakdown_watches(const AlertsConfig& alerts) {
  AlertsConfig all = alerts;
  for (const auto& metric : alert_metric_names()) all.metrics[metric].enabled = true;
  return make_watches(all);
}

std::vector<SliceOutcome> slice_outcomes(const BucketSeries& series, const std::string& count,
                                         const Detector& detector, int index) {
  std::vector<SliceOutcome> out;
  for (auto it = series.values.lower_bound({count, ""});
       it != series.values.end() && it->first.first == count; ++it) {
    if (it->first.second.empty()) continue;
    const Evaluation e = evaluate_bucket(series, it->first, detector, index);
    if (e.ready) out.push_back({it->first.second, e.value, e.expected});
  }
  return out;
}

MetricBreakdown breakdown_of(const BucketSeries& series, const std::vector<MetricWatch>& watches,
                             const std::string& metric, int index) {
  MetricBreakdown out{metric, {}, ""};
  const MetricDef* row = find_metric(metric);
  if (row == nullptr || index < 0 || index >= series.count) return out;
  if (row->kind == MetricKind::kRatio) {
    const Detector* num = detector_for(watches, row->numerator);
    const Detector* den = detector_for(watches, row->denominator);
    if (num == nullptr || den == nullptr) return out;
    const auto numerators = slice_outcomes(series, row->numerator, *num, index);
    const auto denominators = slice_outcomes(series, row->denominator, *den, index);
    for (const auto& [dim, ratios] : ratios_by_dimension(numerators, denominators)) {
      const RatioExplanation r = explain_ratio(ratios);
      out.dimensions.push_back({dim, ratio_rows(r, ratios), r.rate.named});
    }
    out.where = ratio_where_text(numerators, denominators);
    return out;
  }
  const Detector* detector = detector_for(watches, metric);
  if (detector == nullptr) return out;
  const auto outcomes = slice_outcomes(series, metric, *detector, index);
  for (const auto& [dim, counts] : counts_by_dimension(outcomes)) {
    const Explanation e = explain_count(counts);
    out.dimensions.push_back({dim, count_rows(e), e.named});
  }
  out.where = where_text(outcomes);
  return out;
}

}  // namespace vigil
