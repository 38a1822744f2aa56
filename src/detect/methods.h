// The shipped detectors' configurations and constructors, and the small-array
// statistics they share. Internal to src/detect/: callers use make_detector.
#pragma once

#include <cmath>
#include <cstddef>
#include <memory>

#include "detect/detector.h"

namespace vigil::detect {

struct IqrConfig {
  int n = 5;
  double a = 3.0;
};

struct DayAgoConfig {
  double threshold = 0.5;
  int buckets_per_day = 96;
};

struct SeasonalConfig {
  int buckets_per_day = 96;
  int days = 7;
  int weeks = 1;
  int min_days = 2;
  int level = 12;
  int noise_window = 4;
  double k = 7.0;
  double floor = 0.05;
  double poisson = 1.0;
  double min_volume = 10.0;
};

std::unique_ptr<Detector> make_iqr(const IqrConfig& config);
std::unique_ptr<Detector> make_dayago(const DayAgoConfig& config);
std::unique_ptr<Detector> make_seasonal(const SeasonalConfig& config);

inline bool present(double v) { return std::isfinite(v); }

// Sorts v[0..n) in place; insertion sort, the fastest for the few values used here.
inline void sort_small(double* v, int n) {
  for (int i = 1; i < n; ++i) {
    const double x = v[i];
    int j = i - 1;
    while (j >= 0 && v[j] > x) {
      v[j + 1] = v[j];
      --j;
    }
    v[j + 1] = x;
  }
}

// Median of v[0..n) (NaN if n < 1); reorders v.
inline double median_small(double* v, int n) {
  if (n < 1) return std::nan("");
  sort_small(v, n);
  return (n % 2 == 1) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Quantile q of sorted s[0..n) by linear interpolation between order statistics
// (position q * (n - 1), as numpy's default and R's type 7).
inline double quantile_sorted(const double* s, int n, double q) {
  const double pos = q * (n - 1);
  const int lo = static_cast<int>(pos);
  const double frac = pos - lo;
  if (lo + 1 >= n) return s[n - 1];
  return s[lo] + frac * (s[lo + 1] - s[lo]);
}

inline Verdict not_ready() {
  Verdict v;
  v.lower = v.upper = v.expected = v.score = std::nan("");
  return v;
}

}  // namespace vigil::detect
