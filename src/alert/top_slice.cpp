#include "alert/top_slice.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "config/metric_catalog.h"

namespace vigil {
namespace {

std::string dimension_of(const std::string& slice) { return slice.substr(0, slice.find('=')); }

// The dimension chosen so far: how much of the change its named slices explain.
struct Leader {
  double explained = 0;
  int named = 0;
  std::string slice;

  void consider(const Explanation& e) {
    if (e.named == 0) return;
    double sum = 0;
    for (int i = 0; i < e.named; ++i) sum += e.ranked[i].share;
    sum = std::min(sum, 1.0);
    const bool tie = std::fabs(sum - explained) <= 1e-9;
    if (slice.empty() || sum > explained + 1e-9 || (tie && e.named < named)) {
      *this = {sum, e.named, e.ranked[0].slice};
    }
  }
};

template <class Slice>
std::map<std::string, std::vector<Slice>> by_dimension(const std::vector<Slice>& slices) {
  std::map<std::string, std::vector<Slice>> out;
  for (const auto& s : slices) out[dimension_of(s.slice)].push_back(s);
  return out;
}

const MetricWatch* watch_of(const std::vector<MetricWatch>& watches, const std::string& metric) {
  auto it = std::find_if(watches.begin(), watches.end(),
                         [&](const MetricWatch& w) { return w.metric == metric; });
  return it == watches.end() ? nullptr : &*it;
}

// Each slice of `metric` with a value and a ready forecast at `index`.
std::map<std::string, SliceCount> judged_slices(const BucketSeries& series,
                                                const MetricWatch& watch, int index) {
  std::map<std::string, SliceCount> out;
  for (const auto& [key, values] : series.values) {
    if (key.first != watch.metric || key.second.empty()) continue;
    const Evaluation e = evaluate_bucket(series, key, *watch.detector, index);
    if (e.ready && std::isfinite(e.value) && std::isfinite(e.expected)) {
      out[key.second] = {key.second, e.value, e.expected};
    }
  }
  return out;
}

}  // namespace

std::string top_count_slice(const std::vector<SliceCount>& slices) {
  Leader leader;
  for (const auto& [dimension, counts] : by_dimension(slices)) {
    if (counts.size() >= 2) leader.consider(explain_count(counts));
  }
  return leader.slice;
}

std::string top_ratio_slice(const std::vector<SliceRatio>& slices) {
  Leader leader;
  for (const auto& [dimension, ratios] : by_dimension(slices)) {
    if (ratios.size() < 2) continue;
    const RatioExplanation r = explain_ratio(ratios);
    if (r.kind == RatioChange::kRate || r.kind == RatioChange::kBoth) leader.consider(r.rate);
  }
  return leader.slice;
}

std::string top_contributor(const BucketSeries& series, const std::vector<MetricWatch>& watches,
                            const std::string& metric, int index) {
  const MetricDef* row = find_metric(metric);
  if (row == nullptr || index < 0 || index >= series.count) return "";
  if (row->kind != MetricKind::kRatio) {
    const MetricWatch* watch = watch_of(watches, metric);
    if (watch == nullptr) return "";
    std::vector<SliceCount> counts;
    for (const auto& [slice, count] : judged_slices(series, *watch, index)) counts.push_back(count);
    return top_count_slice(counts);
  }
  const MetricWatch* numerator = watch_of(watches, row->numerator);
  const MetricWatch* denominator = watch_of(watches, row->denominator);
  if (numerator == nullptr || denominator == nullptr) return "";
  const auto numerators = judged_slices(series, *numerator, index);
  std::vector<SliceRatio> ratios;
  for (const auto& [slice, count] : judged_slices(series, *denominator, index)) {
    auto it = numerators.find(slice);
    if (it != numerators.end()) ratios.push_back({slice, it->second, count});
  }
  return top_ratio_slice(ratios);
}

std::set<std::string> slice_dimensions(const BucketSeries& series) {
  std::set<std::string> out;
  for (const auto& [key, values] : series.values) {
    if (!key.second.empty()) out.insert(dimension_of(key.second));
  }
  return out;
}

}  // namespace vigil
