// Slice-targeted anomalies (an `Anomaly` with a slice, sim/plan.h), applied to the
// events inside ClickHouse, pure SQL texts: the plan's counts are everyone's, so a
// change of one slice (os=Android, age=18-24, ...) is made per generated event,
// from the user's attributes, and leaves every other event exactly as it was.
//
// Per event of the slice with its time in [start, end) and of a kind the metric
// counts (views: view events; likes and ctr: like events; feed_users: both;
// messages_sent and messenger_users: messages), the event becomes a number of
// copies drawn from the factor with a hash of the event: floor(factor), plus one
// more with probability frac(factor). So a drop thins the slice's events, a spike
// adds copies (the same event again). Users metrics: a feed_users or
// messenger_users drop removes users, not events: a share 1 - factor of the
// slice's users (chosen by a hash of the user and the anomaly) have no event of
// that table in the window; their spikes add copies, as the plan does for
// everyone's (more events, a few more distinct users).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/plan.h"

namespace vigil {

enum class SimTable { kFeed, kMessages };

// What a slice anomaly needs to find the events it changes.
struct SliceEvents {
  SimTable table = SimTable::kFeed;
  EpochSeconds begin = 0, end = 0;   // the day being generated
  std::uint64_t seed = 1;
  std::int64_t day = 0;              // day number, part of each event's hash
  std::vector<int> age_buckets;      // config etl.age_buckets, for age=... slices
  // SQL of the event's epoch second; the query has columns b, kind, k (the
  // event), uid, and the user attributes (os, gender, age, source, country).
  std::string second_sql;
};

// The condition on an event's user columns that selects `slice` ("os=Android").
std::string slice_condition_sql(const std::string& slice, const std::vector<int>& age_buckets);

// The number of copies of each event (a UInt32 expression: 1 for events no
// anomaly touches), or "" when no slice anomaly of `anomalies` touches this
// table on this day (the query is then the one without slice anomalies).
std::string event_copies_sql(const std::vector<Anomaly>& anomalies, const SliceEvents& events);

}  // namespace vigil
