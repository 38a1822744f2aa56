// The local forecast, for series without a daily cycle (machine metrics,
// prices, temperatures) and for a series' first days: the median of the last
// `window` buckets, and as spread 1.4826 x their median absolute deviation (or,
// if more than half of them are equal, 1.2533 x their mean absolute deviation,
// so that a mostly flat series still has a spread). At least half of the
// window must be present.
#include <cmath>

#include "detect/methods.h"

namespace vigil::detect {
namespace {

constexpr int kMaxWindow = 96;  // `level`, checked by the factory

class LocalModel final : public ForecastModel {
 public:
  explicit LocalModel(int window) : window_(window) {}

  void forecast_range(const double* h, long first, long end, Forecast* out) const override {
    for (long t = first; t < end; ++t) out[t - first] = at(h, t);
  }
  long history_needed() const override { return window_; }

 private:
  Forecast at(const double* h, long t) const {
    double values[kMaxWindow];
    int n = 0;
    for (long p = std::max(0L, t - window_); p < t; ++p) {
      if (present(h[p])) values[n++] = h[p];
    }
    if (n < (window_ + 1) / 2 || n < 2) return {};
    double deviations[kMaxWindow];
    for (int i = 0; i < n; ++i) deviations[i] = values[i];
    const double median = median_small(deviations, n);
    double sum = 0;
    for (int i = 0; i < n; ++i) {
      deviations[i] = std::fabs(values[i] - median);
      sum += deviations[i];
    }
    const double mad = median_small(deviations, n);
    const double spread = mad > 0 ? 1.4826 * mad : 1.2533 * sum / n;
    return {median, spread};
  }

  int window_;
};

}  // namespace

std::unique_ptr<ForecastModel> make_local_model(int window) {
  return std::make_unique<LocalModel>(window);
}

}  // namespace vigil::detect
