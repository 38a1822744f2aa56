// The metric catalogue (config/metric_catalog.h): its rows are consistent, and every
// place that names, titles, formats or computes a metric follows them.
#include <cmath>
#include <set>

#include <gtest/gtest.h>

#include "alert/message.h"
#include "chart/format.h"
#include "config/config.h"
#include "metrics/daily.h"
#include "metrics/series.h"
#include "report/report_charts.h"
#include "report/report_text.h"

namespace vigil {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(MetricCatalog, RowsAreUniqueAndComplete) {
  std::set<std::string> names;
  for (const auto& row : metric_catalog()) {
    SCOPED_TRACE(row.name);
    EXPECT_TRUE(names.insert(row.name).second) << "duplicate name";
    EXPECT_FALSE(row.title.empty());
    if (row.reported) {
      EXPECT_FALSE(row.report_label.empty());
      EXPECT_FALSE(row.chart_label.empty());
    }
    if (row.kind == MetricKind::kCount) {
      EXPECT_FALSE(row.sql.empty());
      EXPECT_TRUE(row.numerator.empty() && row.denominator.empty());
      continue;
    }
    EXPECT_TRUE(row.sql.empty());
    // A ratio's parts are counts of its own table (one query per table computes them).
    for (const auto& part : {row.numerator, row.denominator}) {
      const MetricDef* count = find_metric(part);
      ASSERT_NE(count, nullptr) << part;
      EXPECT_EQ(count->kind, MetricKind::kCount) << part;
      EXPECT_EQ(count->source, row.source) << part;
      // An alerted ratio is computed per bucket from alerted counts.
      if (row.alerted) {
        EXPECT_TRUE(count->alerted) << part;
      }
    }
  }
}

TEST(MetricCatalog, TheSixAlertMetricsInMessageOrder) {
  EXPECT_EQ(alert_metric_names(),
            (std::vector<std::string>{"feed_users", "views", "likes", "ctr", "messenger_users",
                                      "messages_sent"}));
  EXPECT_EQ(daily_metric_names(),
            (std::vector<std::string>{"feed_users", "views", "likes", "ctr", "messenger_users",
                                      "messages_sent", "sent_received_ratio"}));
  EXPECT_EQ(find_metric("clicks"), nullptr);
  EXPECT_EQ(metric_title("clicks"), "clicks");
  EXPECT_EQ(metric_format("clicks"), ValueFormat::kInteger);
}

TEST(MetricCatalog, ConfigAcceptsExactlyTheAlertMetrics) {
  std::string toml;
  for (const auto& name : alert_metric_names()) toml += "[alerts.metrics." + name + "]\n";
  auto config = parse_config(toml, "vigil.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->alerts.metrics.size(), alert_metric_names().size());
  for (const auto& row : metric_catalog()) {
    if (row.alerted) continue;
    auto refused = parse_config("[alerts.metrics." + row.name + "]\n", "vigil.toml");
    ASSERT_FALSE(refused.ok()) << row.name;
    EXPECT_TRUE(contains(refused.error().message, "unknown metric")) << refused.error().message;
  }
  for (const auto& name : alert_metric_names()) {
    EXPECT_TRUE(contains(default_config_text(), name)) << name;
  }
}

// Every count has a DailyMetrics member (a value on a day with events, none without)
// and every ratio is its numerator over its denominator.
TEST(MetricCatalog, EveryRowHasADailyValue) {
  DailyMetrics day;
  day.has_feed = day.has_messages = true;
  day.feed_users = 11, day.views = 1000, day.likes = 45;
  day.messenger_users = 300, day.messages_sent = 2000, day.receivers = 250;
  for (const auto& row : metric_catalog()) {
    SCOPED_TRACE(row.name);
    const auto value = daily_value(day, row.name);
    ASSERT_TRUE(value.has_value());
    if (row.kind == MetricKind::kRatio) {
      EXPECT_DOUBLE_EQ(*value,
                       *daily_value(day, row.numerator) / *daily_value(day, row.denominator));
    }
    DailyMetrics empty;
    if (row.kind == MetricKind::kCount) {
      EXPECT_FALSE(daily_value(empty, row.name).has_value());
    }
  }
  EXPECT_DOUBLE_EQ(*daily_value(day, "ctr"), 0.045);
  EXPECT_FALSE(daily_value(day, "clicks").has_value());
}

// A row's format reads the same in the report text, the report chart, the alert text
// and the alert chart.
TEST(MetricCatalog, FormatsRoundTripThroughReportAndAlertText) {
  DailyMetrics day;
  day.day = *parse_date("2026-11-24");
  day.has_feed = day.has_messages = true;
  day.feed_users = 21000, day.views = 2156217, day.likes = 97029;
  day.messenger_users = 4400, day.messages_sent = 45000, day.receivers = 4000;
  const std::string report = report_html({day.day, {day}, "", ""});
  const auto feed = feed_chart_spec({day}), messenger = messenger_chart_spec({day});
  std::vector<chart::Panel> panels = feed.panels;
  panels.insert(panels.end(), messenger.panels.begin(), messenger.panels.end());
  for (const auto& row : metric_catalog()) {
    SCOPED_TRACE(row.name);
    const double value = *daily_value(day, row.name);
    const std::string text = chart::format_value(value, row.format, 2);
    if (row.reported) {
      EXPECT_TRUE(contains(report, row.report_label + ": <b>" + text + "</b>")) << report;
      auto panel = std::find_if(panels.begin(), panels.end(),
                                [&](const chart::Panel& p) { return p.title == row.chart_label; });
      ASSERT_NE(panel, panels.end());
      EXPECT_EQ(panel->format, row.format);
      EXPECT_DOUBLE_EQ(panel->lines.at(0).values.back(), value);
    }
    EXPECT_EQ(metric_value_text(row.name, value), text);
    EXPECT_EQ(metric_title(row.name), row.title);
    if (!row.alerted) continue;
    AlertMessageInput in;
    in.evaluation.key = {row.name, ""};
    in.evaluation.value = value;
    in.evaluation.upper = value / 2;
    in.zone = *find_zone("Europe/Moscow");
    const std::string html = alert_html(in);
    EXPECT_TRUE(contains(html, "<b>" + row.title + "</b>")) << html;
    EXPECT_TRUE(contains(html, "<b>" + text + "</b>")) << html;
  }
  EXPECT_EQ(metric_value_text("ctr", 0.045), "4.50%");
}

TEST(MetricCatalog, TheBucketQueryHasANamedColumnPerAlertedCount) {
  const std::string sql = bucket_series_sql(Config{}, 1793480400, 1793566800);
  for (const auto& row : metric_catalog()) {
    if (!row.alerted || row.kind != MetricKind::kCount) continue;
    EXPECT_TRUE(contains(sql, row.sql + " AS " + row.name)) << row.name << ": " << sql;
    EXPECT_TRUE(contains(sql, "toUInt64(0) AS " + row.name)) << row.name;
  }
  EXPECT_FALSE(contains(sql, " AS a,")) << sql;
  const std::string daily = daily_sql(SourceConfig{}, MetricSource::kMessages, "UTC", 0, 86400);
  EXPECT_TRUE(contains(daily, "uniqExact(receiver_id) AS receivers")) << daily;
  EXPECT_FALSE(contains(daily, "countIf(action")) << daily;
}

TEST(MetricCatalog, DefaultDetectorParamsPerMethod) {
  using Params = std::map<std::string, std::string>;
  EXPECT_EQ(default_detector_params("ctr", "seasonal"),
            (Params{{"min_volume", "0"}, {"poisson", "0"}}));
  EXPECT_EQ(default_detector_params("ctr", "iqr"), Params{});
  EXPECT_EQ(default_detector_params("views", "seasonal"), Params{});
  for (const auto& row : metric_catalog()) {
    for (const auto& p : row.defaults) {
      EXPECT_TRUE(p.method == "seasonal" || p.method == "iqr" || p.method == "dayago") << p.method;
    }
  }
}

}  // namespace
}  // namespace vigil
