#include "alert/explain.h"

#include <algorithm>
#include <cmath>

namespace vigil {
namespace {

// The fewest top contributors whose remainder moved, relatively, at most
// kRestShare of the total's relative change; 0 when more than kMaxNamedShare
// of the slices would be needed.
int named_count(const Explanation& e) {
  const double change = e.actual - e.expected;
  const auto n = static_cast<int>(e.ranked.size());
  const int most = std::max(1, static_cast<int>(std::floor(n * kMaxNamedShare)));
  if (n < 2 || !(e.expected > 0) || change == 0) return 0;
  const double total_relative = std::abs(change) / e.expected;
  double rest_actual = e.actual, rest_expected = e.expected;
  for (int k = 1; k <= most && k < n; ++k) {
    const Contribution& c = e.ranked[k - 1];
    if (!(c.share > 0)) return 0;  // what is left moved against the total
    rest_actual -= c.actual;
    rest_expected -= c.expected;
    if (!(rest_expected > 0)) return 0;
    const double rest_relative = std::abs(rest_actual - rest_expected) / rest_expected;
    if (rest_relative <= kRestShare * total_relative) return k;
  }
  return 0;
}

}  // namespace

Explanation explain_count(const std::vector<SliceCount>& slices) {
  Explanation e;
  for (const auto& s : slices) {
    e.actual += s.actual;
    e.expected += s.expected;
  }
  const double change = e.actual - e.expected;
  const double sign = change < 0 ? -1 : 1;
  for (const auto& s : slices) {
    const double deviation = s.actual - s.expected;
    e.ranked.push_back({s.slice, s.actual, s.expected, deviation,
                        change == 0 ? 0 : deviation / change});
  }
  std::stable_sort(e.ranked.begin(), e.ranked.end(),
                   [&](const Contribution& a, const Contribution& b) {
                     return sign * a.deviation > sign * b.deviation;
                   });
  e.named = named_count(e);
  return e;
}

RatioExplanation explain_ratio(const std::vector<SliceRatio>& slices) {
  double actual_num = 0, actual_den = 0, expected_num = 0, expected_den = 0;
  for (const auto& s : slices) {
    if (!(s.denominator.expected > 0)) continue;
    actual_num += s.numerator.actual, actual_den += s.denominator.actual;
    expected_num += s.numerator.expected, expected_den += s.denominator.expected;
  }
  RatioExplanation out;
  if (!(actual_den > 0) || !(expected_den > 0)) return out;
  // Per slice, w r (its numerator over the total denominator) against w r0 (the
  // numerator its expected rate gives at its actual volume): their differences
  // are the rate effect, and explain_count ranks them.
  std::vector<SliceCount> rate_parts;
  for (const auto& s : slices) {
    if (!(s.denominator.expected > 0)) continue;
    const double expected_rate = s.numerator.expected / s.denominator.expected;
    const double weight = s.denominator.actual / actual_den;
    const double weight_expected = s.denominator.expected / expected_den;
    rate_parts.push_back({s.slice, s.numerator.actual / actual_den, weight * expected_rate});
    out.mix_effect += (weight - weight_expected) * expected_rate;
  }
  out.rate = explain_count(rate_parts);
  out.rate_effect = out.rate.actual - out.rate.expected;
  out.rate.actual = actual_num / actual_den;
  out.rate.expected = expected_num / expected_den;
  const double change = out.rate.actual - out.rate.expected;
  if (change == 0) {
    out.rate.named = 0;
    return out;
  }
  constexpr double kMostOfIt = 2.0 / 3.0;
  if (out.rate_effect / change >= kMostOfIt) {
    out.kind = RatioChange::kRate;
  } else if (out.mix_effect / change >= kMostOfIt) {
    out.kind = RatioChange::kMix;
    out.rate.named = 0;  // no slice's rate moved: the slices' shares did
  } else {
    out.kind = RatioChange::kBoth;
  }
  return out;
}

std::string slice_dimension(const std::string& slice) { return slice.substr(0, slice.find('=')); }

const Explanation* best_named(
    const std::vector<std::pair<std::string, const Explanation*>>& by_dimension,
    std::string* dimension) {
  const Explanation* best = nullptr;
  double best_explained = 0;
  for (const auto& [dim, e] : by_dimension) {
    if (e->named == 0) continue;
    double explained = 0;
    for (int i = 0; i < e->named; ++i) explained += e->ranked[i].share;
    explained = std::min(explained, 1.0);
    if (best == nullptr || explained > best_explained + 1e-9 ||
        (std::fabs(explained - best_explained) <= 1e-9 && e->named < best->named)) {
      best = e, best_explained = explained, *dimension = dim;
    }
  }
  return best;
}

}  // namespace vigil
