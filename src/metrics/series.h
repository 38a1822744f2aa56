// The alert metrics (the catalogue's rows with `alerted`, config/metric_catalog.h)
// per time bucket (15 minutes by default), for the whole window a detector needs,
// from ONE query over both source tables: each count from its row's SQL, each ratio
// from its counts; for all users and, optionally, per slice (os, gender, age).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "clickhouse/client.h"
#include "config/config.h"
#include "config/metric_catalog.h"

namespace vigil {

// (metric, slice); slice "" = all users, else "os=iOS", "gender=1", "age=18-24".
using SeriesKey = std::pair<std::string, std::string>;

struct BucketSeries {
  EpochSeconds begin = 0;   // start of the first bucket (a multiple of bucket_seconds)
  int bucket_seconds = 900;
  int count = 0;            // buckets in the window
  // `count` values per key, oldest first. Counts are 0 in a bucket without
  // events and NaN (missing) before the series' first event (see FirstEvents);
  // CTR is NaN without views.
  std::map<SeriesKey, std::vector<double>> values;

  EpochSeconds bucket_start(int index) const { return begin + EpochSeconds{index} * bucket_seconds; }
  // Index of the bucket starting at `start`, or -1 outside the window.
  int index_of(EpochSeconds start) const;
};

// Where each series' data starts: "no data yet" is not "zero events" (a new
// install, a new slice, a messenger shipped after the feed). Keyed by (source,
// slice), source "feed" or "messages" (source_name of the metric's row): the
// index of the first bucket of the window with an event of that table and slice,
// 0 if it had events in the day before the window (kFirstEventLookbackSeconds).
// A (source, slice) absent has no event at all. So data that comes back after
// more than a day with no event at all, from before the window, is a new start too.
using FirstEvents = std::map<std::pair<std::string, std::string>, int>;
constexpr int kFirstEventLookbackSeconds = 86400;

// Marks every bucket before its first event missing (NaN) in each series of
// `series` (pure). Zeros after the first event stay: an outage is zero events.
void mark_no_data_yet(BucketSeries& series, const FirstEvents& first);

// What one bucket series query computes: which counts of the catalogue, for all
// users and/or per slice of which dimensions. The alert run's request is
// alert_series_request; the Where line's breakdown (metrics/breakdown.h) asks for
// other dimensions and only the counts it needs, with the same SQL.
struct SeriesRequest {
  bool all_users = true;                 // the "" slice
  std::vector<std::string> dimensions;   // "os", "gender", "age", "source", "country"
  std::vector<const MetricDef*> counts;  // kCount rows; only their tables are scanned
};

// All alerted counts (ratios derived from them), for all users and `[alerts] slices`.
SeriesRequest alert_series_request(const Config& config);

// The SQL (pure): rows (bucket, slice, source_table, <one column per requested count,
// named after it, 0 for the other table's>) for [begin, end), and one row per
// source and slice with events in the lookback day before `begin` (its bucket is
// before `begin`, the numbers are 0).
std::string bucket_series_sql(const Config& config, const SeriesRequest& request,
                              EpochSeconds begin, EpochSeconds end);
std::string bucket_series_sql(const Config& config, EpochSeconds begin, EpochSeconds end);

// One row of a bucket series query, whatever read it (the raw query above or the
// bucket table, metrics/bucket_table.h): a bucket (before the window: a lookback
// row, which only says the source had events there), a slice, the source ("feed" or
// "messages") and the requested counts, in the request's order.
struct SeriesRow {
  EpochSeconds bucket = 0;
  std::string slice;
  std::string source;
  std::vector<double> counts;
};

// The series of [begin, end) from its rows (pure): what query_series returns for
// the same rows, so the raw and the table path give the same numbers.
BucketSeries series_from_rows(const Config& config, const SeriesRequest& request,
                              EpochSeconds begin, EpochSeconds end,
                              const std::vector<SeriesRow>& rows);

// Runs it for [begin, end) (both multiples of the bucket size) and fills every
// requested count (and every alerted ratio whose two counts are requested) for
// every slice seen, missing before their first event; with `all_users`, every such
// metric of all users exists even without events.
Result<BucketSeries> query_series(ClickHouse& clickhouse, const Config& config,
                                  const SeriesRequest& request, EpochSeconds begin,
                                  EpochSeconds end);
Result<BucketSeries> query_bucket_series(ClickHouse& clickhouse, const Config& config,
                                         EpochSeconds begin, EpochSeconds end);

}  // namespace vigil
