#include "metrics/daily.h"

#include <optional>

#include <fmt/format.h>

#include "base/parse.h"

namespace vigil {

std::optional<double> DailyMetrics::ctr() const {
  if (views <= 0) return std::nullopt;
  return static_cast<double>(likes) / static_cast<double>(views);
}

std::optional<double> DailyMetrics::sent_received_ratio() const {
  if (receivers <= 0) return std::nullopt;
  return static_cast<double>(messenger_users) / static_cast<double>(receivers);
}

const std::vector<std::string>& daily_metric_names() {
  static const std::vector<std::string> kNames = {"feed_users", "views", "likes", "ctr",
                                                  "messenger_users", "messages_sent",
                                                  "sent_received_ratio"};
  return kNames;
}

std::optional<double> daily_value(const DailyMetrics& day, const std::string& name) {
  auto count = [](bool present, std::int64_t value) -> std::optional<double> {
    if (!present) return std::nullopt;
    return static_cast<double>(value);
  };
  if (name == "feed_users") return count(day.has_feed, day.feed_users);
  if (name == "views") return count(day.has_feed, day.views);
  if (name == "likes") return count(day.has_feed, day.likes);
  if (name == "ctr") return day.ctr();
  if (name == "messenger_users") return count(day.has_messages, day.messenger_users);
  if (name == "messages_sent") return count(day.has_messages, day.messages_sent);
  if (name == "sent_received_ratio") return day.sent_received_ratio();
  return std::nullopt;
}

std::optional<double> daily_value(const std::vector<DailyMetrics>& days, Days day,
                                  const std::string& name) {
  for (const auto& m : days) {
    if (m.day == day) return daily_value(m, name);
  }
  return std::nullopt;
}

std::string daily_feed_sql(const SourceConfig& source, const std::string& timezone,
                           EpochSeconds begin, EpochSeconds end) {
  return fmt::format(
      "SELECT toString(toDate(time, {tz})) AS day, uniqExact(user_id), countIf(action = 'view'), "
      "countIf(action = 'like') FROM {table} "
      "WHERE time >= toDateTime({begin}) AND time < toDateTime({end}) GROUP BY day ORDER BY day",
      fmt::arg("tz", sql_quote(timezone)),
      fmt::arg("table", sql_table(source.database, source.feed_table)), fmt::arg("begin", begin),
      fmt::arg("end", end));
}

std::string daily_messages_sql(const SourceConfig& source, const std::string& timezone,
                               EpochSeconds begin, EpochSeconds end) {
  return fmt::format(
      "SELECT toString(toDate(time, {tz})) AS day, uniqExact(user_id), count(), "
      "uniqExact(receiver_id) FROM {table} "
      "WHERE time >= toDateTime({begin}) AND time < toDateTime({end}) GROUP BY day ORDER BY day",
      fmt::arg("tz", sql_quote(timezone)),
      fmt::arg("table", sql_table(source.database, source.message_table)),
      fmt::arg("begin", begin), fmt::arg("end", end));
}

namespace {

// Finds the entry of `day_text` in `days` (which starts at `first`).
DailyMetrics* entry_for(std::vector<DailyMetrics>& days, Days first, const std::string& day_text) {
  auto day = parse_date(day_text);
  if (!day.ok()) return nullptr;
  const auto index = (*day - first).count();
  if (index < 0 || index >= static_cast<long>(days.size())) return nullptr;
  return &days[index];
}

}  // namespace

Result<std::vector<DailyMetrics>> query_daily_metrics(ClickHouse& clickhouse, const Config& config,
                                                      const date::time_zone* zone, Days first,
                                                      Days last) {
  std::vector<DailyMetrics> days;
  for (Days d = first; d <= last; d += date::days{1}) days.push_back(DailyMetrics{d});
  const EpochSeconds begin = day_start(first, zone);
  const EpochSeconds end = day_start(last + date::days{1}, zone);
  std::optional<Error> bad;  // the first odd cell; a row callback cannot return it
  const std::string feed_source =
      fmt::format("daily feed metrics from {}.{}", config.source.database, config.source.feed_table);
  VIGIL_TRY(clickhouse.query(daily_feed_sql(config.source, config.timezone, begin, end),
                             [&](const Row& row) {
                               CellReader cells(row, feed_source);
                               if (auto* m = entry_for(days, first, cells.text(0, "day"))) {
                                 m->has_feed = true;
                                 m->feed_users = cells.int64(1, "feed_users");
                                 m->views = cells.int64(2, "views");
                                 m->likes = cells.int64(3, "likes");
                               }
                               if (!bad) bad = cells.error();
                             }));
  if (bad) return *bad;
  const std::string messages_source = fmt::format(
      "daily messenger metrics from {}.{}", config.source.database, config.source.message_table);
  VIGIL_TRY(clickhouse.query(daily_messages_sql(config.source, config.timezone, begin, end),
                             [&](const Row& row) {
                               CellReader cells(row, messages_source);
                               if (auto* m = entry_for(days, first, cells.text(0, "day"))) {
                                 m->has_messages = true;
                                 m->messenger_users = cells.int64(1, "messenger_users");
                                 m->messages_sent = cells.int64(2, "messages_sent");
                                 m->receivers = cells.int64(3, "receivers");
                               }
                               if (!bad) bad = cells.error();
                             }));
  if (bad) return *bad;
  return days;
}

}  // namespace vigil
