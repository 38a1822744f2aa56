// The SQL texts of the daily ETL, built from values only (pure, unit-tested).
// Every step writes to a staging table through a temporary name and a rename,
// so a staging table that exists is complete; `load` swaps the date's partition
// of the target with REPLACE PARTITION, which is atomic and idempotent.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "clickhouse/layout.h"
#include "metrics/slices.h"  // age_bucket_sql

namespace vigil {

struct EtlSqlContext {
  std::string source_database;
  std::string feed_table;
  std::string message_table;
  std::string target_database;
  std::string target_table;
  std::vector<int> age_buckets;      // ascending lower bounds, e.g. {18,25,35,45}
  Days day;                          // the business day being processed
  EpochSeconds day_begin = 0;        // [day_begin, day_end) in the business zone
  EpochSeconds day_end = 0;
  EpochSeconds lookback_begin = 0;   // receive-only users' attributes: [lookback_begin, day_begin)
};

// Staging tables for one date, as `db`.`table` (in the target database).
struct StagingTables {
  std::string feed;      // per-user feed counts + latest own attributes
  std::string messages;  // per-user sent/received counts + latest own attributes
  std::string slices;    // the date's rows, same structure as the target
};
StagingTables staging_tables(const EtlSqlContext& ctx, std::string_view suffix);
// `suffix` names a temporary twin of each table ("__tmp") built before a rename.

// Fully qualified `db`.`table` of the target.
std::string target_table_ref(const EtlSqlContext& ctx);

// Columns (name, type) of the target table, in order.
using Column = std::pair<std::string, std::string>;
const std::vector<Column>& target_columns();
// The columns the target table has now (empty if it does not exist), in order;
// rows parse with parse_column.
std::string actual_columns_sql(const EtlSqlContext& ctx);
Result<Column> parse_column(const std::vector<std::string>& row);

// The target's columns as a CREATE TABLE lists them, and the target table as
// vigil creates it (one server or a cluster: clickhouse/layout).
std::string target_columns_sql();
TableSpec target_table_spec(const EtlSqlContext& ctx);

// SELECTs whose result becomes a staging table (used as CREATE TABLE .. AS <select>).
std::string extract_feed_select(const EtlSqlContext& ctx);
std::string extract_messages_select(const EtlSqlContext& ctx);
// The staging tables, created under `table` (a `db`.`table` reference): the two
// extracts filled by their SELECT, the slices empty with the target's structure.
std::string create_feed_staging_sql(const EtlSqlContext& ctx, const std::string& table);
std::string create_messages_staging_sql(const EtlSqlContext& ctx, const std::string& table);
std::string create_slices_staging_sql(const EtlSqlContext& ctx, const std::string& table);
// INSERT ... SELECT filling `slices_table` (created AS the target) from the two
// staging tables and, for receive-only users, the look-back window.
std::string transform_insert_sql(const EtlSqlContext& ctx, const std::string& slices_table);

// The temporary name's swap and the clean-up of staging tables.
std::string drop_table_sql(const std::string& table);  // DROP TABLE IF EXISTS
std::string rename_table_sql(const std::string& from, const std::string& to);

// Row counts, read as one integer: a (staging) table's, the target's for the day.
std::string count_rows_sql(const std::string& table);
std::string count_day_rows_sql(const EtlSqlContext& ctx);

std::string replace_partition_sql(const EtlSqlContext& ctx, const std::string& from_table);
// For a day without rows: recent ClickHouse (26.6+) refuses REPLACE PARTITION from
// an empty table; DROP PARTITION does the same on every version.
std::string drop_partition_sql(const EtlSqlContext& ctx);

// The date's parts of the target as system.parts lists them (active or not).
struct TargetPart {
  std::string name;
  bool active = false;
  long long rows = 0;
  long long min_block = 0, max_block = 0, level = 0;
};
std::string target_parts_sql(const EtlSqlContext& ctx);  // rows parse with parse_target_part
Result<TargetPart> parse_target_part(const std::vector<std::string>& row);

// Replaced parts that a server restart would bring back as live rows: inactive,
// not empty, and not covered by another part's block range. ClickHouse 18.16
// leaves the parts replaced by REPLACE/DROP PARTITION on disk, uncovered, until a
// background cleanup deletes them; a stop or crash before that revives them.
// Current versions cover them with an empty part, so nothing is returned there.
std::vector<std::string> resurrectable_parts(const std::vector<TargetPart>& parts);

// Makes 18.16 delete its replaced parts now (DROP PARTITION runs the cleanup);
// the partition id names no date, so no data is touched.
std::string cleanup_replaced_parts_sql(const EtlSqlContext& ctx);

}  // namespace vigil
