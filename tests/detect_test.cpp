// The detectors (pure): parameters, hand-computed bands, and synthetic series with
// known answers (constant, trend, daily curve, step, spike, missing buckets, zeros).
#include "detect/detector.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "detect/calibrate.h"
#include "detect/methods.h"

namespace vigil {
namespace {

constexpr int kDay = 96;  // 15-minute buckets
const double kNan = std::numeric_limits<double>::quiet_NaN();

std::unique_ptr<Detector> detector(const std::string& method, const DetectorParams& params = {}) {
  auto d = make_detector(method, params, kDay);
  EXPECT_TRUE(d.ok()) << d.error().message;
  return d.ok() ? std::move(*d) : nullptr;
}

// Verdict for series[i], given everything before it.
Verdict at(const Detector& d, const std::vector<double>& series, std::size_t i) {
  return d.evaluate(std::span<const double>(series.data(), i), series[i]);
}

// Every bucket's verdict, by evaluate_range (DetectorRange.EqualsEvaluateBucketByBucket
// shows it equals evaluate() bucket by bucket; this is faster for long series).
std::vector<Verdict> run_all(const Detector& d, const std::vector<double>& series) {
  std::vector<Verdict> out(series.size());
  d.evaluate_range(series, 0, out);
  return out;
}

std::vector<std::size_t> anomalies(const std::vector<Verdict>& verdicts, std::size_t from = 0) {
  std::vector<std::size_t> out;
  for (std::size_t i = from; i < verdicts.size(); ++i) {
    if (verdicts[i].anomaly) out.push_back(i);
  }
  return out;
}

// Deterministic standard normal noise (an LCG and Box-Muller), the same everywhere.
class Noise {
 public:
  explicit Noise(std::uint64_t seed) : state_(seed * 2654435761u + 1) {}
  double normal() {
    const double u1 = (next() + 1.0) / 9007199254740993.0, u2 = next() / 9007199254740992.0;
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  }

 private:
  std::uint64_t next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 11;
  }
  std::uint64_t state_;
};

// A daily curve between `base` * 0.2 and `base` * 1.8 (lowest at 03:00), with count
// noise (sqrt) plus `relative` noise, over `days` days.
std::vector<double> daily_series(int days, double base, double relative = 0.02,
                                 std::uint64_t seed = 1) {
  Noise noise(seed);
  std::vector<double> out;
  for (int i = 0; i < days * kDay; ++i) {
    const double hour = (i % kDay) / 4.0;
    const double mean = base * (1 - 0.8 * std::cos(2 * M_PI * (hour - 3) / 24));
    const double sd = std::sqrt(mean) + relative * mean;
    out.push_back(std::max(0.0, std::round(mean + sd * noise.normal())));
  }
  return out;
}

// ---- factory and parameters ------------------------------------------------------

TEST(DetectorFactory, ShipsThreeMethodsWithSeasonalFirst) {
  EXPECT_EQ(detector_methods(), (std::vector<std::string>{"seasonal", "iqr", "dayago"}));
  for (const auto& m : detector_methods()) EXPECT_NE(detector(m), nullptr) << m;
}

TEST(DetectorFactory, UnknownMethodListsTheValidOnes) {
  auto d = make_detector("zscore", {}, kDay);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().exit_code(), 2);
  EXPECT_EQ(d.error().message, "unknown detection method 'zscore' (valid: seasonal, iqr, dayago)");
}

TEST(DetectorFactory, UnknownParameterNamesItAndListsTheValidOnes) {
  auto d = make_detector("iqr", {{"window", "5"}}, kDay);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().exit_code(), 2);
  EXPECT_EQ(d.error().message, "unknown parameter 'window' for method iqr (valid: n, a, direction)");
  auto s = make_detector("seasonal", {{"threshold", "0.5"}}, kDay);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "unknown parameter 'threshold' for method seasonal (valid: days, weeks, min_days, "
            "level, noise_window, k, floor, poisson, min_volume, sensitivity, k_min, margin, "
            "rank, calibration_days, model, direction)");
}

TEST(DetectorFactory, DirectionKeepsOnlyAnomaliesOnItsSide) {
  // A flat series with one spike up and one dip down, judged by iqr.
  std::vector<double> series(40, 100.0);
  for (std::size_t i = 0; i < series.size(); ++i) series[i] += (i % 3);  // some spread
  series[20] = 300;
  series[30] = 10;
  auto flags = [&](const DetectorParams& params) {
    auto d = make_detector("iqr", params, kDay);
    EXPECT_TRUE(d.ok());
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < series.size(); ++i) {
      if (at(**d, series, i).anomaly) out.push_back(i);
    }
    return out;
  };
  EXPECT_EQ(flags({}), (std::vector<std::size_t>{20, 30}));
  EXPECT_EQ(flags({{"direction", "both"}}), (std::vector<std::size_t>{20, 30}));
  EXPECT_EQ(flags({{"direction", "up"}}), (std::vector<std::size_t>{20}));
  EXPECT_EQ(flags({{"direction", "down"}}), (std::vector<std::size_t>{30}));
  auto bad = make_detector("dayago", {{"direction", "sideways"}}, kDay);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "dayago parameter direction='sideways': expected both, up, down");
  auto sens = make_detector("seasonal", {{"sensitivity", "extreme"}}, kDay);
  ASSERT_FALSE(sens.ok());
  EXPECT_EQ(sens.error().message,
            "seasonal parameter sensitivity='extreme': expected low, normal, high");
}

TEST(DetectorFactory, BadValuesNameTheParameterAndTheRange) {
  struct Case {
    std::string method, key, value, message;
  };
  const std::vector<Case> cases = {
      {"iqr", "n", "1", "iqr parameter n='1': expected an integer 2..10000"},
      {"iqr", "n", "2.5", "iqr parameter n='2.5': expected an integer 2..10000"},
      {"iqr", "a", "-1", "iqr parameter a='-1': expected a number >= 0"},
      {"iqr", "a", "abc", "iqr parameter a='abc': expected a number >= 0"},
      {"iqr", "a", "", "iqr parameter a='': expected a number >= 0"},
      {"dayago", "threshold", "0", "dayago parameter threshold='0': expected a number > 0"},
      {"dayago", "threshold", "inf", "dayago parameter threshold='inf': expected a number > 0"},
      {"seasonal", "days", "0", "seasonal parameter days='0': expected an integer 1..28"},
      {"seasonal", "k", "-2", "seasonal parameter k='-2': expected a number > 0"},
      {"seasonal", "min_volume", "x", "seasonal parameter min_volume='x': expected a number >= 0"},
      {"seasonal", "level", "97", "seasonal parameter level='97': expected an integer 1..96"},
  };
  for (const auto& c : cases) {
    auto d = make_detector(c.method, {{c.key, c.value}}, kDay);
    ASSERT_FALSE(d.ok()) << c.method << " " << c.key << "=" << c.value;
    EXPECT_EQ(d.error().message, c.message);
    EXPECT_EQ(d.error().exit_code(), 2);
  }
  auto too_many = make_detector("seasonal", {{"days", "2"}, {"weeks", "0"}, {"min_days", "3"}}, kDay);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().message,
            "seasonal parameter min_days=3: expected at most days + weeks = 2");
  EXPECT_FALSE(make_detector("iqr", {}, 0).ok());
}

TEST(DetectorFactory, HistoryNeededFollowsTheParameters) {
  EXPECT_EQ(detector("iqr")->history_needed(), 5u);
  EXPECT_EQ(detector("iqr", {{"n", "20"}})->history_needed(), 20u);
  EXPECT_EQ(detector("dayago")->history_needed(), 96u);
  EXPECT_EQ(make_detector("dayago", {}, 24).value()->history_needed(), 24u);
  // The longest forecast (same weekday two weeks back, plus the level window), a
  // day comparing the forecasts, and two record windows of a week with their
  // episode reaches (thresholds in two rounds).
  const std::size_t records = 2 * (7 * 96 + 16);
  EXPECT_EQ(detector("seasonal")->history_needed(), 14u * 96 + 12 + 96 + records);
  EXPECT_EQ(detector("seasonal", {{"level", "8"}})->history_needed(),
            14u * 96 + 8 + 96 + records);
  // The noise window may reach further back than the level window.
  EXPECT_EQ(detector("seasonal", {{"level", "2"}, {"noise_window", "8"}})->history_needed(),
            14u * 96 + 7 + 96 + records);
  // Without calibration, no records; a longer one reaches further.
  EXPECT_EQ(detector("seasonal", {{"calibration_days", "0"}})->history_needed(),
            14u * 96 + 12 + 96 + 2 * 16);
  EXPECT_EQ(detector("seasonal", {{"calibration_days", "14"}})->history_needed(),
            14u * 96 + 12 + 96 + 2 * (14 * 96 + 16));
}

// Same bits, NaN equal to NaN.
bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

TEST(DetectorRange, EqualsEvaluateBucketByBucket) {
  auto series = daily_series(12, 300, 0.03, 17);
  Noise pick(5);
  for (auto& x : series) {
    if (pick.normal() > 1.5) x = kNan;
  }
  series[9 * kDay + 20] *= 3;
  series[10 * kDay + 70] = 0;
  for (const auto& method : detector_methods()) {
    for (const DetectorParams& params :
         {DetectorParams{}, DetectorParams{{"n", "9"}}, DetectorParams{{"threshold", "0.3"}},
          DetectorParams{{"level", "3"}, {"noise_window", "7"}, {"min_days", "1"}}}) {
      auto d = make_detector(method, params, kDay);
      if (!d.ok()) continue;  // parameters of another method
      const auto one_by_one = run_all(**d, series);
      for (std::size_t begin : {std::size_t{0}, std::size_t{5}, std::size_t{kDay + 3},
                                std::size_t{8 * kDay + 1}, series.size() - 1}) {
        std::vector<Verdict> out(series.size() - begin);
        (*d)->evaluate_range(series, begin, out);
        for (std::size_t i = 0; i < out.size(); ++i) {
          const Verdict& a = one_by_one[begin + i];
          const Verdict& b = out[i];
          ASSERT_TRUE(same(a.lower, b.lower) && same(a.upper, b.upper) &&
                      same(a.expected, b.expected) && same(a.score, b.score) &&
                      a.anomaly == b.anomaly && a.ready == b.ready)
              << method << " begin " << begin << " bucket " << begin + i;
        }
      }
    }
  }
}

// ---- small statistics ---------------------------------------------------------------

TEST(DetectStats, SortingNetworksSortEveryZeroOneInput) {
  // The 0-1 principle: a network that sorts all 0/1 inputs sorts everything.
  for (unsigned bits = 0; bits < (1u << 8); ++bits) {
    double v[8];
    for (int i = 0; i < 8; ++i) v[i] = (bits >> i) & 1;
    detect::SortingNetwork<8>::sort(v);
    ASSERT_TRUE(std::is_sorted(v, v + 8)) << bits;
  }
  for (unsigned bits = 0; bits < (1u << 16); ++bits) {
    double v[16];
    for (int i = 0; i < 16; ++i) v[i] = (bits >> i) & 1;
    detect::SortingNetwork<16>::sort(v);
    ASSERT_TRUE(std::is_sorted(v, v + 16)) << bits;
  }
}

TEST(DetectStats, MedianMatchesASortedReferenceForEverySize) {
  Noise noise(7);
  for (int n = 1; n <= 70; ++n) {
    for (int trial = 0; trial < 50; ++trial) {
      std::vector<double> v(n);
      // Some ties on purpose.
      for (auto& x : v) x = std::round(noise.normal() * 4);
      std::vector<double> sorted = v;
      std::sort(sorted.begin(), sorted.end());
      const double expected = 0.5 * (sorted[(n - 1) / 2] + sorted[n / 2]);
      ASSERT_EQ(detect::median_small(v.data(), n), expected) << "n=" << n;
    }
  }
  EXPECT_TRUE(std::isnan(detect::median_small(nullptr, 0)));
  double two[2] = {3, 1};
  EXPECT_EQ(detect::median_small(two, 2), 2.0);
}

// ---- iqr ------------------------------------------------------------------------------

TEST(Iqr, BandByHandForFiveBuckets) {
  auto d = detector("iqr");
  // Sorted 10 11 12 13 14: Q1 = 11, Q3 = 13 (positions 1 and 3), IQR 2, median 12.
  const std::vector<double> history = {12, 14, 10, 13, 11};
  const Verdict v = d->evaluate(history, 20);
  EXPECT_TRUE(v.ready);
  EXPECT_DOUBLE_EQ(v.lower, 11 - 3 * 2);
  EXPECT_DOUBLE_EQ(v.upper, 13 + 3 * 2);
  EXPECT_DOUBLE_EQ(v.expected, 12);
  EXPECT_DOUBLE_EQ(v.score, (20 - 12) / 2.0);
  EXPECT_TRUE(v.anomaly);
  EXPECT_FALSE(d->evaluate(history, 19).anomaly);  // on the band's edge: inside
  EXPECT_FALSE(d->evaluate(history, 5).anomaly);
  EXPECT_TRUE(d->evaluate(history, 4.9).anomaly);
  EXPECT_DOUBLE_EQ(d->evaluate(history, 4.9).score, (4.9 - 12) / 2);
}

TEST(Iqr, InterpolatedQuartilesAndParameters) {
  auto d = detector("iqr", {{"n", "4"}, {"a", "1"}});
  // 1 2 3 4: Q1 at position 0.75 = 1.75, Q3 at 2.25 = 3.25, IQR 1.5.
  const std::vector<double> history = {4, 1, 3, 2};
  const Verdict v = d->evaluate(history, 3);
  EXPECT_DOUBLE_EQ(v.lower, 1.75 - 1.5);
  EXPECT_DOUBLE_EQ(v.upper, 3.25 + 1.5);
  EXPECT_DOUBLE_EQ(v.expected, 2.5);
  EXPECT_FALSE(v.anomaly);
  EXPECT_TRUE(d->evaluate(history, 4.8).anomaly);
}

TEST(Iqr, OnlyTheLastNBucketsCount) {
  auto d = detector("iqr");
  const std::vector<double> history = {1e9, -1e9, 12, 14, 10, 13, 11};
  const Verdict v = d->evaluate(history, 20);
  EXPECT_DOUBLE_EQ(v.lower, 5);
  EXPECT_DOUBLE_EQ(v.upper, 19);
}

TEST(Iqr, ConstantSeriesHasAZeroWidthBand) {
  auto d = detector("iqr");
  const std::vector<double> history(5, 7.0);
  const Verdict same = d->evaluate(history, 7);
  EXPECT_TRUE(same.ready);
  EXPECT_FALSE(same.anomaly);
  EXPECT_EQ(same.score, 0);
  EXPECT_EQ(same.lower, 7);
  EXPECT_EQ(same.upper, 7);
  const Verdict up = d->evaluate(history, 7.5);
  EXPECT_TRUE(up.anomaly);
  EXPECT_EQ(up.score, std::numeric_limits<double>::infinity());
  EXPECT_EQ(d->evaluate(history, 6).score, -std::numeric_limits<double>::infinity());
}

TEST(Iqr, LinearTrendStaysInsideTheBand) {
  auto d = detector("iqr");
  std::vector<double> series;
  for (int i = 0; i < 500; ++i) series.push_back(100 + 2.0 * i);
  EXPECT_TRUE(anomalies(run_all(*d, series)).empty());
}

TEST(Iqr, SingleSpikeAndStep) {
  auto d = detector("iqr");
  std::vector<double> series;
  for (int i = 0; i < 200; ++i) series.push_back(1000 + 10 * (i % 3) - 10);  // 990 1000 1010
  series[100] = 1500;                                // spike
  for (int i = 150; i < 200; ++i) series[i] -= 400;  // step down
  // The spike, and the step only until the new level is 2 of the 5 values (then Q1 is
  // on the new level and the IQR spans the step).
  EXPECT_EQ(anomalies(run_all(*d, series)), (std::vector<std::size_t>{100, 150, 151}));
}

TEST(Iqr, MissingBucketsAndShortHistory) {
  auto d = detector("iqr");
  EXPECT_FALSE(d->evaluate(std::vector<double>{}, 1).ready);
  EXPECT_FALSE(d->evaluate(std::vector<double>{1, 2}, 1).ready);   // 2 of 5: too few
  EXPECT_TRUE(d->evaluate(std::vector<double>{1, 2, 3}, 1).ready);  // at least half
  const std::vector<double> gaps = {12, kNan, 10, kNan, 14};
  const Verdict v = d->evaluate(gaps, 100);
  EXPECT_TRUE(v.ready);
  EXPECT_DOUBLE_EQ(v.lower, 11 - 3 * 2);  // 10 12 14: Q1 11, Q3 13
  EXPECT_TRUE(v.anomaly);
  EXPECT_FALSE(d->evaluate(std::vector<double>{kNan, kNan, kNan, 1, 2}, 1).ready);
  const Verdict missing = d->evaluate(gaps, kNan);
  EXPECT_FALSE(missing.anomaly);
  EXPECT_FALSE(missing.ready);
}

// ---- dayago ---------------------------------------------------------------------------

TEST(DayAgo, ThresholdOnBothSides) {
  auto d = detector("dayago");
  std::vector<double> history(kDay, 5.0);
  history[0] = 100;  // the same bucket one day earlier
  const Verdict v = d->evaluate(history, 151);
  EXPECT_TRUE(v.ready);
  EXPECT_TRUE(v.anomaly);
  EXPECT_DOUBLE_EQ(v.score, 0.51);
  EXPECT_DOUBLE_EQ(v.expected, 100);
  EXPECT_DOUBLE_EQ(v.lower, 50);
  EXPECT_DOUBLE_EQ(v.upper, 150);
  EXPECT_FALSE(d->evaluate(history, 149).anomaly);
  EXPECT_FALSE(d->evaluate(history, 150).anomaly);
  EXPECT_FALSE(d->evaluate(history, 51).anomaly);
  EXPECT_TRUE(d->evaluate(history, 49).anomaly);
  EXPECT_DOUBLE_EQ(d->evaluate(history, 49).score, -0.51);
  auto strict = detector("dayago", {{"threshold", "0.2"}});
  EXPECT_TRUE(strict->evaluate(history, 125).anomaly);
  EXPECT_FALSE(strict->evaluate(history, 115).anomaly);
}

TEST(DayAgo, NotReadyWithoutADayAgoOrAPositiveOne) {
  auto d = detector("dayago");
  EXPECT_FALSE(d->evaluate(std::vector<double>(kDay - 1, 1.0), 100).ready);
  std::vector<double> history(kDay, 1.0);
  history[0] = kNan;
  EXPECT_FALSE(d->evaluate(history, 100).ready);
  history[0] = 0;  // zeros: no relative deviation
  const Verdict zero = d->evaluate(history, 100);
  EXPECT_FALSE(zero.ready);
  EXPECT_FALSE(zero.anomaly);
  history[0] = 10;
  EXPECT_FALSE(d->evaluate(history, kNan).anomaly);
}

TEST(DayAgo, DailyCurveWithoutNoiseNeverAlarms) {
  auto d = detector("dayago");
  std::vector<double> clean;
  for (int i = 0; i < 5 * kDay; ++i) {
    clean.push_back(1000 * (1 - 0.8 * std::cos(2 * M_PI * ((i % kDay) / 4.0 - 3) / 24)));
  }
  EXPECT_TRUE(anomalies(run_all(*d, clean)).empty());
}

// ---- seasonal -------------------------------------------------------------------------

TEST(Seasonal, ConstantSeriesBandByHand) {
  // A constant count of 1000 for 10 days: no spread, so the scale is the larger
  // count floor, max(sqrt(1000), 0.05 x 1000) = 50. No episodes in the record and a
  // full week of judged buckets: the threshold is k_min, 5 at normal sensitivity.
  const std::vector<double> series(10 * kDay, 1000.0);
  const std::span<const double> history(series.data(), series.size() - 1);
  auto d = detector("seasonal");
  const Verdict v = d->evaluate(history, 1000);
  EXPECT_TRUE(v.ready);
  EXPECT_DOUBLE_EQ(v.expected, 1000);
  EXPECT_DOUBLE_EQ(v.lower, 1000 - 5 * 50);
  EXPECT_DOUBLE_EQ(v.upper, 1000 + 5 * 50);
  EXPECT_DOUBLE_EQ(v.score, 0);
  EXPECT_DOUBLE_EQ(d->evaluate(history, 700).score, -6);
  EXPECT_TRUE(d->evaluate(history, 700).anomaly);
  EXPECT_TRUE(d->evaluate(history, 1300).anomaly);
  EXPECT_FALSE(d->evaluate(history, 760).anomaly);
  EXPECT_FALSE(d->evaluate(history, 1240).anomaly);
  // Sensitivity moves k_min: 6.5 (low), 4 (high).
  auto low = detector("seasonal", {{"sensitivity", "low"}});
  EXPECT_DOUBLE_EQ(low->evaluate(history, 1000).upper, 1000 + 6.5 * 50);
  EXPECT_FALSE(low->evaluate(history, 700).anomaly);
  EXPECT_TRUE(low->evaluate(history, 650).anomaly);
  auto high = detector("seasonal", {{"sensitivity", "high"}});
  EXPECT_DOUBLE_EQ(high->evaluate(history, 1000).upper, 1000 + 4 * 50);
  EXPECT_TRUE(high->evaluate(history, 790).anomaly);
  // Low volume: the count-noise floor sqrt(100) = 10 is above 0.05 x 100.
  const std::vector<double> small(10 * kDay, 100.0);
  const Verdict s = at(*d, small, small.size() - 1);
  EXPECT_DOUBLE_EQ(s.lower, 100 - 5 * 10);
  EXPECT_DOUBLE_EQ(s.upper, 100 + 5 * 10);
}

TEST(Seasonal, AYoungSeriesIsJudgedLaterAndLooser) {
  // The daily forecast exists from bucket 2 days + 6 (two previous days, half of the
  // level window); its record needs 48 judged buckets, so the first verdict is at
  // 2 days + 54. The threshold floor then falls from k = 7 to k_min = 5 over the
  // first three days judged: 5 + 2 x (1 - judged / 288).
  const std::vector<double> series(10 * kDay, 1000.0);
  auto d = detector("seasonal");
  const auto verdicts = run_all(*d, series);
  for (std::size_t i = 0; i < 2 * kDay + 54; ++i) EXPECT_FALSE(verdicts[i].ready) << i;
  for (const std::size_t i : {2 * kDay + 54, 2 * kDay + 60, 4 * kDay}) {
    ASSERT_TRUE(verdicts[i].ready) << i;
    const double judged = static_cast<double>(i - (2 * kDay + 6));
    EXPECT_DOUBLE_EQ(verdicts[i].upper, 1000 + (5 + 2 * (1 - judged / 288)) * 50) << i;
  }
  // Three days judged (from 2 days + 6 on): k_min.
  EXPECT_DOUBLE_EQ(verdicts[2 * kDay + 6 + 288].upper, 1000 + 5 * 50);
  EXPECT_GT(verdicts[2 * kDay + 5 + 288].upper, 1000 + 5 * 50);
}

TEST(Seasonal, NoAlarmsOnADailyCurveWithNoiseOverManyDays) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    auto d = detector("seasonal");
    const auto series = daily_series(28, 500, 0.03, seed);
    const auto verdicts = run_all(*d, series);
    EXPECT_TRUE(anomalies(verdicts).empty()) << "seed " << seed;
    for (std::size_t i = 0; i < 2 * kDay; ++i) ASSERT_FALSE(verdicts[i].ready) << i;
    for (std::size_t i = 3 * kDay; i < verdicts.size(); ++i) ASSERT_TRUE(verdicts[i].ready) << i;
  }
}

TEST(Seasonal, FirstDaysAreNotJudged) {
  auto series = daily_series(6, 500);
  series[kDay + 50] *= 5;      // on the second day: one previous day, not judged
  series[4 * kDay + 50] *= 5;  // on the fifth: judged
  const auto verdicts = run_all(*detector("seasonal"), series);
  for (int i = 0; i < 2 * kDay; ++i) {
    EXPECT_FALSE(verdicts[i].ready) << i;
    EXPECT_FALSE(verdicts[i].anomaly) << i;
  }
  EXPECT_EQ(anomalies(verdicts), (std::vector<std::size_t>{4 * kDay + 50}));
}

// A count series with a daily curve and routine bursts: about one a day, 2.5-3.5x
// for two buckets, at varying times.
std::vector<double> bursty_series(int days, std::uint64_t seed) {
  auto series = daily_series(days, 400, 0.03, seed);
  Noise noise(seed + 100);
  for (int day = 1; day < days; ++day) {
    const int at = day * kDay + 20 + static_cast<int>(std::fabs(noise.normal()) * 20) % 70;
    const double factor = 3 + 0.25 * std::max(-2.0, std::min(2.0, noise.normal()));
    series[at] = std::round(series[at] * factor);
    series[at + 1] = std::round(series[at + 1] * factor);
  }
  return series;
}

TEST(Seasonal, RoutineBurstsStayQuietAFarBiggerOneFires) {
  auto series = bursty_series(21, 7);
  const std::size_t big = 19 * kDay + 52;  // far beyond anything the series did
  series[big] = std::round(series[big] * 9);
  const auto verdicts = run_all(*detector("seasonal"), series);
  // Once a week of bursts is in the record, they are routine.
  EXPECT_EQ(anomalies(verdicts, 8 * kDay), (std::vector<std::size_t>{big}));
  // The fixed-threshold detector of before (k = 7, no record) alarmed on them.
  const auto fixed = run_all(
      *detector("seasonal", {{"calibration_days", "0"}, {"k", "7"}, {"model", "daily"}}),
      series);
  EXPECT_GT(anomalies(fixed, 8 * kDay).size(), 5u);
}

TEST(Seasonal, ADropOnABurstySeriesStillFires) {
  // Thresholds are per side: routine bursts raise the upper one only.
  auto series = bursty_series(21, 9);
  const std::size_t drop = 17 * kDay + 60;
  for (std::size_t i = drop; i < drop + 3; ++i) series[i] = std::round(series[i] * 0.35);
  const auto verdicts = run_all(*detector("seasonal"), series);
  // Found at its first bucket.
  EXPECT_TRUE(verdicts[drop].anomaly);
  EXPECT_LT(verdicts[drop].score, 0);
  // Bursts at busy hours score higher than the night ones the record mostly holds
  // (count noise grows as the square root), so a few still alarm; far fewer than
  // with the fixed threshold of before.
  const auto others = [&](const std::vector<Verdict>& v) {
    std::size_t n = 0;
    for (std::size_t i : anomalies(v, 10 * kDay)) n += i < drop || i >= drop + 3;
    return n;
  };
  const auto fixed = run_all(
      *detector("seasonal", {{"calibration_days", "0"}, {"k", "7"}, {"model", "daily"}}),
      series);
  EXPECT_LE(3 * others(verdicts), others(fixed));
}

TEST(Seasonal, ALevelShiftFiresOnceThenAdapts) {
  auto series = daily_series(21, 500, 0.02, 14);
  const std::size_t shift = 15 * kDay + 40;
  for (std::size_t i = shift; i < series.size(); ++i) series[i] = std::round(series[i] * 1.7);
  const auto verdicts = run_all(*detector("seasonal"), series);
  const auto found = anomalies(verdicts);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.front(), shift);
  // One episode at the shift, over within the level window (12 buckets, 3 hours),
  // then quiet for the remaining days at the new level.
  for (std::size_t i : found) {
    EXPECT_GE(i, shift);
    EXPECT_LT(i, shift + 12) << i;
  }
  for (std::size_t i = shift + 1; i < shift + 12 && i + 1 < found.size(); ++i) {
    (void)i;
  }
  std::size_t episodes = 0;
  for (std::size_t k = 0; k < found.size(); ++k) episodes += k == 0 || found[k] != found[k - 1] + 1;
  EXPECT_EQ(episodes, 1u);
}

// A machine metric without a daily cycle: a CPU percentage around 40 with AR(1)
// noise, not counts.
std::vector<double> cpu_series(int days, std::uint64_t seed) {
  Noise noise(seed);
  std::vector<double> out;
  double ar = 0;
  for (int i = 0; i < days * kDay; ++i) {
    ar = 0.6 * ar + noise.normal();
    out.push_back(40 + 1.5 * ar + 0.01 * (i % 7));
  }
  return out;
}

TEST(Seasonal, AFlatSeriesWithOneDipFiresAtTheDip) {
  auto series = cpu_series(14, 3);
  const std::size_t dip = 11 * kDay + 33;
  series[dip] = 22;
  series[dip + 1] = 24;
  const auto verdicts = run_all(*detector("seasonal"), series);
  EXPECT_EQ(anomalies(verdicts, 7 * kDay), (std::vector<std::size_t>{dip, dip + 1}));
  // Not counts: no count floor (5 x sqrt(40) each side), the band follows the noise.
  EXPECT_LT(verdicts[dip].upper - verdicts[dip].lower, 30);
}

TEST(Seasonal, ARandomWalkIsFollowedByTheLocalLevel) {
  // A price: a random walk with small noise. The same time yesterday says little;
  // the last hours say a lot, so the local forecast judges.
  Noise noise(5);
  std::vector<double> series;
  double price = 100;
  for (int i = 0; i < 21 * kDay; ++i) {
    price += 0.3 * noise.normal();
    series.push_back(price + 0.1 * noise.normal());
  }
  const std::size_t spike = 18 * kDay + 10;
  series[spike] += 15;
  const auto verdicts = run_all(*detector("seasonal"), series);
  EXPECT_TRUE(verdicts[spike].anomaly);
  EXPECT_LE(anomalies(verdicts, 8 * kDay).size(), 2u);  // at most one false alarm in 13 days
}

TEST(Seasonal, ANewSeriesIsQuietUntilItHasHistoryThenJudged) {
  // "No data yet" (missing buckets) for 10 days, then a series starts: its first
  // two days are not judged, and a spike on its fifth day is found.
  auto started = daily_series(8, 300, 0.03, 21);
  started[4 * kDay + 40] *= 3;
  std::vector<double> series(10 * kDay, kNan);
  series.insert(series.end(), started.begin(), started.end());
  const auto verdicts = run_all(*detector("seasonal"), series);
  EXPECT_EQ(anomalies(verdicts), (std::vector<std::size_t>{14 * kDay + 40}));
  for (std::size_t i = 0; i < 12 * kDay; ++i) EXPECT_FALSE(verdicts[i].ready) << i;
}

TEST(Seasonal, AnOutageAtLowCountsFiresOnceItIsSustained) {
  // About 3 events a bucket: below min_volume single buckets are not judged (a 0
  // is a 5% event), but an hour of zeros is not chance.
  Noise noise(31);
  std::vector<double> series;
  for (int i = 0; i < 14 * kDay; ++i) {
    series.push_back(std::max(0.0, std::round(3 + std::sqrt(3.0) * noise.normal())));
  }
  const std::size_t outage = 11 * kDay + 40;
  for (std::size_t i = outage; i < outage + 16; ++i) series[i] = 0;
  const auto verdicts = run_all(*detector("seasonal"), series);
  const auto found = anomalies(verdicts);
  ASSERT_FALSE(found.empty());
  // Fires within the hour and not for a single zero; after the outage only on a
  // zero while its hour still holds the outage.
  EXPECT_GE(found.front(), outage + 4);
  EXPECT_LT(found.front(), outage + 12);
  for (std::size_t i : found) {
    EXPECT_GE(i, outage);
    EXPECT_LT(i, outage + 16 + 12);
    if (i >= outage + 16) EXPECT_EQ(series[i], 0) << i;
  }
  EXPECT_TRUE(verdicts[outage + 15].anomaly);
  EXPECT_LT(verdicts[found.front()].score, -4);
  // Missing buckets (no rows) instead of zeros: nothing is known, nothing fires.
  for (std::size_t i = outage; i < outage + 16; ++i) series[i] = kNan;
  EXPECT_TRUE(anomalies(run_all(*detector("seasonal"), series)).empty());
}

TEST(Seasonal, SensitivityOrdersHowMuchFires) {
  auto series = bursty_series(21, 11);
  for (int day = 9; day < 21; day += 3) series[day * kDay + 45] *= 1.9;  // moderate surprises
  std::size_t counts[3];
  const char* levels[] = {"low", "normal", "high"};
  for (int s = 0; s < 3; ++s) {
    counts[s] = anomalies(run_all(*detector("seasonal", {{"sensitivity", levels[s]}}), series),
                          8 * kDay)
                    .size();
  }
  EXPECT_LE(counts[0], counts[1]);
  EXPECT_LE(counts[1], counts[2]);
  EXPECT_LT(counts[0], counts[2]);
}

TEST(Seasonal, RatioMetricsHaveNoCountFloor) {
  // A CTR around 0.045 with 5% noise: not whole numbers, so no count floors.
  Noise noise(9);
  std::vector<double> ctr;
  for (int i = 0; i < 21 * kDay; ++i) ctr.push_back(0.045 * (1 + 0.05 * noise.normal()));
  ctr[18 * kDay + 40] *= 0.5;
  const auto verdicts = run_all(*detector("seasonal"), ctr);
  EXPECT_EQ(anomalies(verdicts, 8 * kDay), (std::vector<std::size_t>{18 * kDay + 40}));
  EXPECT_NEAR(verdicts[18 * kDay + 41].expected, 0.045, 0.005);
  // The same values as counts (x 1e6, rounded) get the count floors: a band at
  // least sqrt(expected) wide.
  std::vector<double> counts;
  for (double x : ctr) counts.push_back(std::round(x * 1e6));
  const Verdict c = at(*detector("seasonal"), counts, 18 * kDay + 41);
  EXPECT_GE(c.upper - c.expected, 5 * std::sqrt(c.expected) * 0.999);
}

TEST(Seasonal, DetectsAHalvedBucketAndASpike) {
  auto d = detector("seasonal");
  auto series = daily_series(21, 500, 0.03, 5);
  const std::size_t drop = 14 * kDay + 60, spike = 17 * kDay + 30;
  series[drop] *= 0.5;
  series[spike] *= 2.5;
  const auto verdicts = run_all(*d, series);
  EXPECT_EQ(anomalies(verdicts), (std::vector<std::size_t>{drop, spike}));
  EXPECT_LT(verdicts[drop].score, -7);
  EXPECT_GT(verdicts[spike].score, 7);
  EXPECT_LT(verdicts[drop].expected, 2 * series[drop] * 1.2);
  EXPECT_GT(verdicts[drop].expected, 2 * series[drop] * 0.8);
}

TEST(Seasonal, FourBucketAnomalyDoesNotDragTheLevel) {
  auto d = detector("seasonal");
  auto series = daily_series(14, 500, 0.03, 8);
  const std::size_t start = 10 * kDay + 64;  // 16:00, near the daily peak
  for (std::size_t i = start; i < start + 4; ++i) series[i] *= 1.8;
  const auto verdicts = run_all(*d, series);
  EXPECT_EQ(anomalies(verdicts),
            (std::vector<std::size_t>{start, start + 1, start + 2, start + 3}));
}

TEST(Seasonal, LinearGrowthAndWeekdayLevelsAreFollowed) {
  auto d = detector("seasonal");
  const auto base = daily_series(28, 400, 0.02, 11);
  std::vector<double> series;
  for (std::size_t i = 0; i < base.size(); ++i) {
    const int day = static_cast<int>(i / kDay);
    const double weekday = (day % 7 >= 5) ? 1.15 : 1.0;
    series.push_back(std::round(base[i] * (1 + 0.02 * day) * weekday));
  }
  EXPECT_TRUE(anomalies(run_all(*d, series)).empty());
}

TEST(Seasonal, StepChangeIsNewsUntilTheLevelFollows) {
  auto d = detector("seasonal");
  auto series = daily_series(14, 500, 0.02, 4);
  const std::size_t step = 10 * kDay + 40;
  for (std::size_t i = step; i < series.size(); ++i) series[i] = std::round(series[i] * 0.4);
  const auto verdicts = run_all(*d, series);
  EXPECT_TRUE(verdicts[step].anomaly);
  const auto found = anomalies(verdicts);
  // At most the first half of the level window alarms, then the level has moved.
  for (std::size_t i : found) {
    EXPECT_GE(i, step);
    EXPECT_LT(i, step + 7) << i;
  }
}

TEST(Seasonal, ParametersChangeTheWindows) {
  // Short level window, longer noise window, two weeks, fewer days: nearly quiet on
  // clean data and still sees a halved bucket.
  auto d = detector("seasonal", {{"level", "6"}, {"noise_window", "10"}, {"weeks", "2"},
                                 {"days", "3"}});
  auto series = daily_series(21, 500, 0.02, 13);
  const std::size_t drop = 16 * kDay + 44;
  series[drop] = std::round(series[drop] * 0.45);
  // Three days of references make a noisier forecast: at most one false alarm.
  const auto found = anomalies(run_all(*d, series));
  EXPECT_TRUE(std::count(found.begin(), found.end(), drop) == 1);
  EXPECT_LE(found.size(), 2u);
}

TEST(Seasonal, QuietBelowMinVolume) {
  auto d = detector("seasonal");  // min_volume 10
  auto series = daily_series(10, 3, 0.0, 2);
  series[8 * kDay + 50] = 60;  // 20x on a bucket expecting about 3
  const auto verdicts = run_all(*d, series);
  EXPECT_TRUE(anomalies(verdicts).empty());
  EXPECT_FALSE(verdicts[8 * kDay + 50].ready);
  auto any_volume = detector("seasonal", {{"min_volume", "0"}});
  EXPECT_TRUE(at(*any_volume, series, 8 * kDay + 50).anomaly);
}

TEST(Seasonal, MissingBucketsNeitherCrashNorAlarm) {
  auto d = detector("seasonal");
  auto series = daily_series(21, 500, 0.03, 6);
  Noise pick(12);
  for (auto& x : series) {
    if (pick.normal() > 1.28) x = kNan;  // about 10% missing
  }
  for (int i = 5 * kDay; i < 5 * kDay + 20; ++i) series[i] = kNan;  // a 5-hour outage
  const std::size_t drop = 19 * kDay + 70;
  series[drop] = 0.4 * 500 * (1 - 0.8 * std::cos(2 * M_PI * (70 / 4.0 - 3) / 24));
  const auto verdicts = run_all(*d, series);
  EXPECT_EQ(anomalies(verdicts), (std::vector<std::size_t>{drop}));
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (std::isnan(series[i])) {
      EXPECT_FALSE(verdicts[i].ready || verdicts[i].anomaly) << i;
    }
  }
  // With no history at all: not ready, no NaN trouble.
  const std::vector<double> all_missing(10 * kDay, kNan);
  EXPECT_FALSE(at(*d, all_missing, all_missing.size() - 1).ready);
}

TEST(Seasonal, ZerosAreQuiet) {
  auto d = detector("seasonal");
  const std::vector<double> zeros(10 * kDay, 0.0);
  const auto verdicts = run_all(*d, zeros);
  EXPECT_TRUE(anomalies(verdicts).empty());
  EXPECT_FALSE(verdicts.back().ready);
  // Nights with no activity at all, days with some: no alarms, no NaN bands by day.
  auto series = daily_series(14, 300, 0.02, 3);
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (i % kDay < 24) series[i] = 0;  // 00:00-06:00
  }
  const auto days = run_all(*d, series);
  EXPECT_TRUE(anomalies(days).empty());
  EXPECT_TRUE(days[12 * kDay + 60].ready);
  EXPECT_FALSE(days[12 * kDay + 10].ready);
}

TEST(Seasonal, CausalFutureValuesChangeNothing) {
  auto d = detector("seasonal");
  auto a = daily_series(15, 500, 0.03, 21);
  auto b = a;
  const std::size_t cut = 12 * kDay + 33;
  for (std::size_t i = cut + 1; i < b.size(); ++i) b[i] = (i % 3 == 0) ? 0 : b[i] * 7;
  const auto va = run_all(*d, a), vb = run_all(*d, b);
  for (std::size_t i = 0; i <= cut; ++i) {
    ASSERT_EQ(va[i].anomaly, vb[i].anomaly) << i;
    ASSERT_EQ(va[i].ready, vb[i].ready) << i;
    if (va[i].ready) {
      ASSERT_EQ(va[i].score, vb[i].score) << i;
    }
  }
  // And the detector did react to the changed future (the test can fail).
  EXPECT_FALSE(anomalies(vb, cut + 1).empty());
}

TEST(Seasonal, OnlyTheLastHistoryNeededBucketsAreRead) {
  auto d = detector("seasonal");
  auto series = daily_series(40, 500, 0.03, 2);
  const std::size_t i = series.size() - 5;
  const std::size_t need = d->history_needed();
  const Verdict full = at(*d, series, i);
  const Verdict cut = d->evaluate(std::span<const double>(series.data() + i - need, need), series[i]);
  EXPECT_EQ(full.expected, cut.expected);
  EXPECT_EQ(full.lower, cut.lower);
  EXPECT_EQ(full.score, cut.score);
}

// ---- calibration ----------------------------------------------------------------------

TEST(Calibration, PeakRecordRanksPeaksByBin) {
  detect::PeakRecord record;
  EXPECT_EQ(record.largest(1), 0);
  for (double peak : {4.0, 10.0, 6.0}) record.add(detect::PeakRecord::bin_of(peak));
  // Bins are an eighth of a doubling wide: the largest lies within 9% of 10.
  EXPECT_NEAR(record.largest(1), 10, 0.9);
  EXPECT_NEAR(record.largest(2), 6, 0.6);
  EXPECT_NEAR(record.largest(3), 4, 0.4);
  EXPECT_EQ(record.largest(4), 0);
  record.remove(detect::PeakRecord::bin_of(10.0));
  EXPECT_NEAR(record.largest(1), 6, 0.6);
  EXPECT_LT(detect::PeakRecord::bin_of(3.9), detect::PeakRecord::bin_of(4.1));
  EXPECT_EQ(detect::PeakRecord::bin_of(0), 0);
  EXPECT_EQ(detect::PeakRecord::bin_of(1e9), detect::PeakRecord::kBins - 1);
}

TEST(Calibration, ThresholdFromTheRecordTheFloorAndTheAge) {
  detect::Calibration c;  // k_prior 7, k_min 5, margin 1.5, rank 1, min 48, full 672
  detect::PeakRecord record;
  EXPECT_TRUE(std::isnan(detect::calibrated_threshold(record, 47, c)));
  EXPECT_DOUBLE_EQ(detect::calibrated_threshold(record, 672, c), 5);
  EXPECT_DOUBLE_EQ(detect::calibrated_threshold(record, 336, c), 5 + 2 * 0.5);
  record.add(detect::PeakRecord::bin_of(8.0));
  const double peak = record.largest(1);
  EXPECT_DOUBLE_EQ(detect::calibrated_threshold(record, 672, c), 1.5 * peak);
  c.rank = 2;  // one episode is not yet routine at rank 2
  EXPECT_DOUBLE_EQ(detect::calibrated_threshold(record, 672, c), 5);
}

}  // namespace
}  // namespace vigil
