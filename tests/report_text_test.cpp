// The daily report's text and chart specs, from hand-made metrics (no I/O).
#include <cmath>

#include <gtest/gtest.h>

#include "report/report_charts.h"
#include "report/report_text.h"
#include "telegram/text.h"

namespace vigil {
namespace {

Days day(const char* text) { return *parse_date(text); }

DailyMetrics metrics(const char* d, std::int64_t feed_users, std::int64_t views,
                     std::int64_t likes, std::int64_t senders, std::int64_t sent,
                     std::int64_t receivers) {
  DailyMetrics m;
  m.day = day(d);
  m.has_feed = views + likes > 0;
  m.has_messages = sent > 0;
  m.feed_users = feed_users;
  m.views = views;
  m.likes = likes;
  m.messenger_users = senders;
  m.messages_sent = sent;
  m.receivers = receivers;
  return m;
}

// 2026-11-17 .. 2026-11-24 (Tuesday); the report is for the 24th.
std::vector<DailyMetrics> week() {
  return {metrics("2026-11-17", 26250, 2000000, 90000, 5000, 40000, 5000),
          metrics("2026-11-18", 20000, 2000000, 90000, 5000, 40000, 5000),
          metrics("2026-11-19", 20000, 2000000, 90000, 5000, 40000, 5000),
          metrics("2026-11-20", 20000, 2000000, 90000, 5000, 40000, 5000),
          metrics("2026-11-21", 20000, 2000000, 90000, 5000, 40000, 5000),
          metrics("2026-11-22", 20000, 2000000, 90000, 5000, 40000, 5000),
          metrics("2026-11-23", 20000, 2000000, 90000, 4000, 50000, 5000),
          metrics("2026-11-24", 21000, 2156217, 97029, 4400, 45000, 4000)};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ReportText, ChangesAgainstYesterdayAndAWeekAgo) {
  EXPECT_EQ(change_text(105.0, 100.0), "▲ 5.0%");
  EXPECT_EQ(change_text(95.0, 100.0), "▼ 5.0%");
  EXPECT_EQ(change_text(100.0, 100.0), "= 0.0%");
  EXPECT_EQ(change_text(100.01, 100.0), "= 0.0%");
  EXPECT_EQ(change_text(1.0, 0.0), "—");
  EXPECT_EQ(change_text(1.0, std::nullopt), "—");
  EXPECT_EQ(change_text(std::nullopt, 1.0), "—");
}

TEST(ReportText, EachMetricWithValueAndBothChanges) {
  const auto html = report_html({day("2026-11-24"), week(), "", ""});
  EXPECT_TRUE(contains(html, "Daily report · Tue 24.11.2026")) << html;
  // 21000 vs 20000 yesterday (+5.0%) and 26250 a week ago (-20.0%).
  EXPECT_TRUE(contains(html, "Active users: <b>21 000</b>  ▲ 5.0% d/d · ▼ 20.0% w/w")) << html;
  // 2156217 vs 2000000: +7.8%.
  EXPECT_TRUE(contains(html, "Views: <b>2 156 217</b>  ▲ 7.8% d/d · ▲ 7.8% w/w")) << html;
  // CTR 97029 / 2156217 = 4.50% against 4.50%: unchanged.
  EXPECT_TRUE(contains(html, "CTR: <b>4.50%</b>  = 0.0% d/d · = 0.0% w/w")) << html;
  // Messenger: 4400 senders vs 4000 (+10.0%) and 5000 (-12.0%); ratio 4400/4000 = 1.10.
  EXPECT_TRUE(contains(html, "Active users: <b>4 400</b>  ▲ 10.0% d/d · ▼ 12.0% w/w")) << html;
  EXPECT_TRUE(contains(html, "Messages sent: <b>45 000</b>  ▼ 10.0% d/d · ▲ 12.5% w/w")) << html;
  EXPECT_TRUE(contains(html, "Senders / receivers: <b>1.10</b>  ▲ 37.5% d/d · ▲ 10.0% w/w"))
      << html;
  EXPECT_FALSE(contains(html, "href"));
  EXPECT_LE(visible_length(html), kTelegramMaxCaption);
}

TEST(ReportText, MissingDataIsSaidNotDividedByZero) {
  auto days = week();
  days.back() = metrics("2026-11-24", 0, 0, 0, 0, 0, 0);
  days[6].views = 0;  // yesterday without views: CTR change has nothing to compare with
  const auto html = report_html({day("2026-11-24"), days, "", ""});
  EXPECT_TRUE(contains(html, "Views: no data")) << html;
  EXPECT_TRUE(contains(html, "CTR: no data")) << html;
  EXPECT_TRUE(contains(html, "Senders / receivers: no data")) << html;
  EXPECT_FALSE(contains(html, "nan")) << html;
  EXPECT_FALSE(contains(html, "inf")) << html;

  auto no_history = std::vector<DailyMetrics>{week().back()};
  const auto short_html = report_html({day("2026-11-24"), no_history, "", ""});
  EXPECT_TRUE(contains(short_html, "Active users: <b>21 000</b>  — d/d · — w/w")) << short_html;
}

TEST(ReportText, LinkAndNotesAreEscaped) {
  const auto html = report_html({day("2026-11-24"), week(),
                                 "http://dash.local/d?from={date}&to={date}", "late <1 h> & co"});
  EXPECT_TRUE(contains(html,
                       "<a href=\"http://dash.local/d?from=2026-11-24&amp;to=2026-11-24\">"))
      << html;
  EXPECT_TRUE(contains(html, "<i>late &lt;1 h&gt; &amp; co</i>")) << html;
}

TEST(ReportCharts, FeedChartHasFourPanelsOverSevenDays) {
  const auto spec = feed_chart_spec(week());
  ASSERT_EQ(spec.panels.size(), 4u);
  ASSERT_EQ(spec.x_labels.size(), 7u);
  EXPECT_EQ(spec.x_labels.front(), "Wed 18.11");
  EXPECT_EQ(spec.x_labels.back(), "Tue 24.11");
  EXPECT_EQ(spec.panels[0].lines.at(0).values.back(), 21000);
  EXPECT_EQ(spec.panels[1].lines.at(0).values.back(), 2156217);
  EXPECT_NEAR(spec.panels[3].lines.at(0).values.back(), 97029.0 / 2156217.0, 1e-12);
  EXPECT_EQ(spec.panels[3].format, chart::ValueFormat::kPercent);
  EXPECT_TRUE(contains(spec.title, "Feed"));
}

TEST(ReportCharts, MessengerChartMarksMissingDays) {
  auto days = week();
  days[5] = metrics("2026-11-22", 0, 0, 0, 0, 0, 0);
  const auto spec = messenger_chart_spec(days);
  ASSERT_EQ(spec.panels.size(), 3u);
  // 2026-11-22 is the 5th of the 7 drawn days (18..24).
  EXPECT_TRUE(std::isnan(spec.panels[1].lines.at(0).values[4]));
  EXPECT_NEAR(spec.panels[2].lines.at(0).values.back(), 4400.0 / 4000.0, 1e-12);
  EXPECT_EQ(spec.panels[2].format, chart::ValueFormat::kRatio);
}

}  // namespace
}  // namespace vigil
