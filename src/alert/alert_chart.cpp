#include "alert/alert_chart.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "alert/evaluate.h"
#include "alert/message.h"

namespace vigil {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The value at `start` in `values`, NaN outside the window or after `last_index`.
double value_at(const BucketSeries& series, const std::vector<double>& values, EpochSeconds start,
                int last_index) {
  const int index = series.index_of(start);
  if (index < 0 || (last_index >= 0 && index > last_index)) return kNaN;
  return values[index];
}

std::vector<double> column(const MetricDay& day, double DayBucket::*field) {
  std::vector<double> out;
  out.reserve(day.buckets.size());
  for (const DayBucket& b : day.buckets) out.push_back(b.*field);
  return out;
}

}  // namespace

MetricDay metric_day(const BucketSeries& series, const SeriesKey& key, const Detector& detector,
                     Days day, int last_index, const date::time_zone* zone) {
  MetricDay out{key, day, series.bucket_seconds, {}};
  const EpochSeconds today = day_start(day, zone);
  const EpochSeconds yesterday = day_start(day - date::days{1}, zone);
  const EpochSeconds week_ago = day_start(day - date::days{7}, zone);
  const int count =
      static_cast<int>((day_start(day + date::days{1}, zone) - today) / series.bucket_seconds);
  const auto found = series.values.find(key);
  // The day's verdicts in one pass, each as a live run judged it: buckets
  // [lo, hi] of the series are the day's judged ones.
  int lo = -1, hi = -1;
  for (int i = 0; i < count; ++i) {
    const int index = series.index_of(today + EpochSeconds{i} * series.bucket_seconds);
    if (index < 0 || index > last_index) continue;
    if (lo < 0) lo = index;
    hi = index;
  }
  std::vector<Verdict> verdicts;
  if (found != series.values.end() && lo >= 0) {
    verdicts = judge_range(detector, found->second, lo, hi);
  }
  for (int i = 0; i < count; ++i) {
    const EpochSeconds offset = EpochSeconds{i} * series.bucket_seconds;
    DayBucket b{today + offset, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, false, false};
    if (found != series.values.end()) {
      const std::vector<double>& values = found->second;
      b.value = value_at(series, values, b.start, last_index);
      b.yesterday = value_at(series, values, yesterday + offset, -1);
      b.week_ago = value_at(series, values, week_ago + offset, -1);
      const int index = series.index_of(b.start);
      if (index >= 0 && index <= last_index) {
        const Verdict& v = verdicts[static_cast<std::size_t>(index - lo)];
        if (v.ready) {
          b.expected = v.expected;
          b.lower = v.lower;
          b.upper = v.upper;
          b.score = v.score;
          b.ready = true;
          b.anomaly = v.anomaly;
        }
      }
    }
    out.buckets.push_back(b);
  }
  return out;
}

chart::ChartSpec metric_day_chart_spec(const MetricDay& day, std::optional<int> marker) {
  const SeriesKey& key = day.key;
  chart::Band band;
  band.lo = column(day, &DayBucket::lower);
  band.hi = column(day, &DayBucket::upper);
  chart::Panel panel;
  panel.title = fmt::format("{} · {}", metric_title(key.first),
                            key.second.empty() ? "all users" : key.second);
  panel.format = metric_format(key.first);
  panel.lines = {{"today", column(day, &DayBucket::value), chart::primary_line(), false},
                 {"yesterday", column(day, &DayBucket::yesterday), chart::secondary_line(), false},
                 {"a week ago", column(day, &DayBucket::week_ago), chart::dashed_line(), false}};
  panel.band = std::move(band);
  if (marker && *marker >= 0 && *marker < static_cast<int>(day.buckets.size())) {
    panel.marker_index = marker;
  }
  chart::ChartSpec spec;
  spec.title = fmt::format("{} {}", metric_title(key.first), date::format("%a %d.%m.%Y", day.day));
  spec.x_labels =
      chart::time_of_day_labels(static_cast<int>(day.buckets.size()), day.bucket_seconds / 60);
  spec.panels.push_back(std::move(panel));
  spec.columns = 1;
  spec.panel_height = 560;
  return spec;
}

chart::ChartSpec alert_chart_spec(const BucketSeries& series, const SeriesKey& key,
                                  const Detector& detector, int bucket_index,
                                  const date::time_zone* zone) {
  const EpochSeconds bucket = series.bucket_start(bucket_index);
  const Days day = local_date(bucket, zone);
  const MetricDay view = metric_day(series, key, detector, day, bucket_index, zone);
  return metric_day_chart_spec(
      view, static_cast<int>((bucket - day_start(day, zone)) / series.bucket_seconds));
}

}  // namespace vigil
