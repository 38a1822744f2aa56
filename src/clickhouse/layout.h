// Where vigil's tables live: on one server, or on a cluster named in the
// servers' remote_servers (`[clickhouse] cluster`). On a cluster every table is
// a ReplicatedMergeTree-family table `<name>_local` on each server behind a
// Distributed table `<name>`, so readers (BI tools, the report, the alerts)
// keep using the configured names; DDL runs ON CLUSTER. The builders are pure;
// the checks at the bottom ask the server.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "clickhouse/client.h"
#include "config/config.h"

namespace vigil {

// One table vigil owns, as it is on a single server.
struct TableSpec {
  std::string database;
  std::string table;                  // the name readers use
  std::string columns;                // "name Type, ..."
  std::string engine = "MergeTree";   // a MergeTree-family engine, e.g. "ReplacingMergeTree(v)"
  std::string keys;                   // "PARTITION BY ... ORDER BY ..."
  std::string sharding_key = "rand()";  // on a cluster: the Distributed table's sharding key
};

class TableLayout {
 public:
  explicit TableLayout(const ClickHouseConfig& config);

  bool clustered() const { return !cluster_.empty(); }
  const std::string& cluster() const { return cluster_; }

  std::string create_database_sql(std::string_view database) const;
  // CREATE TABLE IF NOT EXISTS: one statement, or the local table and its
  // Distributed table (in that order).
  std::vector<std::string> create_table_sql(const TableSpec& spec) const;
  // The table that holds the rows on each server: `db`.`table` or `db`.`table_local`.
  std::string storage_table(std::string_view database, std::string_view table) const;
  // ALTER TABLE <storage> [ON CLUSTER c] DROP PARTITION 'partition'.
  std::string drop_partition_sql(std::string_view database, std::string_view table,
                                 std::string_view partition) const;
  // Settings of an ON CLUSTER statement: how long to wait for every host.
  QuerySettings ddl_settings() const;
  // Settings of an INSERT through a Distributed table that must be complete on
  // every shard when it returns: synchronous, not deduplicated (a re-run after
  // a DROP PARTITION would otherwise be dropped as a duplicate block), and
  // written on `quorum` replicas.
  QuerySettings insert_settings(int quorum) const;

 private:
  std::string cluster_;
  int ddl_timeout_seconds_;
};

// Runs a statement built by the layout: with ddl_settings on a cluster.
Status run_ddl(ClickHouse& clickhouse, const TableLayout& layout, std::string_view sql);

// Creates the database and the table of `spec` unless they exist. On a cluster
// an ON CLUSTER statement waits for every host, so it is sent only when the node
// vigil talks to lacks the local or the Distributed table (a host that was down
// at creation runs the queued DDL when it comes back).
Status ensure_table(ClickHouse& clickhouse, const TableLayout& layout, const TableSpec& spec);

// A host of the cluster, from system.clusters.
struct ClusterHost {
  int shard = 0;
  int replica = 0;
  std::string address;  // host:tcp_port
};
std::string cluster_hosts_sql(std::string_view cluster);
Result<ClusterHost> parse_cluster_host(const Row& row);
// The fewest replicas any shard has (the quorum an insert can ask for).
int min_replicas(const std::vector<ClusterHost>& hosts);

// The cluster's hosts, each checked to answer (a query through remote()); an
// unknown cluster or a host down is an error that names it and says what to do.
Result<std::vector<ClusterHost>> check_cluster(ClickHouse& clickhouse, const TableLayout& layout);

// The quorum for insert_settings: 1 on one server; on a cluster, after
// check_cluster, the fewest replicas a shard has.
Result<int> insert_quorum(ClickHouse& clickhouse, const TableLayout& layout);

}  // namespace vigil
