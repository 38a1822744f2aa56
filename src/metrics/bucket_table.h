// The alert bucket table (`[alerts] bucket_table`, rows: metrics/bucket_table_sql.h):
// the alert metrics' counts per bucket and slice, kept in ClickHouse so that an
// alert run counts only its newest buckets from the raw events (plus a few before
// them again for late events) and reads the rest of its history window from
// there. Each run fills it (the first run the whole window, once; a dimension new
// to the config likewise); readers take it only where every bucket they need was
// filled, and the raw query otherwise, so its numbers are always query_series'.
#pragma once

#include <optional>

#include "base/result.h"
#include "clickhouse/client.h"
#include "config/config.h"
#include "metrics/series.h"

namespace vigil {

// Counts into the table every bucket of [begin - kFirstEventLookbackSeconds, end)
// not filled yet, and the newest with `[alerts] late_buckets` before it again,
// for all users and every dimension of `slices` and `explain_by`; `now` (epoch
// seconds) orders the fills. Creates the table if missing. Safe to re-run or to
// stop half way: a bucket counts only once its mark is written, and a re-fill
// replaces it. A no-op without a bucket table.
Status fill_bucket_table(ClickHouse& clickhouse, const Config& config, EpochSeconds begin,
                         EpochSeconds end, EpochSeconds now);

// The request's series of [begin, end) from the table; nullopt if a bucket it
// needs was not filled (or there is no bucket table).
Result<std::optional<BucketSeries>> read_bucket_table(ClickHouse& clickhouse,
                                                      const Config& config,
                                                      const SeriesRequest& request,
                                                      EpochSeconds begin, EpochSeconds end);

// From the table where it has the window, else query_series (raw events); a
// table that cannot be read (e.g. none yet) falls back to the raw query too.
Result<BucketSeries> query_series_cached(ClickHouse& clickhouse, const Config& config,
                                         const SeriesRequest& request, EpochSeconds begin,
                                         EpochSeconds end);

}  // namespace vigil
