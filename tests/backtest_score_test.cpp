// The one backtest scoring (alert/backtest_score.h), shared by `vigil backtest` and
// bench/detect_tune: a label is found through any metric it moves.
#include <algorithm>

#include <gtest/gtest.h>

#include "alert/backtest_score.h"
#include "config/metric_catalog.h"

namespace vigil {
namespace {

constexpr EpochSeconds kT = 1790000000;  // a bucket start

BacktestEvent event(const char* metric, EpochSeconds bucket, AlertAction action, bool firing) {
  BacktestEvent e;
  e.method = "m";
  e.evaluation.key = {metric, ""};
  e.evaluation.bucket = bucket;
  e.action = action;
  e.firing = firing;
  return e;
}

BacktestScore find(const std::vector<BacktestScore>& scores, const std::string& metric) {
  for (const auto& s : scores) {
    if (s.metric == metric) return s;
  }
  ADD_FAILURE() << "no score for " << metric;
  return {};
}

TEST(BacktestScore, WhatTheSimulatorMovesForEachKindOfLabel) {
  using V = std::vector<std::string>;
  EXPECT_EQ(metrics_moved_by("feed_users"), (V{"feed_users", "views", "likes"}));
  // Each event draws its user: far fewer views are far fewer distinct users.
  EXPECT_EQ(metrics_moved_by("views"), (V{"views", "ctr", "feed_users"}));
  EXPECT_EQ(metrics_moved_by("likes"), (V{"likes", "ctr"}));
  EXPECT_EQ(metrics_moved_by("ctr"), (V{"ctr", "likes"}));
  EXPECT_EQ(metrics_moved_by("messages_sent"), (V{"messages_sent", "messenger_users"}));
  EXPECT_EQ(metrics_moved_by("clicks"), (V{"clicks"}));
}

TEST(BacktestScore, ALabelIsFoundThroughAMetricItMoves) {
  // A feed_users drop seen only as a views alert; a likes spike missed (the feed_users
  // alert then is not explained by it).
  const std::vector<BacktestEvent> events = {
      event("views", kT + 900, AlertAction::kFire, true),
      event("feed_users", kT + 86400, AlertAction::kFire, true)};
  const std::vector<AnomalyLabel> labels = {{"feed_users", kT, kT + 1800, ""},
                                            {"likes", kT + 86400, kT + 86400 + 900, ""}};
  const auto scores = score_backtest(events, labels, {"m"}, 900, 1.0);
  const auto all = find(scores, "all");
  EXPECT_EQ(all.labels, 2);
  EXPECT_EQ(all.labels_found, 1);
  EXPECT_EQ(all.alerts, 2);
  EXPECT_EQ(all.true_alerts, 1);
  // Per metric: the labels that move it, found by its own alert.
  const auto views = find(scores, "views");
  EXPECT_EQ(views.labels, 1);
  EXPECT_EQ(views.labels_found, 1);
  const auto feed_users = find(scores, "feed_users");
  EXPECT_EQ(feed_users.labels, 1);
  EXPECT_EQ(feed_users.labels_found, 0);
  EXPECT_EQ(feed_users.true_alerts, 0);
}

TEST(BacktestScore, AnAlertJustAfterTheLabelStillCounts) {
  const std::vector<BacktestEvent> events = {event("views", kT + 1800, AlertAction::kFire, true),
                                             event("views", kT + 2700, AlertAction::kFire, true)};
  const auto all =
      find(score_backtest(events, {{"views", kT, kT + 1800, ""}}, {"m"}, 900, 1.0), "all");
  EXPECT_EQ(all.true_alerts, 1);  // kT + 1800 is within one bucket after the end
  EXPECT_EQ(all.labels_found, 1);
}

// Backtest labels name alert metrics, and what they move is watched too.
TEST(BacktestScore, EveryLabelMovesItselfAndOnlyAlertMetrics) {
  for (const auto& name : alert_metric_names()) {
    const auto moved = metrics_moved_by(name);
    ASSERT_FALSE(moved.empty());
    EXPECT_EQ(moved.front(), name);
    for (const auto& m : moved) {
      const MetricDef* row = find_metric(m);
      ASSERT_NE(row, nullptr) << m;
      EXPECT_TRUE(row->alerted) << m;
    }
  }
}

TEST(BacktestScore, TopContributorIsComparedWithTheLabelsSliceAtEachFire) {
  // An Android views outage (alert fired at kT and again at kT + 900 after a resolve),
  // an iOS likes drop whose alert named age=18-24, a uniform likes label (no slice: not
  // counted), a country spike of views whose dimension the series lacks, and a views
  // fire outside any label.
  const std::vector<BacktestEvent> events = {
      event("views", kT, AlertAction::kFire, true),
      event("views", kT + 900, AlertAction::kFire, true),
      event("views", kT + 1800, AlertAction::kRepeat, true),  // only fires count
      event("ctr", kT, AlertAction::kFire, true),              // not the label's metric
      event("likes", kT + 86400, AlertAction::kFire, true),
      event("likes", kT + 2 * 86400, AlertAction::kFire, true),
      event("views", kT + 3 * 86400, AlertAction::kFire, true),
      event("views", kT + 5 * 86400, AlertAction::kFire, true)};
  const std::vector<AnomalyLabel> labels = {
      {"views", kT, kT + 2700, "os=Android"},
      {"likes", kT + 86400, kT + 86400 + 900, "os=iOS"},
      {"likes", kT + 2 * 86400, kT + 2 * 86400 + 900, ""},
      {"views", kT + 3 * 86400, kT + 3 * 86400 + 900, "country=Ukraine"}};
  std::vector<std::pair<std::string, EpochSeconds>> asked;
  const TopContributor top = [&](const std::string& method, const AnomalyLabel& label,
                                 EpochSeconds bucket) -> std::optional<std::string> {
    asked.push_back({method + " " + label.metric, bucket});
    if (label.slice == "country=Ukraine") return std::nullopt;
    if (label.metric == "likes") return "age=18-24";
    return bucket == kT ? "os=Android" : "";
  };
  const auto scores = score_backtest(events, labels, {"m"}, 900, 6.0, top);
  const auto all = find(scores, "all");
  EXPECT_EQ(all.slice_incidents, 3);  // two views fires, one likes fire
  EXPECT_EQ(all.slice_hits, 1);       // the first views fire named Android
  EXPECT_EQ(all.slice_unjudged, 1);   // the country label
  const auto views = find(scores, "views");
  EXPECT_EQ(views.slice_incidents, 2);
  EXPECT_EQ(views.slice_hits, 1);
  const auto likes = find(scores, "likes");
  EXPECT_EQ(likes.slice_incidents, 1);
  EXPECT_EQ(likes.slice_hits, 0);
  EXPECT_EQ(find(scores, "ctr").slice_incidents, 0);
  // Asked with the method, the label and the bucket of the fire.
  const std::pair<std::string, EpochSeconds> first_fire{"m views", kT};
  EXPECT_NE(std::find(asked.begin(), asked.end(), first_fire), asked.end());
  // Without a top contributor the slice figures stay 0.
  EXPECT_EQ(find(score_backtest(events, labels, {"m"}, 900, 6.0), "all").slice_incidents, 0);
}

TEST(BacktestScore, KnownNormalLabelsCountWhenTheirOwnAlertStillFires) {
  // Three false alarms marked in the chat: views at kT, likes at kT, views of
  // iOS at kT + 1 day.
  const std::vector<AnomalyLabel> normal = {{"views", kT, kT + 900, ""},
                                            {"likes", kT, kT + 900, ""},
                                            {"views", kT + 86400, kT + 86400 + 900, "os=iOS"}};
  BacktestEvent ios = event("views", kT + 86400 + 900, AlertAction::kRepeat, true);
  ios.evaluation.key.slice = "os=iOS";
  std::vector<BacktestEvent> events = {
      event("views", kT + 900, AlertAction::kNone, true),   // still firing, one bucket after
      event("likes", kT, AlertAction::kNone, false),        // not firing
      event("feed_users", kT, AlertAction::kFire, true),    // another metric
      event("views", kT + 86400, AlertAction::kFire, true),  // all users, not the slice
      ios};
  EXPECT_EQ(normal_labels_still_firing(events, normal, "m", 900), 2);
  EXPECT_EQ(normal_labels_still_firing(events, normal, "other", 900), 0);
  events[0].evaluation.bucket = kT + 1800;  // after "during"
  EXPECT_EQ(normal_labels_still_firing(events, normal, "m", 900), 1);
}

}  // namespace
}  // namespace vigil
