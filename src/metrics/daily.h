// The report's metrics per business day, straight from the source tables: the
// catalogue's counts (config/metric_catalog.h) and the ratios of them. Two queries
// for any number of days (one per table).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "clickhouse/client.h"
#include "config/config.h"

namespace vigil {

// A member per count row of the catalogue (a new count the report shows needs one,
// and its row in count_member, metrics/daily.cpp; a unit test checks every row has one).
struct DailyMetrics {
  Days day;
  bool has_feed = false;        // any feed action that day
  bool has_messages = false;    // any message that day
  std::int64_t feed_users = 0;  // distinct users with a feed action
  std::int64_t views = 0;
  std::int64_t likes = 0;
  std::int64_t messenger_users = 0;  // distinct senders
  std::int64_t messages_sent = 0;
  std::int64_t receivers = 0;        // distinct receivers
};

// The value of metric `name` (a row of config/metric_catalog.h) on that day: a count
// when its table had an event that day, a ratio when its denominator is above 0;
// empty otherwise (or for an unknown name). The one place a day's values are read
// by name (report text, report charts, dashboard).
std::optional<double> daily_value(const DailyMetrics& day, const std::string& name);

// The same for `day` looked up in `days`; empty if `days` does not hold it.
std::optional<double> daily_value(const std::vector<DailyMetrics>& days, Days day,
                                  const std::string& name);

// SQL for the per-day aggregates of `table`'s count rows of the catalogue (in
// catalogue order, each named after its metric) over [begin, end) (pure).
std::string daily_sql(const SourceConfig& source, MetricSource table, const std::string& timezone,
                      EpochSeconds begin, EpochSeconds end);

// One entry per day in [first, last], in order; days without events have has_* false.
Result<std::vector<DailyMetrics>> query_daily_metrics(ClickHouse& clickhouse, const Config& config,
                                                      const date::time_zone* zone, Days first,
                                                      Days last);

}  // namespace vigil
