#include "metrics/daily.h"

#include <map>
#include <optional>

#include <fmt/format.h>

#include "base/parse.h"

namespace vigil {
namespace {

// The member holding count row `name`: where the catalogue's names meet
// DailyMetrics' members. nullptr for a row without one.
std::int64_t DailyMetrics::*count_member(const std::string& name) {
  static const std::map<std::string, std::int64_t DailyMetrics::*> kMembers = {
      {"feed_users", &DailyMetrics::feed_users},
      {"views", &DailyMetrics::views},
      {"likes", &DailyMetrics::likes},
      {"messenger_users", &DailyMetrics::messenger_users},
      {"messages_sent", &DailyMetrics::messages_sent},
      {"receivers", &DailyMetrics::receivers}};
  auto it = kMembers.find(name);
  return it == kMembers.end() ? nullptr : it->second;
}

bool has_events(const DailyMetrics& day, MetricSource source) {
  return source == MetricSource::kFeed ? day.has_feed : day.has_messages;
}

// A count only on a day its table had events.
std::optional<double> when(bool present, std::int64_t value) {
  if (!present) return std::nullopt;
  return static_cast<double>(value);
}

std::optional<std::int64_t> raw_count(const DailyMetrics& day, const std::string& name) {
  auto member = count_member(name);
  if (member == nullptr) return std::nullopt;
  return day.*member;
}

}  // namespace

std::optional<double> daily_value(const DailyMetrics& day, const std::string& name) {
  const MetricDef* row = find_metric(name);
  if (row == nullptr) return std::nullopt;
  if (row->kind == MetricKind::kCount) {
    auto value = raw_count(day, name);
    return value ? when(has_events(day, row->source), *value) : std::nullopt;
  }
  const auto numerator = raw_count(day, row->numerator);
  const auto denominator = raw_count(day, row->denominator);
  if (!numerator || !denominator || *denominator <= 0) return std::nullopt;
  return static_cast<double>(*numerator) / static_cast<double>(*denominator);
}

std::optional<double> daily_value(const std::vector<DailyMetrics>& days, Days day,
                                  const std::string& name) {
  for (const auto& m : days) {
    if (m.day == day) return daily_value(m, name);
  }
  return std::nullopt;
}

namespace {

// The count rows of `table`, in catalogue order: the columns after `day`.
std::vector<const MetricDef*> daily_counts(MetricSource table) {
  std::vector<const MetricDef*> out;
  for (const auto& row : metric_catalog()) {
    if (row.source == table && row.kind == MetricKind::kCount) out.push_back(&row);
  }
  return out;
}

}  // namespace

std::string daily_sql(const SourceConfig& source, MetricSource table, const std::string& timezone,
                      EpochSeconds begin, EpochSeconds end) {
  std::string columns;
  for (const MetricDef* row : daily_counts(table)) {
    columns += fmt::format(", {} AS {}", row->sql, row->name);
  }
  return fmt::format(
      "SELECT toString(toDate(time, {tz})) AS day{columns} FROM {table} "
      "WHERE time >= toDateTime({begin}) AND time < toDateTime({end}) GROUP BY day ORDER BY day",
      fmt::arg("tz", sql_quote(timezone)), fmt::arg("columns", columns),
      fmt::arg("table", sql_table(source.database, source_table(source, table))),
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
  for (const MetricSource table : {MetricSource::kFeed, MetricSource::kMessages}) {
    const bool feed = table == MetricSource::kFeed;
    const std::string what =
        fmt::format("daily {} metrics from {}.{}", feed ? "feed" : "messenger",
                    config.source.database, source_table(config.source, table));
    const auto counts = daily_counts(table);
    VIGIL_TRY(clickhouse.query(daily_sql(config.source, table, config.timezone, begin, end),
                               [&](const Row& row) {
                                 CellReader cells(row, what);
                                 if (auto* m = entry_for(days, first, cells.text(0, "day"))) {
                                   (feed ? m->has_feed : m->has_messages) = true;
                                   for (std::size_t i = 0; i < counts.size(); ++i) {
                                     if (auto member = count_member(counts[i]->name)) {
                                       m->*member = cells.int64(static_cast<int>(i) + 1,
                                                                counts[i]->name);
                                     }
                                   }
                                 }
                                 if (!bad) bad = cells.error();
                               }));
    if (bad) return *bad;
  }
  return days;
}

}  // namespace vigil
