// The alert bucket table's SQL and rules, pure (metrics/bucket_table.h does the
// I/O). The table `[alerts] bucket_table` holds, per bucket, source table and
// slice, the catalogue's counts (metrics/series.h computes the same from raw
// events); buckets do not overlap, so a bucket's exact count is final once its
// events are in. Rows:
//   scope      the bucket size, the source tables and the count columns: a
//              change of any reads nothing old (it is filled anew)
//   dimension  "" (all users), "os", "gender", "age(18,25,35,45)" (the age bounds:
//              new bounds are a new dimension), "source", "country"
//   bucket     its start (DateTime)
//   source     "feed" or "messages"; "" is a mark: (dimension, bucket) was filled
//   slice      "" or "os=iOS", as the series name them
//   version    the fill that wrote it; a row counts only if its version is at least
//              its bucket's mark's, so a slice gone from a re-fill is gone
//   <count>    one UInt64 column per count of the catalogue
// A bucket is re-filled by inserting newer versions (never ALTER ... DELETE: a
// mutation on 18.16); readers keep the newest version per key, so re-running a
// fill never double-counts, and a merge (ReplacingMergeTree) only drops old rows.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/time.h"
#include "clickhouse/layout.h"
#include "config/config.h"
#include "metrics/series.h"

namespace vigil {

// The dimension as the table keys it: "age" carries its bounds, others as given.
std::string bucket_dimension_key(const Config& config, const std::string& dimension);

// The dimensions a fill covers: all users ("") and every dimension of `[alerts]
// slices` and `explain_by`, each once.
std::vector<std::string> bucket_table_dimensions(const Config& config);

// What the rows' counts were computed over (see above).
std::string bucket_table_scope(const Config& config);

// The catalogue's count rows, in catalogue order: the table's count columns.
const std::vector<const MetricDef*>& bucket_table_counts();

// The configured table as clickhouse/layout makes it (one server, or a cluster's
// replicated local tables behind a Distributed one): a ReplacingMergeTree by
// version; on a cluster a key's versions go to one shard (sharded by dimension and
// bucket), so merges there drop the older ones.
TableSpec bucket_table_spec(const Config& config);

// Per (dimension, bucket) of [from, end): the newest mark's version (0: none) and
// the newest version of any row; rows (dimension, bucket, marked, newest).
std::string bucket_marks_sql(const Config& config, const std::vector<std::string>& keys,
                             EpochSeconds from, EpochSeconds end);

// The buckets one fill query counts, for the dimensions (keys) that need the same.
struct BucketFill {
  std::vector<std::string> dimensions;  // bucket_dimension_key names
  std::vector<EpochSeconds> buckets;    // ascending starts
  bool operator==(const BucketFill&) const = default;
};

// Which buckets to count (pure): per dimension key, every bucket of [from, end)
// without a mark, and the newest bucket with the `late` before it again (late
// events); dimensions needing the same buckets share one fill.
std::vector<BucketFill> plan_bucket_fill(
    const std::set<std::pair<std::string, EpochSeconds>>& marked,
    const std::vector<std::string>& keys, EpochSeconds from, EpochSeconds end, int bucket_seconds,
    int late);

// `fill` cut into fills of at most a day of buckets each (pure): a first fill of
// weeks is then many small queries, each one's marks kept as it ends, so one
// that times out loses a day at most and the next run goes on from there.
std::vector<BucketFill> split_bucket_fill(const BucketFill& fill, EpochSeconds span_seconds);

// INSERT ... SELECT counting `fill`'s buckets of one source table; `dimensions`
// are the plain names ("age"), in the order of fill.dimensions.
std::string fill_bucket_table_sql(const Config& config, MetricSource source,
                                  const BucketFill& fill,
                                  const std::vector<std::string>& dimensions,
                                  unsigned long long version);

// INSERT of the marks of `fill` (every dimension × bucket), written after its counts.
std::string mark_bucket_table_sql(const Config& config, const BucketFill& fill,
                                  unsigned long long version);

// The rows of [from, end) for the keys, marks included: (dimension, bucket,
// source, slice, version, <every count column>).
std::string read_bucket_table_sql(const Config& config, const std::vector<std::string>& keys,
                                  EpochSeconds from, EpochSeconds end);

// One row of that read.
struct BucketTableRow {
  std::string dimension;
  EpochSeconds bucket = 0;
  std::string source;  // "" = a mark
  std::string slice;
  unsigned long long version = 0;
  std::vector<double> counts;  // bucket_table_counts() order
};

// The rows that count (pure): per (dimension, bucket, source, slice) the newest
// version, if at least its bucket's newest mark; counts picked for `counts`.
// nullopt if a bucket of [from, end) of a key has no mark (not filled).
std::optional<std::vector<SeriesRow>> current_bucket_rows(
    const std::vector<BucketTableRow>& rows, const std::vector<std::string>& keys,
    EpochSeconds from, EpochSeconds end, int bucket_seconds,
    const std::vector<const MetricDef*>& counts);

}  // namespace vigil
