// Anomaly detectors (pure, causal): given the history of a series up to, not
// including, the current bucket and the current value, each returns the
// expected band, a score and a verdict. Never looks ahead.
//
// Methods and parameters (all optional, given as text "k=v"):
//
//   iqr       n=5 (buckets of history, >= 2), a=3 (band width in IQRs, >= 0).
//             Band Q1 - a*IQR .. Q3 + a*IQR over the previous n buckets (quartiles by
//             linear interpolation); score (x - median) / IQR. Needs at least half of
//             the n buckets present.
//   dayago    threshold=0.5 (> 0). Band y*(1 -+ threshold) around y, the same bucket
//             one day earlier; score (x - y) / y. Not ready if y is missing or <= 0.
//   seasonal  vigil's default, see seasonal.cpp for the algorithm:
//             days=7       previous days whose same time of day forms the reference
//             weeks=1      also the same weekday 1..weeks weeks ago (counted once more,
//                          so a week ago weighs double)
//             min_days=2   reference values needed (else not ready: the first days)
//             level=12     recent buckets whose ratio to their own reference gives the
//                          current level (median; > 2x the longest anomaly to ignore)
//             k=5          band half-width in scales
//             floor=0.03   relative floor of the scale (share of the expectation)
//             poisson=1    count noise: the scale is at least sqrt(poisson * expected);
//                          0 for ratio metrics (CTR, sent/received)
//             min_volume=10  expected value below which it stays quiet; 0 for ratios
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace vigil {

struct Verdict {
  double lower = 0;       // expected band (NaN when there is no expectation)
  double upper = 0;
  double expected = 0;    // centre of the band (the forecast)
  double score = 0;       // signed distance from the expectation in the method's units
  bool anomaly = false;
  bool ready = false;     // false: not enough history (or volume) to judge; never an anomaly
};

class Detector {
 public:
  virtual ~Detector() = default;
  // `history`: equally spaced buckets before the current one, oldest first;
  // NaN marks a missing bucket. Only the last history_needed() values are used.
  // A NaN `current` (missing bucket) is never an anomaly.
  virtual Verdict evaluate(std::span<const double> history, double current) const = 0;
  // How many buckets of history this detector reads at most.
  virtual std::size_t history_needed() const = 0;
};

// Parameters as text (from config or `--param k=v`), checked by the factory.
using DetectorParams = std::map<std::string, std::string>;

// Methods: "iqr" (n=5, a=3), "dayago" (threshold=0.5), "seasonal" (vigil's default).
// `buckets_per_day` is 96 for 15-minute buckets. Unknown method or parameter, or a
// bad value -> usage error naming it and listing the valid ones.
Result<std::unique_ptr<Detector>> make_detector(const std::string& method,
                                                const DetectorParams& params, int buckets_per_day);

// The shipped method names, for help texts and validation.
const std::vector<std::string>& detector_methods();

}  // namespace vigil
