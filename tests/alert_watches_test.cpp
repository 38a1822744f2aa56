// make_watches: the detectors built from [alerts] and [alerts.metrics.<name>]
// get each metric's direction (every method) and sensitivity (seasonal only).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "alert/evaluate.h"
#include "config/config.h"

namespace vigil {
namespace {

// A flat series with some spread, a spike to 3x at 20 and a dip to a tenth at 30:
// far outside iqr's band (Q1 - 3 IQR .. Q3 + 3 IQR, with IQR ~ 1-2), so with
// direction both exactly these two buckets are anomalies.
std::vector<double> spike_and_dip() {
  std::vector<double> series(40, 100.0);
  for (std::size_t i = 0; i < series.size(); ++i) series[i] += static_cast<double>(i % 3);
  series[20] = 300;
  series[30] = 10;
  return series;
}

const MetricWatch& watch_of(const std::vector<MetricWatch>& watches, const std::string& metric) {
  for (const auto& w : watches) {
    if (w.metric == metric) return w;
  }
  ADD_FAILURE() << "no watch for " << metric;
  return watches.front();
}

// The buckets the watch of `metric` flags (from bucket 10, once iqr has its history).
std::vector<int> flagged(const std::vector<MetricWatch>& watches, const std::string& metric) {
  const auto series = spike_and_dip();
  std::vector<int> out;
  const Detector& detector = *watch_of(watches, metric).detector;
  for (int i = 10; i < static_cast<int>(series.size()); ++i) {
    const Verdict v = judge(detector, series, i);
    if (v.ready && v.anomaly) out.push_back(i);
  }
  return out;
}

AlertsConfig iqr_alerts(const std::string& direction) {
  AlertsConfig alerts;
  alerts.method = "iqr";
  alerts.direction = direction;
  return alerts;
}

const std::vector<int> kBoth = {20, 30};
const std::vector<int> kUpOnly = {20};
const std::vector<int> kDownOnly = {30};

TEST(MakeWatches, AlertsDirectionReachesEveryMetricsDetector) {
  for (const auto& [direction, expected] :
       std::vector<std::pair<std::string, std::vector<int>>>{
           {"both", kBoth}, {"up", kUpOnly}, {"down", kDownOnly}}) {
    auto watches = make_watches(iqr_alerts(direction));
    ASSERT_TRUE(watches.ok()) << watches.error().message;
    ASSERT_EQ(watches->size(), alert_metric_names().size());
    for (const auto& metric : alert_metric_names()) {
      EXPECT_EQ(flagged(*watches, metric), expected) << metric << " direction " << direction;
    }
  }
}

TEST(MakeWatches, AMetricsOwnDirectionWinsOverAlerts) {
  AlertsConfig alerts = iqr_alerts("up");
  alerts.metrics["ctr"].direction = "down";
  alerts.metrics["likes"].params = {{"direction", "both"}};  // as a detector parameter
  auto watches = make_watches(alerts);
  ASSERT_TRUE(watches.ok()) << watches.error().message;
  EXPECT_EQ(flagged(*watches, "ctr"), kDownOnly);
  EXPECT_EQ(flagged(*watches, "likes"), kBoth);
  EXPECT_EQ(flagged(*watches, "views"), kUpOnly);
}

TEST(MakeWatches, CtrWatchesBothSidesUnlessConfigured) {
  AlertsConfig alerts;
  alerts.method = "iqr";
  auto watches = make_watches(alerts);
  ASSERT_TRUE(watches.ok()) << watches.error().message;
  EXPECT_EQ(flagged(*watches, "ctr"), kBoth);
}

TEST(MakeWatches, AMethodOverrideKeepsTheDirection) {
  AlertsConfig alerts;  // seasonal by default
  alerts.direction = "down";
  alerts.metrics["views"].direction = "up";
  alerts.metrics["likes"].method = "dayago";
  alerts.metrics["likes"].params = {{"threshold", "0.2"}, {"direction", "up"}};
  auto watches = make_watches(alerts, "iqr");
  ASSERT_TRUE(watches.ok()) << watches.error().message;
  EXPECT_EQ(watch_of(*watches, "views").method, "iqr");
  EXPECT_EQ(flagged(*watches, "views"), kUpOnly);
  EXPECT_EQ(flagged(*watches, "feed_users"), kDownOnly);
  // dayago's threshold is dropped under iqr, the direction given in params is not.
  EXPECT_EQ(flagged(*watches, "likes"), kUpOnly);
}

TEST(MakeWatches, AnInvalidDirectionIsRefusedForEveryMethod) {
  for (const char* method : {"iqr", "dayago", "seasonal"}) {
    AlertsConfig alerts;
    alerts.method = method;
    alerts.direction = "sideways";
    auto watches = make_watches(alerts);
    ASSERT_FALSE(watches.ok()) << method;
    EXPECT_NE(watches.error().message.find("direction='sideways'"), std::string::npos)
        << watches.error().message;
  }
}

// The sensitivity's effect is the detector's business; here only that it reaches
// seasonal's factory (which refuses a value it does not know) and no other method's.
TEST(MakeWatches, SensitivityReachesSeasonalOnly) {
  for (const char* level : {"low", "normal", "high"}) {
    AlertsConfig alerts;
    alerts.sensitivity = level;
    EXPECT_TRUE(make_watches(alerts).ok()) << level;
  }
  AlertsConfig alerts;
  alerts.sensitivity = "extreme";
  auto seasonal = make_watches(alerts);
  ASSERT_FALSE(seasonal.ok());
  EXPECT_NE(seasonal.error().message.find("sensitivity='extreme'"), std::string::npos)
      << seasonal.error().message;
  // iqr and dayago take no sensitivity: [alerts]'s is not passed to them.
  EXPECT_TRUE(make_watches(alerts, "iqr").ok());
  alerts.method = "dayago";
  EXPECT_TRUE(make_watches(alerts).ok());
  EXPECT_FALSE(make_watches(alerts, "seasonal").ok());
}

TEST(MakeWatches, AMetricsOwnSensitivityWinsAndIsDroppedByANonSeasonalOverride) {
  AlertsConfig alerts;
  alerts.sensitivity = "extreme";             // would be refused by seasonal...
  alerts.metrics["views"].sensitivity = "high";  // ...but every metric has its own
  for (const auto& metric : alert_metric_names()) {
    if (metric != "views") alerts.metrics[metric].params = {{"sensitivity", "low"}};
  }
  EXPECT_TRUE(make_watches(alerts).ok());

  alerts.sensitivity = "normal";
  alerts.metrics["ctr"].params = {};
  alerts.metrics["ctr"].sensitivity = "extreme";
  auto watches = make_watches(alerts);
  ASSERT_FALSE(watches.ok());
  EXPECT_NE(watches.error().message.find("[alerts.metrics.ctr]"), std::string::npos)
      << watches.error().message;
  EXPECT_TRUE(make_watches(alerts, "iqr").ok());
  EXPECT_FALSE(make_watches(alerts, "seasonal").ok());
}

}  // namespace
}  // namespace vigil
