#include "alert/explain.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace vigil {
namespace {

// A dimension whose slices expected `expected` and got expected x factor.
std::vector<SliceCount> scaled(const std::vector<std::pair<std::string, double>>& expected,
                               const std::vector<double>& factors) {
  std::vector<SliceCount> out;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    out.push_back({expected[i].first, expected[i].second * factors[i], expected[i].second});
  }
  return out;
}

const std::vector<std::pair<std::string, double>> kOs = {{"os=Android", 620}, {"os=iOS", 380}};
const std::vector<std::pair<std::string, double>> kAge = {
    {"age=0-17", 40}, {"age=18-24", 160}, {"age=25-34", 420}, {"age=35-44", 300}, {"age=45+", 80}};

TEST(ExplainCount, AnAndroidOnlyOutageNamesAndroid) {
  const auto e = explain_count(scaled(kOs, {0.36, 1.01}));
  ASSERT_EQ(e.named, 1);
  EXPECT_EQ(e.ranked[0].slice, "os=Android");
  EXPECT_NEAR(e.ranked[0].deviation, 620 * 0.36 - 620, 1e-9);
  EXPECT_GT(e.ranked[0].share, 0.95);  // Android carries (all of) the drop
  EXPECT_NEAR(e.actual, 620 * 0.36 + 380 * 1.01, 1e-9);
  EXPECT_NEAR(e.expected, 1000, 1e-9);
}

TEST(ExplainCount, AUniformDropNamesNoCulprit) {
  // Android is the biggest contributor, but iOS fell just as much.
  const auto e = explain_count(scaled(kOs, {0.52, 0.49}));
  EXPECT_EQ(e.named, 0);
  EXPECT_EQ(e.ranked[0].slice, "os=Android");
  const auto ages = explain_count(scaled(kAge, {0.6, 0.55, 0.58, 0.6, 0.62}));
  EXPECT_EQ(ages.named, 0);
}

TEST(ExplainCount, ASpikeInOneAgeGroupNamesIt) {
  const auto e = explain_count(scaled(kAge, {1.02, 3.0, 0.98, 1.01, 1.0}));
  ASSERT_EQ(e.named, 1);
  EXPECT_EQ(e.ranked[0].slice, "age=18-24");
}

TEST(ExplainCount, TwoGroupsThatMovedAreBothNamedBiggestFirst) {
  const auto e = explain_count(scaled(kAge, {1.0, 0.3, 0.4, 1.01, 0.99}));
  ASSERT_EQ(e.named, 2);
  EXPECT_EQ(e.ranked[0].slice, "age=25-34");  // -252 against -112
  EXPECT_EQ(e.ranked[1].slice, "age=18-24");
}

TEST(ExplainCount, MostSlicesMovingIsSpread) {
  // Three of five fell alike: more than half of the slices would have to be named.
  const auto e = explain_count(scaled(kAge, {1.0, 0.4, 0.4, 0.4, 1.0}));
  EXPECT_EQ(e.named, 0);
}

TEST(ExplainCount, NoChangeOrOneSliceNamesNothing) {
  EXPECT_EQ(explain_count(scaled(kOs, {1.0, 1.0})).named, 0);
  // Android up by as much as iOS fell: the total did not move.
  EXPECT_EQ(explain_count({{"os=Android", 720, 620}, {"os=iOS", 280, 380}}).named, 0);
  EXPECT_EQ(explain_count({{"os=Android", 10, 100}}).named, 0);
  EXPECT_EQ(explain_count({}).named, 0);
}

// Slices with views (the denominator) and likes (the numerator), expected and actual.
SliceRatio ctr_slice(const std::string& slice, double views_expected, double rate_expected,
                     double views_factor, double rate_factor) {
  const double views = views_expected * views_factor;
  return {slice,
          {slice, views * rate_expected * rate_factor, views_expected * rate_expected},
          {slice, views, views_expected}};
}

TEST(ExplainRatio, OneAgeGroupsCtrFallIsARateChangeNamingIt) {
  std::vector<SliceRatio> slices;
  for (const auto& [slice, views] : kAge) {
    slices.push_back(ctr_slice(slice, views * 10, 0.045, 1.0, slice == "age=25-34" ? 0.3 : 1.0));
  }
  const auto r = explain_ratio(slices);
  EXPECT_EQ(r.kind, RatioChange::kRate);
  ASSERT_EQ(r.rate.named, 1);
  EXPECT_EQ(r.rate.ranked[0].slice, "age=25-34");
  EXPECT_NEAR(r.rate.expected, 0.045, 1e-12);
  EXPECT_NEAR(r.rate.actual, 0.045 * (1 - 0.7 * 420 / 1000.0), 1e-12);
  EXPECT_NEAR(r.rate_effect + r.mix_effect, r.rate.actual - r.rate.expected, 1e-12);
}

TEST(ExplainRatio, MoreTrafficFromALowCtrSliceIsAMixChange) {
  // Rates unchanged inside each slice; Android (the lower CTR) doubles its views.
  const std::vector<SliceRatio> slices = {ctr_slice("os=Android", 620, 0.03, 2.0, 1.0),
                                          ctr_slice("os=iOS", 380, 0.06, 1.0, 1.0)};
  const auto r = explain_ratio(slices);
  EXPECT_LT(r.rate.actual, r.rate.expected);
  EXPECT_EQ(r.kind, RatioChange::kMix);
  EXPECT_EQ(r.rate.named, 0);
  EXPECT_NEAR(r.rate_effect, 0, 1e-12);
  EXPECT_NEAR(r.mix_effect, r.rate.actual - r.rate.expected, 1e-12);
}

TEST(ExplainRatio, ACtrFallEverywhereIsARateChangeWithNoCulprit) {
  const std::vector<SliceRatio> slices = {ctr_slice("os=Android", 620, 0.04, 1.0, 0.5),
                                          ctr_slice("os=iOS", 380, 0.05, 1.0, 0.52)};
  const auto r = explain_ratio(slices);
  EXPECT_EQ(r.kind, RatioChange::kRate);
  EXPECT_EQ(r.rate.named, 0);
}

TEST(ExplainRatio, BothEffectsTogether) {
  // iOS's CTR falls by a quarter while Android (lower CTR) gains traffic.
  const std::vector<SliceRatio> slices = {ctr_slice("os=Android", 620, 0.03, 1.8, 1.0),
                                          ctr_slice("os=iOS", 380, 0.06, 1.0, 0.75)};
  const auto r = explain_ratio(slices);
  EXPECT_EQ(r.kind, RatioChange::kBoth);
  EXPECT_LT(r.rate_effect, 0);
  EXPECT_LT(r.mix_effect, 0);
  EXPECT_NEAR(r.rate_effect + r.mix_effect, r.rate.actual - r.rate.expected, 1e-12);
}

TEST(ExplainRatio, NoDenominatorIsNoExplanation) {
  const auto r = explain_ratio({ctr_slice("os=iOS", 0, 0.05, 1.0, 1.0)});
  EXPECT_EQ(r.kind, RatioChange::kNone);
  EXPECT_TRUE(r.rate.ranked.empty());
}

}  // namespace
}  // namespace vigil
