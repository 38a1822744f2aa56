// Where a change is, pure: given one dimension's slices (os, age, ...) with the
// value each had in a bucket and the value its own forecast expected, which
// slices carry the change of the total, and whether it is concentrated in a few
// of them or spread over everyone (then no slice is named: "everyone moved" is
// the answer, not the biggest slice). The first step of root cause by slice
// (issue 14); the query and the message build on it.
//
// Counts: a slice's contribution is its deviation (actual - expected); the
// change is concentrated in the fewest top contributors after which the other
// slices together moved, relatively, at most kRestShare of the total's relative
// change. A uniform drop leaves every remainder as moved as the total: spread.
//
// Ratios (CTR = likes / views): the total's change splits exactly into a rate
// effect (rates inside slices moved: sum of w_i (r_i - r0_i)) and a mix effect
// (the slices' shares of the denominator moved: sum of (w_i - w0_i) r0_i), w
// and r actual, w0 and r0 expected; the slices are then ranked by their part
// of the rate effect.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace vigil {

// A slice's remainder may have moved at most this share of the total's relative change.
constexpr double kRestShare = 0.25;
// At most this share of the slices may be named; more is a spread change.
constexpr double kMaxNamedShare = 0.5;

struct SliceCount {
  std::string slice;  // "os=Android"
  double actual = 0, expected = 0;
};

struct Contribution {
  std::string slice;
  double actual = 0, expected = 0;
  double deviation = 0;  // actual - expected (ratios: the slice's part of the rate effect)
  double share = 0;      // deviation / the total's deviation (ratios: of the rate effect)
};

struct Explanation {
  double actual = 0, expected = 0;  // the total (ratios: the overall rate)
  // Every slice, the largest contribution in the total's direction first.
  std::vector<Contribution> ranked;
  int named = 0;  // the first `named` of `ranked` carry the change; 0: spread (or no change)
};

// One dimension of a count metric.
Explanation explain_count(const std::vector<SliceCount>& slices);

struct SliceRatio {
  std::string slice;
  SliceCount numerator, denominator;  // their `slice` fields are not read
};

enum class RatioChange { kNone, kRate, kMix, kBoth };

struct RatioExplanation {
  Explanation rate;  // actual/expected overall rates; slices ranked by their rate effect
  double rate_effect = 0, mix_effect = 0;  // sum to rate.actual - rate.expected
  RatioChange kind = RatioChange::kNone;   // an effect is the change when >= 2/3 of it
};

// One dimension of a ratio metric; slices with no expected denominator are left out.
RatioExplanation explain_ratio(const std::vector<SliceRatio>& slices);

// The dimension of a slice: "os" for "os=Android".
std::string slice_dimension(const std::string& slice);

// Of several dimensions' explanations (dimension, explanation), the one whose
// named slices explain the most of the change, fewer named slices on a tie: the
// dimension an alert names (its Where line, the backtest's top contributor).
// Null when none names a slice; else `*dimension` is set to its dimension.
const Explanation* best_named(
    const std::vector<std::pair<std::string, const Explanation*>>& by_dimension,
    std::string* dimension);

}  // namespace vigil
