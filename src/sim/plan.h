// The simulator's plan, pure: how many feed views, likes and messages fall in
// each 15-minute bucket of a day (daily curve, weekly pattern, growth, noise,
// injected anomalies), and the anomaly labels. ClickHouse then expands these
// counts into events with hash functions (see simulator.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/time.h"

namespace vigil {

constexpr int kBucketSeconds = 15 * 60;

struct SimParams {
  Days from;
  int days = 14;
  int users = 20000;
  std::int64_t feed_per_day = 500000;      // views + likes on an average day
  std::int64_t messages_per_day = 50000;
  std::uint64_t seed = 1;
};

// An injected change of one metric over [start, end): counts are multiplied by factor.
// Metrics: feed_users, views, likes, ctr (likes only), messenger_users, messages_sent.
// `slice` "" changes everyone (in the plan's counts); "dimension=value" (os=Android,
// gender=1, age=18-24, source=ads, country=Russia) changes only the events of the
// users in that slice, which the simulator does inside ClickHouse (simulator.h): the
// plan's counts ignore such an anomaly.
struct Anomaly {
  std::string metric;
  EpochSeconds start = 0;
  EpochSeconds end = 0;
  double factor = 1.0;
  std::string slice;
};

// The user attributes a slice-targeted anomaly may name (the simulator's columns).
inline const std::vector<std::string> kAnomalySliceDimensions = {"os", "gender", "age", "source",
                                                                 "country"};

// Why `slice` cannot target an anomaly, or "" when it can ("" = everyone can):
// "dimension=value" with a dimension of kAnomalySliceDimensions and a non-empty
// value; gender a number; age one of `age_labels` (config age_bucket_labels).
std::string anomaly_slice_problem(std::string_view slice,
                                  const std::vector<std::string>& age_labels);

// ("os", "Android") of "os=Android"; ("", "") for "" or a slice without '='.
std::pair<std::string, std::string> split_slice(std::string_view slice);

struct BucketCounts {
  int bucket = 0;               // index from the day's start
  std::int64_t views = 0;
  std::int64_t likes = 0;
  std::int64_t messages = 0;
  // Share of the day's users who can act in this bucket (an injected
  // feed_users / messenger_users drop removes users, not just events).
  double feed_user_share = 1.0;
  double sender_share = 1.0;
};

struct DayPlan {
  Days day;
  EpochSeconds begin = 0;       // day start in the business zone
  int active_users = 0;         // users 1..active_users can act in the feed this day
  int active_senders = 0;       // users 1..active_senders use the messenger (a share of them)
  std::vector<BucketCounts> buckets;
};

// Activity weight of a local hour of day (night low, lunch bump, evening peak).
double daily_curve(double hour);

DayPlan plan_day(const SimParams& params, int day_index, const date::time_zone* zone,
                 const std::vector<Anomaly>& anomalies);

bool is_known_anomaly_metric(std::string_view metric);

// A fixed, varied set of drops and spikes spread over the simulated range.
std::vector<Anomaly> default_anomalies(const SimParams& params, const date::time_zone* zone);

// CSV with header `metric,start,end,factor[,slice]`, times local "YYYY-MM-DD HH:MM[:SS]"
// (files without the slice column, from older vigils, read as everyone's anomalies);
// a slice is checked by anomaly_slice_problem with `age_labels`.
Result<std::vector<Anomaly>> parse_anomalies_csv(std::string_view text, std::string_view source_name,
                                                 const date::time_zone* zone,
                                                 const std::vector<std::string>& age_labels);
std::string anomalies_csv(const std::vector<Anomaly>& anomalies, const date::time_zone* zone);

}  // namespace vigil
