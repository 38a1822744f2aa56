// The shipped detectors' configurations and constructors, and the small-array
// statistics they share. Internal to src/detect/: callers use make_detector.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstddef>
#include <memory>
#include <utility>

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

// NaN for `floor`, `poisson` and `min_volume` means "auto": the count defaults
// when the recent values are all whole numbers >= 0, else 0 (see seasonal.cpp).
struct SeasonalConfig {
  int buckets_per_day = 96;
  int days = 7;
  int weeks = 1;
  int min_days = 2;
  int level = 12;
  int noise_window = 4;
  double k = 7.0;  // a young series's threshold floor, falling to k_min as its record fills
  double floor = std::numeric_limits<double>::quiet_NaN();
  double poisson = std::numeric_limits<double>::quiet_NaN();
  double min_volume = std::numeric_limits<double>::quiet_NaN();
  int sensitivity = 1;  // 0 low, 1 normal, 2 high
  double k_min = std::numeric_limits<double>::quiet_NaN();  // NaN: by sensitivity
  double margin = std::numeric_limits<double>::quiet_NaN();  // NaN: by sensitivity
  int rank = 1;              // the rank-th largest routine episode sets the threshold
  int calibration_days = 7;  // the record of scores thresholds are calibrated on
  int model = 0;             // 0 auto, 1 daily, 2 weekly, 3 local
};

// A model's forecast for one bucket: the expected value and the spread of the
// values around it (in the values' units, before any floor); NaN when the model
// cannot say.
struct Forecast {
  double expected = std::numeric_limits<double>::quiet_NaN();
  double spread = std::numeric_limits<double>::quiet_NaN();
};

// A forecaster: for each bucket t in [first, end) of h, from h[0..t) only.
class ForecastModel {
 public:
  virtual ~ForecastModel() = default;
  virtual void forecast_range(const double* h, long first, long end, Forecast* out) const = 0;
  virtual long history_needed() const = 0;  // buckets before t it reads at most
};

std::unique_ptr<Detector> make_iqr(const IqrConfig& config);
std::unique_ptr<Detector> make_dayago(const DayAgoConfig& config);
std::unique_ptr<Detector> make_seasonal(const SeasonalConfig& config);
// The reference x level forecast (seasonal_model.cpp) and the local median level
// over the last `level` buckets (local_model.cpp) that `seasonal` chooses between.
std::unique_ptr<ForecastModel> make_seasonal_model(const SeasonalConfig& config);
std::unique_ptr<ForecastModel> make_local_model(int window);

// Low counts: a bucket expecting 3 events that has 0 says little, an hour of them
// says a lot. When the 12 buckets up to t sum to less than 30% of the same hours'
// sum on each of the previous `days_back` days (at least `min_days` complete ones),
// bucket t is itself that low, and the Poisson probability of so few (against the
// median of those days) is below 1e-7, `v` becomes an anomaly: score the sum's
// deviation in Poisson standard deviations, band expected -+ k x sqrt(expected)
// per bucket. Reads h[first..t] only.
void sustained_drop(const double* h, long first, long t, int buckets_per_day, int days_back,
                    int min_days, double k, Verdict& v);

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

// Batcher's odd-even merge sorting network for N (a power of two) inputs: a fixed
// list of compare-exchanges, branch-free with min/max.
template <int N>
struct SortingNetwork {
  template <class F>
  static constexpr void each(F&& f) {
    for (int p = 1; p < N; p <<= 1)
      for (int k = p; k >= 1; k >>= 1)
        for (int j = k % p; j + k < N; j += 2 * k)
          for (int i = 0; i < k && i < N - j - k; ++i)
            if ((i + j) / (2 * p) == (i + j + k) / (2 * p)) f(i + j, i + j + k);
  }
  static constexpr int count() {
    int c = 0;
    each([&](int, int) { ++c; });
    return c;
  }
  struct Pairs {
    unsigned char a[count()];
    unsigned char b[count()];
  };
  static constexpr Pairs pairs() {
    Pairs out{};
    int c = 0;
    each([&](int x, int y) {
      out.a[c] = static_cast<unsigned char>(x);
      out.b[c] = static_cast<unsigned char>(y);
      ++c;
    });
    return out;
  }
  static constexpr Pairs kPairs = pairs();
  template <std::size_t... I>
  static void sort_unrolled(double* v, std::index_sequence<I...>) {
    (exchange(v[kPairs.a[I]], v[kPairs.b[I]]), ...);
  }
  static void exchange(double& x, double& y) {
    const double lo = std::min(x, y);  // minsd / maxsd: no branches
    const double hi = std::max(x, y);
    x = lo;
    y = hi;
  }
  static void sort(double* v) { sort_unrolled(v, std::make_index_sequence<count()>{}); }
};

// Median of v[0..n) (NaN if n < 1); may reorder v. No NaNs in v. Up to 32 values
// are padded with +inf and sorted by a network, more are selected with nth_element.
inline double median_small(double* v, int n) {
  if (n < 1) return std::nan("");
  const int lo = (n - 1) / 2, hi = n / 2;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (n <= 8) {
    double w[8];  // local, so that the network runs in registers
    for (int i = 0; i < 8; ++i) w[i] = i < n ? v[i] : kInf;
    SortingNetwork<8>::sort(w);
    return 0.5 * (w[lo] + w[hi]);
  }
  if (n <= 16) {
    double w[16];
    for (int i = 0; i < 16; ++i) w[i] = i < n ? v[i] : kInf;
    SortingNetwork<16>::sort(w);
    return 0.5 * (w[lo] + w[hi]);
  }
  if (n <= 32) {
    double w[32];
    for (int i = 0; i < 32; ++i) w[i] = i < n ? v[i] : kInf;
    SortingNetwork<32>::sort(w);
    return 0.5 * (w[lo] + w[hi]);
  }
  std::nth_element(v, v + hi, v + n);
  const double upper = v[hi];
  if (lo == hi) return upper;
  return 0.5 * (*std::max_element(v, v + hi) + upper);
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
