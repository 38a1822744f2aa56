#include "metrics/series.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/parse.h"
#include "metrics/slices.h"

namespace vigil {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ARRAY JOIN of '' (all users, if requested) and 'os=' || os etc. for the
// requested dimensions; without dimensions no ARRAY JOIN at all (it costs a third
// of the query).
std::string slices_sql(const Config& config, const SeriesRequest& request) {
  if (request.dimensions.empty()) return "";
  std::vector<std::string> items;
  if (request.all_users) items.push_back("''");
  for (const auto& dimension : request.dimensions) items.push_back(slice_label_sql(config, dimension));
  return fmt::format("ARRAY JOIN [{}] AS slice", fmt::join(items, ", "));
}

// The alerted rows of the catalogue of one kind, in catalogue order (the columns
// after (bucket, slice, source) are the counts, each named after its metric).
// Built once: add_row asks for every result row.
const std::vector<const MetricDef*>& alerted(MetricKind kind) {
  auto rows_of = [](MetricKind k) {
    std::vector<const MetricDef*> out;
    for (const auto& row : metric_catalog()) {
      if (row.alerted && row.kind == k) out.push_back(&row);
    }
    return out;
  };
  static const std::vector<const MetricDef*> kCounts = rows_of(MetricKind::kCount);
  static const std::vector<const MetricDef*> kRatios = rows_of(MetricKind::kRatio);
  return kind == MetricKind::kCount ? kCounts : kRatios;
}

// Reads one result row (bucket, slice, source_table, the columns of `counts`); an
// odd cell is left in `cells`.
SeriesRow read_row(CellReader& cells, const std::vector<const MetricDef*>& counts) {
  SeriesRow row{cells.int64(0, "bucket"), cells.text(1, "slice"),
                cells.text(2, "source_table") == "feed" ? "feed" : "messages", {}};
  for (std::size_t i = 0; i < counts.size(); ++i) {
    row.counts.push_back(cells.number(3 + i, counts[i]->name));
  }
  return row;
}

// Adds one row to the metric series of its slice and notes where the source's
// data starts.
void add_row(BucketSeries& series, FirstEvents& first, const SeriesRow& row,
             const std::vector<const MetricDef*>& counts) {
  const bool earlier = row.bucket < series.begin;  // a lookback row: events in the day before
  const int index = earlier ? 0 : series.index_of(row.bucket);
  if (index < 0) return;
  auto [it, added] = first.try_emplace({row.source, row.slice}, index);
  if (!added) it->second = std::min(it->second, index);
  if (earlier) return;
  for (std::size_t i = 0; i < counts.size() && i < row.counts.size(); ++i) {
    if (row.source != source_name(counts[i]->source)) continue;
    auto& column = series.values[{counts[i]->name, row.slice}];
    if (column.empty()) column.assign(series.count, 0.0);
    column[index] = row.counts[i];
  }
}

bool requested(const SeriesRequest& request, const std::string& count) {
  return std::any_of(request.counts.begin(), request.counts.end(),
                     [&](const MetricDef* row) { return row->name == count; });
}

// Each alerted ratio whose two counts were requested, in every slice with a
// denominator series; NaN where the denominator is 0 (a missing numerator counts as 0).
void derive_ratios(BucketSeries& series, const SeriesRequest& request) {
  for (const MetricDef* ratio : alerted(MetricKind::kRatio)) {
    if (!requested(request, ratio->numerator) || !requested(request, ratio->denominator)) continue;
    std::vector<std::string> slices;
    for (const auto& [key, values] : series.values) {
      if (key.first == ratio->denominator) slices.push_back(key.second);
    }
    for (const auto& slice : slices) {
      const auto& denominators = series.values.at({ratio->denominator, slice});
      const auto numerators = series.values.find({ratio->numerator, slice});
      std::vector<double> values(series.count, kNaN);
      for (int i = 0; i < series.count; ++i) {
        const double n = numerators == series.values.end() ? 0.0 : numerators->second[i];
        if (denominators[i] > 0) values[i] = n / denominators[i];
      }
      series.values[{ratio->name, slice}] = std::move(values);
    }
  }
}

}  // namespace

void mark_no_data_yet(BucketSeries& series, const FirstEvents& first) {
  for (const auto& row : metric_catalog()) {
    for (auto it = series.values.lower_bound({row.name, ""});
         it != series.values.end() && it->first.first == row.name; ++it) {
      auto& values = it->second;
      const auto found = first.find({source_name(row.source), it->first.second});
      const int size = static_cast<int>(values.size());
      const int until = found == first.end() ? size : std::min(found->second, size);
      std::fill(values.begin(), values.begin() + until, kNaN);
    }
  }
}

int BucketSeries::index_of(EpochSeconds start) const {
  if (start < begin || (start - begin) % bucket_seconds != 0) return -1;
  const auto index = (start - begin) / bucket_seconds;
  return index < count ? static_cast<int>(index) : -1;
}

SeriesRequest alert_series_request(const Config& config) {
  return {true, config.alerts.slices, alerted(MetricKind::kCount)};
}

std::string bucket_series_sql(const Config& config, const SeriesRequest& request,
                              EpochSeconds begin, EpochSeconds end) {
  const int bs = config.alerts.interval_minutes * 60;
  const std::string slice = request.dimensions.empty() ? "'' AS slice" : "slice";
  const std::string where =
      fmt::format("WHERE time >= toDateTime({}) AND time < toDateTime({})", begin, end);
  const std::string before = fmt::format("WHERE time >= toDateTime({}) AND time < toDateTime({})",
                                         begin - kFirstEventLookbackSeconds, begin);
  // 18.16 wants the same column types in every part of a UNION ALL: the bucket
  // of the lookback rows is the same expression over min(time). Every branch has a
  // column per requested count; those of the other table are 0. The table's name
  // is not aliased `source`: that would shadow the column the source= slices read.
  const std::string branches[] = {
      "SELECT intDiv(toUInt32(time), {bs}) * {bs} AS bucket, {slice}, "
      "'{source}' AS source_table, {counts} FROM {table} {slices} {where} GROUP BY bucket, slice",
      "SELECT intDiv(toUInt32(min(time)), {bs}) * {bs} AS bucket, {slice}, "
      "'{source}' AS source_table, {zeros} FROM {table} {slices} {before} GROUP BY slice "
      "HAVING count() > 0"};
  std::string out;
  for (const MetricSource source : {MetricSource::kFeed, MetricSource::kMessages}) {
    std::vector<std::string> counts, zeros;
    bool scanned = false;  // a table none of whose counts is requested is not read
    for (const MetricDef* row : request.counts) {
      const std::string zero = fmt::format("toUInt64(0) AS {}", row->name);
      scanned = scanned || row->source == source;
      counts.push_back(row->source == source ? fmt::format("{} AS {}", row->sql, row->name) : zero);
      zeros.push_back(zero);
    }
    if (!scanned) continue;
    for (const auto& branch : branches) {
      if (!out.empty()) out += " UNION ALL ";
      out += fmt::format(
          fmt::runtime(branch), fmt::arg("bs", bs), fmt::arg("slice", slice),
          fmt::arg("source", source_name(source)), fmt::arg("counts", fmt::join(counts, ", ")),
          fmt::arg("zeros", fmt::join(zeros, ", ")),
          fmt::arg("table", sql_table(config.source.database, source_table(config.source, source))),
          fmt::arg("slices", slices_sql(config, request)), fmt::arg("where", where),
          fmt::arg("before", before));
    }
  }
  return out;
}

std::string bucket_series_sql(const Config& config, EpochSeconds begin, EpochSeconds end) {
  return bucket_series_sql(config, alert_series_request(config), begin, end);
}

namespace {

// The window's series before any row: every metric of all users exists even if
// the window has no events at all.
BucketSeries empty_series(const Config& config, const SeriesRequest& request, EpochSeconds begin,
                          EpochSeconds end) {
  BucketSeries series;
  series.bucket_seconds = config.alerts.interval_minutes * 60;
  series.begin = begin;
  series.count = static_cast<int>((end - begin) / series.bucket_seconds);
  for (const auto& row : metric_catalog()) {
    const bool derived = row.kind == MetricKind::kRatio && row.alerted &&
                         requested(request, row.numerator) && requested(request, row.denominator);
    if (request.all_users && (derived || requested(request, row.name))) {
      series.values[{row.name, ""}].assign(series.count,
                                           row.kind == MetricKind::kRatio ? kNaN : 0.0);
    }
  }
  return series;
}

}  // namespace

BucketSeries series_from_rows(const Config& config, const SeriesRequest& request,
                              EpochSeconds begin, EpochSeconds end,
                              const std::vector<SeriesRow>& rows) {
  BucketSeries series = empty_series(config, request, begin, end);
  if (request.counts.empty()) return series;
  FirstEvents first;
  for (const auto& row : rows) add_row(series, first, row, request.counts);
  derive_ratios(series, request);
  mark_no_data_yet(series, first);
  return series;
}

Result<BucketSeries> query_series(ClickHouse& clickhouse, const Config& config,
                                  const SeriesRequest& request, EpochSeconds begin,
                                  EpochSeconds end) {
  if (request.counts.empty()) return empty_series(config, request, begin, end);  // nothing to ask
  std::vector<SeriesRow> rows;
  std::optional<Error> bad;  // the first odd cell; a row callback cannot return it
  const std::string source = fmt::format("bucket series from {}.{{{}, {}}}", config.source.database,
                                         config.source.feed_table, config.source.message_table);
  VIGIL_TRY(clickhouse.query(bucket_series_sql(config, request, begin, end), [&](const Row& row) {
    CellReader cells(row, source);
    rows.push_back(read_row(cells, request.counts));
    if (!bad) bad = cells.error();
  }));
  if (bad) return *bad;
  return series_from_rows(config, request, begin, end, rows);
}

Result<BucketSeries> query_bucket_series(ClickHouse& clickhouse, const Config& config,
                                         EpochSeconds begin, EpochSeconds end) {
  return query_series(clickhouse, config, alert_series_request(config), begin, end);
}

}  // namespace vigil
