// alert/top_slice: the slice an all-users alert's explanation leads with, which
// `vigil backtest` compares with the injected slice.
#include <cmath>

#include <gtest/gtest.h>

#include "alert/top_slice.h"

namespace vigil {
namespace {

TEST(TopSlice, TheSliceThatCarriesACountChangeLeads) {
  // Android -70 %; the ages each fell by Android's part of them: os explains it with one slice.
  const double age = (620 * 0.3 + 380) / 1000.0;
  EXPECT_EQ(top_count_slice({{"os=Android", 186, 620},
                             {"os=iOS", 380, 380},
                             {"age=18-24", 300 * age, 300},
                             {"age=25-34", 700 * age, 700}}),
            "os=Android");
  // An age group's spike: the os slices each rose by its part.
  EXPECT_EQ(top_count_slice({{"os=Android", 620 + 200 * 0.62, 620},
                             {"os=iOS", 380 + 200 * 0.38, 380},
                             {"age=18-24", 500, 300},
                             {"age=25-34", 700, 700}}),
            "age=18-24");
}

TEST(TopSlice, EveryoneMovedOrNothingMovedOrOneSliceNamesNone) {
  EXPECT_EQ(top_count_slice({{"os=Android", 310, 620}, {"os=iOS", 190, 380}}), "");
  EXPECT_EQ(top_count_slice({{"os=Android", 620, 620}, {"os=iOS", 380, 380}}), "");
  EXPECT_EQ(top_count_slice({{"os=Android", 100, 620}}), "");  // a dimension needs two slices
  EXPECT_EQ(top_count_slice({}), "");
}

TEST(TopSlice, ARatioLeadsWithTheSliceWhoseRateMovedNotWithAMixShift) {
  // iOS's CTR fell by 70 %, views unchanged.
  const SliceCount android_views{"", 6200, 6200}, ios_views{"", 3800, 3800};
  EXPECT_EQ(top_ratio_slice({{"os=Android", {"", 279, 279}, android_views},
                             {"os=iOS", {"", 171 * 0.3, 171}, ios_views}}),
            "os=iOS");
  // Traffic moved to the low-CTR slice, every rate unchanged: the mix moved, no slice named.
  EXPECT_EQ(top_ratio_slice({{"os=Android", {"", 0.02 * 9000, 0.02 * 5000}, {"", 9000, 5000}},
                             {"os=iOS", {"", 0.08 * 1000, 0.08 * 5000}, {"", 1000, 5000}}}),
            "");
}

// Three days of constant views per os (likes 5 %), then `android` and `ios`
// times the usual in the last bucket; dayago expects yesterday's value.
BucketSeries three_days(double android, double ios, double ios_likes = 1.0) {
  BucketSeries series;
  series.begin = 1790000000 / 900 * 900;
  series.count = 3 * 96;
  auto fill = [&](const std::string& metric, const std::string& slice, double usual, double last) {
    std::vector<double> values(series.count, usual);
    values.back() = usual * last;
    series.values[{metric, slice}] = values;
  };
  fill("views", "", 1000, (600 * android + 400 * ios) / 1000);
  fill("views", "os=Android", 600, android);
  fill("views", "os=iOS", 400, ios);
  fill("likes", "", 50, (30 + 20 * ios_likes) / 50);
  fill("likes", "os=Android", 30, 1);
  fill("likes", "os=iOS", 20, ios_likes);
  return series;
}

std::vector<MetricWatch> dayago_watches() {
  AlertsConfig alerts;
  auto watches = make_watches(alerts, "dayago");
  EXPECT_TRUE(watches.ok()) << watches.error().message;
  return watches.ok() ? std::move(*watches) : std::vector<MetricWatch>{};
}

TEST(TopSlice, FromASeriesEachSliceAgainstItsOwnForecast) {
  const auto watches = dayago_watches();
  const int last = 3 * 96 - 1;
  EXPECT_EQ(top_contributor(three_days(0.3, 1.0), watches, "views", last), "os=Android");
  EXPECT_EQ(top_contributor(three_days(1.0, 2.5), watches, "views", last), "os=iOS");
  EXPECT_EQ(top_contributor(three_days(0.5, 0.5), watches, "views", last), "");
  EXPECT_EQ(top_contributor(three_days(1.0, 1.0, 0.2), watches, "ctr", last), "os=iOS");
  // Out of the window, or a metric without a watch or a catalogue row.
  EXPECT_EQ(top_contributor(three_days(0.3, 1.0), watches, "views", 3 * 96), "");
  EXPECT_EQ(top_contributor(three_days(0.3, 1.0), {}, "views", last), "");
  EXPECT_EQ(top_contributor(three_days(0.3, 1.0), watches, "clicks", last), "");
  EXPECT_EQ(slice_dimensions(three_days(1, 1)), (std::set<std::string>{"os"}));
}

}  // namespace
}  // namespace vigil
