// The seasonal forecast: what bucket t usually is at this time of day, scaled to
// where the series runs today. For the current bucket t (B buckets per day):
//   reference  ref(t) = median of the same bucket on each of the previous `days` days
//              and on the same weekday 1..`weeks` weeks ago (a week ago thus counts
//              twice); missing values are skipped, fewer than `min_days` -> none.
//   level      L = median over the last `level` buckets p of x(p) / ref(p): where the
//              series runs today relative to its usual shape (growth, weekday, a
//              slow drift). A median over more than twice an anomaly's length is not
//              dragged by it.
//   expected   E = L * ref(t)
//   spread     1.4826 * the median absolute relative deviation (MAD) of
//              (1) the recent ratios from L, and (2) the same time of day (bucket t
//              and the noise_window - 1 before it) on each previous day from that
//              day's own level around this time (the median of its ratios over the
//              level window): the noise as it is at this time of day, free of
//              weekday and growth effects. The two MADs are averaged, weighted by
//              their numbers of deviations; the forecast's spread is E times it.
// No forecast while the history is too short or the level cannot be measured.
// Floors (count noise, minimum volume) are the detector's (seasonal.cpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "detect/methods.h"

namespace vigil::detect {
namespace {

constexpr int kMaxLags = 32;         // days + weeks, checked by the factory
constexpr int kMaxRows = 97;         // level + 1 and noise_window, checked by the factory
constexpr int kMaxNoiseWindow = 16;  // noise_window, checked by the factory
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kMadToSigma = 1.4826;

class SeasonalModel final : public ForecastModel {
 public:
  explicit SeasonalModel(const SeasonalConfig& config) : config_(config) {
    const long b = config.buckets_per_day;
    for (int d = 1; d <= config.days; ++d) lags_.push_back(d * b);
    for (int w = 1; w <= config.weeks; ++w) lags_.push_back(7L * w * b);
    std::sort(lags_.begin(), lags_.end());
    max_lag_ = lags_.back();
    // Row j: bucket n - j (j = 0: the current one); rows 1..level give the levels,
    // rows 0..noise_window - 1 the noise.
    rows_ = std::max(config.level + 1, config.noise_window);
  }

  // Each bucket's reference row is computed once and kept in a ring for the next
  // rows_ - 1 buckets.
  void forecast_range(const double* h, long first, long end, Forecast* out) const override {
    double ring[kMaxRows][kMaxLags];
    double ring_ref[kMaxRows];
    for (long p = std::max(0L, first - rows_ + 1); p < first; ++p) {
      ring_ref[p % rows_] = reference(h, p, ring[p % rows_]);
    }
    double missing[kMaxLags];
    std::fill(missing, missing + kMaxLags, kNan);
    const double* rows[kMaxRows];
    double ref[kMaxRows];
    for (long t = first; t < end; ++t) {
      ring_ref[t % rows_] = reference(h, t, ring[t % rows_]);
      for (int j = 0; j < rows_; ++j) {
        const long p = t - j;
        rows[j] = p >= 0 ? ring[p % rows_] : missing;
        ref[j] = p >= 0 ? ring_ref[p % rows_] : kNan;
      }
      out[t - first] = judge(h, t, rows, ref);
    }
  }

  long history_needed() const override { return max_lag_ + rows_ - 1; }

 private:
  // The forecast for bucket n of the series h, given its reference rows: q[j] and
  // ref[j] belong to bucket n - j, j < rows_.
  Forecast judge(const double* h, long n, const double* const* q, const double* ref) const {
    const int lags = static_cast<int>(lags_.size());
    const double ref_now = ref[0];
    if (!present(ref_now)) return {};

    // Level: the median ratio of the recent buckets to their own references.
    double ratios[kMaxRows];
    int count = 0;
    for (int j = 1; j <= config_.level && j <= n; ++j) {
      const double x = h[n - j];
      if (present(x) && ref[j] > 0) ratios[count++] = x / ref[j];
    }
    if (count < (config_.level + 1) / 2) return {};
    const double level = median_small(ratios, count);

    // Noise: relative deviations of (1) the recent buckets from the level and (2) the
    // same time of day (the current bucket and noise_window - 1 before it) on each
    // previous day from that day's own level around this time.
    double recent[kMaxRows];
    int r = 0;
    if (level > 0) {
      const double inverse = 1 / level;
      for (int i = 0; i < count; ++i) recent[r++] = std::fabs(ratios[i] * inverse - 1);
    }
    double deviations[kMaxLags * kMaxNoiseWindow];
    int m = 0;
    for (int d = 0; d < lags; ++d) {
      double column[kMaxRows];
      int c = 0;
      for (int j = 1; j <= config_.level; ++j) {
        if (present(q[j][d])) column[c++] = q[j][d];
      }
      if (c < (config_.level + 1) / 2) continue;
      const double day_level = median_small(column, c);
      if (!(day_level > 0)) continue;
      const double inverse = 1 / day_level;
      for (int j = 0; j < config_.noise_window; ++j) {
        if (present(q[j][d])) deviations[m++] = std::fabs(q[j][d] * inverse - 1);
      }
    }
    // The two robust spreads, weighted by how many deviations each has.
    const double spread =
        r + m > 0 ? kMadToSigma * ((r > 0 ? r * median_small(recent, r) : 0.0) +
                                   (m > 0 ? m * median_small(deviations, m) : 0.0)) /
                        (r + m)
                  : 0.0;

    return {level * ref_now, level * ref_now * spread};
  }

  // Reference of bucket p (p == n is the current one, whose own value is not used):
  // the median of the values `lags_` before it, NaN with fewer than min_days of them.
  // Also fills q[d] with each of those values over the reference (NaN if missing).
  double reference(const double* h, long p, double* q) const {
    double values[kMaxLags];
    int count = 0;
    const int lags = static_cast<int>(lags_.size());
    for (int d = 0; d < lags; ++d) {
      const long lag = lags_[d];
      const double x = lag <= p ? h[p - lag] : kNan;
      q[d] = x;
      if (present(x)) values[count++] = x;
    }
    if (count < config_.min_days) {
      for (int d = 0; d < lags; ++d) q[d] = kNan;
      return kNan;
    }
    const double r = median_small(values, count);
    const double inverse = r > 0 ? 1 / r : kNan;  // multiplications are cheaper
    for (int d = 0; d < lags; ++d) q[d] *= inverse;
    return r;
  }

  SeasonalConfig config_;
  std::vector<long> lags_;  // ascending
  long max_lag_ = 0;
  int rows_ = 1;
};

}  // namespace

std::unique_ptr<ForecastModel> make_seasonal_model(const SeasonalConfig& config) {
  return std::make_unique<SeasonalModel>(config);
}

}  // namespace vigil::detect
