// The slice an all-users alert's explanation leads with, pure, for `vigil
// backtest`'s "top contributor matches the injected slice": per dimension (the
// part of "os=Android" before '='), the change explained by alert/explain.h; of
// the dimensions that name slices, the one whose named slices explain the most of
// the change (fewer slices on a tie), as the alert's Where line (alert/where.h)
// chooses; its first slice. "" when no dimension names one (everyone moved, no
// change, or for a ratio a change of the mix of slices).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "alert/evaluate.h"
#include "alert/explain.h"
#include "metrics/series.h"

namespace vigil {

// A count metric's slices, any dimensions mixed.
std::string top_count_slice(const std::vector<SliceCount>& slices);

// A ratio metric's slices (numerator and denominator per slice), ranked by their
// part of the change of the rates inside slices.
std::string top_ratio_slice(const std::vector<SliceRatio>& slices);

// `metric`'s slices in bucket `index` of `series`, each value against its own
// forecast by the metric's watch (a ratio's: its numerator's and denominator's
// watches) over that slice's history, as a live alert judges them; "" when the
// metric (or a ratio's count) is not watched.
std::string top_contributor(const BucketSeries& series, const std::vector<MetricWatch>& watches,
                            const std::string& metric, int index);

// The dimensions of the slices `series` holds ("os", "age").
std::set<std::string> slice_dimensions(const BucketSeries& series);

}  // namespace vigil
