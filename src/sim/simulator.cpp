#include "sim/simulator.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "clickhouse/ddl.h"
#include "sim/slice_anomalies.h"

namespace vigil {
namespace {

// Stable attributes of user `uid`, all functions of (seed, uid).
std::string user_attributes_sql(std::uint64_t seed) {
  return fmt::format(
      "toUInt8(cityHash64({s}, uid, 'g') % 2) AS gender, "
      "toUInt8(13 + cityHash64({s}, uid, 'a1') % 18 + cityHash64({s}, uid, 'a2') % 22) AS age, "
      "arrayElement(['Russia', 'Russia', 'Russia', 'Russia', 'Ukraine', 'Belarus', "
      "'Kazakhstan'], 1 + cityHash64({s}, uid, 'c') % 7) AS country, "
      "arrayElement(['Moscow', 'Saint Petersburg', 'Novosibirsk', 'Yekaterinburg', 'Kazan'], "
      "1 + cityHash64({s}, uid, 't') % 5) AS city, "
      "if(cityHash64({s}, uid, 'o') % 100 < 62, 'Android', 'iOS') AS os, "
      "if(cityHash64({s}, uid, 'r') % 100 < 45, 'ads', 'organic') AS source, "
      "toInt8(cityHash64({s}, uid, 'e') % 5) AS exp_group",
      fmt::arg("s", seed));
}

// Rows (bucket, kind, k, share) for each of `count(kind)` events in each
// bucket; `share` is the bucket's share of users who can act.
template <class CountOf, class ShareOf>
std::string expanded_buckets_sql(const DayPlan& plan, int kinds, CountOf count_of,
                                 ShareOf share_of) {
  std::string tuples;
  for (const auto& b : plan.buckets) {
    for (int kind = 0; kind < kinds; ++kind) {
      const auto n = count_of(b, kind);
      if (n == 0) continue;
      tuples += fmt::format("{}({}, {}, {}, {:.4f})", tuples.empty() ? "" : ", ", b.bucket, kind,
                            n, share_of(b));
    }
  }
  if (tuples.empty()) tuples = "(0, 0, 0, 1.0)";
  return fmt::format(
      "SELECT t.1 AS b, t.2 AS kind, arrayJoin(range(t.3)) AS k, t.4 AS share "
      "FROM (SELECT arrayJoin([{}]) AS t)",
      tuples);
}

// A user among the active ones (the bucket's `share` of them), skewed so low
// ids are the heavy users.
std::string pick_user_sql(std::uint64_t seed, std::int64_t day, int active_users, int salt) {
  return fmt::format(
      "toUInt32(1 + least({n} - 1.0, floor({n} * share * pow(cityHash64({s}, {d}, b, kind, k, {salt}) / "
      "18446744073709551616.0, 1.6))))",
      fmt::arg("n", active_users), fmt::arg("s", seed), fmt::arg("d", day),
      fmt::arg("salt", salt));
}

std::int64_t day_number(const DayPlan& plan) { return plan.day.time_since_epoch().count(); }

// The `time` column: the event's second in its bucket; with slice anomalies that
// day, the event repeated its number of copies (none: the event is dropped).
std::string event_time_sql(const SimParams& params, const DayPlan& plan, SimTable table,
                           const SliceTargets& targets) {
  SliceEvents events;
  events.table = table;
  events.begin = plan.begin;
  events.end = plan.begin + static_cast<EpochSeconds>(plan.buckets.size()) * kBucketSeconds;
  events.seed = params.seed;
  events.day = day_number(plan);
  events.age_buckets = targets.age_buckets;
  events.second_sql = fmt::format("({} + b * {} + cityHash64({}, {}, b, kind, k, 3) % {})",
                                  plan.begin, kBucketSeconds, params.seed, events.day,
                                  kBucketSeconds);
  const std::string time = "toDateTime(" + events.second_sql + ")";
  const std::string copies = event_copies_sql(targets.anomalies, events);
  if (copies.empty()) return time;
  return fmt::format("arrayJoin(replicate({}, range({})))", time, copies);
}

TableSpec partition_table_spec(std::string_view database, std::string_view table,
                               const std::string& columns, const std::string& time_column,
                               const std::string& timezone, const std::string& order_by,
                               const std::string& sharding_key) {
  TableSpec spec;
  spec.database = database;
  spec.table = table;
  spec.columns = columns;
  spec.keys = fmt::format("PARTITION BY toDate({}, {}) ORDER BY ({})", time_column,
                          sql_quote(timezone), order_by);
  spec.sharding_key = sharding_key;
  return spec;
}

}  // namespace

TableSpec feed_table_spec(const SourceConfig& source, const std::string& timezone) {
  return partition_table_spec(
      source.database, source.feed_table,
      "user_id UInt32, post_id UInt32, action String, time DateTime, gender UInt8, age UInt8, "
      "country String, city String, os String, source String, exp_group Int8",
      "time", timezone, "time, user_id", "user_id");
}

TableSpec message_table_spec(const SourceConfig& source, const std::string& timezone) {
  return partition_table_spec(
      source.database, source.message_table,
      "user_id UInt32, receiver_id UInt32, time DateTime, source String, exp_group Int8, "
      "gender UInt8, age UInt8, country String, city String, os String",
      "time", timezone, "time, user_id", "user_id");
}

TableSpec labels_table_spec(const SourceConfig& source, const std::string& timezone) {
  return partition_table_spec(source.database, kLabelsTable,
                              "metric String, start DateTime, end DateTime, factor Float64, "
                              "slice String",
                              "start", timezone, "metric, start", "cityHash64(metric)");
}

std::string insert_feed_sql(const SourceConfig& source, const SimParams& params,
                            const DayPlan& plan, const SliceTargets& targets) {
  const std::int64_t day = day_number(plan);
  const auto events = expanded_buckets_sql(
      plan, 2, [](const BucketCounts& b, int kind) { return kind == 0 ? b.views : b.likes; },
      [](const BucketCounts& b) { return b.feed_user_share; });
  return fmt::format(
      "INSERT INTO {table} (user_id, post_id, action, time, gender, age, country, city, os, "
      "source, exp_group) "
      "SELECT uid, toUInt32(1 + cityHash64({s}, {d}, b, kind, k, 2) % {posts}) AS post_id, "
      "if(kind = 1, 'like', 'view') AS action, {time} AS time, gender, age, country, city, os, "
      "source, exp_group FROM (SELECT b, kind, k, {uid} AS uid, {attrs} FROM ({events}))",
      fmt::arg("table", sql_table(source.database, source.feed_table)), fmt::arg("s", params.seed),
      fmt::arg("d", day), fmt::arg("posts", 200 + 20 * (day % 365)),
      fmt::arg("time", event_time_sql(params, plan, SimTable::kFeed, targets)),
      fmt::arg("uid", pick_user_sql(params.seed, day, plan.active_users, 1)),
      fmt::arg("attrs", user_attributes_sql(params.seed)), fmt::arg("events", events));
}

std::string insert_messages_sql(const SourceConfig& source, const SimParams& params,
                                const DayPlan& plan, const SliceTargets& targets) {
  const std::int64_t day = day_number(plan);
  const auto events = expanded_buckets_sql(
      plan, 1, [](const BucketCounts& b, int) { return b.messages; },
      [](const BucketCounts& b) { return b.sender_share; });
  // Each user has 12 friends (a function of the user) among the users who
  // message at all, a few more than today's senders; a message goes to one of them.
  const int circle = std::clamp(plan.active_senders * 6 / 5, 2, params.users);
  const std::string friend_sql = fmt::format(
      "toUInt32(1 + cityHash64({s}, uid, 'f', cityHash64({s}, {d}, b, k, 4) % 12) % {u})",
      fmt::arg("s", params.seed), fmt::arg("d", day), fmt::arg("u", circle));
  return fmt::format(
      "INSERT INTO {table} (user_id, receiver_id, time, source, exp_group, gender, age, country, "
      "city, os) "
      "SELECT uid, if(friend = uid, toUInt32(uid % {circle} + 1), friend) AS receiver_id, "
      "{time} AS time, source, exp_group, gender, age, country, city, os "
      "FROM (SELECT b, kind, k, {uid} AS uid, {friend} AS friend, {attrs} FROM ({events}))",
      fmt::arg("table", sql_table(source.database, source.message_table)),
      fmt::arg("circle", circle),
      fmt::arg("time", event_time_sql(params, plan, SimTable::kMessages, targets)),
      fmt::arg("uid", pick_user_sql(params.seed, day, plan.active_senders, 5)),
      fmt::arg("friend", friend_sql), fmt::arg("attrs", user_attributes_sql(params.seed)),
      fmt::arg("events", events));
}

}  // namespace vigil

namespace vigil {
namespace {

// Tables the simulator writes must be its own: an existing feed or message
// table without the labels table beside it belongs to someone else.
Status check_ownership(ClickHouse& ch, const SourceConfig& source) {
  auto exists = [&](const std::string& table) {
    return table_exists(ch, sql_table(source.database, table));
  };
  auto labels = exists(kLabelsTable);
  if (!labels.ok()) return labels.error();
  if (*labels) return {};
  for (const auto& table : {source.feed_table, source.message_table}) {
    auto found = exists(table);
    if (!found.ok()) return found.error();
    if (*found) {
      return Error::failure(fmt::format(
          "refusing to simulate into {}: it exists and was not created by `vigil simulate` (no "
          "{} beside it); set [source] database to a database of its own",
          sql_table(source.database, table), sql_table(source.database, kLabelsTable)));
    }
  }
  return {};
}

std::string insert_labels_sql(const SourceConfig& source, const std::vector<Anomaly>& anomalies) {
  std::string values;
  for (const auto& a : anomalies) {
    values += fmt::format("{}({}, toDateTime({}), toDateTime({}), {}, {})",
                          values.empty() ? "" : ", ", sql_quote(a.metric), a.start, a.end, a.factor,
                          sql_quote(a.slice));
  }
  return fmt::format("INSERT INTO {} (metric, start, end, factor, slice) "
                     "SELECT t.1, t.2, t.3, t.4, t.5 FROM (SELECT arrayJoin([{}]) AS t)",
                     sql_table(source.database, kLabelsTable), values);
}

}  // namespace

Result<SimulationReport> simulate(ClickHouse& clickhouse, const Config& config,
                                  const date::time_zone* zone, const SimParams& params,
                                  const std::vector<Anomaly>& anomalies) {
  const auto start = std::chrono::steady_clock::now();
  const auto& source = config.source;
  const auto age_labels = age_bucket_labels(config.etl.age_buckets);
  for (const auto& a : anomalies) {
    if (auto problem = anomaly_slice_problem(a.slice, age_labels); !problem.empty()) {
      return Error::usage(fmt::format("anomaly {} at {}: {}", a.metric,
                                      format_local_time(a.start, zone), problem));
    }
  }
  const SliceTargets targets{anomalies, config.etl.age_buckets};
  const TableLayout layout(config.clickhouse);
  auto quorum = insert_quorum(clickhouse, layout);
  if (!quorum.ok()) return quorum.error();
  VIGIL_TRY(run_ddl(clickhouse, layout, layout.create_database_sql(source.database)));
  VIGIL_TRY(check_ownership(clickhouse, source));
  for (const auto& spec : {feed_table_spec(source, config.timezone),
                           message_table_spec(source, config.timezone),
                           labels_table_spec(source, config.timezone)}) {
    VIGIL_TRY(ensure_table(clickhouse, layout, spec));
  }
  if (!layout.clustered()) {
    // A labels table from before slice-targeted anomalies gains the column.
    auto migrated =
        add_column_if_missing(clickhouse, source.database, kLabelsTable, "slice", "String");
    if (!migrated.ok()) return migrated.error();
    if (*migrated) spdlog::info("simulate: {} gained the slice column", kLabelsTable);
  }
  const auto insert_settings = layout.insert_settings(*quorum);
  SimulationReport report;
  const EpochSeconds range_begin = day_start(params.from, zone);
  const EpochSeconds range_end = day_start(params.from + date::days{params.days}, zone);
  for (int i = 0; i < params.days; ++i) {
    const auto day_start_time = std::chrono::steady_clock::now();
    const DayPlan plan = plan_day(params, i, zone, anomalies);
    for (const auto& table : {source.feed_table, source.message_table,
                              std::string(kLabelsTable)}) {
      VIGIL_TRY(run_ddl(clickhouse, layout,
                        layout.drop_partition_sql(source.database, table, format_date(plan.day))));
    }
    VIGIL_TRY(clickhouse.execute_with(insert_feed_sql(source, params, plan, targets),
                                      insert_settings));
    VIGIL_TRY(clickhouse.execute_with(insert_messages_sql(source, params, plan, targets),
                                      insert_settings));
    std::int64_t feed = 0, messages = 0;
    for (const auto& b : plan.buckets) {
      feed += b.views + b.likes;
      messages += b.messages;
    }
    report.feed_events += feed;
    report.messages += messages;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - day_start_time).count();
    spdlog::info("simulate {} [{}/{}]: {} feed events, {} messages, {:.2f} s",
                 format_date(plan.day), i + 1, params.days, feed, messages, seconds);
  }
  for (const auto& a : anomalies) {
    if (a.start >= range_begin && a.start < range_end) report.anomalies.push_back(a);
  }
  if (!report.anomalies.empty()) {
    VIGIL_TRY(clickhouse.execute_with(insert_labels_sql(source, report.anomalies), insert_settings));
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace vigil
