// cli/detect_input: timestamps of `vigil detect` rows and their order on the bucket grid.
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli/detect_input.h"

namespace vigil {
namespace {

TEST(DetectInputTest, ParsesTheUsualForms) {
  const long long day = 1773014400;  // 2026-03-09 00:00 UTC
  struct Case {
    const char* text;
    long long instant;
  };
  const Case cases[] = {
      {"2026-03-09", day},
      {"2026-03-09 00:15", day + 900},
      {"2026-03-09T00:15:00", day + 900},
      {"2026-03-09 00:15:00.000", day + 900},
      {"2026-03-09T00:15:00Z", day + 900},
      {"2026-03-09 03:15:00+03:00", day + 900},
      {"2026-03-09T03:15+0300", day + 900},
      {"2026-03-08 23:15-01", day + 900},
      {"2026-03-09 00:15:07", day + 907},
      {"1773015300", day + 900},
      {"0", 0},
  };
  for (const auto& c : cases) {
    auto t = parse_timestamp(c.text);
    ASSERT_TRUE(t.ok()) << c.text << ": " << t.error().message;
    EXPECT_EQ(t->instant, c.instant) << c.text;
    EXPECT_FALSE(t->fraction) << c.text;
  }
  auto fraction = parse_timestamp("2026-03-09 00:15:00.5");
  EXPECT_TRUE(fraction->fraction);
  EXPECT_EQ(fraction->instant, day + 900);
}

TEST(DetectInputTest, RefusesOtherText) {
  for (const char* text : {"t0", "", "2026-03-09 24:00", "2026-02-30 00:00", "2026-03-09 0:15",
                           "2026-03-09 00:15 UTC", "2026-03-09 00:15+25:00", "-900", "1e9",
                           "2026-03-09 00:15:00.", "99999999999999999999"}) {
    auto t = parse_timestamp(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.error().message,
              std::string("timestamp '") + text +
                  "': expected YYYY-MM-DD HH:MM[:SS] (T between them, Z or an offset like +03:00 "
                  "after them are fine), YYYY-MM-DD or Unix seconds");
  }
}

// A row's place as "HH:MM:SS +missing" (time of day UTC of its bucket, buckets
// skipped before it), with " snapped" when its own time was not the bucket's.
std::string place(BucketOrder& order, const char* text, long line) {
  auto p = order.next(text, line);
  if (!p.ok()) return p.error().message;
  const long long s = ((p->bucket % 86400) + 86400) % 86400;
  return fmt::format("{:02}:{:02}:{:02} +{}{}", s / 3600, s / 60 % 60, s % 60, p->missing,
                     p->snapped ? " snapped" : "");
}

TEST(DetectInputTest, CountsMissingBucketsBetweenRows) {
  BucketOrder order(15);
  EXPECT_EQ(place(order, "2026-03-09 00:00", 2), "00:00:00 +0");
  EXPECT_EQ(place(order, "2026-03-09 00:15", 3), "00:15:00 +0");
  EXPECT_EQ(place(order, "2026-03-09 01:00", 4), "01:00:00 +2");  // 00:30 and 00:45 missing
  EXPECT_EQ(place(order, "2026-03-10 01:00", 5), "01:00:00 +95");
  EXPECT_EQ(order.snapped(), 0);
  // Buckets are seconds since the epoch.
  BucketOrder epoch(15);
  EXPECT_EQ(epoch.next("2026-03-09 00:15", 1)->bucket, 1773014400 + 900);
}

TEST(DetectInputTest, TheFirstRowSetsTheGridsPhase) {
  // An AWS-like 5-minute series starting at 14:27, and a Twitter-like one with seconds.
  BucketOrder aws(5);
  EXPECT_EQ(place(aws, "2014-02-14 14:27:00", 1), "14:27:00 +0");
  EXPECT_EQ(place(aws, "2014-02-14 14:32:00", 2), "14:32:00 +0");
  EXPECT_EQ(place(aws, "2014-02-14 14:47:00", 3), "14:47:00 +2");
  EXPECT_EQ(aws.snapped(), 0);
  BucketOrder twitter(5);
  EXPECT_EQ(place(twitter, "2015-02-26 21:42:53", 1), "21:42:53 +0");
  EXPECT_EQ(place(twitter, "2015-02-26 21:47:53", 2), "21:47:53 +0");
  EXPECT_EQ(place(twitter, "2015-02-26 21:52:10", 3), "21:52:53 +0 snapped");
  EXPECT_EQ(place(twitter, "2015-02-26 22:02:53", 4), "22:02:53 +1");
  EXPECT_EQ(twitter.snapped(), 1);
  // A first row at an odd hour sets a 60-minute grid at :30.
  BucketOrder hourly(60);
  EXPECT_EQ(place(hourly, "1773016200", 1), "00:30:00 +0");
  EXPECT_EQ(place(hourly, "1773019800", 2), "01:30:00 +0");
}

TEST(DetectInputTest, DriftingRowsGoToTheNearestFreeBucket) {
  // A traffic sensor at 5 minutes: the grid is 12:24, 12:29, 12:34, 12:39, 12:44, ...
  BucketOrder order(5);
  EXPECT_EQ(place(order, "2015-09-01 12:24", 1), "12:24:00 +0");
  EXPECT_EQ(place(order, "2015-09-01 12:27", 2), "12:29:00 +0 snapped");  // 3 min: nearer 12:29
  EXPECT_EQ(place(order, "2015-09-01 12:32", 3), "12:34:00 +0 snapped");
  // 12:36 is nearest 12:34, taken by 12:32: the next bucket, 3 minutes away.
  EXPECT_EQ(place(order, "2015-09-01 12:36", 4), "12:39:00 +0 snapped");
  EXPECT_EQ(place(order, "2015-09-01 12:46", 5), "12:44:00 +0 snapped");
  // Hours later, drifted by a minute: the buckets in between are missing.
  EXPECT_EQ(place(order, "2015-09-01 15:45", 6), "15:44:00 +35 snapped");
  EXPECT_EQ(place(order, "2015-09-01 15:49", 7), "15:49:00 +0");
  EXPECT_EQ(order.snapped(), 5);
  // Exactly half way rounds to the later bucket; a fraction of a second is off the grid.
  BucketOrder half(10);
  EXPECT_EQ(place(half, "2026-03-09 00:00", 1), "00:00:00 +0");
  EXPECT_EQ(place(half, "2026-03-09 00:15", 2), "00:20:00 +1 snapped");
  EXPECT_EQ(place(half, "2026-03-09 00:30:00.5", 3), "00:30:00 +0 snapped");
}

TEST(DetectInputTest, ASensorChangingPhaseRunsOneBucketLateUntilAGap) {
  // A traffic sensor at :x4/:x9 switches to :x0/:x5 (14:29, 14:30, 14:35, ...): every
  // row after the switch takes the bucket 4 minutes after its time, until a gap.
  BucketOrder order(5);
  EXPECT_EQ(place(order, "2015-09-16 14:24", 1), "14:24:00 +0");
  EXPECT_EQ(place(order, "2015-09-16 14:29", 2), "14:29:00 +0");
  long line = 3;
  for (int minute = 30; minute <= 55; minute += 5) {
    EXPECT_EQ(place(order, fmt::format("2015-09-16 14:{}", minute).c_str(), line++),
              fmt::format("14:{}:00 +0 snapped", minute + 4));
  }
  // 15:05 after 14:55 (at 14:59): its nearest bucket, 15:04, is free again.
  EXPECT_EQ(place(order, "2015-09-16 15:05", line++), "15:04:00 +0 snapped");
  EXPECT_EQ(order.snapped(), 7);
}

TEST(DetectInputTest, RowsDenserThanTheIntervalStop) {
  BucketOrder order(5);
  EXPECT_EQ(place(order, "2015-09-01 12:24:00", 1), "12:24:00 +0");
  // Every 30 s: each row takes the next free bucket, later and later after its
  // own time (4.5, 9, 13.5, 18 minutes) ...
  EXPECT_EQ(place(order, "2015-09-01 12:24:30", 2), "12:29:00 +0 snapped");
  EXPECT_EQ(place(order, "2015-09-01 12:25:00", 3), "12:34:00 +0 snapped");
  EXPECT_EQ(place(order, "2015-09-01 12:25:30", 4), "12:39:00 +0 snapped");
  EXPECT_EQ(place(order, "2015-09-01 12:26:00", 5), "12:44:00 +0 snapped");
  // ... until the next free one, 12:49, is more than 4 intervals after the row.
  const auto dense = order.next("2015-09-01 12:26:30", 6);
  ASSERT_FALSE(dense.ok());
  EXPECT_EQ(dense.error().exit_code(), 2);
  EXPECT_EQ(dense.error().message,
            "stdin:6: rows come faster than one per 5 minutes: timestamp '2015-09-01 12:26:30' "
            "finds no free bucket within 20 minutes of it after line 5 ('2015-09-01 12:26:00'); "
            "give the series' own --interval-minutes");
  // A 1-minute series read at 15 minutes stops at its sixth row (01:15 is 70
  // minutes after 00:05).
  BucketOrder minutes(15);
  for (int m = 0; m < 5; ++m) {
    ASSERT_TRUE(minutes.next(fmt::format("2026-03-09 00:0{}", m), m + 1).ok()) << m;
  }
  EXPECT_FALSE(minutes.next("2026-03-09 00:05", 6).ok());
}

TEST(DetectInputTest, OffsetsOrderByInstant) {
  BucketOrder order(60);
  EXPECT_EQ(place(order, "2026-03-09 10:00+05:30", 1), "04:30:00 +0");
  EXPECT_EQ(place(order, "2026-03-09 11:00+05:30", 2), "05:30:00 +0");
  // The same instant as line 2, written in UTC.
  EXPECT_EQ(place(order, "2026-03-09T05:30Z", 3),
            "stdin:3: timestamp '2026-03-09T05:30Z' repeats line 2 ('2026-03-09 11:00+05:30'): "
            "give each bucket once");
  // The next hour written in UTC, then after a change of offset (summer time).
  EXPECT_EQ(place(order, "2026-03-09T06:30Z", 4), "06:30:00 +0");
  EXPECT_EQ(place(order, "2026-03-09 09:30+02:00", 5), "07:30:00 +0");
}

TEST(DetectInputTest, RefusesRepeatedAndEarlierRows) {
  BucketOrder order(15);
  ASSERT_TRUE(order.next("2026-03-09 00:00", 1).ok());
  ASSERT_TRUE(order.next("2026-03-09 00:30", 2).ok());
  auto earlier = order.next("2026-03-09 00:15", 3);
  EXPECT_EQ(earlier.error().message,
            "stdin:3: timestamp '2026-03-09 00:15' is before line 2 ('2026-03-09 00:30'): sort "
            "the rows by time");
  EXPECT_EQ(earlier.error().exit_code(), 2);
  EXPECT_EQ(order.next("2026-03-09 00:30:00", 4).error().message,
            "stdin:4: timestamp '2026-03-09 00:30:00' repeats line 2 ('2026-03-09 00:30'): give "
            "each bucket once");
  EXPECT_EQ(order.next("2026-03-09 00:29:59", 5).error().message.substr(0, 45),
            "stdin:5: timestamp '2026-03-09 00:29:59' is b");
  EXPECT_EQ(order.next("x", 7).error().message.substr(0, 21), "stdin:7: timestamp 'x");
  // Refused rows leave the order as it was: 00:40 goes to 00:45 after 00:30.
  EXPECT_EQ(place(order, "2026-03-09 00:40", 8), "00:45:00 +0 snapped");
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

// "m" for a missing bucket, else the value.
std::string admitted(LeadingZeros zeros, const std::vector<double>& values) {
  std::string out;
  for (double v : values) {
    const double a = zeros.admit(v);
    out += std::isnan(a) ? "m " : fmt::format("{} ", a);
  }
  return out;
}

TEST(LeadingZeros, ZerosBeforeTheFirstNonZeroValueAreMissing) {
  const double nan = std::nan("");
  EXPECT_EQ(admitted(LeadingZeros(false), {0, 0, nan, 0, 3, 0, nan, 0, 2}), "m m m m 3 0 m 0 2 ");
  EXPECT_EQ(admitted(LeadingZeros(false), {-1, 0}), "-1 0 ");
  EXPECT_EQ(admitted(LeadingZeros(false), {0, 0}), "m m ");
  // --keep-leading-zeros: every zero is a value.
  EXPECT_EQ(admitted(LeadingZeros(true), {0, 0, nan, 3}), "0 0 m 3 ");
}

}  // namespace
}  // namespace vigil
