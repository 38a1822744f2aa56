// The picture sent with an alert (pure): the metric's curve today up to the
// anomalous bucket, the detector's expected band over it, yesterday and the
// same day a week ago, with the bucket marked.
#pragma once

#include "chart/chart.h"
#include "detect/detector.h"
#include "metrics/series.h"

namespace vigil {

chart::ChartSpec alert_chart_spec(const BucketSeries& series, const SeriesKey& key,
                                  const Detector& detector, int bucket_index,
                                  const date::time_zone* zone);

}  // namespace vigil
