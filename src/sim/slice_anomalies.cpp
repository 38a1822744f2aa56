#include "sim/slice_anomalies.h"

#include <fmt/format.h>

#include "clickhouse/client.h"
#include "metrics/slices.h"

namespace vigil {
namespace {

// A 64-bit hash as a uniform number in [0, 1).
constexpr const char* kTwoTo64 = "18446744073709551616.0";

// The events of `table` that `metric` counts: "" none, else a condition on kind.
std::string kind_condition(const std::string& metric, SimTable table) {
  const bool feed = table == SimTable::kFeed;
  if (metric == "feed_users") return feed ? "1" : "";
  if (metric == "views") return feed ? "kind = 0" : "";
  if (metric == "likes" || metric == "ctr") return feed ? "kind = 1" : "";
  if (metric == "messages_sent" || metric == "messenger_users") return feed ? "" : "1";
  return "";
}

// A users metric's drop removes users; everything else scales events.
bool removes_users(const Anomaly& a) {
  return (a.metric == "feed_users" || a.metric == "messenger_users") && a.factor < 1;
}

}  // namespace

std::string slice_condition_sql(const std::string& slice, const std::vector<int>& age_buckets) {
  const auto [dimension, value] = split_slice(slice);
  std::string column = dimension;
  if (dimension == "age") column = age_bucket_sql(age_buckets, "age");
  if (dimension == "gender") column = "toString(gender)";
  return fmt::format("{} = {}", column, sql_quote(value));
}

std::string event_copies_sql(const std::vector<Anomaly>& anomalies, const SliceEvents& events) {
  std::string factor = "1", keep;
  for (const auto& a : anomalies) {
    if (a.slice.empty() || a.end <= events.begin || a.start >= events.end) continue;
    const std::string kinds = kind_condition(a.metric, events.table);
    if (kinds.empty()) continue;
    const std::string when = fmt::format(
        "({kinds}) AND {sec} >= {start} AND {sec} < {end} AND {slice}", fmt::arg("kinds", kinds),
        fmt::arg("sec", events.second_sql), fmt::arg("start", a.start), fmt::arg("end", a.end),
        fmt::arg("slice", slice_condition_sql(a.slice, events.age_buckets)));
    if (removes_users(a)) {
      keep += fmt::format(" AND NOT ({} AND cityHash64({}, uid, {}, 7) / {} >= {:.6f})", when,
                          events.seed, a.start, kTwoTo64, a.factor);
    } else {
      factor += fmt::format(" * if({}, {:.6f}, 1.0)", when, a.factor);
    }
  }
  if (factor == "1" && keep.empty()) return "";
  return fmt::format(
      "toUInt32(if(1{keep}, floor({f}) + (cityHash64({s}, {d}, b, kind, k, 6) / {u} < {f} - "
      "floor({f})), 0))",
      fmt::arg("keep", keep), fmt::arg("f", "(" + factor + ")"), fmt::arg("s", events.seed),
      fmt::arg("d", events.day), fmt::arg("u", kTwoTo64));
}

}  // namespace vigil
