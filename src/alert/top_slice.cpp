#include "alert/top_slice.h"

#include <map>

#include "alert/breakdown.h"
#include "alert/where.h"
#include "config/metric_catalog.h"

namespace vigil {
namespace {

template <class Slice>
std::map<std::string, std::vector<Slice>> by_dimension(const std::vector<Slice>& slices) {
  std::map<std::string, std::vector<Slice>> out;
  for (const auto& s : slices) out[slice_dimension(s.slice)].push_back(s);
  return out;
}

// The first slice of the dimension an alert names (alert/explain.h best_named).
std::string first_named(const std::map<std::string, const Explanation*>& by_dimension) {
  std::string dimension;
  const Explanation* best = best_named({by_dimension.begin(), by_dimension.end()}, &dimension);
  return best == nullptr ? "" : best->ranked[0].slice;
}

// Flattens per-dimension groups (alert/where.h) back into one list.
template <class Slice>
std::vector<Slice> flat(const std::map<std::string, std::vector<Slice>>& grouped) {
  std::vector<Slice> out;
  for (const auto& [dimension, slices] : grouped) out.insert(out.end(), slices.begin(), slices.end());
  return out;
}

}  // namespace

std::string top_count_slice(const std::vector<SliceCount>& slices) {
  std::map<std::string, Explanation> explained;
  std::map<std::string, const Explanation*> candidates;
  for (const auto& [dimension, counts] : by_dimension(slices)) {
    if (counts.size() < 2) continue;
    candidates[dimension] = &(explained[dimension] = explain_count(counts));
  }
  return first_named(candidates);
}

std::string top_ratio_slice(const std::vector<SliceRatio>& slices) {
  std::map<std::string, RatioExplanation> explained;
  std::map<std::string, const Explanation*> candidates;
  for (const auto& [dimension, ratios] : by_dimension(slices)) {
    if (ratios.size() < 2) continue;
    const RatioExplanation& r = explained[dimension] = explain_ratio(ratios);
    if (r.kind == RatioChange::kRate || r.kind == RatioChange::kBoth) candidates[dimension] = &r.rate;
  }
  return first_named(candidates);
}

std::string top_contributor(const BucketSeries& series, const std::vector<MetricWatch>& watches,
                            const std::string& metric, int index) {
  const MetricDef* row = find_metric(metric);
  if (row == nullptr || index < 0 || index >= series.count) return "";
  if (row->kind != MetricKind::kRatio) {
    const MetricWatch* watch = find_watch(watches, metric);
    if (watch == nullptr) return "";
    return top_count_slice(
        flat(counts_by_dimension(slice_outcomes(series, metric, *watch->detector, index))));
  }
  const MetricWatch* numerator = find_watch(watches, row->numerator);
  const MetricWatch* denominator = find_watch(watches, row->denominator);
  if (numerator == nullptr || denominator == nullptr) return "";
  return top_ratio_slice(flat(
      ratios_by_dimension(slice_outcomes(series, row->numerator, *numerator->detector, index),
                          slice_outcomes(series, row->denominator, *denominator->detector, index))));
}

std::set<std::string> slice_dimensions(const BucketSeries& series) {
  std::set<std::string> out;
  for (const auto& [key, values] : series.values) {
    if (!key.second.empty()) out.insert(slice_dimension(key.second));
  }
  return out;
}

}  // namespace vigil
