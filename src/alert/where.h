// The "where" line of an alert on all users, pure: from the same bucket's
// values and forecasts per slice (os=Android, age=18-24, ...), which slices
// carry the change (alert/explain.h), e.g.
//   "Where: os=Android −64% (explains 93% of the change) · other os normal"
// or, when every slice of every dimension moved alike, that no slice stands
// out. One dimension is named: the one whose fewest slices explain the most.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "alert/explain.h"

namespace vigil {

// One slice's value and its own forecast in the alert's bucket.
struct SliceOutcome {
  std::string slice;  // "os=Android"
  double value = 0, expected = 0;
};

// The usable slices (value and forecast finite) by dimension, the part of the
// slice before '=' ("os" of "os=iOS"): the input of explain_count per dimension.
std::map<std::string, std::vector<SliceCount>> counts_by_dimension(
    const std::vector<SliceOutcome>& slices);

// The usable slices of a ratio's two counts paired by slice, by dimension: the
// input of explain_ratio per dimension (a slice without both counts is left out).
std::map<std::string, std::vector<SliceRatio>> ratios_by_dimension(
    const std::vector<SliceOutcome>& numerators, const std::vector<SliceOutcome>& denominators);

// A count metric's line from its slices, any dimensions mixed (grouped by the
// part before '='); "" when there is nothing to say (fewer than two slices of a
// dimension, no forecasts, no change).
std::string where_text(const std::vector<SliceOutcome>& slices);

// A ratio metric's line from the slices of its two counts (the catalogue's
// numerator and denominator): a change of the rates inside slices, of the mix of
// slices, or both (alert/explain.h).
std::string ratio_where_text(const std::vector<SliceOutcome>& numerators,
                             const std::vector<SliceOutcome>& denominators);

}  // namespace vigil
