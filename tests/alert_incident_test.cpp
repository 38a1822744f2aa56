// One incident, one message (alert/incident.h): which alert leads and the
// lines that list the others, from hand-made evaluations.
#include "alert/incident.h"

#include <gtest/gtest.h>

#include "alert/message.h"
#include "support/expect.h"

namespace vigil {
namespace {

constexpr EpochSeconds kBucket = 1'795'000'500;

// `metric` in `slice` at `value` against a forecast of `expected` (band ±10%).
IncidentAlert alert(const std::string& metric, const std::string& slice, double value,
                    double expected, AlertAction action = AlertAction::kFire) {
  Evaluation e;
  e.key = {metric, slice};
  e.bucket = kBucket;
  e.value = value;
  e.expected = expected;
  e.lower = expected * 0.9;
  e.upper = expected * 1.1;
  e.anomaly = action != AlertAction::kResolve;
  e.ready = true;
  return {e, action};
}

TEST(IncidentTest, AllUsersLeadSlicesAndTheBiggestChangeWins) {
  // The Android slice moved most, but the all-users alert leads; of the two
  // all-users alerts, views moved more (−60% vs −30%).
  const std::vector<IncidentAlert> alerts = {
      alert("views", "os=Android", 100, 1000), alert("likes", "", 70, 100),
      alert("views", "", 400, 1000), alert("views", "os=iOS", 900, 1000)};
  EXPECT_EQ(main_alert(alerts), 2u);
}

TEST(IncidentTest, ACountLeadsTheRatioItMoves) {
  // Views −47% leaves likes alone, so CTR is +87%: the views drop leads.
  const std::vector<IncidentAlert> alerts = {alert("ctr", "", 0.084, 0.045),
                                             alert("views", "", 5300, 10000)};
  EXPECT_EQ(main_alert(alerts), 1u);
}

TEST(IncidentTest, ANewFireLeadsARepeatAndBackToNormalComesLast) {
  const std::vector<IncidentAlert> alerts = {
      alert("messages_sent", "", 100, 100, AlertAction::kResolve),
      alert("views", "", 100, 1000, AlertAction::kRepeat),  // −90%, but a reminder
      alert("likes", "", 80, 100)};
  EXPECT_EQ(main_alert(alerts), 2u);
  const std::vector<IncidentAlert> resolves = {
      alert("views", "os=iOS", 100, 100, AlertAction::kResolve),
      alert("views", "", 100, 100, AlertAction::kResolve)};
  EXPECT_EQ(main_alert(resolves), 1u);
}

TEST(IncidentTest, AloneItAddsNothing) {
  EXPECT_EQ(incident_more_html({alert("views", "", 400, 1000)}, 0), "");
}

TEST(IncidentTest, OthersAreOneLinePerSliceAndAction) {
  const std::vector<IncidentAlert> alerts = {
      alert("views", "", 350, 1000),
      alert("likes", "", 32, 100),
      alert("views", "os=Android", 290, 1000),
      alert("likes", "os=Android", 31, 100),
      alert("views", "age=<18", 1500, 1000),
      alert("messages_sent", "", 100, 100, AlertAction::kResolve),
      alert("ctr", "", 0.03, 0.045, AlertAction::kRepeat)};
  const std::string more = incident_more_html(alerts, 0);
  // Fires, then reminders, then back to normal; all users before slices. The
  // slices of metrics alerting for all users (views, likes) are one line of
  // names, the one that moved most first (the Where line says which carry it).
  EXPECT_EQ(more,
            "\nAlso in this bucket:"
            "\n🚨 all users: Likes −68%"
            "\n🚨 slices alerting with it: os=Android, age=&lt;18"
            "\n🔁 all users (still): CTR −33%"
            "\n✅ all users (back to normal): Messages sent");
}

TEST(IncidentTest, ASliceAloneInItsMetricGetsItsOwnLine) {
  const std::vector<IncidentAlert> alerts = {
      alert("views", "", 350, 1000), alert("views", "os=iOS", 300, 1000),
      alert("messages_sent", "os=iOS", 50, 100), alert("likes", "os=iOS", 60, 100),
      alert("messages_sent", "age=18-24", 80, 100)};
  EXPECT_EQ(incident_more_html(alerts, 0),
            "\nAlso in this bucket:"
            "\n🚨 slices alerting with it: os=iOS"
            "\n🚨 os=iOS: Messages sent −50%, Likes −40%"
            "\n🚨 age=18-24: Messages sent −20%");
}

TEST(IncidentTest, ManyLinesAreCutAndCounted) {
  std::vector<IncidentAlert> alerts = {alert("views", "", 300, 1000)};
  for (int age = 0; age < 5; ++age) {
    alerts.push_back(alert("likes", "age=" + std::to_string(age), 50 - age, 100));
    alerts.push_back(alert("messages_sent", "age=" + std::to_string(age), 50, 100));
  }
  const std::string more = incident_more_html(alerts, 0, 3);
  EXPECT_CONTAINS(more, "\n🚨 age=4: Likes −54%, Messages sent −50%\n🚨 age=3:");
  EXPECT_LACKS(more, "age=1");
  // Two lines of two alerts each are left out.
  EXPECT_CONTAINS(more, "\n… and 4 more: see the dashboard");
}

TEST(IncidentTest, TheMessageListsTheOthersBeforeItsLink) {
  const auto alerts = std::vector<IncidentAlert>{alert("views", "", 350, 1000),
                                                 alert("likes", "os=Android", 29, 100)};
  AlertMessageInput in;
  in.evaluation = alerts[0].evaluation;
  in.zone = *find_zone("Europe/Moscow");
  in.dashboard_url = "http://dash/{metric}";
  in.more = incident_more_html(alerts, 0);
  const std::string html = alert_html(in);
  EXPECT_CONTAINS(html, "Also in this bucket:\n🚨 os=Android: Likes −71%\n<a href=\"http://dash/views\">");
}

TEST(IncidentTest, MessagesCountedPerBucketPerMetricOrPerAlert) {
  std::vector<IncidentAlert> alerts = {alert("views", "", 350, 1000),
                                       alert("views", "os=iOS", 300, 1000),
                                       alert("likes", "", 50, 100),
                                       alert("likes", "", 100, 100, AlertAction::kNone)};
  IncidentAlert later = alert("views", "", 100, 100, AlertAction::kResolve);
  later.evaluation.bucket += 900;
  alerts.push_back(later);
  EXPECT_EQ(message_count(alerts, AlertGrouping::kBucket), 2u);
  EXPECT_EQ(message_count(alerts, AlertGrouping::kMetric), 3u);
  EXPECT_EQ(message_count(alerts, AlertGrouping::kAlert), 4u);
}

}  // namespace
}  // namespace vigil
