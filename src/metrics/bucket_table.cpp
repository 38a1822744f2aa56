#include "metrics/bucket_table.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/parse.h"
#include "clickhouse/layout.h"
#include "metrics/bucket_table_sql.h"

namespace vigil {
namespace {

constexpr EpochSeconds kFillSpanSeconds = 86400;  // the most one fill query counts

std::string describe(const Config& config) {
  return fmt::format("alert buckets from {}.{}", config.clickhouse.database,
                     config.alerts.bucket_table);
}

struct Marks {
  std::set<std::pair<std::string, EpochSeconds>> marked;
  unsigned long long newest = 0;  // the newest version of any row
};

Result<Marks> read_marks(ClickHouse& clickhouse, const Config& config,
                         const std::vector<std::string>& keys, EpochSeconds from,
                         EpochSeconds end) {
  Marks marks;
  const std::string source = describe(config);
  std::optional<Error> bad;
  VIGIL_TRY(clickhouse.query(bucket_marks_sql(config, keys, from, end), [&](const Row& row) {
    CellReader cells(row, source);
    const std::string& key = cells.text(0, "dimension");
    const EpochSeconds bucket = cells.int64(1, "bucket");
    const long long marked = cells.int64(2, "mark");
    const long long newest = cells.int64(3, "version");
    if (marked > 0) marks.marked.insert({key, bucket});
    marks.newest = std::max(marks.newest, static_cast<unsigned long long>(std::max(newest, 0LL)));
    if (!bad) bad = cells.error();
  }));
  if (bad) return *bad;
  return marks;
}

Result<std::vector<BucketTableRow>> read_rows(ClickHouse& clickhouse, const Config& config,
                                              const std::vector<std::string>& keys,
                                              EpochSeconds from, EpochSeconds end) {
  std::vector<BucketTableRow> rows;
  const std::string source = describe(config);
  const auto& counts = bucket_table_counts();
  std::optional<Error> bad;
  VIGIL_TRY(clickhouse.query(read_bucket_table_sql(config, keys, from, end), [&](const Row& row) {
    CellReader cells(row, source);
    BucketTableRow out{cells.text(0, "dimension"), cells.int64(1, "bucket"),
                       cells.text(2, "source"), cells.text(3, "slice"),
                       static_cast<unsigned long long>(cells.int64(4, "version")), {}};
    for (std::size_t i = 0; i < counts.size(); ++i) {
      out.counts.push_back(cells.number(5 + i, counts[i]->name));
    }
    if (!bad) bad = cells.error();
    rows.push_back(std::move(out));
  }));
  if (bad) return *bad;
  return rows;
}

}  // namespace

Status fill_bucket_table(ClickHouse& clickhouse, const Config& config, EpochSeconds begin,
                         EpochSeconds end, EpochSeconds now) {
  if (config.alerts.bucket_table.empty()) return {};
  const int bs = config.alerts.interval_minutes * 60;
  const EpochSeconds from = begin - kFirstEventLookbackSeconds;
  std::vector<std::string> keys;
  std::map<std::string, std::string> dimension_of;  // key -> plain name
  for (const auto& dimension : bucket_table_dimensions(config)) {
    keys.push_back(bucket_dimension_key(config, dimension));
    dimension_of[keys.back()] = dimension;
  }
  const TableLayout layout(config.clickhouse);
  VIGIL_TRY(ensure_table(clickhouse, layout, bucket_table_spec(config)));
  // Through a Distributed table on a cluster: complete on every shard when it
  // returns, so a bucket's marks never arrive before its counts.
  const QuerySettings settings = layout.insert_settings(1);
  VIGIL_ASSIGN_OR_RETURN(const Marks marks, read_marks(clickhouse, config, keys, from, end));
  // Newer than anything in the window, even for two fills within a millisecond.
  const unsigned long long version =
      std::max(static_cast<unsigned long long>(now) * 1000, marks.newest + 1);
  for (const auto& planned : plan_bucket_fill(marks.marked, keys, from, end, bs,
                                              config.alerts.late_buckets)) {
    std::vector<std::string> dimensions;
    for (const auto& key : planned.dimensions) dimensions.push_back(dimension_of[key]);
    for (const auto& fill : split_bucket_fill(planned, kFillSpanSeconds)) {
      for (const MetricSource source : {MetricSource::kFeed, MetricSource::kMessages}) {
        VIGIL_TRY(clickhouse.execute_with(
            fill_bucket_table_sql(config, source, fill, dimensions, version), settings));
      }
      VIGIL_TRY(clickhouse.execute_with(mark_bucket_table_sql(config, fill, version), settings));
    }
  }
  return {};
}

Result<std::optional<BucketSeries>> read_bucket_table(ClickHouse& clickhouse,
                                                      const Config& config,
                                                      const SeriesRequest& request,
                                                      EpochSeconds begin, EpochSeconds end) {
  if (config.alerts.bucket_table.empty()) return std::optional<BucketSeries>{};
  const int bs = config.alerts.interval_minutes * 60;
  const EpochSeconds from = begin - kFirstEventLookbackSeconds;
  std::vector<std::string> keys;
  if (request.all_users) keys.push_back("");
  for (const auto& dimension : request.dimensions) {
    keys.push_back(bucket_dimension_key(config, dimension));
  }
  if (keys.empty() || request.counts.empty()) {
    return std::optional<BucketSeries>{series_from_rows(config, request, begin, end, {})};
  }
  // The marks first (one row per bucket and dimension): a window the table does
  // not have whole (a backtest's weeks, today's buckets to come) costs no more.
  VIGIL_ASSIGN_OR_RETURN(const Marks marks, read_marks(clickhouse, config, keys, from, end));
  if (marks.marked.size() < keys.size() * static_cast<std::size_t>((end - from) / bs)) {
    return std::optional<BucketSeries>{};
  }
  VIGIL_ASSIGN_OR_RETURN(const auto rows, read_rows(clickhouse, config, keys, from, end));
  const auto current = current_bucket_rows(rows, keys, from, end, bs, request.counts);
  if (!current) return std::optional<BucketSeries>{};
  return std::optional<BucketSeries>{series_from_rows(config, request, begin, end, *current)};
}

Result<BucketSeries> query_series_cached(ClickHouse& clickhouse, const Config& config,
                                         const SeriesRequest& request, EpochSeconds begin,
                                         EpochSeconds end) {
  auto cached = read_bucket_table(clickhouse, config, request, begin, end);
  if (cached.ok() && cached->has_value()) return std::move(**cached);
  if (!cached.ok()) {
    spdlog::debug("{}: not read, the raw events are: {}", describe(config),
                  cached.error().message);
  }
  return query_series(clickhouse, config, request, begin, end);
}

}  // namespace vigil
