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
    long long instant, wall;
  };
  const Case cases[] = {
      {"2026-03-09", day, day},
      {"2026-03-09 00:15", day + 900, day + 900},
      {"2026-03-09T00:15:00", day + 900, day + 900},
      {"2026-03-09 00:15:00.000", day + 900, day + 900},
      {"2026-03-09T00:15:00Z", day + 900, day + 900},
      {"2026-03-09 03:15:00+03:00", day + 900, day + 3 * 3600 + 900},
      {"2026-03-09T03:15+0300", day + 900, day + 3 * 3600 + 900},
      {"2026-03-08 23:15-01", day + 900, day - 3600 + 900},
      {"1773015300", day + 900, day + 900},
      {"0", 0, 0},
  };
  for (const auto& c : cases) {
    auto t = parse_timestamp(c.text);
    ASSERT_TRUE(t.ok()) << c.text << ": " << t.error().message;
    EXPECT_EQ(t->instant, c.instant) << c.text;
    EXPECT_EQ(t->wall, c.wall) << c.text;
    EXPECT_FALSE(t->fraction) << c.text;
  }
  EXPECT_TRUE(parse_timestamp("2026-03-09 00:15:00.5")->fraction);
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

TEST(DetectInputTest, CountsMissingBucketsBetweenRows) {
  BucketOrder order(15);
  EXPECT_EQ(*order.next("2026-03-09 00:00", 2), 0);
  EXPECT_EQ(*order.next("2026-03-09 00:15", 3), 0);
  EXPECT_EQ(*order.next("2026-03-09 01:00", 4), 2);  // 00:30 and 00:45 are missing
  EXPECT_EQ(*order.next("2026-03-10 01:00", 5), 95);
}

TEST(DetectInputTest, OffsetsOrderByInstantAndKeepTheirLocalGrid) {
  BucketOrder order(60);
  EXPECT_EQ(*order.next("2026-03-09 10:00+05:30", 1), 0);
  EXPECT_EQ(*order.next("2026-03-09 11:00+05:30", 2), 0);
  // The same instant as line 2, written in UTC: the wall time is off the hour grid.
  EXPECT_EQ(order.next("2026-03-09T05:30Z", 3).error().message,
            "stdin:3: timestamp '2026-03-09T05:30Z' is not on the 60-minute grid: buckets start "
            "every 60 minutes from midnight (check --interval-minutes)");
}

TEST(DetectInputTest, RefusesRepeatedEarlierAndOffGridRows) {
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
  EXPECT_EQ(order.next("2026-03-09 00:40", 5).error().message,
            "stdin:5: timestamp '2026-03-09 00:40' is not on the 15-minute grid: buckets start "
            "every 15 minutes from midnight (check --interval-minutes)");
  EXPECT_FALSE(order.next("2026-03-09 00:45:00.250", 6).ok());
  EXPECT_EQ(order.next("x", 7).error().message.substr(0, 21), "stdin:7: timestamp 'x");
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
