// metrics/breakdown: the counts a Where line needs and the one query's SQL,
// built by metrics/series for slices of any dimension (issue 14).
#include <gtest/gtest.h>

#include "metrics/breakdown.h"
#include "support/expect.h"

namespace vigil {
namespace {

std::vector<std::string> names(const std::vector<const MetricDef*>& rows) {
  std::vector<std::string> out;
  for (const MetricDef* row : rows) out.push_back(row->name);
  return out;
}

TEST(Breakdown, ACountNeedsItselfARatioItsTwoCountsEachOnce) {
  EXPECT_EQ(names(breakdown_counts({"views"})), (std::vector<std::string>{"views"}));
  EXPECT_EQ(names(breakdown_counts({"ctr"})), (std::vector<std::string>{"views", "likes"}));
  EXPECT_EQ(names(breakdown_counts({"likes", "ctr", "views", "nonsense"})),
            (std::vector<std::string>{"views", "likes"}));
  EXPECT_EQ(names(breakdown_counts({"sent_received_ratio"})),
            (std::vector<std::string>{"messenger_users", "receivers"}));
  EXPECT_TRUE(breakdown_counts({}).empty());
}

TEST(Breakdown, TheSqlSlicesByEveryDimensionWithoutAllUsers) {
  Config config;
  const auto request = breakdown_request({"os", "gender", "age", "source", "country"}, {"ctr"});
  const std::string sql = bucket_series_sql(config, request, 1793480400, 1793566800);
  EXPECT_CONTAINS(sql, "ARRAY JOIN [concat('os=', os), concat('gender=', toString(gender)), "
                       "concat('age=', multiIf(age < 18, '0-17'");
  EXPECT_CONTAINS(sql, "concat('source=', source), concat('country=', country)] AS slice");
  // No alias shadows the source column (ClickHouse's aliases are global to a query).
  EXPECT_LACKS(sql, "AS source,");
  EXPECT_CONTAINS(sql, "'feed' AS source_table");
  EXPECT_LACKS(sql, "[''");
  EXPECT_CONTAINS(sql, "countIf(action = 'like') AS likes");
  EXPECT_CONTAINS(sql, "countIf(action = 'view') AS views");
  // Only the feed table holds those counts: the message table is not read.
  EXPECT_LACKS(sql, "message_actions");
  EXPECT_LACKS(sql, "uniqExact");
  // Neither syntax the Debian 18.16 server lacks.
  EXPECT_LACKS(sql, "ILIKE");
  EXPECT_LACKS(sql, "DateTime64");
  EXPECT_LACKS(sql, "{");
}

TEST(Breakdown, AMessengerCountReadsOnlyTheMessageTable) {
  const std::string sql = bucket_series_sql(
      Config{}, breakdown_request({"country"}, {"messages_sent"}), 1793480400, 1793566800);
  EXPECT_CONTAINS(sql, "FROM `simulator`.`message_actions`");
  EXPECT_LACKS(sql, "feed_actions");
  EXPECT_CONTAINS(sql, "count() AS messages_sent");
}

TEST(Breakdown, TheAlertRequestIsUnchangedAllUsersAndTheConfiguredSlices) {
  Config config;
  config.alerts.slices = {"os"};
  const std::string sql = bucket_series_sql(config, 1793480400, 1793566800);
  EXPECT_CONTAINS(sql, "ARRAY JOIN ['', concat('os=', os)] AS slice");
  EXPECT_CONTAINS(sql, "feed_actions");
  EXPECT_CONTAINS(sql, "message_actions");
}

}  // namespace
}  // namespace vigil
