// Where an all-users metric's change is, from the per-slice series of
// metrics/breakdown (pure): each slice of each dimension judged in the bucket by
// the detector of its count's own watch over that slice's own history, then
// alert/explain's contributions per dimension (a table per dimension for the
// dashboard) and alert/where's line (for the message). One computation for both,
// so the page and the message agree.
#pragma once

#include <string>
#include <vector>

#include "alert/evaluate.h"
#include "alert/where.h"
#include "metrics/series.h"

namespace vigil {

// Every alerted metric's watch, enabled or not: a ratio's counts are judged by
// their own detectors even when their alerts are off. Bad methods or parameters
// -> usage error (as make_watches).
Result<std::vector<MetricWatch>> breakdown_watches(const AlertsConfig& alerts);

// `count`'s value and forecast per slice in bucket `index` of `series` (every slice
// key of that count, judged by `detector`); slices whose detector is not ready are
// left out.
std::vector<SliceOutcome> slice_outcomes(const BucketSeries& series, const std::string& count,
                                         const Detector& detector, int index);

// One slice's line of the dashboard's table.
struct BreakdownRow {
  std::string slice;             // "country=Belarus"
  double value = 0, expected = 0;  // a ratio's rate in the slice and its expected rate
  double deviation = 0;          // value / expected - 1 (NaN without a forecast)
  double share = 0;              // of the total's change (a ratio: of its rate effect)
};

struct DimensionBreakdown {
  std::string dimension;       // "country"
  std::vector<BreakdownRow> rows;  // the largest contribution in the total's direction first
  int named = 0;               // the first `named` rows carry the change; 0: spread or none
};

struct MetricBreakdown {
  std::string metric;
  std::vector<DimensionBreakdown> dimensions;  // by dimension name
  std::string where;                           // the message's line, "" if nothing to say
};

// `metric` (a count, or a ratio through its two counts) in bucket `index` of the
// breakdown series; empty (no dimensions, no line) if its counts have no watch or
// no slices there.
MetricBreakdown breakdown_of(const BucketSeries& series, const std::vector<MetricWatch>& watches,
                             const std::string& metric, int index);

}  // namespace vigil
