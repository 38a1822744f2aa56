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
  // Senders and receivers are aggregated separately and meet by user in a full
  // join (each side has one row per user): cheaper than a UNION ALL + GROUP BY
  // with a tuple argMax, and the same rows. A receive-only user gets the
  // defaults of the missing side: has_own 0, time 0, empty attributes. Each side
  // aggregates straight from the source table, so on a cluster the shards do it.
  return fmt::format(
      "SELECT user_id, messages_sent, users_sent, messages_received, users_received, has_own, "
      "last_time, last_os, last_gender, last_age "
      "FROM (SELECT user_id, count() AS messages_sent, uniqExact(receiver_id) AS users_sent, "
      "toUInt8(1) AS has_own, max(time) AS last_time, {attrs} "
      "FROM {msg} WHERE {filter} GROUP BY user_id) AS sent "
      "ALL FULL OUTER JOIN "
      "(SELECT receiver_id AS user_id, messages_received, users_received "
      "FROM (SELECT receiver_id, count() AS messages_received, uniqExact(user_id) AS "
      "users_received FROM {msg} WHERE {filter} GROUP BY receiver_id)) AS received USING user_id",
      fmt::arg("msg", source_ref(ctx, ctx.message_table)), fmt::arg("attrs", latest_attrs("last_")),
      fmt::arg("filter", day_filter(ctx.day_begin, ctx.day_end)));
}

namespace {

// A candidate for a user's attributes: (priority, time, os, gender, age). The
// greatest wins: today's own events (priority 2) over the look-back (1) over
// nothing (0, a receive-only user with no known attributes), then the latest
// event, then the attribute values, so re-runs pick the same one.
std::string candidate(const char* priority, const char* prefix) {
  return fmt::format("(toUInt8({}), {p}t, {p}os, {p}gender, {p}age)", priority,
                     fmt::arg("p", prefix));
}

// The day's users: both staging tables met by user (a full join: each has one
// row per user), with the feed's and the messages' attribute candidates.
std::string today_select(const StagingTables& staging) {
  return fmt::format(
      "SELECT user_id, views, likes, messages_sent, users_sent, messages_received, "
      "users_received, has_own, f_in, {feed} AS f_key, {msg} AS m_key "
      "FROM (SELECT user_id, views, likes, toUInt8(1) AS f_in, last_time AS f_t, "
      "last_os AS f_os, last_gender AS f_gender, last_age AS f_age FROM {feed_stg}) AS f "
      "ALL FULL OUTER JOIN "
      "(SELECT user_id, messages_sent, users_sent, messages_received, users_received, has_own, "
      "last_time AS m_t, last_os AS m_os, last_gender AS m_gender, last_age AS m_age "
      "FROM {msg_stg}) AS m USING user_id",
      fmt::arg("feed", candidate("f_in * 2", "f_")), fmt::arg("msg", candidate("has_own * 2", "m_")),
      fmt::arg("feed_stg", staging.feed), fmt::arg("msg_stg", staging.messages));
}

// Latest own attributes before the day of the receive-only users (no own
// message, no feed event today): the only users whose attributes need history.
std::string lookback_select(const EtlSqlContext& ctx, const StagingTables& staging) {
  // The feed users are narrowed to the receivers first: a set of all feed users
  // costs more to build than the rest of the look-back when history is short.
  const std::string receivers =
      fmt::format("SELECT user_id FROM {} WHERE has_own = 0", staging.messages);
  const std::string receive_only = fmt::format(
      "{} AND user_id NOT IN (SELECT user_id FROM {} WHERE user_id IN ({}))", receivers,
      staging.feed, receivers);
  // GLOBAL: on a cluster the source tables are Distributed and the staging
  // tables exist only on the node vigil talks to; the set is built there once.
  const std::string filter = fmt::format("{} AND user_id GLOBAL IN ({})",
                                         day_filter(ctx.lookback_begin, ctx.day_begin),
                                         receive_only);
  return fmt::format(
      "SELECT user_id, toUInt8(1) AS l_in, max(time) AS l_t, {attrs} FROM ("
      "SELECT user_id, time, os, gender, age FROM {feed} WHERE {filter} "
      "UNION ALL "
      "SELECT user_id, time, os, gender, age FROM {msg} WHERE {filter}"
      ") GROUP BY user_id",
      fmt::arg("attrs", latest_attrs("l_")), fmt::arg("feed", source_ref(ctx, ctx.feed_table)),
      fmt::arg("msg", source_ref(ctx, ctx.message_table)), fmt::arg("filter", filter));
}

// Per-user rows: the day's counts and the winning attribute candidate `w`
// (w.1 is its priority: 0 when nothing is known).
std::string users_select(const EtlSqlContext& ctx) {
  const auto staging = staging_tables(ctx, "");
  return fmt::format(
      "SELECT views AS v, likes AS l, messages_sent AS ms, users_sent AS us, "
      "messages_received AS mr, users_received AS ur, if(m_key > f_key, m_key, f_key) AS today_key, {back} AS l_key, "
      "if(l_key > today_key, l_key, today_key) AS w "
      "FROM ({today}) AS today ALL LEFT JOIN ({lookback}) AS back USING user_id",
      fmt::arg("back", candidate("l_in", "l_")), fmt::arg("today", today_select(staging)),
      fmt::arg("lookback", lookback_select(ctx, staging)));
}

}  // namespace

std::string transform_insert_sql(const EtlSqlContext& ctx, const std::string& slices_table) {
  // Users are first summed per attribute combination (a few hundred rows), then
  // each combination is spread over the three dimensions. A user without any
  // known attributes is 'unknown' in every dimension; an empty os string from
  // the app is 'unknown' too.
  const std::string os_label = "if(best = 0 OR u_os = '', 'unknown', u_os)";
  const std::string gender_label = "if(best = 0, 'unknown', toString(u_gender))";
  const std::string age_label =
      fmt::format("if(best = 0, 'unknown', {})", age_bucket_sql(ctx.age_buckets, "u_age"));
  return fmt::format(
      "INSERT INTO {slices} SELECT toDate('{date}') AS event_date, d.1 AS dimension, "
      "d.2 AS dimension_value, sum(views), sum(likes), sum(messages_received), "
      "sum(messages_sent), sum(users_received), sum(users_sent) "
      "FROM (SELECT w.1 > 0 AS best, w.3 AS u_os, w.4 AS u_gender, w.5 AS u_age, "
      "sum(v) AS views, sum(l) AS likes, sum(mr) AS messages_received, "
      "sum(ms) AS messages_sent, sum(ur) AS users_received, sum(us) AS users_sent "
      "FROM ({users}) GROUP BY best, u_os, u_gender, u_age) "
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
