// One metric over one local day as the detector sees it (pure): the values,
// the expected band per bucket, yesterday and the same day a week ago. The
// alert message's picture and the dashboard's metric page are both drawn from
// it, so the band in Telegram and on the page is the same.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chart/chart.h"
#include "detect/detector.h"
#include "metrics/series.h"

namespace vigil {

// One bucket of the day. NaN = none (no data yet, or the detector not ready).
struct DayBucket {
  EpochSeconds start = 0;
  double value = 0, yesterday = 0, week_ago = 0;
  double expected = 0, lower = 0, upper = 0, score = 0;
  bool ready = false;    // the detector judged it
  bool anomaly = false;
};

struct MetricDay {
  SeriesKey key;
  Days day;
  int bucket_seconds = 900;
  std::vector<DayBucket> buckets;  // every bucket of the local day, in order
};

// The day of `key` in `series`, judging buckets up to index `last_index` of the
// series (later ones have no value and no band); the series must hold the
// history the detector needs before the day. A key without series: all NaN.
MetricDay metric_day(const BucketSeries& series, const SeriesKey& key, const Detector& detector,
                     Days day, int last_index, const date::time_zone* zone);

// The picture: today, the band, yesterday, a week ago, the bucket at
// `marker` (index within the day) highlighted.
chart::ChartSpec metric_day_chart_spec(const MetricDay& day, std::optional<int> marker);

// The alert's picture: the day of the anomalous bucket up to that bucket, marked.
chart::ChartSpec alert_chart_spec(const BucketSeries& series, const SeriesKey& key,
                                  const Detector& detector, int bucket_index,
                                  const date::time_zone* zone);

}  // namespace vigil
