// `iqr`: the textbook rule. Band Q1 - a*IQR .. Q3 + a*IQR over the previous n buckets.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "detect/methods.h"

namespace vigil::detect {
namespace {

constexpr int kStackValues = 64;

class Iqr final : public Detector {
 public:
  explicit Iqr(const IqrConfig& config) : config_(config) {}

  Verdict evaluate(std::span<const double> history, double current) const override {
    const int n = config_.n;
    const std::size_t take = std::min<std::size_t>(history.size(), static_cast<std::size_t>(n));
    const double* window = history.data() + (history.size() - take);
    double stack[kStackValues];
    std::vector<double> heap;
    double* values = stack;
    if (n > kStackValues) {
      heap.resize(static_cast<std::size_t>(n));
      values = heap.data();
    }
    int count = 0;
    for (std::size_t i = 0; i < take; ++i) {
      if (present(window[i])) values[count++] = window[i];
    }
    // At least half of the window (and two values) must be there.
    if (count < std::max(2, (n + 1) / 2)) return not_ready();
    if (count <= kStackValues) {
      sort_small(values, count);
    } else {
      std::sort(values, values + count);
    }
    const double q1 = quantile_sorted(values, count, 0.25);
    const double q3 = quantile_sorted(values, count, 0.75);
    const double median = quantile_sorted(values, count, 0.5);
    const double iqr = q3 - q1;
    Verdict v;
    v.lower = q1 - config_.a * iqr;
    v.upper = q3 + config_.a * iqr;
    v.expected = median;
    if (!present(current)) {
      v.score = std::nan("");
      return v;
    }
    v.ready = true;
    const double diff = current - median;
    if (iqr > 0) {
      v.score = diff / iqr;
    } else {
      v.score = diff == 0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), diff);
    }
    v.anomaly = current < v.lower || current > v.upper;
    return v;
  }

  std::size_t history_needed() const override { return static_cast<std::size_t>(config_.n); }

 private:
  IqrConfig config_;
};

}  // namespace

std::unique_ptr<Detector> make_iqr(const IqrConfig& config) {
  return std::make_unique<Iqr>(config);
}

}  // namespace vigil::detect
