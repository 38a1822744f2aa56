#include "alert/where.h"

#include <cmath>
#include <map>

#include <fmt/format.h>

#include "alert/explain.h"
#include "base/strings.h"

namespace vigil {
namespace {

// "−64%", "+120%", "±0%".
std::string signed_percent(double relative) {
  const double percent = std::round(std::fabs(relative) * 100);
  if (percent == 0) return "±0%";
  return fmt::format("{}{:.0f}%", relative < 0 ? "−" : "+", percent);
}

bool usable(const SliceOutcome& s) { return std::isfinite(s.value) && std::isfinite(s.expected); }

// "os=Android −64% (explains 93% of the change) · rest of os +1%".
std::string named_text(const Explanation& e, const std::string& dimension,
                       const std::string& what) {
  std::string out;
  double rest_actual = e.actual, rest_expected = e.expected;
  for (int i = 0; i < e.named; ++i) {
    const Contribution& c = e.ranked[i];
    out += fmt::format("{}{} {} (explains {:.0f}% of the {})", out.empty() ? "" : " · ",
                       html_escape(c.slice), signed_percent(c.actual / c.expected - 1),
                       std::min(c.share, 1.0) * 100, what);
    rest_actual -= c.actual, rest_expected -= c.expected;
  }
  if (rest_expected > 0) {
    out += fmt::format(" · rest of {} {}", html_escape(dimension),
                       signed_percent(rest_actual / rest_expected - 1));
  }
  return out;
}

std::string dimensions_text(const std::vector<std::string>& dims) {
  std::string out;
  for (const auto& d : dims) out += (out.empty() ? "" : ", ") + html_escape(d);
  return out;
}

}  // namespace

std::map<std::string, std::vector<SliceCount>> counts_by_dimension(
    const std::vector<SliceOutcome>& slices) {
  std::map<std::string, std::vector<SliceCount>> grouped;
  for (const auto& s : slices) {
    if (usable(s)) grouped[slice_dimension(s.slice)].push_back({s.slice, s.value, s.expected});
  }
  return grouped;
}

std::map<std::string, std::vector<SliceRatio>> ratios_by_dimension(
    const std::vector<SliceOutcome>& numerators, const std::vector<SliceOutcome>& denominators) {
  std::map<std::string, SliceRatio> by_slice;
  for (const auto& s : numerators) {
    if (usable(s)) by_slice[s.slice] = {s.slice, {s.slice, s.value, s.expected}, {}};
  }
  std::map<std::string, std::vector<SliceRatio>> grouped;
  for (const auto& s : denominators) {
    auto it = by_slice.find(s.slice);
    if (!usable(s) || it == by_slice.end()) continue;
    it->second.denominator = {s.slice, s.value, s.expected};
    grouped[slice_dimension(s.slice)].push_back(it->second);
  }
  return grouped;
}

std::string where_text(const std::vector<SliceOutcome>& slices) {
  std::map<std::string, Explanation> by_dimension;
  std::vector<std::string> judged;
  for (const auto& [dim, counts] : counts_by_dimension(slices)) {
    if (counts.size() < 2) continue;
    by_dimension[dim] = explain_count(counts);
    if (by_dimension[dim].actual != by_dimension[dim].expected) judged.push_back(dim);
  }
  if (judged.empty()) return "";
  std::vector<std::pair<std::string, const Explanation*>> candidates;
  for (const auto& [dim, e] : by_dimension) candidates.push_back({dim, &e});
  std::string dimension;
  const Explanation* best = best_named(candidates, &dimension);
  if (best == nullptr) {
    return fmt::format("Where: no slice stands out ({} moved alike)", dimensions_text(judged));
  }
  return "Where: " + named_text(*best, dimension, "change");
}

std::string ratio_where_text(const std::vector<SliceOutcome>& numerators,
                             const std::vector<SliceOutcome>& denominators) {
  std::map<std::string, RatioExplanation> by_dimension;
  std::vector<std::string> judged;
  for (const auto& [dim, ratios] : ratios_by_dimension(numerators, denominators)) {
    if (ratios.size() < 2) continue;
    by_dimension[dim] = explain_ratio(ratios);
    if (by_dimension[dim].kind != RatioChange::kNone) judged.push_back(dim);
  }
  if (judged.empty()) return "";
  bool all_mix = true;
  for (const auto& dim : judged) all_mix = all_mix && by_dimension[dim].kind == RatioChange::kMix;
  if (all_mix) {
    return fmt::format("Where: the mix of {} moved, not the rates inside them",
                       dimensions_text(judged));
  }
  std::vector<std::pair<std::string, const Explanation*>> candidates;
  for (const auto& [dim, r] : by_dimension) candidates.push_back({dim, &r.rate});
  std::string dimension;
  const Explanation* best = best_named(candidates, &dimension);
  if (best == nullptr) {
    return fmt::format("Where: no slice stands out (the rate moved alike in {})",
                       dimensions_text(judged));
  }
  std::string out = "Where: the rate inside " + named_text(*best, dimension, "rate change");
  if (by_dimension[dimension].kind == RatioChange::kBoth) out += " · the mix of slices moved too";
  return out;
}

}  // namespace vigil
