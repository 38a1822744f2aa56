// The alert bucket table on a real ClickHouse (metrics/bucket_table.h): the
// series read from it are the raw query's, number for number (all users, the
// alert slices, the Where line's dimensions), also after late events reached a
// bucket already counted and after a fill ran twice; a bucket it has not counted
// is never read from it.
#include <cmath>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "metrics/breakdown.h"
#include "metrics/bucket_table.h"
#include "metrics/series.h"
#include "sim/simulator.h"
#include "support/alert_data.h"
#include "support/clickhouse_fixture.h"

namespace vigil {
namespace {

// Two days of history and today to 20:00 Moscow: 2026-03-07 00:00 .. 03-09 20:00.
class BucketTableTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    config_ = new Config();
    config_->clickhouse = test_server().config("default");
    config_->clickhouse.database = "bucket_table_test";
    config_->source.database = "bucket_table_src";
    config_->alerts.history_days = 2;
    config_->alerts.slices = {"os", "gender", "age"};
    config_->alerts.explain_by = {"age", "source", "country"};
    zone_ = *find_zone(config_->timezone);
    auto client = make_http_clickhouse(test_server().config("default"));
    ASSERT_TRUE(client->execute("DROP DATABASE IF EXISTS bucket_table_test").ok());
    ASSERT_TRUE(client->execute("CREATE DATABASE bucket_table_test").ok());
    SimParams params = alert_data_params(*parse_date("2026-03-05"));
    params.days = 5;
    params.feed_per_day = 100000;
    auto simulated = simulate(*client, *config_, zone_, params, {});
    ASSERT_TRUE(simulated.ok()) << simulated.error().message;
  }
  static void TearDownTestSuite() { delete config_; }

  static EpochSeconds begin() { return *parse_local_time("2026-03-07 00:00", zone_); }
  static EpochSeconds end() { return *parse_local_time("2026-03-09 20:00", zone_); }

  // "" when equal (NaN equals NaN), else the first difference.
  static std::string difference(const BucketSeries& a, const BucketSeries& b) {
    if (a.begin != b.begin || a.count != b.count) return "windows differ";
    for (const auto& [key, values] : a.values) {
      const auto other = b.values.find(key);
      if (other == b.values.end()) return fmt::format("{}[{}] missing", key.first, key.second);
      for (int i = 0; i < a.count; ++i) {
        const double x = values[i], y = other->second[i];
        if (std::isnan(x) && std::isnan(y)) continue;
        if (x != y) return fmt::format("{}[{}] bucket {}: {} vs {}", key.first, key.second, i, x, y);
      }
    }
    if (a.values.size() != b.values.size()) return "more series in the second";
    return "";
  }

  // The alert run's and the Where line's series from the table equal the raw ones.
  static void expect_table_equals_raw(const Config& config, EpochSeconds until) {
    auto client = make_http_clickhouse(config.clickhouse);
    for (const SeriesRequest& request :
         {alert_series_request(config),
          breakdown_request(config.alerts.explain_by, {"ctr", "feed_users", "messages_sent"})}) {
      auto raw = query_series(*client, config, request, begin(), until);
      ASSERT_TRUE(raw.ok()) << raw.error().message;
      auto table = read_bucket_table(*client, config, request, begin(), until);
      ASSERT_TRUE(table.ok()) << table.error().message;
      ASSERT_TRUE(table->has_value()) << "not filled";
      EXPECT_EQ(difference(**table, *raw), "");
      EXPECT_GE(raw->values.size(), 10u);  // slices, not only all users
    }
  }

  static Status fill(const Config& config, EpochSeconds until, EpochSeconds now) {
    auto client = make_http_clickhouse(config.clickhouse);
    return fill_bucket_table(*client, config, begin(), until, now);
  }

  static inline Config* config_ = nullptr;
  static inline const date::time_zone* zone_ = nullptr;
};

TEST_F(BucketTableTest, SameSeriesAsTheRawQueryThroughLateEventsAndReruns) {
  // Nothing counted yet: not read from the table.
  auto client = make_http_clickhouse(config_->clickhouse);
  auto before = read_bucket_table(*client, *config_, alert_series_request(*config_), begin(), end());
  EXPECT_FALSE(before.ok() && before->has_value());
  // The first run fills the whole window (and the lookback day) once.
  const EpochSeconds now = end() + 60;
  ASSERT_TRUE(fill(*config_, end(), now).ok());
  expect_table_equals_raw(*config_, end());
  // Late events: copies of some events of two buckets counted already, the
  // newest and three before it (within late_buckets = 4), for both tables.
  const int bs = 900;
  for (const char* table : {"feed_actions", "message_actions"}) {
    const auto late = client->execute(fmt::format(
        "INSERT INTO bucket_table_src.{0} SELECT * FROM bucket_table_src.{0} WHERE ({1}) OR ({2}) "
        "LIMIT 700",
        table, time_window_sql(end() - bs, bs), time_window_sql(end() - 4 * bs, bs)));
    ASSERT_TRUE(late.ok()) << late.error().message;
  }
  auto stale = read_bucket_table(*client, *config_, alert_series_request(*config_), begin(), end());
  auto raw = query_series(*client, *config_, alert_series_request(*config_), begin(), end());
  ASSERT_TRUE(stale.ok() && stale->has_value() && raw.ok());
  EXPECT_NE(difference(**stale, *raw), "") << "the late events changed nothing";
  // The next run (one bucket later) counts them; a rerun of it, in the same
  // second, counts nothing twice.
  ASSERT_TRUE(fill(*config_, end() + bs, now + bs).ok());
  expect_table_equals_raw(*config_, end() + bs);
  ASSERT_TRUE(fill(*config_, end() + bs, now + bs).ok());
  ASSERT_TRUE(fill(*config_, end() + bs, now + bs).ok());
  expect_table_equals_raw(*config_, end() + bs);
  // A run for an earlier time recounts its own buckets, changing nothing.
  ASSERT_TRUE(fill(*config_, end(), now + 2 * bs).ok());
  expect_table_equals_raw(*config_, end() + bs);
}

TEST_F(BucketTableTest, ANewSliceIsCountedBeforeItIsRead) {
  const EpochSeconds until = end() - 8 * 900;
  ASSERT_TRUE(fill(*config_, until, until + 60).ok());
  Config config = *config_;
  config.alerts.slices = {"os", "country"};                  // country: explain_by already
  config.etl.age_buckets = {30};                             // other age slices
  config.alerts.explain_by = {"age"};
  auto client = make_http_clickhouse(config.clickhouse);
  auto unread = read_bucket_table(*client, config, breakdown_request({"age"}, {"views"}), begin(),
                                  until);
  ASSERT_TRUE(unread.ok()) << unread.error().message;
  EXPECT_FALSE(unread->has_value()) << "ages counted with other bounds were read";
  ASSERT_TRUE(fill(config, until, until + 120).ok());
  expect_table_equals_raw(config, until);
}

TEST_F(BucketTableTest, QueryFallsBackToRawEventsWhereTheTableHasNoBuckets) {
  Config config = *config_;
  config.alerts.bucket_table = "alert_buckets_never_filled";
  auto client = make_http_clickhouse(config.clickhouse);
  const auto request = alert_series_request(config);
  auto cached = query_series_cached(*client, config, request, begin(), end());
  auto raw = query_series(*client, config, request, begin(), end());
  ASSERT_TRUE(cached.ok() && raw.ok());
  EXPECT_EQ(difference(*cached, *raw), "");
}

}  // namespace
}  // namespace vigil
