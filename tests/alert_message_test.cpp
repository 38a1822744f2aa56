// Alert text, alert chart spec and backtest scoring, from hand-made values.
#include <cmath>

#include <gtest/gtest.h>

#include "alert/alert_chart.h"
#include "alert/backtest.h"
#include "alert/message.h"

namespace vigil {
namespace {

const date::time_zone* moscow() { return *find_zone("Europe/Moscow"); }
EpochSeconds at(const char* local) { return *parse_local_time(local, moscow()); }

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

Evaluation views_at(const char* local, double value, double lower, double upper, double expected) {
  Evaluation e;
  e.key = {"views", ""};
  e.bucket = at(local);
  e.value = value;
  e.lower = lower;
  e.upper = upper;
  e.expected = expected;
  e.anomaly = value < lower || value > upper;
  e.ready = true;
  return e;
}

TEST(AlertMessage, FireSaysWhatWhenHowMuchAndLinks) {
  AlertMessageInput in{views_at("2026-11-24 20:30", 1200, 2000, 2600, 2400), AlertAction::kFire,
                       at("2026-11-24 20:30"), 900, moscow(),
                       "http://dash/metric/{metric}?date={date}&time={time}", "", ""};
  const auto html = alert_html(in);
  EXPECT_TRUE(contains(html, "🚨 <b>Views</b> too low (all users)")) << html;
  // 1200 vs 2400 expected: -50.0%.
  EXPECT_TRUE(contains(html, "20:30–20:45 Tue 24.11: <b>1 200</b>, −50.0% vs expected 2 400"))
      << html;
  EXPECT_TRUE(contains(html, "expected 2 000 – 2 600")) << html;
  EXPECT_TRUE(contains(html, "href=\"http://dash/metric/views?date=2026-11-24&amp;time=20:30\""))
      << html;
}

TEST(AlertMessage, RepeatAndResolveSayWhenItStarted) {
  AlertMessageInput in{views_at("2026-11-24 21:30", 3900, 2000, 2600, 2300), AlertAction::kRepeat,
                       at("2026-11-24 20:30"), 900, moscow(), "", "", ""};
  auto html = alert_html(in);
  EXPECT_TRUE(contains(html, "🔁 <b>Views</b> still too high (all users)")) << html;
  EXPECT_TRUE(contains(html, "+69.6% vs expected 2 300")) << html;
  EXPECT_TRUE(contains(html, "anomalous since 20:30")) << html;
  EXPECT_FALSE(contains(html, "href"));
  in.action = AlertAction::kResolve;
  in.evaluation = views_at("2026-11-24 21:45", 2300, 2000, 2600, 2300);
  html = alert_html(in);
  EXPECT_TRUE(contains(html, "✅ <b>Views</b> back to normal (all users)")) << html;
  EXPECT_TRUE(contains(html, "21:45–22:00 Tue 24.11: <b>2 300</b>, expected 2 000 – 2 600")) << html;
}

TEST(AlertMessage, CtrAsPercentAndSlicesEscaped) {
  Evaluation e = views_at("2026-11-24 10:00", 0.021, 0.04, 0.05, 0.045);
  e.key = {"ctr", "os=<iOS>"};
  const auto html = alert_html({e, AlertAction::kFire, e.bucket, 900, moscow(), "", "", ""});
  EXPECT_TRUE(contains(html, "<b>CTR</b> too low (os=&lt;iOS&gt;)")) << html;
  EXPECT_TRUE(contains(html, "<b>2.10%</b>")) << html;
  EXPECT_TRUE(contains(html, "expected 4.00% – 5.00%")) << html;
}

// A detector that expects the previous value ±10 (ready after one bucket).
class PreviousValue : public Detector {
 public:
  Verdict evaluate(std::span<const double> history, double current) const override {
    Verdict v;
    if (history.empty() || std::isnan(history.back())) return v;
    v.ready = true;
    v.expected = history.back();
    v.lower = v.expected - 10;
    v.upper = v.expected + 10;
    v.anomaly = current < v.lower || current > v.upper;
    return v;
  }
  std::size_t history_needed() const override { return 1; }
};

BucketSeries two_days_of(double value) {
  BucketSeries s;
  s.begin = at("2026-11-23 00:00");
  s.count = 2 * 96;
  s.values[{"views", ""}].assign(s.count, value);
  return s;
}

TEST(AlertChart, TodayUpToTheBucketWithBandYesterdayAndMarker) {
  auto series = two_days_of(100);
  const int bucket = 96 + 50;  // 2026-11-24 12:30
  series.values[{"views", ""}][bucket] = 300;
  const auto spec = alert_chart_spec(series, {"views", ""}, PreviousValue(), bucket, moscow());
  ASSERT_EQ(spec.panels.size(), 1u);
  const auto& p = spec.panels[0];
  ASSERT_EQ(spec.x_labels.size(), 96u);
  ASSERT_EQ(p.lines.size(), 3u);
  EXPECT_EQ(p.marker_index, 50);
  EXPECT_EQ(p.lines[0].values[50], 300);
  EXPECT_TRUE(std::isnan(p.lines[0].values[51]));     // the future is not drawn
  EXPECT_EQ(p.lines[1].values[95], 100);              // yesterday is complete
  EXPECT_TRUE(std::isnan(p.lines[2].values[0]));      // a week ago is outside the window
  EXPECT_EQ(p.band->lo[50], 90);
  EXPECT_EQ(p.band->hi[50], 110);
  EXPECT_TRUE(std::isnan(p.band->lo[51]));
  EXPECT_TRUE(contains(spec.title, "Tue 24.11.2026"));
}

TEST(Backtest, ReplayFiresOnceAndResolvesLikeLiveRuns) {
  auto series = two_days_of(100);
  auto& views = series.values[{"views", ""}];
  views[120] = views[121] = 300;  // two anomalous buckets
  std::vector<MetricWatch> watches;
  watches.push_back({"views", "previous", std::make_unique<PreviousValue>(), AlertPolicy{1, 3600}});
  const auto events = replay(series, watches, 96, 191, {});
  std::vector<std::pair<int, AlertAction>> actions;
  for (const auto& e : events) {
    if (e.action != AlertAction::kNone) {
      actions.push_back({series.index_of(e.evaluation.bucket), e.action});
    }
  }
  // 120: 300 vs 100 fires; 121: 300 vs 300 is normal -> resolves; 122: 100 vs 300 fires again;
  // 123: normal -> resolves. PreviousValue is a naive detector; the state machine is the point.
  const std::vector<std::pair<int, AlertAction>> expected = {{120, AlertAction::kFire},
                                                             {121, AlertAction::kResolve},
                                                             {122, AlertAction::kFire},
                                                             {123, AlertAction::kResolve}};
  EXPECT_EQ(actions, expected);
}

TEST(Backtest, ScoresPrecisionRecallAndFalseAlertsPerDay) {
  auto event = [](const char* metric, const char* local, AlertAction action, bool firing) {
    BacktestEvent e;
    e.method = "m";
    e.evaluation.key = {metric, ""};
    e.evaluation.bucket = at(local);
    e.action = action;
    e.firing = firing;
    return e;
  };
  const std::vector<BacktestEvent> events = {
      event("views", "2026-11-24 20:15", AlertAction::kFire, true),     // during the views label
      event("views", "2026-11-24 20:30", AlertAction::kNone, true),
      event("ctr", "2026-11-24 20:15", AlertAction::kFire, true),       // moved by a views drop
      event("likes", "2026-11-24 03:00", AlertAction::kFire, true),     // false alert
      event("likes", "2026-11-24 10:00", AlertAction::kNone, false)};   // likes label missed
  const std::vector<AnomalyLabel> labels = {
      {"views", at("2026-11-24 20:15"), at("2026-11-24 20:45"), ""},
      {"likes", at("2026-11-24 10:00"), at("2026-11-24 10:30"), ""}};
  const auto scores = score_backtest(events, labels, {"m"}, 900, 2.0);
  auto find = [&](const char* metric) {
    for (const auto& s : scores) {
      if (s.metric == metric) return s;
    }
    return BacktestScore{};
  };
  const auto all = find("all");
  EXPECT_EQ(all.alerts, 3);
  EXPECT_EQ(all.true_alerts, 2);
  EXPECT_EQ(all.labels, 2);
  EXPECT_EQ(all.labels_found, 1);
  EXPECT_DOUBLE_EQ(all.precision(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(all.recall(), 0.5);
  EXPECT_DOUBLE_EQ(all.f1(), 2 * (2.0 / 3.0) * 0.5 / (2.0 / 3.0 + 0.5));
  EXPECT_DOUBLE_EQ(all.false_alerts_per_day(), 0.5);
  const auto likes = find("likes");
  EXPECT_EQ(likes.alerts, 1);
  EXPECT_EQ(likes.true_alerts, 0);
  EXPECT_EQ(likes.labels_found, 0);
  EXPECT_DOUBLE_EQ(find("ctr").precision(), 1.0);
}

}  // namespace
}  // namespace vigil
