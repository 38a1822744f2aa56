// mark_no_data_yet: buckets before a series' first event are missing, zeros
// after it are zero events (issue 13, "no history yet is not zero").
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "metrics/series.h"

namespace vigil {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Six buckets; every metric 0 except a 5 in bucket 4, for all users and os=iOS.
BucketSeries zeros_with_a_five() {
  BucketSeries series;
  series.count = 6;
  for (const auto& metric : alert_metric_names()) {
    for (const char* slice : {"", "os=iOS"}) {
      std::vector<double> values(6, metric == "ctr" ? kNaN : 0.0);
      values[4] = 5;
      series.values[{metric, slice}] = values;
    }
  }
  return series;
}

// "m" = missing, else the number.
std::string text(const std::vector<double>& values) {
  std::string out;
  for (double v : values) out += std::isnan(v) ? "m " : std::to_string(static_cast<int>(v)) + " ";
  return out;
}

TEST(MarkNoDataYet, EachSourceAndSliceFromItsOwnFirstEvent) {
  auto series = zeros_with_a_five();
  mark_no_data_yet(series, {{{"feed", ""}, 2}, {{"messages", ""}, 3}, {{"feed", "os=iOS"}, 4},
                            {{"messages", "os=iOS"}, 0}});
  EXPECT_EQ(text(series.values.at({"views", ""})), "m m 0 0 5 0 ");
  EXPECT_EQ(text(series.values.at({"likes", ""})), "m m 0 0 5 0 ");
  EXPECT_EQ(text(series.values.at({"feed_users", ""})), "m m 0 0 5 0 ");
  EXPECT_EQ(text(series.values.at({"ctr", ""})), "m m m m 5 m ");
  EXPECT_EQ(text(series.values.at({"messages_sent", ""})), "m m m 0 5 0 ");
  EXPECT_EQ(text(series.values.at({"messenger_users", ""})), "m m m 0 5 0 ");
  EXPECT_EQ(text(series.values.at({"views", "os=iOS"})), "m m m m 5 0 ");
  // Events in the day before the window: every zero is a zero.
  EXPECT_EQ(text(series.values.at({"messages_sent", "os=iOS"})), "0 0 0 0 5 0 ");
}

TEST(MarkNoDataYet, NoEventAtAllIsMissingThroughout) {
  auto series = zeros_with_a_five();
  mark_no_data_yet(series, {{{"feed", ""}, 0}});
  EXPECT_EQ(text(series.values.at({"views", ""})), "0 0 0 0 5 0 ");
  EXPECT_EQ(text(series.values.at({"messages_sent", ""})), "m m m m m m ");
  EXPECT_EQ(text(series.values.at({"views", "os=iOS"})), "m m m m m m ");
}

TEST(BucketSeriesSql, LooksBackOneDayForEarlierEventsOfEachTable) {
  Config config;
  const std::string sql = bucket_series_sql(config, 1793480400, 1793566800);
  // The window, and the day before it, of each table.
  EXPECT_NE(sql.find("time >= toDateTime(1793480400) AND time < toDateTime(1793566800)"),
            std::string::npos) << sql;
  EXPECT_NE(sql.find("time >= toDateTime(1793394000) AND time < toDateTime(1793480400)"),
            std::string::npos) << sql;
  EXPECT_NE(sql.find("min(time)"), std::string::npos) << sql;
}

}  // namespace
}  // namespace vigil
