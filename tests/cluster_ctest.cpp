// vigil on a real ClickHouse cluster (tests/support/test_cluster.h: ZooKeeper,
// 2 shards x 2 replicas of clickhouse-server): the same simulated events are
// written to the cluster (sharded by user_id) and to the one test server, and
// every number vigil computes must be the same on both. The expected values
// are the one server's, computed by the single-server code path that the
// integration tests check by hand; the cluster path differs in every table,
// DDL and load statement.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>
#include <map>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "alert/history_table.h"
#include "clickhouse/client.h"
#include "clickhouse/layout.h"
#include "etl/etl.h"
#include "metrics/bucket_table.h"
#include "metrics/daily.h"
#include "metrics/series.h"
#include "sim/simulator.h"
#include "support/clickhouse_fixture.h"
#include "support/test_cluster.h"

namespace vigil {
namespace {

constexpr const char* kSourceDb = "cluster_src";
constexpr const char* kTargetDb = "cluster_dst";
constexpr const char* kDay = "2026-03-10";

using Rows = std::vector<Row>;

SimParams three_days() {
  SimParams params;
  params.from = *parse_date("2026-03-08");
  params.days = 3;
  params.users = 4000;
  params.feed_per_day = 80000;
  params.messages_per_day = 12000;
  params.seed = 7;
  return params;
}

Config config_on(const ClickHouseConfig& clickhouse) {
  Config config;
  config.clickhouse = clickhouse;
  config.clickhouse.database = kTargetDb;
  config.source.database = kSourceDb;
  return config;
}

Rows rows_of(ClickHouse& clickhouse, const std::string& sql) {
  auto rows = clickhouse.query_rows(sql);
  EXPECT_TRUE(rows.ok()) << sql << ": " << rows.error().message;
  return rows.ok() ? *rows : Rows{};
}

std::string value_of(ClickHouse& clickhouse, const std::string& sql) {
  auto value = clickhouse.query_value(sql);
  EXPECT_TRUE(value.ok()) << sql << ": " << value.error().message;
  return value.ok() ? *value : "";
}

constexpr const char* kSlicesSql =
    "SELECT * FROM cluster_dst.user_slices_daily WHERE event_date = '2026-03-10' "
    "ORDER BY dimension, dimension_value";

class ClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    zone_ = *find_zone(Config{}.timezone);
    for (Config* config : {&single(), &clustered()}) {
      ClickHouseConfig plain = config->clickhouse;
      plain.database = "default";  // the target database does not exist yet
      auto client = make_http_clickhouse(plain);
      auto simulated = simulate(*client, *config, zone_, three_days(), {});
      ASSERT_TRUE(simulated.ok()) << config->clickhouse.url << ": " << simulated.error().message;
    }
    // The one server's slices: what the cluster must give.
    auto client = make_qualified_clickhouse(single().clickhouse);
    Etl etl(*client, single(), zone_);
    auto loaded = etl.run(*parse_date(kDay), EtlStep::kAll);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    expected_slices_ = new Rows(rows_of(*client, kSlicesSql));
  }

  static Config& single() {
    static Config config = config_on(test_server().config("default"));
    return config;
  }
  static Config& clustered() {
    static Config config = config_on(test_cluster().config(0, "default"));
    return config;
  }
  static std::unique_ptr<ClickHouse> node_client(std::size_t index) {
    return make_http_clickhouse(test_cluster().config(index, "default"));
  }

  static Result<std::vector<EtlDayReport>> cluster_etl(EtlStep step) {
    auto client = make_qualified_clickhouse(clustered().clickhouse);
    Etl etl(*client, clustered(), zone_);
    const Days day = *parse_date(kDay);
    return etl.run_range(day, day, step);
  }

  // The day's rows on each node's local table: {node index, rows}.
  static std::vector<long long> local_day_rows() {
    std::vector<long long> counts;
    for (std::size_t i = 0; i < test_cluster().nodes().size(); ++i) {
      auto client = node_client(i);
      counts.push_back(std::stoll(value_of(
          *client, "SELECT count() FROM cluster_dst.user_slices_daily_local "
                   "WHERE event_date = '2026-03-10'")));
    }
    return counts;
  }

  static const date::time_zone* zone_;
  static Rows* expected_slices_;
};

const date::time_zone* ClusterTest::zone_ = nullptr;
Rows* ClusterTest::expected_slices_ = nullptr;

// Every series of `want` in `got`, bucket for bucket (NaN equals NaN).
void expect_same_series(const BucketSeries& got, const BucketSeries& want) {
  ASSERT_EQ(got.values.size(), want.values.size());
  for (const auto& [key, values] : want.values) {
    const auto& other = got.values.at(key);
    for (std::size_t b = 0; b < values.size(); ++b) {
      const bool both_nan = std::isnan(values[b]) && std::isnan(other[b]);
      EXPECT_TRUE(both_nan || values[b] == other[b])
          << key.first << " " << key.second << " bucket " << b << ": " << other[b] << " vs "
          << values[b];
    }
  }
}

TEST_F(ClusterTest, SimulateShardsTheEventsByUserAndAReceiversMessagesSpanShards) {
  auto shard1 = node_client(0);
  auto shard2 = node_client(2);
  const auto feed1 = std::stoll(value_of(*shard1, "SELECT count() FROM cluster_src.feed_actions_local"));
  const auto feed2 = std::stoll(value_of(*shard2, "SELECT count() FROM cluster_src.feed_actions_local"));
  EXPECT_GT(feed1, 0);
  EXPECT_GT(feed2, 0);
  auto one = make_qualified_clickhouse(single().clickhouse);
  EXPECT_EQ(std::to_string(feed1 + feed2),
            value_of(*one, "SELECT count() FROM cluster_src.feed_actions"));
  // No user's feed events on both shards...
  const std::string users_sql = "SELECT DISTINCT user_id FROM cluster_src.feed_actions_local";
  const auto users1 = rows_of(*shard1, users_sql), users2 = rows_of(*shard2, users_sql);
  std::set<Row> on_1(users1.begin(), users1.end());
  EXPECT_TRUE(std::none_of(users2.begin(), users2.end(), [&](const Row& r) { return on_1.count(r); }));
  // ...but receivers whose messages sit on both (the ETL must make them meet).
  const std::string receivers_sql = "SELECT DISTINCT receiver_id FROM cluster_src.message_actions_local";
  const auto r1 = rows_of(*shard1, receivers_sql), r2 = rows_of(*shard2, receivers_sql);
  std::set<Row> received_on_1(r1.begin(), r1.end());
  EXPECT_TRUE(std::any_of(r2.begin(), r2.end(), [&](const Row& r) { return received_on_1.count(r); }));
}

TEST_F(ClusterTest, DdlMakesReplicatedLocalTablesBehindDistributedOnesOnEveryNode) {
  auto loaded = cluster_etl(EtlStep::kAll);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  for (std::size_t i = 0; i < test_cluster().nodes().size(); ++i) {
    auto client = node_client(i);
    const auto engines = rows_of(
        *client,
        "SELECT database, name, engine FROM system.tables WHERE database IN ('cluster_src', "
        "'cluster_dst') AND name NOT LIKE '%stg%' ORDER BY database, name");
    const Rows expected = {
        {"cluster_dst", "user_slices_daily", "Distributed"},
        {"cluster_dst", "user_slices_daily_local", "ReplicatedMergeTree"},
        {"cluster_src", "feed_actions", "Distributed"},
        {"cluster_src", "feed_actions_local", "ReplicatedMergeTree"},
        {"cluster_src", "message_actions", "Distributed"},
        {"cluster_src", "message_actions_local", "ReplicatedMergeTree"},
        {"cluster_src", "simulated_anomalies", "Distributed"},
        {"cluster_src", "simulated_anomalies_local", "ReplicatedMergeTree"}};
    EXPECT_EQ(engines, expected) << "node " << i;
  }
}

TEST_F(ClusterTest, EtlGivesTheOneServersSlicesAndAReloadChangesNothing) {
  ASSERT_FALSE(expected_slices_->empty());
  auto client = make_qualified_clickhouse(clustered().clickhouse);
  for (int run = 1; run <= 2; ++run) {
    auto loaded = cluster_etl(EtlStep::kAll);
    ASSERT_TRUE(loaded.ok()) << "run " << run << ": " << loaded.error().message;
    EXPECT_EQ(loaded->front().rows, static_cast<long long>(expected_slices_->size()));
    EXPECT_EQ(rows_of(*client, kSlicesSql), *expected_slices_) << "run " << run;
    // Each shard's two replicas hold the same rows, and the shards add up.
    const auto local = local_day_rows();
    EXPECT_EQ(local[0], local[1]);
    EXPECT_EQ(local[2], local[3]);
    EXPECT_EQ(local[0] + local[2], static_cast<long long>(expected_slices_->size()));
  }
  // The same from another node.
  auto other = node_client(3);
  EXPECT_EQ(rows_of(*other, kSlicesSql), *expected_slices_);
}

TEST_F(ClusterTest, AReplicaDownFailsTheLoadClearlyKeepsTheDayAndARerunFinishesIt) {
  ASSERT_TRUE(cluster_etl(EtlStep::kAll).ok());
  for (auto step : {EtlStep::kExtractFeed, EtlStep::kExtractMessages, EtlStep::kTransform}) {
    ASSERT_TRUE(cluster_etl(step).ok());
  }
  test_cluster().kill_node(3);  // shard 2, replica 2
  auto failed = cluster_etl(EtlStep::kLoad);
  ASSERT_FALSE(failed.ok());
  const std::string message = failed.error().message;
  EXPECT_NE(message.find("shard 2 replica 2"), std::string::npos) << message;
  EXPECT_NE(message.find(fmt::format("127.0.0.1:{}", test_cluster().nodes()[3].tcp_port)),
            std::string::npos) << message;
  EXPECT_NE(message.find("start it"), std::string::npos) << message;
  auto client = make_qualified_clickhouse(clustered().clickhouse);
  EXPECT_EQ(rows_of(*client, kSlicesSql), *expected_slices_) << "the failed load changed the day";

  test_cluster().start_node(3);
  auto rerun = cluster_etl(EtlStep::kLoad);
  ASSERT_TRUE(rerun.ok()) << rerun.error().message;
  EXPECT_EQ(rows_of(*client, kSlicesSql), *expected_slices_);
  const auto local = local_day_rows();
  EXPECT_EQ(local[2], local[3]) << "the restarted replica caught up";
}

TEST_F(ClusterTest, ReportAndAlertNumbersEqualTheOneServers) {
  auto on_cluster = make_qualified_clickhouse(clustered().clickhouse);
  auto on_one = make_qualified_clickhouse(single().clickhouse);
  const Days first = *parse_date("2026-03-08"), last = *parse_date(kDay);
  auto daily_cluster = query_daily_metrics(*on_cluster, clustered(), zone_, first, last);
  auto daily_one = query_daily_metrics(*on_one, single(), zone_, first, last);
  ASSERT_TRUE(daily_cluster.ok()) << daily_cluster.error().message;
  ASSERT_TRUE(daily_one.ok()) << daily_one.error().message;
  ASSERT_EQ(daily_cluster->size(), 3u);
  for (std::size_t i = 0; i < daily_one->size(); ++i) {
    for (const char* name : {"feed_users", "views", "likes", "ctr", "messenger_users",
                             "messages_sent"}) {
      EXPECT_EQ(daily_value((*daily_cluster)[i], name), daily_value((*daily_one)[i], name))
          << name << " day " << i;
    }
  }
  EXPECT_GT((*daily_one)[2].feed_users, 0);

  Config sliced_cluster = clustered(), sliced_one = single();
  sliced_cluster.alerts.slices = sliced_one.alerts.slices = {"os", "gender", "age"};
  const EpochSeconds begin = day_start(last, zone_), end = begin + 86400;
  auto series_cluster = query_bucket_series(*on_cluster, sliced_cluster, begin, end);
  auto series_one = query_bucket_series(*on_one, sliced_one, begin, end);
  ASSERT_TRUE(series_cluster.ok()) << series_cluster.error().message;
  ASSERT_TRUE(series_one.ok()) << series_one.error().message;
  EXPECT_GT(series_one->values.size(), 20u);
  expect_same_series(*series_cluster, *series_one);
}

// The alert bucket table (metrics/bucket_table.h) on the cluster: filled twice
// through its Distributed table, it gives the one server's raw series.
TEST_F(ClusterTest, TheAlertBucketTableGivesTheOneServersSeries) {
  auto on_cluster = make_qualified_clickhouse(clustered().clickhouse);
  auto on_one = make_qualified_clickhouse(single().clickhouse);
  Config sliced_cluster = clustered(), sliced_one = single();
  sliced_cluster.alerts.slices = sliced_one.alerts.slices = {"os", "gender", "age"};
  const EpochSeconds begin = day_start(*parse_date(kDay), zone_), end = begin + 86400;
  for (int run = 0; run < 2; ++run) {
    auto filled = fill_bucket_table(*on_cluster, sliced_cluster, begin, end, end + 60);
    ASSERT_TRUE(filled.ok()) << filled.error().message;
  }
  auto cached = read_bucket_table(*on_cluster, sliced_cluster,
                                  alert_series_request(sliced_cluster), begin, end);
  auto raw = query_series(*on_one, sliced_one, alert_series_request(sliced_one), begin, end);
  ASSERT_TRUE(cached.ok()) << cached.error().message;
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  ASSERT_TRUE(cached->has_value()) << "not filled";
  EXPECT_GT(raw->values.size(), 20u);
  expect_same_series(**cached, *raw);
}

TEST_F(ClusterTest, TheAlertHistoryTableIsReplicatedAndReadFromEveryNode) {
  Config config = clustered();
  config.alerts.history_table = "alert_history";
  std::vector<AlertRecord> records(3);
  for (int i = 0; i < 3; ++i) {
    records[i].evaluation.key = {i == 0 ? "views" : "likes", i == 2 ? "os=iOS" : ""};
    records[i].evaluation.bucket = 1773140400 + 900 * i;
    records[i].evaluation.value = 100 + i;
    records[i].action = i == 1 ? AlertAction::kFire : AlertAction::kNone;
  }
  auto client = make_qualified_clickhouse(config.clickhouse);
  for (int run = 1; run <= 2; ++run) {
    auto written = write_history_table(*client, config, records);
    ASSERT_TRUE(written.ok()) << "run " << run << ": " << written.error().message;
  }
  const std::string sql =
      "SELECT metric, slice, value, action, count() FROM cluster_dst.alert_history "
      "GROUP BY metric, slice, value, action ORDER BY value";
  const Rows expected = {{"views", "", "100", "none", "2"},
                         {"likes", "", "101", "fire", "2"},
                         {"likes", "os=iOS", "102", "none", "2"}};
  // The history is written on one replica per shard (no quorum: a record must
  // not wait for every replica), so a node may see it after replication.
  for (std::size_t i = 0; i < test_cluster().nodes().size(); ++i) {
    auto node = node_client(i);
    Rows seen;
    for (int attempt = 0; attempt < 100 && seen != expected; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      seen = rows_of(*node, sql);
    }
    EXPECT_EQ(seen, expected) << "node " << i;
    EXPECT_EQ(value_of(*node, "SELECT engine FROM system.tables WHERE database = 'cluster_dst' "
                              "AND name = 'alert_history_local'"),
              "ReplicatedMergeTree");
  }
}

}  // namespace
}  // namespace vigil
