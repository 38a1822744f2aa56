// `vigil simulate`: creates the app's source tables and fills them with
// plausible events, generated inside ClickHouse (numbers/arrayJoin + hash
// functions) from the pure per-bucket plan, one INSERT per table and day.
// Re-running a range replaces those days (partitions by business day), so it
// never duplicates. It refuses to write into tables it did not create.
#pragma once

#include "clickhouse/layout.h"
#include <string>
#include <vector>

#include "base/result.h"
#include "clickhouse/client.h"
#include "config/config.h"
#include "sim/plan.h"

namespace vigil {

// The anomalies that target a slice (the plan ignores them; the INSERTs change
// that slice's events, see slice_anomalies.h) and the age buckets they name.
struct SliceTargets {
  std::vector<Anomaly> anomalies;  // those without a slice are not read
  std::vector<int> age_buckets;    // config etl.age_buckets
};

// The source tables (pure). On a cluster (clickhouse/layout) the events are
// sharded by user_id, the app's documented layout: a user's feed events and the
// messages they send sit on one shard; received messages on the senders' shards.
TableSpec feed_table_spec(const SourceConfig& source, const std::string& timezone);
TableSpec message_table_spec(const SourceConfig& source, const std::string& timezone);
TableSpec labels_table_spec(const SourceConfig& source, const std::string& timezone);
std::string insert_feed_sql(const SourceConfig& source, const SimParams& params,
                            const DayPlan& plan, const SliceTargets& targets = {});
std::string insert_messages_sql(const SourceConfig& source, const SimParams& params,
                                const DayPlan& plan, const SliceTargets& targets = {});

struct SimulationReport {
  std::int64_t feed_events = 0;
  std::int64_t messages = 0;
  std::vector<Anomaly> anomalies;
  double seconds = 0;
};

// Creates the source tables (if missing) and writes `params.days` days of
// events and the anomaly labels, logging progress per day.
Result<SimulationReport> simulate(ClickHouse& clickhouse, const Config& config,
                                  const date::time_zone* zone, const SimParams& params,
                                  const std::vector<Anomaly>& anomalies);

// Name of the labels table in the source database.
constexpr const char* kLabelsTable = "simulated_anomalies";

}  // namespace vigil
