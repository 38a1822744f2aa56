// The ETL's SQL texts and step names, checked without a server.
#include <gtest/gtest.h>

#include "etl/etl.h"
#include "etl/etl_sql.h"

namespace vigil {
namespace {

EtlSqlContext context_for(const std::string& day_text, const std::string& zone_name) {
  const auto* zone = *find_zone(zone_name);
  EtlSqlContext ctx;
  ctx.source_database = "src";
  ctx.feed_table = "feed_actions";
  ctx.message_table = "message_actions";
  ctx.target_database = "vigil";
  ctx.target_table = "user_slices_daily";
  ctx.age_buckets = {18, 25, 35, 45};
  ctx.day = *parse_date(day_text);
  ctx.day_begin = day_start(ctx.day, zone);
  ctx.day_end = day_start(ctx.day + date::days{1}, zone);
  ctx.lookback_begin = day_start(ctx.day - date::days{30}, zone);
  return ctx;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(EtlSql, DayBoundsAreTheBusinessDayInEpochSeconds) {
  // 2026-03-10 00:00 in Moscow (UTC+3) is 2026-03-09 21:00 UTC = 1773090000.
  const auto ctx = context_for("2026-03-10", "Europe/Moscow");
  EXPECT_EQ(ctx.day_begin, 1773090000);
  EXPECT_EQ(ctx.day_end, 1773090000 + 86400);
  const auto sql = extract_feed_select(ctx);
  EXPECT_TRUE(contains(sql, "time >= toDateTime(1773090000) AND time < toDateTime(1773176400)"))
      << sql;
  EXPECT_TRUE(contains(sql, "`src`.`feed_actions`")) << sql;
}

TEST(EtlSql, DaylightSavingDayIsTwentyThreeHoursLong) {
  // Berlin springs forward on 2026-03-29: 00:00 CET = 23:00 UTC the day before,
  // and the next midnight is already CEST (22:00 UTC).
  const auto ctx = context_for("2026-03-29", "Europe/Berlin");
  EXPECT_EQ(ctx.day_begin, 1774738800);
  EXPECT_EQ(ctx.day_end, 1774821600);
  EXPECT_EQ(ctx.day_end - ctx.day_begin, 23 * 3600);
}

TEST(EtlSql, AgeBucketsMapToLabelledRanges) {
  EXPECT_EQ(age_bucket_sql({18, 25}, "a"), "multiIf(a < 18, '0-17', a < 25, '18-24', '25+')");
  EXPECT_EQ(age_bucket_sql({30}, "age"), "multiIf(age < 30, '0-29', '30+')");
}

TEST(EtlSql, StagingTablesAreNamedPerTargetAndDate) {
  const auto ctx = context_for("2026-03-10", "Europe/Moscow");
  const auto staging = staging_tables(ctx, "");
  EXPECT_EQ(staging.feed, "`vigil`.`user_slices_daily__stg_feed_20260310`");
  EXPECT_EQ(staging.messages, "`vigil`.`user_slices_daily__stg_messages_20260310`");
  EXPECT_EQ(staging.slices, "`vigil`.`user_slices_daily__stg_slices_20260310`");
  EXPECT_EQ(staging_tables(ctx, "__tmp").slices,
            "`vigil`.`user_slices_daily__stg_slices_20260310__tmp`");
}

TEST(EtlSql, StagingTablesAreBuiltUnderATemporaryNameThenRenamed) {
  const auto ctx = context_for("2026-03-10", "Europe/Moscow");
  const std::string tmp = "`vigil`.`t__tmp`";
  EXPECT_EQ(create_feed_staging_sql(ctx, tmp),
            "CREATE TABLE `vigil`.`t__tmp` ENGINE = MergeTree ORDER BY user_id AS " +
                extract_feed_select(ctx));
  EXPECT_EQ(create_messages_staging_sql(ctx, tmp),
            "CREATE TABLE `vigil`.`t__tmp` ENGINE = MergeTree ORDER BY user_id AS " +
                extract_messages_select(ctx));
  const auto slices = create_slices_staging_sql(ctx, tmp);
  EXPECT_EQ(slices.rfind("CREATE TABLE `vigil`.`t__tmp` (event_date Date, ", 0), 0u) << slices;
  EXPECT_TRUE(contains(slices, "users_sent UInt64) ENGINE = MergeTree PARTITION BY event_date "))
      << slices;
  EXPECT_EQ(drop_table_sql(tmp), "DROP TABLE IF EXISTS `vigil`.`t__tmp`");
  EXPECT_EQ(rename_table_sql(tmp, "`vigil`.`t`"), "RENAME TABLE `vigil`.`t__tmp` TO `vigil`.`t`");
}

TEST(EtlSql, RowsAreCountedPerTableAndForTheDay) {
  const auto ctx = context_for("2026-03-10", "Europe/Moscow");
  EXPECT_EQ(count_rows_sql("`vigil`.`s`"), "SELECT count() FROM `vigil`.`s`");
  EXPECT_EQ(count_day_rows_sql(ctx),
            "SELECT count() FROM `vigil`.`user_slices_daily` WHERE event_date = '2026-03-10'");
}

TEST(EtlSql, LoadReplacesExactlyTheDatePartition) {
  const auto ctx = context_for("2026-03-10", "Europe/Moscow");
  EXPECT_EQ(replace_partition_sql(ctx, "`vigil`.`s`"),
            "ALTER TABLE `vigil`.`user_slices_daily` REPLACE PARTITION '2026-03-10' FROM "
            "`vigil`.`s`");
  const auto spec = target_table_spec(ctx);
  EXPECT_TRUE(contains(spec.keys, "PARTITION BY event_date")) << spec.keys;
  EXPECT_TRUE(contains(spec.columns, "users_sent UInt64")) << spec.columns;
}

TEST(EtlSql, TransformReadsLookbackOnlyBeforeTheDay) {
  const auto ctx = context_for("2026-03-10", "Europe/Moscow");
  const auto sql = transform_insert_sql(ctx, "`vigil`.`tmp`");
  // 30 days before 2026-03-10 00:00 MSK is 2026-02-08 00:00 MSK = 1773090000 - 30 * 86400.
  EXPECT_TRUE(contains(sql, "time >= toDateTime(1770498000) AND time < toDateTime(1773090000)"))
      << sql;
  EXPECT_TRUE(contains(sql, "toDate('2026-03-10')")) << sql;
  EXPECT_TRUE(contains(sql, "'unknown'")) << sql;
}

// Shapes that decide the cost at millions of users and on a cluster: each side of
// the messages extract aggregates the source table itself (a Distributed source is
// then aggregated on the shards), the staging tables meet in a join, and the
// look-back's set starts from the receivers without own messages.
TEST(EtlSql, ExtractAndTransformAggregateWhereTheRowsAre) {
  const auto ctx = context_for("2026-03-10", "Europe/Moscow");
  const std::string day = "time >= toDateTime(1773090000) AND time < toDateTime(1773176400)";
  const auto messages = extract_messages_select(ctx);
  EXPECT_TRUE(contains(messages, "FROM `src`.`message_actions` WHERE " + day + " GROUP BY user_id"))
      << messages;
  EXPECT_TRUE(
      contains(messages, "FROM `src`.`message_actions` WHERE " + day + " GROUP BY receiver_id"))
      << messages;
  EXPECT_TRUE(contains(messages, "FULL OUTER JOIN")) << messages;
  const auto transform = transform_insert_sql(ctx, "`vigil`.`tmp`");
  EXPECT_TRUE(contains(transform, "FROM `vigil`.`user_slices_daily__stg_feed_20260310`) AS f "
                                  "ALL FULL OUTER JOIN"))
      << transform;
  EXPECT_TRUE(contains(transform, "user_id GLOBAL IN (SELECT user_id FROM "
                                  "`vigil`.`user_slices_daily__stg_messages_20260310` WHERE "
                                  "has_own = 0 AND "))
      << transform;
}

TEST(EtlSql, EmptyDayDropsTheDatePartition) {
  const auto ctx = context_for("2026-03-10", "Europe/Moscow");
  EXPECT_EQ(drop_partition_sql(ctx),
            "ALTER TABLE `vigil`.`user_slices_daily` DROP PARTITION '2026-03-10'");
  EXPECT_TRUE(contains(target_parts_sql(ctx), "partition_id = '20260310'"));
}

// Part lists as the two server generations show them right after a reload.
TEST(ReplacedParts, OldServerLeavesTheReplacedPartUncovered) {
  // 18.16: 6_6_0 was replaced by 8_8_0 and stays on disk until a cleanup.
  const std::vector<TargetPart> parts = {{"20261201_6_6_0", false, 9, 6, 6, 0},
                                         {"20261201_8_8_0", true, 9, 8, 8, 0}};
  EXPECT_EQ(resurrectable_parts(parts), std::vector<std::string>{"20261201_6_6_0"});
}

TEST(ReplacedParts, CoveredOrEmptyPartsCannotComeBack) {
  // 26.x: the replaced 1_1_0 is covered by the empty 1_2_1 the server adds.
  const std::vector<TargetPart> current = {{"20261201_1_1_0", false, 1, 1, 1, 0},
                                           {"20261201_1_2_1", false, 0, 1, 2, 1},
                                           {"20261201_3_3_0", true, 1, 3, 3, 0}};
  EXPECT_TRUE(resurrectable_parts(current).empty());
  // Merged sources are covered by the merge; a mutated part by its new version.
  const std::vector<TargetPart> merged = {{"p_1_1_0", false, 5, 1, 1, 0},
                                          {"p_2_2_0", false, 5, 2, 2, 0},
                                          {"p_1_2_1", true, 10, 1, 2, 1},
                                          {"p_3_3_0", false, 5, 3, 3, 0},
                                          {"p_3_3_0_4", true, 5, 3, 3, 0}};
  EXPECT_TRUE(resurrectable_parts(merged).empty());
  // A lone inactive part with rows is not covered by a part of a lower level.
  const std::vector<TargetPart> lone = {{"p_1_4_2", false, 3, 1, 4, 2},
                                        {"p_1_4_1", true, 3, 1, 4, 1}};
  EXPECT_EQ(resurrectable_parts(lone), std::vector<std::string>{"p_1_4_2"});
}

TEST(ReplacedParts, SystemPartsRowsParseOrSayWhatWasOdd) {
  auto part = parse_target_part({"20261201_6_6_0", "0", "9", "6", "6", "0"});
  ASSERT_TRUE(part.ok()) << part.error().message;
  EXPECT_EQ(part->name, "20261201_6_6_0");
  EXPECT_FALSE(part->active);
  EXPECT_EQ(part->rows, 9);
  auto odd = parse_target_part({"x", "1", "nine", "6", "6", "0"});
  ASSERT_FALSE(odd.ok());
  EXPECT_TRUE(contains(odd.error().message, "system.parts")) << odd.error().message;
  EXPECT_FALSE(parse_target_part({"x", "1"}).ok());
}

TEST(EtlSql, TargetColumnsAreReadFromSystemColumns) {
  const auto ctx = context_for("2026-03-10", "UTC");
  EXPECT_EQ(actual_columns_sql(ctx),
            "SELECT name, type FROM system.columns WHERE database = 'vigil' AND table = "
            "'user_slices_daily'");
  auto column = parse_column({"views", "UInt64"});
  ASSERT_TRUE(column.ok()) << column.error().message;
  EXPECT_EQ(*column, (Column{"views", "UInt64"}));
  auto short_row = parse_column({"views"});
  ASSERT_FALSE(short_row.ok());
  EXPECT_EQ(short_row.error().message, "system.columns: column type: missing: the row has 1 column");
}

TEST(EtlStepNames, ParseEveryStepAndRejectOthers) {
  for (const char* name : {"extract-feed", "extract-messages", "transform", "load", "all"}) {
    auto step = parse_etl_step(name);
    ASSERT_TRUE(step.ok()) << name;
    EXPECT_EQ(etl_step_name(*step), name);
  }
  auto bad = parse_etl_step("extract");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().exit_code(), 2);
  EXPECT_TRUE(contains(bad.error().message, "extract-messages"));
}

}  // namespace
}  // namespace vigil
