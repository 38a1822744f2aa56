#include "clickhouse/layout.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "base/parse.h"
#include "clickhouse/ddl.h"

namespace vigil {
namespace {

// The local table of `table` on each server of a cluster.
std::string local_name(std::string_view table) { return std::string(table) + "_local"; }

// "ReplacingMergeTree(v)" -> ("ReplacingMergeTree", "v"); "MergeTree" -> ("MergeTree", "").
std::pair<std::string, std::string> split_engine(const std::string& engine) {
  const auto open = engine.find('(');
  if (open == std::string::npos || engine.back() != ')') return {engine, ""};
  return {engine.substr(0, open), engine.substr(open + 1, engine.size() - open - 2)};
}

}  // namespace

TableLayout::TableLayout(const ClickHouseConfig& config)
    : cluster_(config.cluster), ddl_timeout_seconds_(config.query_timeout_seconds) {}

std::string TableLayout::create_database_sql(std::string_view database) const {
  std::string sql = vigil::create_database_sql(database);
  if (clustered()) sql += " ON CLUSTER " + sql_ident(cluster_);
  return sql;
}

std::vector<std::string> TableLayout::create_table_sql(const TableSpec& spec) const {
  const std::string table = sql_table(spec.database, spec.table);
  if (!clustered()) {
    return {fmt::format("CREATE TABLE IF NOT EXISTS {} ({}) ENGINE = {} {}", table, spec.columns,
                        spec.engine, spec.keys)};
  }
  const std::string local = storage_table(spec.database, spec.table);
  const auto [family, args] = split_engine(spec.engine);
  // One replication path per shard and table; {shard} and {replica} come from
  // each server's <macros>.
  const std::string path =
      sql_quote(fmt::format("/clickhouse/tables/{{shard}}/{}/{}", spec.database, spec.table));
  const std::string engine = fmt::format("Replicated{}({}, '{{replica}}'{}{})", family, path,
                                         args.empty() ? "" : ", ", args);
  const std::string on = " ON CLUSTER " + sql_ident(cluster_);
  return {fmt::format("CREATE TABLE IF NOT EXISTS {}{} ({}) ENGINE = {} {}", local, on,
                      spec.columns, engine, spec.keys),
          fmt::format("CREATE TABLE IF NOT EXISTS {}{} AS {} ENGINE = Distributed({}, {}, {}, {})",
                      table, on, local, sql_ident(cluster_), sql_ident(spec.database),
                      sql_ident(local_name(spec.table)),
                      spec.sharding_key)};
}

std::string TableLayout::storage_table(std::string_view database, std::string_view table) const {
  if (!clustered()) return sql_table(database, table);
  return sql_table(database, local_name(table));
}

std::string TableLayout::drop_partition_sql(std::string_view database, std::string_view table,
                                            std::string_view partition) const {
  return fmt::format("ALTER TABLE {}{} DROP PARTITION {}", storage_table(database, table),
                     clustered() ? " ON CLUSTER " + sql_ident(cluster_) : "",
                     sql_quote(partition));
}

QuerySettings TableLayout::ddl_settings() const {
  if (!clustered()) return {};
  return {{"distributed_ddl_task_timeout", std::to_string(ddl_timeout_seconds_)}};
}

QuerySettings TableLayout::insert_settings(int quorum) const {
  if (!clustered()) return {};
  QuerySettings settings = {{"insert_distributed_sync", "1"}, {"insert_deduplicate", "0"}};
  if (quorum > 1) {
    settings.emplace_back("insert_quorum", std::to_string(quorum));
    settings.emplace_back("insert_quorum_timeout", std::to_string(ddl_timeout_seconds_ * 1000));
  }
  return settings;
}

Status run_ddl(ClickHouse& clickhouse, const TableLayout& layout, std::string_view sql) {
  return clickhouse.execute_with(sql, layout.ddl_settings());
}

Status ensure_table(ClickHouse& clickhouse, const TableLayout& layout, const TableSpec& spec) {
  // A failed check (the database is missing too, say) counts as absent: create.
  auto exists = [&](const std::string& table) {
    auto found = table_exists(clickhouse, table);
    return found.ok() && *found;
  };
  if (layout.clustered() && exists(sql_table(spec.database, spec.table)) &&
      exists(layout.storage_table(spec.database, spec.table))) {
    return {};
  }
  VIGIL_TRY(run_ddl(clickhouse, layout, layout.create_database_sql(spec.database)));
  for (const auto& sql : layout.create_table_sql(spec)) VIGIL_TRY(run_ddl(clickhouse, layout, sql));
  return {};
}

std::string cluster_hosts_sql(std::string_view cluster) {
  return fmt::format(
      "SELECT shard_num, replica_num, host_address, port FROM system.clusters "
      "WHERE cluster = {} ORDER BY shard_num, replica_num",
      sql_quote(cluster));
}

Result<ClusterHost> parse_cluster_host(const Row& row) {
  CellReader cells(row, "system.clusters");
  ClusterHost host;
  host.shard = static_cast<int>(cells.int64(0, "shard_num"));
  host.replica = static_cast<int>(cells.int64(1, "replica_num"));
  host.address = fmt::format("{}:{}", cells.text(2, "host_address"), cells.int64(3, "port"));
  if (cells.error()) return *cells.error();
  return host;
}

int min_replicas(const std::vector<ClusterHost>& hosts) {
  std::map<int, int> per_shard;
  for (const auto& host : hosts) ++per_shard[host.shard];
  int fewest = 0;
  for (const auto& [shard, count] : per_shard) fewest = fewest == 0 ? count : std::min(fewest, count);
  return fewest;
}

Result<int> insert_quorum(ClickHouse& clickhouse, const TableLayout& layout) {
  if (!layout.clustered()) return 1;
  auto hosts = check_cluster(clickhouse, layout);
  if (!hosts.ok()) return hosts.error();
  return min_replicas(*hosts);
}

Result<std::vector<ClusterHost>> check_cluster(ClickHouse& clickhouse, const TableLayout& layout) {
  auto rows = clickhouse.query_rows(cluster_hosts_sql(layout.cluster()));
  if (!rows.ok()) return rows.error();
  std::vector<ClusterHost> hosts;
  for (const auto& row : *rows) {
    auto host = parse_cluster_host(row);
    if (!host.ok()) return host.error();
    hosts.push_back(*host);
  }
  if (hosts.empty()) {
    return Error::usage(fmt::format(
        "cluster '{}' is not in system.clusters of {}: name a cluster of the servers' "
        "remote_servers in [clickhouse] cluster, or leave it empty for one server",
        layout.cluster(), clickhouse.describe()));
  }
  for (const auto& host : hosts) {
    auto answer = clickhouse.query_value(
        fmt::format("SELECT count() FROM remote({}, system.one)", sql_quote(host.address)));
    if (!answer.ok()) {
      return Error::failure(fmt::format(
          "cluster '{}': shard {} replica {} ({}) does not answer: start it, then re-run ({})",
          layout.cluster(), host.shard, host.replica, host.address, answer.error().message));
    }
  }
  return hosts;
}

}  // namespace vigil
