// base/parse: checked number parsing for external text, and CellReader for result rows.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/parse.h"

namespace vigil {
namespace {

TEST(ParseTest, Int64AcceptsWholeIntegersOnly) {
  EXPECT_EQ(*parse_int64("0"), 0);
  EXPECT_EQ(*parse_int64("-42"), -42);
  EXPECT_EQ(*parse_int64("9223372036854775807"), 9223372036854775807LL);
  for (const char* bad : {"", " 1", "1 ", "+1", "1.5", "12abc", "abc", "\\N", "0x10"}) {
    auto r = parse_int64(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message, fmt::format("'{}' is not an integer", bad)) << bad;
    EXPECT_EQ(r.error().exit_code(), 1);
  }
  EXPECT_EQ(parse_int64("9223372036854775808").error().message,
            "'9223372036854775808' is out of range for an integer");
}

TEST(ParseTest, IntChecksTheRangeOfInt) {
  EXPECT_EQ(*parse_int("65535"), 65535);
  EXPECT_EQ(parse_int("2147483648").error().message, "'2147483648' is out of range for an integer");
  EXPECT_FALSE(parse_int("99999999999999999999").ok());
}

TEST(ParseTest, DoubleIsFinite) {
  EXPECT_DOUBLE_EQ(*parse_double("1.5"), 1.5);
  EXPECT_DOUBLE_EQ(*parse_double("-2e3"), -2000);
  EXPECT_DOUBLE_EQ(*parse_double("7"), 7);
  EXPECT_EQ(parse_double("x").error().message, "'x' is not a number");
  EXPECT_EQ(parse_double("1,5").error().message, "'1,5' is not a number");
  EXPECT_EQ(parse_double("inf").error().message, "'inf' is not a finite number");
  EXPECT_EQ(parse_double("nan").error().message, "'nan' is not a finite number");
  EXPECT_EQ(parse_double("1e999").error().message, "'1e999' is out of range for a number");
}

TEST(ParseTest, LongTextIsCutInTheMessage) {
  const std::string text(100, 'z');
  EXPECT_EQ(parse_int64(text).error().message,
            "'" + std::string(40, 'z') + "...' is not an integer");
}

TEST(ParseTest, CellReaderKeepsTheFirstProblemWithColumnAndSource) {
  const std::vector<std::string> row = {"2025-03-09", "12", "n/a", "3.5"};
  CellReader cells(row, "daily feed metrics from simulator.feed_actions");
  EXPECT_EQ(cells.text(0, "day"), "2025-03-09");
  EXPECT_EQ(cells.int64(1, "feed_users"), 12);
  EXPECT_DOUBLE_EQ(cells.number(3, "ratio"), 3.5);
  EXPECT_FALSE(cells.error());
  EXPECT_EQ(cells.int64(2, "views"), 0);
  EXPECT_EQ(cells.int64(9, "likes"), 0);  // a second problem does not replace the first
  ASSERT_TRUE(cells.error());
  EXPECT_EQ(cells.error()->message,
            "daily feed metrics from simulator.feed_actions: column views: 'n/a' is not an "
            "integer");
  EXPECT_EQ(cells.error()->exit_code(), 1);
}

TEST(ParseTest, CellReaderReportsAMissingColumn) {
  const std::vector<std::string> row = {"1"};
  CellReader cells(row, "q");
  EXPECT_EQ(cells.text(3, "day"), "");
  ASSERT_TRUE(cells.error());
  EXPECT_EQ(cells.error()->message, "q: column day: missing: the row has 1 column");
}

}  // namespace
}  // namespace vigil
