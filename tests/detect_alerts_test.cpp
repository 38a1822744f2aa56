// cli/detect_alerts and cli/detect_params: `vigil detect --alerts` replaying the alert
// rules over verdicts, and the flags that stand for detector parameters.
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli/detect_alerts.h"
#include "cli/detect_params.h"

namespace vigil {
namespace {

constexpr long long kStart = 1773014400;  // 2026-03-09 00:00 UTC
constexpr long long kQuarter = 900;

// A series of 15-minute rows "t<i>" with value i; `marks` says per bucket: 'a'
// anomalous, '.' normal, 'n' not ready (missing value), ' ' no row (a gap).
struct Series {
  std::vector<std::string> names, values;
  std::vector<DetectRow> rows;
  std::vector<Verdict> verdicts;

  explicit Series(const std::string& marks) {
    names.reserve(marks.size());
    values.reserve(marks.size());
    for (std::size_t i = 0; i < marks.size(); ++i) {
      names.push_back(fmt::format("t{}", i));
      values.push_back(fmt::format("{}", i));
    }
    for (std::size_t i = 0; i < marks.size(); ++i) {
      if (marks[i] == ' ') continue;
      DetectRow row;
      row.timestamp = names[i];
      if (marks[i] != 'n') row.value = values[i];
      row.bucket = kStart + static_cast<long long>(i) * kQuarter;
      rows.push_back(row);
      Verdict v;
      v.ready = marks[i] != 'n';
      v.anomaly = marks[i] == 'a';
      v.expected = 100;
      v.lower = 80;
      v.upper = 120.5;
      v.score = marks[i] == 'a' ? -7.25 : 0.5;
      verdicts.push_back(v);
    }
  }
};

// The messages for `marks` with the given policy, one "action timestamp" per message.
std::vector<std::string> replay(const std::string& marks, int consecutive, int repeat_minutes,
                                AlertReplaySummary* summary = nullptr) {
  Series s(marks);
  AlertReplay sink(*detect_alert_policy(consecutive, repeat_minutes), 15);
  std::string out;
  // In two blocks, as the stream hands them over.
  const std::size_t half = s.rows.size() / 2;
  sink.take(std::span<const DetectRow>(s.rows).first(half),
            std::span<const Verdict>(s.verdicts).first(half), out);
  sink.take(std::span<const DetectRow>(s.rows).subspan(half),
            std::span<const Verdict>(s.verdicts).subspan(half), out);
  if (summary) *summary = sink.summary();
  std::vector<std::string> messages;
  for (std::size_t start = 0; start < out.size();) {
    const auto nl = out.find('\n', start);
    const std::string line = out.substr(start, nl - start);
    messages.push_back(line.substr(0, line.find(',', line.find(',') + 1)));
    start = nl + 1;
  }
  return messages;
}

using Lines = std::vector<std::string>;

TEST(AlertReplayTest, FiresRepeatsHourlyAndResolves) {
  // Anomalous 3..8 (six buckets): fire at 3, a reminder an hour later at 7, resolve at 9.
  AlertReplaySummary summary;
  EXPECT_EQ(replay("...aaaaaa...", 1, 60, &summary),
            (Lines{"fire,t3", "repeat,t7", "resolve,t9"}));
  EXPECT_EQ(summary.episodes, 1);
  EXPECT_EQ(summary.messages, 3);
  EXPECT_FALSE(summary.firing);
  EXPECT_DOUBLE_EQ(summary.days, 12 * 900 / 86400.0);
  EXPECT_DOUBLE_EQ(summary.episodes_per_week(), 7 / (12 * 900 / 86400.0));
  // Reminders every 30 minutes.
  EXPECT_EQ(replay("...aaaaaa...", 1, 30),
            (Lines{"fire,t3", "repeat,t5", "repeat,t7", "resolve,t9"}));
}

TEST(AlertReplayTest, ConsecutiveNeedsThatManyAnomalousBucketsInARow) {
  EXPECT_EQ(replay("..a..aa...", 2, 60), (Lines{"fire,t6", "resolve,t7"}));
  EXPECT_EQ(replay("..a..a....", 2, 60), Lines{});
  // A missing value or a bucket without a row breaks the streak...
  EXPECT_EQ(replay("..ana..a a..", 2, 60), Lines{});
  // ... but does not resolve: the alert stays open until a normal bucket.
  EXPECT_EQ(replay("..aann ..", 1, 60), (Lines{"fire,t2", "resolve,t7"}));
}

TEST(AlertReplayTest, WritesTheVerdictWithEachMessage) {
  Series s("..a.");
  AlertReplay sink(*detect_alert_policy(1, 60), 15);
  std::string out;
  sink.take(s.rows, s.verdicts, out);
  EXPECT_EQ(sink.header(), "action,timestamp,value,expected,lower,upper,score\n");
  EXPECT_EQ(out, "fire,t2,2,100,80,120.5,-7.25\nresolve,t3,3,100,80,120.5,0.5\n");
}

TEST(AlertReplayTest, FillerRowsAreNotMessagesAndAnOpenEpisodeIsSaid) {
  Series s("a");
  DetectRow filler;
  filler.filler = true;
  filler.bucket = kStart - kQuarter;
  std::vector<DetectRow> rows{filler, s.rows[0]};
  std::vector<Verdict> verdicts{Verdict{}, s.verdicts[0]};
  verdicts[0].anomaly = verdicts[0].ready = true;  // never looked at
  AlertReplay sink(*detect_alert_policy(1, 60), 15);
  std::string out;
  sink.take(rows, verdicts, out);
  EXPECT_EQ(out, "fire,t0,0,100,80,120.5,-7.25\n");
  const AlertReplaySummary summary = sink.summary();
  EXPECT_TRUE(summary.firing);
  EXPECT_DOUBLE_EQ(summary.days, 900 / 86400.0);
}

TEST(AlertReplayTest, DescribesTheSummaryInOneLine) {
  AlertReplaySummary s;
  s.episodes = 3;
  s.messages = 7;
  s.days = 14;
  EXPECT_EQ(describe(s), "alerts: 3 episodes (7 messages) over 14.0 days: 1.50 episodes per week");
  s.episodes = 1;
  s.messages = 1;
  s.firing = true;
  s.days = 3.5;
  EXPECT_EQ(describe(s),
            "alerts: 1 episode (1 message) over 3.5 days: 2.00 episodes per week, the last still "
            "firing");
  EXPECT_EQ(describe(AlertReplaySummary{}),
            "alerts: 0 episodes (0 messages) over 0.0 days: 0.00 episodes per week");
}

TEST(AlertReplayTest, PolicyOptionsTakeTheConfigsRanges) {
  const AlertPolicy policy = *detect_alert_policy(3, 90);
  EXPECT_EQ(policy.consecutive, 3);
  EXPECT_EQ(policy.repeat_every_seconds, 5400);
  EXPECT_EQ(detect_alert_policy(0, 60).error().message,
            "--consecutive 0: expected 1..96 anomalous buckets in a row before an alert");
  EXPECT_FALSE(detect_alert_policy(97, 60).ok());
  EXPECT_EQ(detect_alert_policy(1, 0).error().message,
            "--repeat-every-minutes 0: expected 1..10080 minutes between reminders while firing");
  EXPECT_EQ(detect_alert_policy(1, 0).error().exit_code(), 2);
  EXPECT_TRUE(detect_alert_policy(96, 10080).ok());
}

TEST(DetectParamsTest, FlagsStandForTheirParameters) {
  DetectOptions options;
  options.params = {"k=5", "floor=0.1"};
  options.direction = "down";
  options.sensitivity = "high";
  auto params = detect_params(options);
  ASSERT_TRUE(params.ok()) << params.error().message;
  EXPECT_EQ(*params, (DetectorParams{{"k", "5"}, {"floor", "0.1"}, {"direction", "down"},
                                     {"sensitivity", "high"}}));
  EXPECT_EQ(*detect_params(DetectOptions{}), DetectorParams{});
}

TEST(DetectParamsTest, AFlagAndItsParamTogetherAreRefused) {
  DetectOptions options;
  options.params = {"direction=up"};
  options.direction = "down";
  EXPECT_EQ(detect_params(options).error().message,
            "--direction and --param direction=... both given: keep one");
  options.direction.clear();
  options.params = {"sensitivity=low"};
  options.sensitivity = "low";
  EXPECT_EQ(detect_params(options).error().message,
            "--sensitivity and --param sensitivity=... both given: keep one");
  EXPECT_EQ(detect_params(options).error().exit_code(), 2);
  options.sensitivity.clear();
  options.params = {"k=1", "k=2"};
  EXPECT_EQ(detect_params(options).error().message, "--param k given twice");
  options.params = {"=1"};
  EXPECT_EQ(detect_params(options).error().message, "--param '=1': expected name=value");
}

}  // namespace
}  // namespace vigil
