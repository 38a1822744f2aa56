#include "etl/etl_sql.h"

#include <fmt/format.h>

#include "base/parse.h"
#include "clickhouse/client.h"
#include "config/config.h"

namespace vigil {
namespace {

std::string day_filter(EpochSeconds begin, EpochSeconds end) {
  return fmt::format("time >= toDateTime({}) AND time < toDateTime({})", begin, end);
}

std::string source_ref(const EtlSqlContext& ctx, const std::string& table) {
  return sql_table(ctx.source_database, table);
}

// Orders a user's events by time, ties broken by the attribute values so that
// re-runs pick the same event. One integer key keeps argMax fast (a tuple key
// is several times slower).
constexpr const char* kLatestKey =
    "toUInt64(time) * 4294967296 + cityHash64(os, gender, age) % 4294967296";

// Latest own attributes of a user.
std::string latest_attrs(const char* prefix) {
  return fmt::format(
      "argMax(os, {key} AS attr_key) AS {p}os, argMax(gender, attr_key) AS {p}gender, "
      "argMax(age, attr_key) AS {p}age",
      fmt::arg("key", kLatestKey), fmt::arg("p", prefix));
}

}  // namespace

StagingTables staging_tables(const EtlSqlContext& ctx, std::string_view suffix) {
  auto name = [&](const char* kind) {
    return sql_table(ctx.target_database, fmt::format("{}__stg_{}_{}{}", ctx.target_table, kind,
                                                      compact_date(ctx.day), suffix));
  };
  return {name("feed"), name("messages"), name("slices")};
}

std::string target_table_ref(const EtlSqlContext& ctx) {
  return sql_table(ctx.target_database, ctx.target_table);
}

const std::vector<Column>& target_columns() {
  static const std::vector<Column> kColumns = {
      {"event_date", "Date"},          {"dimension", "String"},
      {"dimension_value", "String"},   {"views", "UInt64"},
      {"likes", "UInt64"},             {"messages_received", "UInt64"},
      {"messages_sent", "UInt64"},     {"users_received", "UInt64"},
      {"users_sent", "UInt64"}};
  return kColumns;
}

std::string actual_columns_sql(const EtlSqlContext& ctx) {
  return fmt::format("SELECT name, type FROM system.columns WHERE database = {} AND table = {}",
                     sql_quote(ctx.target_database), sql_quote(ctx.target_table));
}

Result<Column> parse_column(const std::vector<std::string>& row) {
  CellReader cells(row, "system.columns");
  Column column{cells.text(0, "name"), cells.text(1, "type")};
  if (cells.error()) return *cells.error();
  return column;
}

std::string target_columns_sql() {
  std::string columns;
  for (const auto& [name, type] : target_columns()) {
    columns += fmt::format("{}{} {}", columns.empty() ? "" : ", ", name, type);
  }
  return columns;
}

namespace {

constexpr const char* kTargetKeys = "PARTITION BY event_date ORDER BY (dimension, dimension_value)";

}  // namespace

TableSpec target_table_spec(const EtlSqlContext& ctx) {
  TableSpec spec;
  spec.database = ctx.target_database;
  spec.table = ctx.target_table;
  spec.columns = target_columns_sql();
  spec.keys = kTargetKeys;
  spec.sharding_key = "cityHash64(dimension, dimension_value)";
  return spec;
}

std::string extract_feed_select(const EtlSqlContext& ctx) {
  return fmt::format(
      "SELECT user_id, countIf(action = 'view') AS views, countIf(action = 'like') AS likes, "
      "max(time) AS last_time, {attrs} "
      "FROM {feed} WHERE {filter} GROUP BY user_id",
      fmt::arg("attrs", latest_attrs("last_")), fmt::arg("feed", source_ref(ctx, ctx.feed_table)),
      fmt::arg("filter", day_filter(ctx.day_begin, ctx.day_end)));
}

std::string extract_messages_select(const EtlSqlContext& ctx) {
  // Senders and receivers are aggregated separately and merged by user: a
  // UNION ALL + GROUP BY, which every ClickHouse version treats the same.
  return fmt::format(
      "SELECT uid AS user_id, sum(sent) AS messages_sent, sum(sent_to) AS users_sent, "
      "sum(received) AS messages_received, sum(received_from) AS users_received, "
      "max(own) AS has_own, max(own_time) AS last_time, "
      "argMax(own_os, (own, own_time, own_os, own_gender, own_age)) AS last_os, "
      "argMax(own_gender, (own, own_time, own_os, own_gender, own_age)) AS last_gender, "
      "argMax(own_age, (own, own_time, own_os, own_gender, own_age)) AS last_age "
      "FROM ("
      "SELECT user_id AS uid, count() AS sent, uniqExact(receiver_id) AS sent_to, "
      "toUInt64(0) AS received, toUInt64(0) AS received_from, toUInt8(1) AS own, "
      "max(time) AS own_time, {attrs} "
      "FROM {msg} WHERE {filter} GROUP BY user_id "
      "UNION ALL "
      "SELECT receiver_id AS uid, toUInt64(0), toUInt64(0), count(), uniqExact(user_id), "
      "toUInt8(0), toDateTime(0), '', toUInt8(0), toUInt8(0) "
      "FROM {msg} WHERE {filter} GROUP BY receiver_id"
      ") GROUP BY uid",
      fmt::arg("msg", source_ref(ctx, ctx.message_table)), fmt::arg("attrs", latest_attrs("own_")),
      fmt::arg("filter", day_filter(ctx.day_begin, ctx.day_end)));
}

namespace {

// Per-user rows: today's feed and messages (priority 2 when the user acted),
// plus look-back attributes for receive-only users (priority 1). Attributes
// come from the highest priority, then the latest event.
std::string users_select(const EtlSqlContext& ctx) {
  const auto staging = staging_tables(ctx, "");
  const std::string receive_only = fmt::format(
      "SELECT user_id FROM {} WHERE has_own = 0 AND user_id NOT IN (SELECT user_id FROM {})",
      staging.messages, staging.feed);
  // GLOBAL: on a cluster the source tables are Distributed and the staging
  // tables exist only on the node vigil talks to; the set is built there once.
  const std::string lookback_filter =
      fmt::format("{} AND user_id GLOBAL IN ({})", day_filter(ctx.lookback_begin, ctx.day_begin),
                  receive_only);
  return fmt::format(
      "SELECT uid, sum(v) AS views, sum(l) AS likes, sum(ms) AS messages_sent, "
      "sum(us) AS users_sent, sum(mr) AS messages_received, sum(ur) AS users_received, "
      "max(prio) AS best, "
      "argMax(a_os, (prio, t, a_os, a_gender, a_age)) AS u_os, "
      "argMax(a_gender, (prio, t, a_os, a_gender, a_age)) AS u_gender, "
      "argMax(a_age, (prio, t, a_os, a_gender, a_age)) AS u_age "
      "FROM ("
      "SELECT user_id AS uid, views AS v, likes AS l, toUInt64(0) AS ms, toUInt64(0) AS us, "
      "toUInt64(0) AS mr, toUInt64(0) AS ur, toUInt8(2) AS prio, last_time AS t, "
      "last_os AS a_os, last_gender AS a_gender, last_age AS a_age FROM {feed_stg} "
      "UNION ALL "
      "SELECT user_id, toUInt64(0), toUInt64(0), messages_sent, users_sent, messages_received, "
      "users_received, toUInt8(has_own * 2), last_time, last_os, last_gender, last_age "
      "FROM {msg_stg} "
      "UNION ALL "
      "SELECT user_id, toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), "
      "toUInt64(0), toUInt8(1), max(time), {attrs} FROM ("
      "SELECT user_id, time, os, gender, age FROM {feed} WHERE {lookback} "
      "UNION ALL "
      "SELECT user_id, time, os, gender, age FROM {msg} WHERE {lookback}"
      ") GROUP BY user_id"
      ") GROUP BY uid",
      fmt::arg("feed_stg", staging.feed), fmt::arg("msg_stg", staging.messages),
      fmt::arg("attrs", latest_attrs("last_")), fmt::arg("feed", source_ref(ctx, ctx.feed_table)),
      fmt::arg("msg", source_ref(ctx, ctx.message_table)), fmt::arg("lookback", lookback_filter));
}

}  // namespace

std::string transform_insert_sql(const EtlSqlContext& ctx, const std::string& slices_table) {
  // A user without any known attributes is 'unknown' in every dimension;
  // an empty os string from the app is 'unknown' too.
  const std::string os_label = "if(best = 0 OR u_os = '', 'unknown', u_os)";
  const std::string gender_label = "if(best = 0, 'unknown', toString(u_gender))";
  const std::string age_label =
      fmt::format("if(best = 0, 'unknown', {})", age_bucket_sql(ctx.age_buckets, "u_age"));
  return fmt::format(
      "INSERT INTO {slices} SELECT toDate('{date}') AS event_date, d.1 AS dimension, "
      "d.2 AS dimension_value, sum(views), sum(likes), sum(messages_received), "
      "sum(messages_sent), sum(users_received), sum(users_sent) "
      "FROM ({users}) "
      "ARRAY JOIN [('os', {os}), ('gender', {gender}), ('age', {age})] AS d "
      "GROUP BY dimension, dimension_value",
      fmt::arg("slices", slices_table), fmt::arg("date", format_date(ctx.day)),
      fmt::arg("users", users_select(ctx)), fmt::arg("os", os_label),
      fmt::arg("gender", gender_label), fmt::arg("age", age_label));
}

std::string create_feed_staging_sql(const EtlSqlContext& ctx, const std::string& table) {
  return fmt::format("CREATE TABLE {} ENGINE = MergeTree ORDER BY user_id AS {}", table,
                     extract_feed_select(ctx));
}

std::string create_messages_staging_sql(const EtlSqlContext& ctx, const std::string& table) {
  return fmt::format("CREATE TABLE {} ENGINE = MergeTree ORDER BY user_id AS {}", table,
                     extract_messages_select(ctx));
}

std::string create_slices_staging_sql(const EtlSqlContext&, const std::string& table) {
  // Explicit, not AS the target: on a cluster the target is a Distributed table.
  return fmt::format("CREATE TABLE {} ({}) ENGINE = MergeTree {}", table, target_columns_sql(),
                     kTargetKeys);
}

std::string drop_table_sql(const std::string& table) { return "DROP TABLE IF EXISTS " + table; }

std::string rename_table_sql(const std::string& from, const std::string& to) {
  return fmt::format("RENAME TABLE {} TO {}", from, to);
}

std::string count_rows_sql(const std::string& table) { return "SELECT count() FROM " + table; }

std::string count_day_rows_sql(const EtlSqlContext& ctx) {
  return fmt::format("SELECT count() FROM {} WHERE event_date = '{}'", target_table_ref(ctx),
                     format_date(ctx.day));
}

std::string replace_partition_sql(const EtlSqlContext& ctx, const std::string& from_table) {
  return fmt::format("ALTER TABLE {} REPLACE PARTITION '{}' FROM {}", target_table_ref(ctx),
                     format_date(ctx.day), from_table);
}

std::string drop_partition_sql(const EtlSqlContext& ctx) {
  return fmt::format("ALTER TABLE {} DROP PARTITION '{}'", target_table_ref(ctx),
                     format_date(ctx.day));
}

std::string target_parts_sql(const EtlSqlContext& ctx) {
  return fmt::format(
      "SELECT name, active, rows, min_block_number, max_block_number, level FROM system.parts "
      "WHERE database = {} AND table = {} AND partition_id = '{}'",
      sql_quote(ctx.target_database), sql_quote(ctx.target_table), compact_date(ctx.day));
}

Result<TargetPart> parse_target_part(const std::vector<std::string>& row) {
  CellReader cells(row, "system.parts");
  TargetPart part{cells.text(0, "name"),          cells.int64(1, "active") != 0,
                  cells.int64(2, "rows"),          cells.int64(3, "min_block_number"),
                  cells.int64(4, "max_block_number"), cells.int64(5, "level")};
  if (cells.error()) return *cells.error();
  return part;
}

std::vector<std::string> resurrectable_parts(const std::vector<TargetPart>& parts) {
  auto covers = [](const TargetPart& outer, const TargetPart& inner) {
    // Same range and level under another name: a mutated version of the part.
    return outer.name != inner.name && outer.min_block <= inner.min_block &&
           outer.max_block >= inner.max_block && outer.level >= inner.level;
  };
  std::vector<std::string> names;
  for (const auto& part : parts) {
    if (part.active || part.rows == 0) continue;
    bool covered = false;
    for (const auto& other : parts) covered = covered || covers(other, part);
    if (!covered) names.push_back(part.name);
  }
  return names;
}

std::string cleanup_replaced_parts_sql(const EtlSqlContext& ctx) {
  return fmt::format("ALTER TABLE {} DROP PARTITION ID 'nonexistent'", target_table_ref(ctx));
}

}  // namespace vigil
