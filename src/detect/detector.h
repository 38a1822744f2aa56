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
//   seasonal  vigil's default; the algorithm is described in seasonal.cpp. In short:
//             expected = level x reference, where the reference is the median of the
//             same bucket on previous days (and a week ago), and the level the median
//             ratio of the recent buckets to their own references; band = expected
//             -+ k x scale, the scale from the robust spread of those ratios and of the
//             same time of day on previous days, never below count noise or a floor.
//             Defaults tuned on the simulator (bench/detect_tune.sh, seed 1):
//             days=7         previous days whose same time of day forms the reference
//             weeks=1        also the same weekday 1..weeks weeks ago (counted once
//                            more, so a week ago weighs double)
//             min_days=2     reference values needed, else not ready (the first days)
//             level=12       recent buckets whose median ratio to their references is
//                            the current level (keep it > 2x the longest anomaly)
//             noise_window=4 buckets up to now whose values on previous days measure
//                            the noise at this time of day
//             k=7            band half-width in scales (scores are in scales)
//             floor=0.05     relative floor of the scale: with k, changes below
//                            k x floor = 35% never alarm
//             poisson=1      count noise: the scale is at least sqrt(poisson x expected);
//                            use 0 for ratio metrics (CTR, sent/received)
//             min_volume=10  expected value below which it stays quiet; use 0 for ratios
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
  // Judges series[begin], series[begin + 1], ... each given the values before it (at
  // most history_needed() of them): exactly the verdicts of evaluate() bucket by bucket,
  // but faster where neighbouring buckets share work (seasonal). out.size() must be
  // series.size() - begin.
  virtual void evaluate_range(std::span<const double> series, std::size_t begin,
                              std::span<Verdict> out) const;
};

// Which anomalies matter: `direction=up|down|both` (any method; default both) keeps
// only anomalies above (score > 0) or below (score < 0) the expectation; the other
// side keeps its band and score but is never an anomaly (e.g. CTR: only drops).
enum class Direction { kBoth = 0, kUp = 1, kDown = 2 };

// Parameters as text (from config or `--param k=v`), checked by the factory.
using DetectorParams = std::map<std::string, std::string>;

// Methods: "iqr" (n=5, a=3), "dayago" (threshold=0.5), "seasonal" (vigil's default).
// `buckets_per_day` is 96 for 15-minute buckets. Unknown method or parameter, or a
// bad value -> usage error naming it and listing the valid ones.
Result<std::unique_ptr<Detector>> make_detector(const std::string& method,
                                                const DetectorParams& params, int buckets_per_day);

// make_detector's verdict on a method and its parameters without keeping the
// detector: the problem in one line, or "". This is the check the config takes
// (config::DetectorCheck), so vigil.toml is refused where `vigil alert` would fail.
std::string detector_problem(const std::string& method, const DetectorParams& params,
                             int buckets_per_day);

// The shipped method names, for help texts and validation.
const std::vector<std::string>& detector_methods();

}  // namespace vigil
