// The alert bucket table's pure rules (metrics/bucket_table_sql.h): which buckets
// a run counts, which rows count when read back, and the keys that keep a changed
// config from reading rows counted another way.
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "metrics/bucket_table_sql.h"

namespace vigil {
namespace {

constexpr int kBs = 900;
constexpr EpochSeconds kFrom = 1000 * kBs;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

EpochSeconds at(int index) { return kFrom + EpochSeconds{index} * kBs; }

std::vector<EpochSeconds> buckets(int first, int end) {
  std::vector<EpochSeconds> out;
  for (int i = first; i < end; ++i) out.push_back(at(i));
  return out;
}

TEST(BucketTablePlan, AnEmptyTableIsFilledWholeOnce) {
  const auto fills = plan_bucket_fill({}, {"", "os"}, kFrom, at(10), kBs, 4);
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].dimensions, (std::vector<std::string>{"", "os"}));
  EXPECT_EQ(fills[0].buckets, buckets(0, 10));
}

TEST(BucketTablePlan, AFilledWindowRecountsTheNewestAndTheLateOnes) {
  std::set<std::pair<std::string, EpochSeconds>> marked;
  for (int i = 0; i < 9; ++i) marked.insert({"", at(i)});  // bucket 9 is new
  const auto fills = plan_bucket_fill(marked, {""}, kFrom, at(10), kBs, 4);
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].buckets, buckets(5, 10));
  // No late buckets: only the newest (already marked or not).
  EXPECT_EQ(plan_bucket_fill(marked, {""}, kFrom, at(10), kBs, 0)[0].buckets, buckets(9, 10));
}

TEST(BucketTablePlan, ADimensionNewToTheConfigIsBackfilledAlone) {
  std::set<std::pair<std::string, EpochSeconds>> marked;
  for (int i = 0; i < 10; ++i) marked.insert({"", at(i)});
  for (int i = 0; i < 10; ++i) marked.insert({"os", at(i)});
  marked.erase({"os", at(2)});  // a hole left by a failed run
  const auto fills = plan_bucket_fill(marked, {"", "os", "gender"}, kFrom, at(10), kBs, 1);
  ASSERT_EQ(fills.size(), 3u);
  EXPECT_EQ(fills[0], (BucketFill{{""}, buckets(8, 10)}));
  std::vector<EpochSeconds> os = {at(2), at(8), at(9)};
  EXPECT_EQ(fills[1], (BucketFill{{"os"}, os}));
  EXPECT_EQ(fills[2], (BucketFill{{"gender"}, buckets(0, 10)}));
}

TEST(BucketTablePlan, AWeekIsFilledADayAtATime) {
  const BucketFill week{{"", "os"}, buckets(0, 7 * 96)};
  const auto days = split_bucket_fill(week, 86400);
  ASSERT_EQ(days.size(), 7u);
  for (int d = 0; d < 7; ++d) EXPECT_EQ(days[d], (BucketFill{{"", "os"}, buckets(d * 96, d * 96 + 96)}));
  // Gaps do not count: two buckets a day apart are two fills, close ones one.
  const BucketFill sparse{{""}, {at(0), at(3), at(96), at(200)}};
  const auto parts = split_bucket_fill(sparse, 86400);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].buckets, (std::vector<EpochSeconds>{at(0), at(3)}));
  EXPECT_TRUE(split_bucket_fill({{""}, {}}, 86400).empty());
}

BucketTableRow row(const std::string& dimension, int index, const std::string& source,
                   const std::string& slice, unsigned long long version, double first_count) {
  std::vector<double> counts(bucket_table_counts().size(), 0.0);
  counts[0] = first_count;
  return {dimension, at(index), source, slice, version, counts};
}

BucketTableRow mark(const std::string& dimension, int index, unsigned long long version) {
  return row(dimension, index, "", "", version, 0);
}

TEST(BucketTableRows, NewestVersionPerKeyAndNotOlderThanItsMark) {
  const std::vector<BucketTableRow> rows = {
      mark("os", 0, 5), mark("os", 1, 5), mark("os", 1, 9),
      row("os", 0, "feed", "os=iOS", 5, 10),
      row("os", 1, "feed", "os=iOS", 5, 11),     // replaced by the re-fill below
      row("os", 1, "feed", "os=iOS", 9, 12),
      row("os", 1, "feed", "os=Android", 5, 7),  // gone from the re-fill: not counted
  };
  const std::vector<const MetricDef*> counts = {bucket_table_counts()[0]};
  const auto current = current_bucket_rows(rows, {"os"}, kFrom, at(2), kBs, counts);
  ASSERT_TRUE(current.has_value());
  ASSERT_EQ(current->size(), 2u);
  EXPECT_EQ((*current)[0].bucket, at(0));
  EXPECT_EQ((*current)[0].counts, std::vector<double>{10});
  EXPECT_EQ((*current)[1].bucket, at(1));
  EXPECT_EQ((*current)[1].slice, "os=iOS");
  EXPECT_EQ((*current)[1].counts, std::vector<double>{12});
}

TEST(BucketTableRows, ABucketWithoutAMarkIsNotFilled) {
  const std::vector<BucketTableRow> rows = {mark("", 0, 5), row("", 1, "feed", "", 5, 3)};
  const std::vector<const MetricDef*> counts = {bucket_table_counts()[0]};
  EXPECT_FALSE(current_bucket_rows(rows, {""}, kFrom, at(2), kBs, counts).has_value());
  EXPECT_TRUE(current_bucket_rows(rows, {""}, kFrom, at(1), kBs, counts).has_value());
  // A counts' data may be newer than its mark (a fill stopped before its marks).
  const std::vector<BucketTableRow> newer = {mark("", 0, 5), row("", 0, "feed", "", 8, 3)};
  EXPECT_EQ(current_bucket_rows(newer, {""}, kFrom, at(1), kBs, counts)->size(), 1u);
}

TEST(BucketTableRows, PicksTheRequestedCountsInTheRequestsOrder) {
  const auto& all = bucket_table_counts();
  ASSERT_GE(all.size(), 3u);
  BucketTableRow r = mark("", 0, 1);
  r.source = "feed";
  for (std::size_t i = 0; i < all.size(); ++i) r.counts[i] = 100 + static_cast<double>(i);
  const auto current =
      current_bucket_rows({mark("", 0, 1), r}, {""}, kFrom, at(1), kBs, {all[2], all[0]});
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ((*current)[0].counts, (std::vector<double>{102, 100}));
}

TEST(BucketTableKeys, AgeCarriesItsBoundsAndScopeItsSources) {
  Config config;
  config.etl.age_buckets = {20, 40};
  EXPECT_EQ(bucket_dimension_key(config, "age"), "age(20,40)");
  EXPECT_EQ(bucket_dimension_key(config, "os"), "os");
  const std::string scope = bucket_table_scope(config);
  config.alerts.interval_minutes = 5;
  EXPECT_NE(bucket_table_scope(config), scope);
  config.alerts.interval_minutes = 15;
  config.source.feed_table = "other_feed";
  EXPECT_NE(bucket_table_scope(config), scope);
}

TEST(BucketTableKeys, DimensionsAreAllUsersSlicesAndExplainByOnce) {
  Config config;
  config.alerts.slices = {"os", "age"};
  config.alerts.explain_by = {"age", "country"};
  EXPECT_EQ(bucket_table_dimensions(config), (std::vector<std::string>{"", "os", "age", "country"}));
}

TEST(BucketTableSql, FillCountsOnlyItsBucketsAndMarksAfter) {
  Config config;
  const BucketFill fill{{"", "os"}, {at(0), at(1), at(5)}};
  const std::string sql = fill_bucket_table_sql(config, MetricSource::kFeed, fill, {"", "os"}, 77);
  EXPECT_TRUE(contains(sql, fmt::format("time >= toDateTime({}) AND time < toDateTime({})", at(0),
                                        at(2))))
      << sql;
  EXPECT_TRUE(contains(sql, fmt::format("time >= toDateTime({}) AND time < toDateTime({})", at(5),
                                        at(6))))
      << sql;
  EXPECT_TRUE(contains(sql, "ARRAY JOIN ['', 'os'] AS dimension, ['', concat('os=', os)] AS slice"))
      << sql;
  EXPECT_TRUE(contains(sql, "FROM `simulator`.`feed_actions`")) << sql;
  EXPECT_FALSE(contains(sql, "receiver_id")) << sql;  // a messages count: 0 here
  const std::string marks = mark_bucket_table_sql(config, fill, 77);
  EXPECT_TRUE(contains(marks, fmt::format("[{}, {}, {}]", at(0), at(1), at(5)))) << marks;
  const auto create = TableLayout(config.clickhouse).create_table_sql(bucket_table_spec(config));
  ASSERT_EQ(create.size(), 1u);
  EXPECT_TRUE(contains(create[0], "`vigil`.`alert_buckets`")) << create[0];
  EXPECT_TRUE(contains(create[0], "ENGINE = ReplacingMergeTree(version)")) << create[0];
  EXPECT_TRUE(contains(create[0], "receivers UInt64")) << create[0];
}

}  // namespace
}  // namespace vigil
