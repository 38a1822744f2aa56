// Sustained drops of low counts: see methods.h (sustained_drop).
#include <algorithm>
#include <cmath>

#include "detect/methods.h"

namespace vigil::detect {
namespace {

constexpr long kDropWindow = 12;
constexpr double kDropShare = 0.3;
constexpr double kDropProbability = 1e-7;
constexpr int kMaxDropDays = 28;  // seasonal's `days`, checked by the factory

}  // namespace

void sustained_drop(const double* h, long first, long t, int buckets_per_day, int days_back,
                    int min_days, double k, Verdict& v) {
  const long b = buckets_per_day;
  const long start = t - kDropWindow + 1;
  if (start < first) return;
  double observed = 0;
  for (long p = start; p <= t; ++p) {
    if (!present(h[p])) return;
    observed += h[p];
  }
  // Expected: the median over the previous days of the same hours' sums (not the
  // forecast, whose level follows the drop itself after half its window).
  double sums[kMaxDropDays];
  int days = 0;
  for (long d = 1; d <= days_back && start - d * b >= first; ++d) {
    double sum = 0;
    bool complete = true;
    for (long p = start - d * b; p <= t - d * b; ++p) {
      if (!present(h[p])) complete = false;
      sum += h[p];
    }
    if (complete) sums[days++] = sum;
  }
  if (days < min_days) return;
  // Overdispersed counts (bursty series) have quiet hours now and then: the drop
  // must also be well below the quietest of those days.
  const double quietest = *std::min_element(sums, sums + days);
  if (!(observed < kDropShare * quietest)) return;
  const double expected = median_small(sums, days);
  // The current bucket must still be in the drop: the alarm ends with it.
  if (!(expected > 0) || !(observed <= kDropShare * expected) ||
      !(h[t] <= kDropShare * expected / kDropWindow)) {
    return;
  }
  // log P(X <= observed) for X ~ Poisson(expected): the terms grow with i here
  // (observed < expected), so the sum is at most (observed + 1) x the last term.
  const double last = -expected + observed * std::log(expected) - std::lgamma(observed + 1);
  if (last + std::log(observed + 1) > std::log(kDropProbability)) return;
  const double e_t = expected / kDropWindow;
  const double band = k * std::sqrt(e_t);
  v.expected = e_t;
  v.lower = std::max(0.0, e_t - band);
  v.upper = e_t + band;
  v.score = (observed - expected) / std::sqrt(expected);
  v.ready = v.anomaly = true;
}

}  // namespace vigil::detect
