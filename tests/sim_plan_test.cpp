// The simulator's per-bucket plan and anomaly labels, without a server.
#include <algorithm>
#include <numeric>

#include <gtest/gtest.h>

#include "sim/plan.h"

namespace vigil {
namespace {

const date::time_zone* moscow() { return *find_zone("Europe/Moscow"); }

// The default config's age buckets (age_buckets = [18, 25, 35, 45]).
const std::vector<std::string> kAges = {"0-17", "18-24", "25-34", "35-44", "45+"};

SimParams params() {
  SimParams p;
  p.from = *parse_date("2026-03-09");  // a Monday
  p.days = 14;
  p.users = 10000;
  p.feed_per_day = 1000000;
  p.messages_per_day = 100000;
  return p;
}

std::int64_t feed_total(const DayPlan& plan) {
  std::int64_t total = 0;
  for (const auto& b : plan.buckets) total += b.views + b.likes;
  return total;
}

TEST(SimPlan, DailyCurveIsLowAtNightAndPeaksInTheEvening) {
  EXPECT_LT(daily_curve(4.0), daily_curve(13.0));
  EXPECT_LT(daily_curve(13.0), daily_curve(20.5));
  EXPECT_LT(daily_curve(4.0) * 5, daily_curve(20.5));
  // No step at midnight: the evening's activity runs on past 00:00.
  EXPECT_NEAR(daily_curve(23.99), daily_curve(0.01), 0.01);
  EXPECT_GT(daily_curve(0.5), daily_curve(4.0) * 3);
}

TEST(SimPlan, DayHasNinetySixBucketsAndAboutTheRequestedVolume) {
  const auto plan = plan_day(params(), 0, moscow(), {});
  ASSERT_EQ(plan.buckets.size(), 96u);
  EXPECT_EQ(plan.begin, 1773003600);  // 2026-03-09 00:00 MSK
  // Monday, first day: weekday and growth factors are 1, noise is a few %.
  EXPECT_NEAR(static_cast<double>(feed_total(plan)), 1e6, 3e4);
  std::int64_t likes = 0, views = 0;
  for (const auto& b : plan.buckets) {
    likes += b.likes;
    views += b.views;
  }
  const double ctr = static_cast<double>(likes) / views;
  EXPECT_GT(ctr, 0.02);
  EXPECT_LT(ctr, 0.08);
}

TEST(SimPlan, WeekendsAreBusierInTheFeedAndTheAppGrows) {
  const auto p = params();
  const auto monday = feed_total(plan_day(p, 0, moscow(), {}));
  const auto saturday = feed_total(plan_day(p, 5, moscow(), {}));
  const auto next_monday = feed_total(plan_day(p, 7, moscow(), {}));
  EXPECT_GT(saturday, monday * 1.08);
  EXPECT_GT(next_monday, monday * 1.04);
  EXPECT_GT(plan_day(p, 13, moscow(), {}).active_users, plan_day(p, 0, moscow(), {}).active_users);
}

TEST(SimPlan, SameParamsGiveTheSamePlanAndSeedsDiffer) {
  auto p = params();
  const auto a = plan_day(p, 3, moscow(), {});
  const auto b = plan_day(p, 3, moscow(), {});
  p.seed = 2;
  const auto c = plan_day(p, 3, moscow(), {});
  EXPECT_EQ(feed_total(a), feed_total(b));
  EXPECT_NE(feed_total(a), feed_total(c));
}

TEST(SimPlan, AnomalyScalesOnlyItsMetricInItsWindow) {
  const auto p = params();
  const EpochSeconds start = 1773003600 + 20 * 3600;  // 20:00 local, bucket 80
  const std::vector<Anomaly> drop = {{"views", start, start + 2 * kBucketSeconds, 0.25, ""}};
  const auto base = plan_day(p, 0, moscow(), {});
  const auto hit = plan_day(p, 0, moscow(), drop);
  for (int b = 0; b < 96; ++b) {
    const bool inside = b == 80 || b == 81;
    if (inside) {
      EXPECT_NEAR(hit.buckets[b].views, base.buckets[b].views * 0.25,
                  base.buckets[b].views * 0.1);
    } else {
      EXPECT_EQ(hit.buckets[b].views, base.buckets[b].views) << b;
    }
    EXPECT_EQ(hit.buckets[b].messages, base.buckets[b].messages) << b;
  }
}

TEST(SimPlan, DefaultAnomaliesFallInsideTheRange) {
  const auto p = params();
  const auto anomalies = default_anomalies(p, moscow());
  ASSERT_GE(anomalies.size(), 10u);
  const EpochSeconds begin = day_start(p.from, moscow());
  const EpochSeconds end = day_start(p.from + date::days{p.days}, moscow());
  for (const auto& a : anomalies) {
    EXPECT_TRUE(is_known_anomaly_metric(a.metric)) << a.metric;
    EXPECT_GE(a.start, begin);
    EXPECT_LE(a.end, end);
    EXPECT_EQ((a.end - a.start) % kBucketSeconds, 0);
    EXPECT_NE(a.factor, 1.0);
  }
  // One targets a slice, on the last day (the day `vigil demo` replays through the alerts).
  const auto sliced = std::count_if(anomalies.begin(), anomalies.end(),
                                    [](const Anomaly& a) { return !a.slice.empty(); });
  EXPECT_EQ(sliced, 1);
  const auto android = std::find_if(anomalies.begin(), anomalies.end(),
                                    [](const Anomaly& a) { return a.slice == "os=Android"; });
  ASSERT_NE(android, anomalies.end());
  EXPECT_EQ(local_date(android->start, moscow()), p.from + date::days{p.days - 1});
  EXPECT_EQ(anomaly_slice_problem(android->slice, kAges), "");
  auto short_range = p;
  short_range.days = 3;
  EXPECT_LT(default_anomalies(short_range, moscow()).size(), anomalies.size());
}

TEST(SimPlan, AnomalyCsvRoundTrip) {
  const std::string text =
      "metric,start,end,factor\n"
      "views,2026-03-10 20:00,2026-03-10 20:30,0.4\n"
      "messages_sent,2026-03-11 11:15:00,2026-03-11 11:30:00,2.5\n";
  auto parsed = parse_anomalies_csv(text, "a.csv", moscow(), kAges);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ(parsed->at(0).metric, "views");
  EXPECT_EQ(parsed->at(0).start, 1773090000 + 20 * 3600);
  EXPECT_EQ(parsed->at(0).end - parsed->at(0).start, 1800);
  EXPECT_DOUBLE_EQ(parsed->at(1).factor, 2.5);
  auto again = parse_anomalies_csv(anomalies_csv(*parsed, moscow()), "b.csv", moscow(), kAges);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ(again->at(1).start, parsed->at(1).start);
  EXPECT_EQ(again->at(1).end, parsed->at(1).end);
}

TEST(SimPlan, AnomalyCsvErrorsNameTheLine) {
  auto unknown = parse_anomalies_csv("metric,start,end,factor\nclicks,2026-03-10 20:00,"
                                     "2026-03-10 20:30,0.4\n",
                                     "a.csv", moscow(), kAges);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("a.csv:2"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("clicks"), std::string::npos);
  auto backwards = parse_anomalies_csv("views,2026-03-10 20:30,2026-03-10 20:00,0.4\n", "b.csv",
                                       moscow(), kAges);
  ASSERT_FALSE(backwards.ok());
  EXPECT_NE(backwards.error().message.find("b.csv:1"), std::string::npos);
  auto fields = parse_anomalies_csv("views,2026-03-10 20:30\n", "c.csv", moscow(), kAges);
  ASSERT_FALSE(fields.ok());
  auto factor = parse_anomalies_csv("views,2026-03-10 20:00,2026-03-10 20:30,lots\n", "d.csv",
                                    moscow(), kAges);
  ASSERT_FALSE(factor.ok());
  EXPECT_NE(factor.error().message.find("lots"), std::string::npos);
}

TEST(SimPlan, SliceAnomalyLeavesThePlanToTheSimulator) {
  // The plan's counts are everyone's: a slice's anomaly is applied to that slice's
  // events in ClickHouse, so the plan must not scale everyone by it too.
  const auto p = params();
  const EpochSeconds start = 1773003600 + 20 * 3600;
  const std::vector<Anomaly> android = {
      {"views", start, start + 2 * kBucketSeconds, 0.3, "os=Android"},
      {"feed_users", start, start + 2 * kBucketSeconds, 0.5, "age=18-24"}};
  const auto base = plan_day(p, 0, moscow(), {});
  const auto hit = plan_day(p, 0, moscow(), android);
  for (int b = 0; b < 96; ++b) {
    EXPECT_EQ(hit.buckets[b].views, base.buckets[b].views) << b;
    EXPECT_EQ(hit.buckets[b].likes, base.buckets[b].likes) << b;
    EXPECT_EQ(hit.buckets[b].feed_user_share, 1.0) << b;
  }
}

TEST(SimPlan, AnomalyCsvSliceColumnIsOptionalAndRoundTrips) {
  const std::string text =
      "metric,start,end,factor,slice\n"
      "views,2026-03-10 20:00,2026-03-10 20:45,0.3,os=Android\n"
      "likes,2026-03-10 21:00,2026-03-10 21:15,0.5,\n"
      "ctr,2026-03-11 12:00,2026-03-11 12:30,0.4,age=18-24\n"
      "messages_sent,2026-03-11 11:15,2026-03-11 11:30,2.5\n"
      "feed_users,2026-03-12 10:00,2026-03-12 10:30,1.5,country=Russia\n"
      "views,2026-03-12 14:00,2026-03-12 14:30,1.5,source=ads\n"
      "likes,2026-03-12 15:00,2026-03-12 15:30,0.5,gender=1\n";
  auto parsed = parse_anomalies_csv(text, "a.csv", moscow(), kAges);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 7u);
  EXPECT_EQ(parsed->at(0).slice, "os=Android");
  EXPECT_EQ(parsed->at(1).slice, "");
  EXPECT_EQ(parsed->at(2).slice, "age=18-24");
  EXPECT_EQ(parsed->at(3).slice, "");  // a 4-column line, as older vigils wrote
  EXPECT_EQ(parsed->at(4).slice, "country=Russia");
  EXPECT_EQ(parsed->at(5).slice, "source=ads");
  EXPECT_EQ(parsed->at(6).slice, "gender=1");
  const std::string written = anomalies_csv(*parsed, moscow());
  EXPECT_EQ(written.substr(0, written.find('\n')), "metric,start,end,factor,slice");
  auto again = parse_anomalies_csv(written, "b.csv", moscow(), kAges);
  ASSERT_TRUE(again.ok()) << again.error().message;
  ASSERT_EQ(again->size(), 7u);
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(again->at(i).slice, parsed->at(i).slice) << i;
    EXPECT_EQ(again->at(i).start, parsed->at(i).start) << i;
  }
}

TEST(SimPlan, AnomalyCsvBadSliceNamesTheLineAndTheDimensions) {
  auto parse = [](const std::string& slice) {
    return parse_anomalies_csv("metric,start,end,factor,slice\n"
                               "views,2026-03-10 20:00,2026-03-10 20:45,0.3,os=iOS\n"
                               "views,2026-03-10 20:00,2026-03-10 20:45,0.3," + slice + "\n",
                               "s.csv", moscow(), kAges);
  };
  auto platform = parse("platform=Android");
  ASSERT_FALSE(platform.ok());
  EXPECT_NE(platform.error().message.find("s.csv:3"), std::string::npos)
      << platform.error().message;
  EXPECT_NE(platform.error().message.find("platform=Android"), std::string::npos);
  EXPECT_NE(platform.error().message.find("os, gender, age, source, country"), std::string::npos)
      << platform.error().message;
  for (const char* bad : {"Android", "os=", "=Android", "gender=female", "age=18-30", "age=18"}) {
    auto parsed = parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().message.find("s.csv:3"), std::string::npos) << bad;
  }
  auto age = parse("age=18-30");
  EXPECT_NE(age.error().message.find("0-17, 18-24, 25-34, 35-44, 45+"), std::string::npos)
      << age.error().message;
  // Age buckets are the config's: with bounds {30}, 18-30 is not one but 0-29 is.
  EXPECT_TRUE(parse_anomalies_csv("views,2026-03-10 20:00,2026-03-10 20:45,0.3,age=0-29\n", "t.csv",
                                  moscow(), {"0-29", "30+"})
                  .ok());
  auto six = parse("os=iOS,extra");
  ASSERT_FALSE(six.ok());
  EXPECT_NE(six.error().message.find("6 fields"), std::string::npos) << six.error().message;
}

TEST(SimPlan, SliceProblemAcceptsEveryoneAndEachDimension) {
  EXPECT_EQ(anomaly_slice_problem("", kAges), "");
  for (const char* ok :
       {"os=Android", "gender=0", "age=45+", "source=organic", "country=Ukraine"}) {
    EXPECT_EQ(anomaly_slice_problem(ok, kAges), "") << ok;
  }
  EXPECT_EQ(split_slice("age=45+"), (std::pair<std::string, std::string>{"age", "45+"}));
  EXPECT_EQ(split_slice("os"), (std::pair<std::string, std::string>{"", ""}));
}

}  // namespace
}  // namespace vigil
