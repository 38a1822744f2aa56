#include "metrics/daily.h"

#include <fmt/format.h>

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
  VIGIL_TRY(clickhouse.query(daily_feed_sql(config.source, config.timezone, begin, end),
                             [&](const Row& row) {
                               if (auto* m = entry_for(days, first, row.at(0))) {
                                 m->has_feed = true;
                                 m->feed_users = std::stoll(row.at(1));
                                 m->views = std::stoll(row.at(2));
                                 m->likes = std::stoll(row.at(3));
                               }
                             }));
  VIGIL_TRY(clickhouse.query(daily_messages_sql(config.source, config.timezone, begin, end),
                             [&](const Row& row) {
                               if (auto* m = entry_for(days, first, row.at(0))) {
                                 m->has_messages = true;
                                 m->messenger_users = std::stoll(row.at(1));
                                 m->messages_sent = std::stoll(row.at(2));
                                 m->receivers = std::stoll(row.at(3));
                               }
                             }));
  return days;
}

}  // namespace vigil
