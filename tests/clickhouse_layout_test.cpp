// The table layout's statements (pure): one server vs a cluster.
#include <gtest/gtest.h>

#include "clickhouse/layout.h"

namespace vigil {
namespace {

TableSpec events_spec() {
  TableSpec spec;
  spec.database = "db";
  spec.table = "events";
  spec.columns = "d Date, user_id UInt32";
  spec.keys = "PARTITION BY d ORDER BY user_id";
  spec.sharding_key = "user_id";
  return spec;
}

ClickHouseConfig on_cluster(const std::string& name) {
  ClickHouseConfig config;
  config.cluster = name;
  config.query_timeout_seconds = 90;
  return config;
}

TEST(TableLayout, OneServerKeepsOnePlainTable) {
  const TableLayout layout{ClickHouseConfig{}};
  EXPECT_FALSE(layout.clustered());
  EXPECT_EQ(layout.create_table_sql(events_spec()),
            std::vector<std::string>{"CREATE TABLE IF NOT EXISTS `db`.`events` (d Date, user_id "
                                     "UInt32) ENGINE = MergeTree PARTITION BY d ORDER BY user_id"});
  EXPECT_EQ(layout.create_database_sql("db"), "CREATE DATABASE IF NOT EXISTS `db`");
  EXPECT_EQ(layout.storage_table("db", "events"), "`db`.`events`");
  EXPECT_EQ(layout.drop_partition_sql("db", "events", "2026-03-10"),
            "ALTER TABLE `db`.`events` DROP PARTITION '2026-03-10'");
  EXPECT_TRUE(layout.ddl_settings().empty());
  EXPECT_TRUE(layout.insert_settings(2).empty());
}

TEST(TableLayout, ClusterMakesAReplicatedLocalTableBehindADistributedOne) {
  const TableLayout layout{on_cluster("analytics")};
  const auto sql = layout.create_table_sql(events_spec());
  ASSERT_EQ(sql.size(), 2u);
  EXPECT_EQ(sql[0],
            "CREATE TABLE IF NOT EXISTS `db`.`events_local` ON CLUSTER `analytics` (d Date, "
            "user_id UInt32) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/db/events', "
            "'{replica}') PARTITION BY d ORDER BY user_id");
  EXPECT_EQ(sql[1],
            "CREATE TABLE IF NOT EXISTS `db`.`events` ON CLUSTER `analytics` AS `db`.`events_local` "
            "ENGINE = Distributed(`analytics`, `db`, `events_local`, user_id)");
  EXPECT_EQ(layout.create_database_sql("db"),
            "CREATE DATABASE IF NOT EXISTS `db` ON CLUSTER `analytics`");
  EXPECT_EQ(layout.drop_partition_sql("db", "events", "2026-03-10"),
            "ALTER TABLE `db`.`events_local` ON CLUSTER `analytics` DROP PARTITION '2026-03-10'");
  EXPECT_EQ(layout.ddl_settings(), (QuerySettings{{"distributed_ddl_task_timeout", "90"}}));
}

TEST(TableLayout, EngineArgumentsFollowTheReplicationPath) {
  TableSpec spec = events_spec();
  spec.engine = "ReplacingMergeTree(version)";
  const auto plain = TableLayout{ClickHouseConfig{}}.create_table_sql(spec);
  EXPECT_NE(plain[0].find(") ENGINE = ReplacingMergeTree(version) PARTITION"), std::string::npos)
      << plain[0];
  const auto sql = TableLayout{on_cluster("c")}.create_table_sql(spec);
  EXPECT_NE(sql[0].find("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/"
                        "events', '{replica}', version) PARTITION"),
            std::string::npos)
      << sql[0];
}

TEST(TableLayout, ClusterInsertsAreSynchronousNotDeduplicatedAndOnAQuorum) {
  const TableLayout layout{on_cluster("c")};
  const QuerySettings one = layout.insert_settings(1);
  EXPECT_EQ(one, (QuerySettings{{"insert_distributed_sync", "1"}, {"insert_deduplicate", "0"}}));
  const QuerySettings two = layout.insert_settings(2);
  ASSERT_EQ(two.size(), 4u);
  EXPECT_EQ(two[2], (std::pair<std::string, std::string>{"insert_quorum", "2"}));
  EXPECT_EQ(two[3], (std::pair<std::string, std::string>{"insert_quorum_timeout", "90000"}));
}

TEST(TableLayout, ClusterHostsAreReadAndTheQuorumIsTheSmallestShard) {
  auto host = parse_cluster_host({"2", "1", "10.0.0.7", "9000"});
  ASSERT_TRUE(host.ok()) << host.error().message;
  EXPECT_EQ(host->shard, 2);
  EXPECT_EQ(host->replica, 1);
  EXPECT_EQ(host->address, "10.0.0.7:9000");
  EXPECT_FALSE(parse_cluster_host({"x", "1", "h", "9000"}).ok());
  EXPECT_EQ(min_replicas({{1, 1, "a"}, {1, 2, "b"}, {1, 3, "c"}, {2, 1, "d"}, {2, 2, "e"}}), 2);
  EXPECT_EQ(min_replicas({{1, 1, "a"}}), 1);
  EXPECT_EQ(min_replicas({}), 0);
}

}  // namespace
}  // namespace vigil
