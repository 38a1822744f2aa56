#include "alert/alert_chart.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "alert/evaluate.h"
#include "alert/message.h"

namespace vigil {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Values of the local day starting at `day_begin`, `count` buckets, NaN where
// the window has none (or after `last_index` when given).
std::vector<double> day_values(const BucketSeries& series, const std::vector<double>& values,
                               EpochSeconds day_begin, int count, int last_index = -1) {
  std::vector<double> out(count, kNaN);
  for (int i = 0; i < count; ++i) {
    const int index = series.index_of(day_begin + EpochSeconds{i} * series.bucket_seconds);
    if (index < 0 || (last_index >= 0 && index > last_index)) continue;
    out[i] = values[index];
  }
  return out;
}

}  // namespace

chart::ChartSpec alert_chart_spec(const BucketSeries& series, const SeriesKey& key,
                                  const Detector& detector, int bucket_index,
                                  const date::time_zone* zone) {
  const EpochSeconds bucket = series.bucket_start(bucket_index);
  const Days day = local_date(bucket, zone);
  const EpochSeconds today = day_start(day, zone);
  const int count =
      static_cast<int>((day_start(day + date::days{1}, zone) - today) / series.bucket_seconds);
  const std::vector<double>& values = series.values.at(key);

  chart::Line now{"today", day_values(series, values, today, count, bucket_index),
                  chart::primary_line(), false};
  chart::Line yesterday{"yesterday",
                        day_values(series, values, day_start(day - date::days{1}, zone), count),
                        chart::secondary_line(), false};
  chart::Line week_ago{"a week ago",
                       day_values(series, values, day_start(day - date::days{7}, zone), count),
                       chart::dashed_line(), false};
  chart::Band band;
  band.lo.assign(count, kNaN);
  band.hi.assign(count, kNaN);
  for (int i = 0; i < count; ++i) {
    const int index = series.index_of(today + EpochSeconds{i} * series.bucket_seconds);
    if (index < 0 || index > bucket_index) continue;
    const Verdict v = judge(detector, values, index);
    if (v.ready) {
      band.lo[i] = v.lower;
      band.hi[i] = v.upper;
    }
  }
  chart::Panel panel;
  panel.title = fmt::format("{} · {}", metric_title(key.first),
                            key.second.empty() ? "all users" : key.second);
  panel.format = key.first == "ctr" ? chart::ValueFormat::kPercent : chart::ValueFormat::kInteger;
  panel.lines = {std::move(now), std::move(yesterday), std::move(week_ago)};
  panel.band = std::move(band);
  panel.marker_index = static_cast<int>((bucket - today) / series.bucket_seconds);

  chart::ChartSpec spec;
  spec.title = fmt::format("{} {}", metric_title(key.first), date::format("%a %d.%m.%Y", day));
  spec.x_labels = chart::time_of_day_labels(count, series.bucket_seconds / 60);
  spec.panels.push_back(std::move(panel));
  spec.columns = 1;
  spec.panel_height = 560;
  return spec;
}

}  // namespace vigil
