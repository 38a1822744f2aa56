// Feedback, pure (alert/feedback.h): verdicts, counts per metric, precision,
// the backtest's table and the factor of an exported label.
#include "alert/feedback.h"

#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "alert/store.h"
#include "support/expect.h"

namespace vigil {
namespace {

constexpr EpochSeconds kT0 = 1'795'000'500;

AlertRecord rec(std::int64_t id, const std::string& metric, EpochSeconds bucket,
                AlertAction action, const std::string& slice = "") {
  AlertRecord r;
  r.id = id;
  r.evaluation.key = {metric, slice};
  r.evaluation.bucket = bucket;
  r.action = action;
  return r;
}

Feedback fb(std::int64_t id, std::int64_t record, FeedbackVerdict verdict, EpochSeconds at,
            const std::string& by = "ann") {
  Feedback f;
  f.id = id;
  f.record_id = record;
  f.verdict = verdict;
  f.at = at;
  f.by = by;
  return f;
}

constexpr auto kReal = FeedbackVerdict::kReal;
constexpr auto kFalse = FeedbackVerdict::kFalseAlarm;

TEST(FeedbackVerdictTest, NamesAndParsing) {
  EXPECT_STREQ(verdict_name(kReal), "real");
  EXPECT_STREQ(verdict_name(kFalse), "false");
  EXPECT_EQ(*parse_verdict("real"), kReal);
  EXPECT_EQ(*parse_verdict("false"), kFalse);
  auto bad = parse_verdict("maybe");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, Error::Kind::kUsage);
  EXPECT_CONTAINS(bad.error().message, "'maybe'");
}

TEST(FeedbackVerdictTest, LatestWordWinsByTimeThenId) {
  // Out of order on purpose: record 7 judged false, then real (later); record
  // 8 twice at the same second: the later id wins.
  const auto latest = latest_feedback({fb(3, 7, kReal, kT0 + 20, "bob"),
                                       fb(1, 7, kFalse, kT0 + 10), fb(5, 8, kReal, kT0 + 30),
                                       fb(6, 8, kFalse, kT0 + 30)});
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest.at(7).verdict, kReal);
  EXPECT_EQ(latest.at(7).by, "bob");
  EXPECT_EQ(latest.at(8).id, 6);
}

TEST(FeedbackCountsTest, PrecisionOfJudgedAlertsOnly) {
  FeedbackCounts c{.real = 2, .false_alarm = 1, .unjudged = 5};
  EXPECT_EQ(c.alerts(), 8);
  EXPECT_DOUBLE_EQ(c.precision(), 2.0 / 3.0);
  EXPECT_EQ(precision_text(c), "67%");
  FeedbackCounts none{.unjudged = 4};
  EXPECT_TRUE(std::isnan(none.precision()));
  EXPECT_EQ(precision_text(none), "n/a");
  EXPECT_EQ(precision_text({.false_alarm = 3}), "0%");
}

TEST(FeedbackCountsTest, PerMetricOverFiresAReminderJudgesItsFire) {
  const std::vector<AlertRecord> records = {
      rec(1, "views", kT0, AlertAction::kFire),
      rec(2, "views", kT0 + 900, AlertAction::kRepeat),    // reminds of 1
      rec(3, "views", kT0 + 1800, AlertAction::kResolve),
      rec(4, "views", kT0 + 2700, AlertAction::kFire),     // a second alert, unjudged
      rec(5, "likes", kT0, AlertAction::kFire),
      rec(6, "likes", kT0, AlertAction::kFire, "os=iOS"),  // a slice's own alert
      rec(7, "likes", kT0 + 900, AlertAction::kNone),
  };
  const std::vector<Feedback> feedback = {
      fb(1, 1, kReal, kT0 + 100),
      fb(2, 2, kFalse, kT0 + 1000),  // later, on the reminder: alert 1 was false after all
      fb(3, 5, kReal, kT0 + 200),
      fb(4, 6, kReal, kT0 + 300),
      fb(5, 7, kFalse, kT0 + 400),   // not an alert: counts nowhere
      fb(6, 3, kReal, kT0 + 500),    // a "back to normal" is no alert either
  };
  const auto verdicts = fire_verdicts(records, feedback);
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_EQ(verdicts.at(1).verdict, kFalse);
  EXPECT_EQ(verdicts.at(5).verdict, kReal);
  EXPECT_EQ(verdicts.count(4), 0u);

  const auto counts = feedback_counts(records, feedback);
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts.at("views").real, 0);
  EXPECT_EQ(counts.at("views").false_alarm, 1);
  EXPECT_EQ(counts.at("views").unjudged, 1);
  EXPECT_EQ(counts.at("likes").real, 2);
  EXPECT_EQ(counts.at("likes").false_alarm, 0);
  EXPECT_EQ(counts.at("likes").unjudged, 0);
}

TEST(FeedbackCountsTest, AReminderAfterANewFireJudgesTheNewOne) {
  const std::vector<AlertRecord> records = {
      rec(10, "views", kT0, AlertAction::kFire),
      rec(11, "views", kT0 + 1800, AlertAction::kFire),
      rec(12, "views", kT0 + 2700, AlertAction::kRepeat),
      rec(13, "likes", kT0 + 2700, AlertAction::kRepeat),  // its fire is not among the records
  };
  const auto verdicts =
      fire_verdicts(records, {fb(1, 12, kReal, kT0 + 3000), fb(2, 13, kFalse, kT0 + 3000)});
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_EQ(verdicts.count(11), 1u);
}

TEST(FeedbackCountsTest, TableHasARowPerMetricAndTheirSum) {
  std::map<std::string, FeedbackCounts> counts;
  counts["likes"] = {.real = 1, .false_alarm = 3, .unjudged = 0};
  counts["views"] = {.real = 2, .false_alarm = 0, .unjudged = 2};
  const std::string text = feedback_counts_text(counts);
  std::vector<std::string> lines;
  for (std::size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) {
    lines.push_back(text.substr(at, nl - at));
  }
  ASSERT_EQ(lines.size(), 4u) << text;
  EXPECT_CONTAINS(lines[0], "precision");
  EXPECT_CONTAINS(lines[0], "unjudged");
  auto fields = [](const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
  };
  EXPECT_EQ(fields(lines[1]), (std::vector<std::string>{"likes", "4", "1", "3", "0", "25%"}));
  EXPECT_EQ(fields(lines[2]), (std::vector<std::string>{"views", "4", "2", "0", "2", "100%"}));
  EXPECT_EQ(fields(lines[3]), (std::vector<std::string>{"all", "8", "3", "3", "2", "50%"}));
  EXPECT_EQ(feedback_counts_text({}), "no alerts fired\n");
  // One metric: no "all" row.
  counts.erase("likes");
  EXPECT_LACKS(feedback_counts_text(counts), "all");
}

TEST(FeedbackLabelTest, FactorOfARealAlertIsValueOverExpectedNeverOne) {
  Evaluation e;
  e.value = 30;
  e.expected = 100;
  EXPECT_DOUBLE_EQ(label_factor(e, kReal), 0.3);
  e.value = 123.456;
  EXPECT_DOUBLE_EQ(label_factor(e, kReal), 1.23);
  e.value = 100.4;  // rounds to 1: still an anomaly, so just above
  EXPECT_DOUBLE_EQ(label_factor(e, kReal), 1.01);
  e.value = 99.7;
  EXPECT_DOUBLE_EQ(label_factor(e, kReal), 0.99);
  e.value = 0;  // an outage
  EXPECT_DOUBLE_EQ(label_factor(e, kReal), 0.0);
  e.value = 5;
  e.expected = 0;
  EXPECT_DOUBLE_EQ(label_factor(e, kReal), 2.0);
  e.value = std::numeric_limits<double>::quiet_NaN();
  EXPECT_DOUBLE_EQ(label_factor(e, kReal), 0.5);
  e.value = 30;
  e.expected = 100;
  EXPECT_DOUBLE_EQ(label_factor(e, kFalse), 1.0);
}

}  // namespace
}  // namespace vigil
