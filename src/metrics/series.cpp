#include "metrics/series.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "base/parse.h"
#include "metrics/slices.h"

namespace vigil {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ARRAY JOIN of '' (all users) and 'os=' || os etc. for the configured slice
// dimensions; without slices no ARRAY JOIN at all (it costs a third of the query).
std::string slices_sql(const Config& config) {
  if (config.alerts.slices.empty()) return "";
  std::string out = "''";
  for (const auto& dimension : config.alerts.slices) {
    if (dimension == "os") out += ", concat('os=', os)";
    if (dimension == "gender") out += ", concat('gender=', toString(gender))";
    if (dimension == "age") {
      out += fmt::format(", concat('age=', {})", age_bucket_sql(config.etl.age_buckets, "age"));
    }
  }
  return "ARRAY JOIN [" + out + "] AS slice";
}

// The metrics each source table gives.
const std::vector<std::string>& source_metrics(const std::string& source) {
  static const std::vector<std::string> feed{"feed_users", "views", "likes", "ctr"};
  static const std::vector<std::string> messages{"messenger_users", "messages_sent"};
  return source == "feed" ? feed : messages;
}

// Adds one result row to the metric series of its slice and notes where the
// source's data starts; an odd cell is left in `cells`.
void add_row(BucketSeries& series, FirstEvents& first, CellReader& cells) {
  const EpochSeconds bucket = cells.int64(0, "bucket");
  const std::string& slice = cells.text(1, "slice");
  const std::string source = cells.text(2, "source") == "feed" ? "feed" : "messages";
  const bool feed = source == "feed";
  const double users = cells.number(3, "users");
  const double a = cells.number(4, feed ? "views" : "messages_sent");
  const double b = cells.number(5, feed ? "likes" : "b");
  if (cells.error()) return;
  const bool earlier = bucket < series.begin;  // a lookback row: events in the day before
  const int index = earlier ? 0 : series.index_of(bucket);
  if (index < 0) return;
  auto [it, added] = first.try_emplace({source, slice}, index);
  if (!added) it->second = std::min(it->second, index);
  if (earlier) return;
  auto put = [&](const char* metric, double value) {
    auto& values = series.values[{metric, slice}];
    if (values.empty()) values.assign(series.count, 0.0);
    values[index] = value;
  };
  if (feed) {
    put("feed_users", users);
    put("views", a);
    put("likes", b);
  } else {
    put("messenger_users", users);
    put("messages_sent", a);
  }
}

// CTR from views and likes; NaN where there were no views.
void derive_ctr(BucketSeries& series) {
  std::vector<std::string> slices;
  for (const auto& [key, values] : series.values) {
    if (key.first == "views") slices.push_back(key.second);
  }
  for (const auto& slice : slices) {
    const auto& views = series.values.at({"views", slice});
    const auto likes_it = series.values.find({"likes", slice});
    std::vector<double> ctr(series.count, kNaN);
    for (int i = 0; i < series.count; ++i) {
      const double likes = likes_it == series.values.end() ? 0.0 : likes_it->second[i];
      if (views[i] > 0) ctr[i] = likes / views[i];
    }
    series.values[{"ctr", slice}] = std::move(ctr);
  }
}

}  // namespace

void mark_no_data_yet(BucketSeries& series, const FirstEvents& first) {
  for (const std::string source : {"feed", "messages"}) {
    for (const auto& metric : source_metrics(source)) {
      for (auto it = series.values.lower_bound({metric, ""});
           it != series.values.end() && it->first.first == metric; ++it) {
        auto& values = it->second;
        const auto found = first.find({source, it->first.second});
        const int size = static_cast<int>(values.size());
        const int until = found == first.end() ? size : std::min(found->second, size);
        std::fill(values.begin(), values.begin() + until, kNaN);
      }
    }
  }
}

int BucketSeries::index_of(EpochSeconds start) const {
  if (start < begin || (start - begin) % bucket_seconds != 0) return -1;
  const auto index = (start - begin) / bucket_seconds;
  return index < count ? static_cast<int>(index) : -1;
}

std::string bucket_series_sql(const Config& config, EpochSeconds begin, EpochSeconds end) {
  const int bs = config.alerts.interval_minutes * 60;
  const std::string slice = config.alerts.slices.empty() ? "'' AS slice" : "slice";
  const std::string where =
      fmt::format("WHERE time >= toDateTime({}) AND time < toDateTime({})", begin, end);
  const std::string before = fmt::format("WHERE time >= toDateTime({}) AND time < toDateTime({})",
                                         begin - kFirstEventLookbackSeconds, begin);
  // 18.16 wants the same column types in every part of a UNION ALL: the bucket
  // of the lookback rows is the same expression over min(time).
  const std::string branches[] = {
      "SELECT intDiv(toUInt32(time), {bs}) * {bs} AS bucket, {slice}, '{source}' AS source, {nums} "
      "FROM {table} {slices} {where} GROUP BY bucket, slice",
      "SELECT intDiv(toUInt32(min(time)), {bs}) * {bs} AS bucket, {slice}, '{source}' AS source, "
      "toUInt64(0) AS users, toUInt64(0) AS a, toUInt64(0) AS b "
      "FROM {table} {slices} {before} GROUP BY slice HAVING count() > 0"};
  const struct {
    const char* source;
    const char* nums;
    std::string table;
  } sources[] = {
      {"feed", "uniqExact(user_id) AS users, countIf(action = 'view') AS a, "
               "countIf(action = 'like') AS b",
       sql_table(config.source.database, config.source.feed_table)},
      {"messages", "uniqExact(user_id) AS users, count() AS a, toUInt64(0) AS b",
       sql_table(config.source.database, config.source.message_table)}};
  std::string out;
  for (const auto& source : sources) {
    for (const auto& branch : branches) {
      if (!out.empty()) out += " UNION ALL ";
      out += fmt::format(fmt::runtime(branch), fmt::arg("bs", bs), fmt::arg("slice", slice),
                         fmt::arg("source", source.source), fmt::arg("nums", source.nums),
                         fmt::arg("table", source.table), fmt::arg("slices", slices_sql(config)),
                         fmt::arg("where", where), fmt::arg("before", before));
    }
  }
  return out;
}

Result<BucketSeries> query_bucket_series(ClickHouse& clickhouse, const Config& config,
                                         EpochSeconds begin, EpochSeconds end) {
  BucketSeries series;
  series.bucket_seconds = config.alerts.interval_minutes * 60;
  series.begin = begin;
  series.count = static_cast<int>((end - begin) / series.bucket_seconds);
  // Every metric of all users exists even if the window has no events at all.
  for (const auto& metric : alert_metric_names()) {
    series.values[{metric, ""}].assign(series.count, metric == "ctr" ? kNaN : 0.0);
  }
  FirstEvents first;
  std::optional<Error> bad;  // the first odd cell; a row callback cannot return it
  const std::string source = fmt::format("bucket series from {}.{{{}, {}}}", config.source.database,
                                         config.source.feed_table, config.source.message_table);
  VIGIL_TRY(clickhouse.query(bucket_series_sql(config, begin, end), [&](const Row& row) {
    CellReader cells(row, source);
    add_row(series, first, cells);
    if (!bad) bad = cells.error();
  }));
  if (bad) return *bad;
  derive_ctr(series);
  mark_no_data_yet(series, first);
  return series;
}

}  // namespace vigil
