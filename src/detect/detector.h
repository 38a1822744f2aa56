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
//   seasonal  vigil's default, for real-world series (seasonal.cpp has the details).
//             Per bucket it (1) forecasts with three models: the same time on previous
//             days (and a week ago) scaled to today's level, the same weekday on
//             previous weeks (with yesterday), and the median of the last `level`
//             buckets; (2) takes
//             as the series' model the one whose self-calibrated band was narrowest
//             over the last day (another than the daily one must beat it by 1.25x;
//             the weekly one also takes over when the daily one keeps alarming);
//             (3) scores z = (value - forecast) / scale, the scale from the robust
//             spread, for counts (whole numbers >= 0) never below sqrt(forecast) nor
//             5% of it; (4) judges z against thresholds calibrated on the series' own
//             record: per side, the largest routine surprise (an episode of |z| > 3,
//             counted once at its peak) of the last `calibration_days` times a
//             margin, never below k_min; incidents (episodes beyond a first, more
//             liberal round of thresholds) are left out of the record; a burst
//             must also beat the routine bursts' relative size. A young
//             series (under 3 days judged) has a floor falling from k to k_min.
//             At low counts, an hour summing to under 30% of each previous day's
//             same hour (Poisson p < 1e-7) is an anomaly too. Parameters:
//             sensitivity=normal  low | normal | high: (k_min, margin) = (6.5, 2.0),
//                            (5, 1.5), (4, 1.2); measured false episodes per
//                            series-week in README ("Anomaly alerts")
//             direction=both  (every method) up | down | both
//             days=7 weeks=1 min_days=2  the daily forecast's reference days
//             level=12       buckets whose median ratio to their references is the
//                            level (and the local forecast's window)
//             noise_window=4 buckets of the same time on previous days measuring noise
//             k=7            a young series' threshold floor
//             k_min, margin, rank=1  override the sensitivity's threshold rule
//             calibration_days=7  the record (0: no calibration, always k)
//             floor, poisson, min_volume  count floors (auto: 0.05, 1, 10 for counts,
//                            0 otherwise)
//             model=auto     or daily | weekly | local: force one forecast
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
