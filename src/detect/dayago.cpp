// `dayago`: relative deviation from the same bucket one day earlier.
#include <cmath>

#include "detect/methods.h"

namespace vigil::detect {
namespace {

class DayAgo final : public Detector {
 public:
  explicit DayAgo(const DayAgoConfig& config) : config_(config) {}

  Verdict evaluate(std::span<const double> history, double current) const override {
    const auto lag = static_cast<std::size_t>(config_.buckets_per_day);
    if (history.size() < lag) return not_ready();
    const double y = history[history.size() - lag];
    if (!present(y)) return not_ready();
    Verdict v;
    v.expected = y;
    v.lower = y * (1 - config_.threshold);
    v.upper = y * (1 + config_.threshold);
    // A relative deviation needs a positive reference.
    if (y <= 0 || !present(current)) {
      v.score = std::nan("");
      return v;
    }
    v.ready = true;
    v.score = (current - y) / y;
    v.anomaly = std::fabs(v.score) > config_.threshold;
    return v;
  }

  std::size_t history_needed() const override {
    return static_cast<std::size_t>(config_.buckets_per_day);
  }

 private:
  DayAgoConfig config_;
};

}  // namespace

std::unique_ptr<Detector> make_dayago(const DayAgoConfig& config) {
  return std::make_unique<DayAgo>(config);
}

}  // namespace vigil::detect
