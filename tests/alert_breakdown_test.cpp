// alert/breakdown and alert/where_query's pure parts: slices of a per-slice series
// judged by their counts' own detectors, the tables per dimension and the Where
// line from one computation (issue 14).
#include <cmath>

#include <gtest/gtest.h>

#include "alert/breakdown.h"
#include "alert/where_query.h"
#include "support/expect.h"

namespace vigil {
namespace {

// Hourly buckets judged by dayago: the expected value is the one a day (24
// buckets) before, so each slice's forecast is its own yesterday.
AlertsConfig hourly_dayago() {
  AlertsConfig alerts;
  alerts.interval_minutes = 60;
  alerts.method = "dayago";
  return alerts;
}

// 25 hourly buckets per slice: `before` for a day, then `now`.
void add_slice(BucketSeries& series, const std::string& metric, const std::string& slice,
               double before, double now) {
  std::vector<double> values(25, before);
  values[24] = now;
  series.values[{metric, slice}] = values;
}

BucketSeries hourly_series() {
  BucketSeries series;
  series.bucket_seconds = 3600;
  series.count = 25;
  return series;
}

const DimensionBreakdown* dimension(const MetricBreakdown& b, const std::string& name) {
  for (const auto& d : b.dimensions) {
    if (d.dimension == name) return &d;
  }
  return nullptr;
}

TEST(AlertBreakdown, ACountDropInOneSliceIsRankedFirstAndNamed) {
  BucketSeries series = hourly_series();
  add_slice(series, "views", "os=Android", 600, 180);
  add_slice(series, "views", "os=iOS", 400, 400);
  // Every country lost the same share of its views: spread.
  add_slice(series, "views", "country=Russia", 700, 700 * 0.58);
  add_slice(series, "views", "country=Belarus", 300, 300 * 0.58);
  add_slice(series, "likes", "os=iOS", 40, 10);  // another count: not read
  auto watches = breakdown_watches(hourly_dayago());
  ASSERT_TRUE(watches.ok()) << watches.error().message;
  const MetricBreakdown b = breakdown_of(series, *watches, "views", 24);
  EXPECT_CONTAINS(b.where, "Where: os=Android −70% (explains 100% of the change)");
  EXPECT_CONTAINS(b.where, "rest of os ±0%");
  ASSERT_EQ(b.dimensions.size(), 2u);
  const DimensionBreakdown* os = dimension(b, "os");
  ASSERT_NE(os, nullptr);
  EXPECT_EQ(os->named, 1);
  ASSERT_EQ(os->rows.size(), 2u);
  EXPECT_EQ(os->rows[0].slice, "os=Android");
  EXPECT_DOUBLE_EQ(os->rows[0].value, 180);
  EXPECT_DOUBLE_EQ(os->rows[0].expected, 600);
  EXPECT_NEAR(os->rows[0].deviation, -0.7, 1e-12);
  EXPECT_NEAR(os->rows[0].share, 1.0, 1e-12);
  EXPECT_NEAR(os->rows[1].deviation, 0.0, 1e-12);
  const DimensionBreakdown* country = dimension(b, "country");
  ASSERT_NE(country, nullptr);
  EXPECT_EQ(country->named, 0);
  EXPECT_NEAR(country->rows[0].share + country->rows[1].share, 1.0, 1e-12);
}

TEST(AlertBreakdown, ARatioIsSplitThroughItsCountsAndSaysRate) {
  BucketSeries series = hourly_series();
  // CTR = likes / views: age 18-24's likes fell 60 % at unchanged views.
  add_slice(series, "views", "age=18-24", 1000, 1000);
  add_slice(series, "views", "age=25-34", 2000, 2000);
  add_slice(series, "likes", "age=18-24", 50, 20);
  add_slice(series, "likes", "age=25-34", 100, 100);
  auto alerts = hourly_dayago();
  alerts.metrics["likes"].enabled = false;  // the counts' alerts off: still judged
  alerts.metrics["views"].enabled = false;
  auto watches = breakdown_watches(alerts);
  ASSERT_TRUE(watches.ok());
  const MetricBreakdown b = breakdown_of(series, *watches, "ctr", 24);
  EXPECT_CONTAINS(b.where, "Where: the rate inside age=18-24 −60% (explains 100% of the rate change)");
  ASSERT_EQ(b.dimensions.size(), 1u);
  const auto& rows = b.dimensions[0].rows;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].slice, "age=18-24");
  EXPECT_DOUBLE_EQ(rows[0].value, 0.02);     // the slice's CTR
  EXPECT_DOUBLE_EQ(rows[0].expected, 0.05);  // its own expected CTR
  EXPECT_NEAR(rows[0].deviation, -0.6, 1e-12);
  EXPECT_NEAR(rows[0].share, 1.0, 1e-12);
  EXPECT_NEAR(rows[1].deviation, 0.0, 1e-12);
}

TEST(AlertBreakdown, NothingToSayWithoutSlicesOrOutsideTheWindow) {
  BucketSeries series = hourly_series();
  auto watches = breakdown_watches(hourly_dayago());
  ASSERT_TRUE(watches.ok());
  EXPECT_TRUE(breakdown_of(series, *watches, "views", 24).where.empty());
  add_slice(series, "views", "os=Android", 600, 180);
  add_slice(series, "views", "os=iOS", 400, 400);
  EXPECT_TRUE(breakdown_of(series, *watches, "views", 25).dimensions.empty());
  EXPECT_TRUE(breakdown_of(series, *watches, "views", -1).dimensions.empty());
  EXPECT_TRUE(breakdown_of(series, *watches, "nonsense", 24).dimensions.empty());
  // Before a day of history dayago is not ready: no slice is judged.
  EXPECT_TRUE(breakdown_of(series, *watches, "views", 3).dimensions.empty());
}

AlertRecord record(const std::string& metric, const std::string& slice, AlertAction action) {
  AlertRecord r;
  r.evaluation.key = {metric, slice};
  r.action = action;
  return r;
}

TEST(WhereQuery, OnlyAllUsersFiresAndRepeatsAreExplainedEachMetricOnce) {
  const std::vector<AlertRecord> pending = {record("likes", "", AlertAction::kRepeat),
                                            record("ctr", "", AlertAction::kResolve)};
  const std::vector<AlertRecord> records = {record("views", "os=iOS", AlertAction::kFire),
                                            record("views", "", AlertAction::kFire),
                                            record("likes", "", AlertAction::kFire),
                                            record("feed_users", "", AlertAction::kNone)};
  EXPECT_EQ(metrics_to_explain(pending, records), (std::vector<std::string>{"likes", "views"}));
  EXPECT_TRUE(metrics_to_explain({}, {}).empty());
  AlertRecord silenced = record("ctr", "", AlertAction::kFire);
  silenced.silenced = true;  // recorded, never sent: no line to compute
  EXPECT_TRUE(metrics_to_explain({}, {silenced}).empty());
  EXPECT_EQ(where_line(nullptr, records[1]), "");
}

}  // namespace
}  // namespace vigil
