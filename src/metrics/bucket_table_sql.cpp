#include "metrics/bucket_table_sql.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "clickhouse/client.h"
#include "metrics/slices.h"

namespace vigil {
namespace {

std::string table_of(const Config& config) {
  return sql_table(config.clickhouse.database, config.alerts.bucket_table);
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const auto& item : items) quoted.push_back(sql_quote(item));
  return fmt::format("[{}]", fmt::join(quoted, ", "));
}

// The columns every insert names, in the table's order.
std::string column_list() {
  std::vector<std::string> names = {"scope", "dimension", "bucket", "source", "slice", "version"};
  for (const MetricDef* row : bucket_table_counts()) names.push_back(row->name);
  return fmt::format("({})", fmt::join(names, ", "));
}

// time in one of the runs of consecutive buckets of `buckets` (ascending).
std::string buckets_where(const std::vector<EpochSeconds>& buckets, int bucket_seconds) {
  std::vector<std::string> ranges;
  for (std::size_t i = 0; i < buckets.size();) {
    std::size_t j = i + 1;
    while (j < buckets.size() && buckets[j] == buckets[j - 1] + bucket_seconds) ++j;
    ranges.push_back(fmt::format("(time >= toDateTime({}) AND time < toDateTime({}))", buckets[i],
                                 buckets[j - 1] + bucket_seconds));
    i = j;
  }
  return fmt::format("({})", fmt::join(ranges, " OR "));
}

// dimension and bucket within the keys and [from, end).
std::string window_where(const Config& config, const std::vector<std::string>& keys,
                         EpochSeconds from, EpochSeconds end) {
  std::vector<std::string> quoted;
  for (const auto& key : keys) quoted.push_back(sql_quote(key));
  return fmt::format(
      "scope = {} AND dimension IN ({}) AND bucket >= toDateTime({}) AND bucket < toDateTime({})",
      sql_quote(bucket_table_scope(config)), fmt::join(quoted, ", "), from, end);
}

}  // namespace

std::string bucket_dimension_key(const Config& config, const std::string& dimension) {
  if (dimension != "age") return dimension;
  return fmt::format("age({})", fmt::join(config.etl.age_buckets, ","));
}

std::vector<std::string> bucket_table_dimensions(const Config& config) {
  std::vector<std::string> out = {""};
  for (const auto* list : {&config.alerts.slices, &config.alerts.explain_by}) {
    for (const auto& dimension : *list) {
      if (std::find(out.begin(), out.end(), dimension) == out.end()) out.push_back(dimension);
    }
  }
  return out;
}

std::string bucket_table_scope(const Config& config) {
  std::vector<std::string> counts;
  for (const MetricDef* row : bucket_table_counts()) counts.push_back(row->name);
  return fmt::format("{}s {}.{} {}.{} {}", config.alerts.interval_minutes * 60,
                     config.source.database, config.source.feed_table, config.source.database,
                     config.source.message_table, fmt::join(counts, ","));
}

const std::vector<const MetricDef*>& bucket_table_counts() {
  static const std::vector<const MetricDef*> kCounts = [] {
    std::vector<const MetricDef*> out;
    for (const auto& row : metric_catalog()) {
      if (row.kind == MetricKind::kCount) out.push_back(&row);
    }
    return out;
  }();
  return kCounts;
}

TableSpec bucket_table_spec(const Config& config) {
  std::string columns =
      "scope String, dimension String, bucket DateTime, source String, slice String, "
      "version UInt64";
  for (const MetricDef* row : bucket_table_counts()) columns += ", " + row->name + " UInt64";
  return {config.clickhouse.database, config.alerts.bucket_table, std::move(columns),
          "ReplacingMergeTree(version)",
          "PARTITION BY toYYYYMM(bucket) ORDER BY (scope, dimension, bucket, source, slice)",
          "cityHash64(dimension, bucket)"};
}

std::string bucket_marks_sql(const Config& config, const std::vector<std::string>& keys,
                             EpochSeconds from, EpochSeconds end) {
  return fmt::format(
      "SELECT dimension, toUInt32(bucket), maxIf(version, source = ''), max(version) FROM {} "
      "WHERE {} GROUP BY dimension, bucket",
      table_of(config), window_where(config, keys, from, end));
}

std::vector<BucketFill> plan_bucket_fill(
    const std::set<std::pair<std::string, EpochSeconds>>& marked,
    const std::vector<std::string>& keys, EpochSeconds from, EpochSeconds end, int bucket_seconds,
    int late) {
  std::vector<BucketFill> fills;
  const EpochSeconds recount_from = std::max(from, end - EpochSeconds{late + 1} * bucket_seconds);
  for (const auto& key : keys) {
    std::vector<EpochSeconds> buckets;
    for (EpochSeconds b = from; b < end; b += bucket_seconds) {
      if (b >= recount_from || !marked.count({key, b})) buckets.push_back(b);
    }
    if (buckets.empty()) continue;
    auto same = std::find_if(fills.begin(), fills.end(),
                             [&](const BucketFill& f) { return f.buckets == buckets; });
    if (same == fills.end()) {
      fills.push_back({{key}, std::move(buckets)});
    } else {
      same->dimensions.push_back(key);
    }
  }
  return fills;
}

std::vector<BucketFill> split_bucket_fill(const BucketFill& fill, EpochSeconds span_seconds) {
  std::vector<BucketFill> out;
  for (EpochSeconds bucket : fill.buckets) {
    if (out.empty() || bucket - out.back().buckets.front() >= span_seconds) {
      out.push_back({fill.dimensions, {}});
    }
    out.back().buckets.push_back(bucket);
  }
  return out;
}

std::string fill_bucket_table_sql(const Config& config, MetricSource source,
                                  const BucketFill& fill,
                                  const std::vector<std::string>& dimensions,
                                  unsigned long long version) {
  const int bs = config.alerts.interval_minutes * 60;
  std::vector<std::string> slices, counts;
  for (const auto& dimension : dimensions) {
    slices.push_back(dimension.empty() ? "''" : slice_label_sql(config, dimension));
  }
  for (const MetricDef* row : bucket_table_counts()) {
    counts.push_back(row->source == source ? row->sql : "toUInt64(0)");
  }
  // The source table's name is not aliased `source`: the source= slices read
  // that column.
  return fmt::format(
      "INSERT INTO {table} {columns} SELECT {scope}, dimension, "
      "toDateTime(intDiv(toUInt32(time), {bs}) * {bs}) AS bucket_start, '{source}', slice, "
      "toUInt64({version}), {counts} FROM {events} ARRAY JOIN {keys} AS dimension, [{slices}] "
      "AS slice WHERE {where} GROUP BY dimension, bucket_start, slice",
      fmt::arg("table", table_of(config)), fmt::arg("columns", column_list()),
      fmt::arg("scope", sql_quote(bucket_table_scope(config))), fmt::arg("bs", bs),
      fmt::arg("source", source_name(source)), fmt::arg("version", version),
      fmt::arg("counts", fmt::join(counts, ", ")),
      fmt::arg("events", sql_table(config.source.database, source_table(config.source, source))),
      fmt::arg("keys", quoted_list(fill.dimensions)), fmt::arg("slices", fmt::join(slices, ", ")),
      fmt::arg("where", buckets_where(fill.buckets, bs)));
}

std::string mark_bucket_table_sql(const Config& config, const BucketFill& fill,
                                  unsigned long long version) {
  std::vector<std::string> zeros(bucket_table_counts().size(), "toUInt64(0)");
  return fmt::format(
      "INSERT INTO {} {} SELECT {}, arrayJoin({}) AS key, toDateTime(arrayJoin([{}])) AS start, "
      "'', '', toUInt64({}), {}",
      table_of(config), column_list(), sql_quote(bucket_table_scope(config)),
      quoted_list(fill.dimensions), fmt::join(fill.buckets, ", "), version,
      fmt::join(zeros, ", "));
}

std::string read_bucket_table_sql(const Config& config, const std::vector<std::string>& keys,
                                  EpochSeconds from, EpochSeconds end) {
  std::vector<std::string> counts;
  for (const MetricDef* row : bucket_table_counts()) counts.push_back(row->name);
  return fmt::format(
      "SELECT dimension, toUInt32(bucket), source, slice, version, {} FROM {} WHERE {}",
      fmt::join(counts, ", "), table_of(config), window_where(config, keys, from, end));
}

std::optional<std::vector<SeriesRow>> current_bucket_rows(
    const std::vector<BucketTableRow>& rows, const std::vector<std::string>& keys,
    EpochSeconds from, EpochSeconds end, int bucket_seconds,
    const std::vector<const MetricDef*>& counts) {
  std::map<std::pair<std::string, EpochSeconds>, unsigned long long> marks;
  using Key = std::tuple<std::string, EpochSeconds, std::string, std::string>;
  std::map<Key, const BucketTableRow*> newest;
  for (const auto& row : rows) {
    if (row.source.empty()) {
      auto& mark = marks[{row.dimension, row.bucket}];
      mark = std::max(mark, row.version);
      continue;
    }
    auto& kept = newest[{row.dimension, row.bucket, row.source, row.slice}];
    if (kept == nullptr || row.version > kept->version) kept = &row;
  }
  for (const auto& key : keys) {
    for (EpochSeconds b = from; b < end; b += bucket_seconds) {
      if (!marks.count({key, b})) return std::nullopt;
    }
  }
  // Where each count of the request sits among the table's columns.
  std::vector<std::size_t> columns;
  const auto& all = bucket_table_counts();
  for (const MetricDef* count : counts) {
    columns.push_back(std::find(all.begin(), all.end(), count) - all.begin());
  }
  std::vector<SeriesRow> out;
  for (const auto& [key, row] : newest) {
    const auto mark = marks.find({row->dimension, row->bucket});
    if (mark == marks.end() || row->version < mark->second) continue;
    SeriesRow series_row{row->bucket, row->slice, row->source, {}};
    for (std::size_t column : columns) {
      series_row.counts.push_back(column < row->counts.size() ? row->counts[column] : 0.0);
    }
    out.push_back(std::move(series_row));
  }
  return out;
}

}  // namespace vigil
