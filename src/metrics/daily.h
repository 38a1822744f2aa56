// The report's metrics per business day, straight from the source tables:
// feed active users, views, likes, CTR; messenger active users, messages sent,
// sent/received ratio. Two queries for any number of days (one per table).
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

  // likes / views; empty without views.
  std::optional<double> ctr() const;
  // distinct senders / distinct receivers; empty without receivers.
  std::optional<double> sent_received_ratio() const;
};

// The report's metrics by name, in report order: feed_users, views, likes,
// ctr, messenger_users, messages_sent, sent_received_ratio.
const std::vector<std::string>& daily_metric_names();

// The value of metric `name` on that day; empty without data (or unknown name).
std::optional<double> daily_value(const DailyMetrics& day, const std::string& name);

// The same for `day` looked up in `days`; empty if `days` does not hold it.
std::optional<double> daily_value(const std::vector<DailyMetrics>& days, Days day,
                                  const std::string& name);

// SQL for per-day feed and message aggregates over [first, last] (pure).
std::string daily_feed_sql(const SourceConfig& source, const std::string& timezone,
                           EpochSeconds begin, EpochSeconds end);
std::string daily_messages_sql(const SourceConfig& source, const std::string& timezone,
                               EpochSeconds begin, EpochSeconds end);

// One entry per day in [first, last], in order; days without events have has_* false.
Result<std::vector<DailyMetrics>> query_daily_metrics(ClickHouse& clickhouse, const Config& config,
                                                      const date::time_zone* zone, Days first,
                                                      Days last);

}  // namespace vigil
