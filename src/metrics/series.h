// The alert metrics per time bucket (15 minutes by default), for the whole
// window a detector needs, from ONE query over both source tables: feed active
// users, views, likes, CTR, messenger active users, messages sent; for all
// users and, optionally, per slice (os, gender, age).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "clickhouse/client.h"
#include "config/config.h"

namespace vigil {

// (metric, slice); slice "" = all users, else "os=iOS", "gender=1", "age=18-24".
using SeriesKey = std::pair<std::string, std::string>;

struct BucketSeries {
  EpochSeconds begin = 0;   // start of the first bucket (a multiple of bucket_seconds)
  int bucket_seconds = 900;
  int count = 0;            // buckets in the window
  // `count` values per key, oldest first. Counts are 0 in a bucket without
  // events; CTR is NaN without views.
  std::map<SeriesKey, std::vector<double>> values;

  EpochSeconds bucket_start(int index) const { return begin + EpochSeconds{index} * bucket_seconds; }
  // Index of the bucket starting at `start`, or -1 outside the window.
  int index_of(EpochSeconds start) const;
};

// The SQL (pure): rows (bucket, slice, source, users, a, b) for [begin, end).
std::string bucket_series_sql(const Config& config, EpochSeconds begin, EpochSeconds end);

// Runs it for [begin, end) (both multiples of the bucket size) and fills every
// metric for all users and every slice seen.
Result<BucketSeries> query_bucket_series(ClickHouse& clickhouse, const Config& config,
                                         EpochSeconds begin, EpochSeconds end);

}  // namespace vigil
