#include "sim/plan.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/parse.h"
#include "config/metric_catalog.h"

namespace vigil {
namespace {

// splitmix64: a small, well-mixed deterministic generator.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Uniform in [0, 1) from a few integers.
double unit(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  return static_cast<double>(mix(mix(mix(a) ^ b) ^ c) >> 11) / 9007199254740992.0;
}

// Approximately normal noise (sum of uniforms), mean 0, sd 1.
double noise(std::uint64_t seed, std::uint64_t day, std::uint64_t key) {
  double sum = 0;
  for (std::uint64_t i = 0; i < 6; ++i) sum += unit(seed, day * 1000 + key, i);
  return (sum - 3.0) / std::sqrt(0.5);
}

// Share of the active users who also write messages.
constexpr double kMessengerShare = 0.3;

// Multiplier of the weekday (Monday = 0) for feed and messages.
constexpr double kFeedWeekday[] = {1.00, 0.98, 0.97, 0.99, 1.04, 1.12, 1.10};
constexpr double kMessageWeekday[] = {1.00, 1.01, 1.00, 1.00, 1.06, 0.94, 0.91};

struct Factors {
  double views = 1, likes = 1, messages = 1;
  double feed_users = 1, senders = 1;
};

Factors anomaly_factors(const std::vector<Anomaly>& anomalies, EpochSeconds bucket_start) {
  Factors f;
  for (const auto& a : anomalies) {
    // A slice's anomaly changes that slice's events in ClickHouse, not the plan.
    if (!a.slice.empty() || bucket_start < a.start || bucket_start >= a.end) continue;
    if (a.metric == "feed_users" || a.metric == "views") f.views *= a.factor;
    if (a.metric == "feed_users" || a.metric == "likes" || a.metric == "ctr") f.likes *= a.factor;
    if (a.metric == "messenger_users" || a.metric == "messages_sent") f.messages *= a.factor;
    if (a.metric == "feed_users") f.feed_users *= a.factor;
    if (a.metric == "messenger_users") f.senders *= a.factor;
  }
  return f;
}

std::int64_t draw(double expected, double sd_share, std::uint64_t seed, std::uint64_t day,
                  std::uint64_t key) {
  // Poisson-like spread plus a few % of extra day-to-day noise.
  const double sd = std::sqrt(std::max(expected, 0.0)) + sd_share * expected;
  return std::max<std::int64_t>(0, std::llround(expected + sd * noise(seed, day, key)));
}

}  // namespace

double daily_curve(double hour) {
  // Distances wrap around midnight: the late-evening bump (centred at 00:30)
  // goes on after 00:00 instead of stopping there (a 9x step every midnight).
  auto bump = [&](double center, double width) {
    const double d = std::remainder(hour - center, 24.0);
    return std::exp(-d * d / (2 * width * width));
  };
  return 0.08 + 0.35 * bump(9.0, 1.5) + 0.55 * bump(13.5, 2.5) + 1.0 * bump(20.5, 2.2) +
         0.35 * bump(24.5, 1.5);
}

DayPlan plan_day(const SimParams& params, int day_index, const date::time_zone* zone,
                 const std::vector<Anomaly>& anomalies) {
  DayPlan plan;
  plan.day = params.from + date::days{day_index};
  plan.begin = day_start(plan.day, zone);
  const EpochSeconds end = day_start(plan.day + date::days{1}, zone);
  const int buckets = static_cast<int>((end - plan.begin) / kBucketSeconds);
  const double growth = 1.0 + 0.012 * day_index;
  // The user base grows too: users 1..active_users have joined by this day.
  plan.active_users = std::clamp(static_cast<int>(params.users * (0.8 + 0.012 * day_index)), 1,
                                 params.users);
  plan.active_senders = std::max(1, static_cast<int>(plan.active_users * kMessengerShare));
  const unsigned weekday = date::weekday{plan.day}.iso_encoding() - 1;
  const auto day_key = static_cast<std::uint64_t>(plan.day.time_since_epoch().count());
  const double ctr = 0.045 * (1.0 + 0.04 * noise(params.seed, day_key, 999999));

  std::vector<double> weights(buckets);
  double total_weight = 0;
  for (int b = 0; b < buckets; ++b) {
    const double hour = std::fmod((b + 0.5) * kBucketSeconds / 3600.0, 24.0);
    weights[b] = daily_curve(hour);
    total_weight += weights[b];
  }
  const double feed_day = params.feed_per_day * kFeedWeekday[weekday] * growth;
  const double message_day = params.messages_per_day * kMessageWeekday[weekday] * growth;
  for (int b = 0; b < buckets; ++b) {
    const EpochSeconds start = plan.begin + static_cast<EpochSeconds>(b) * kBucketSeconds;
    const Factors f = anomaly_factors(anomalies, start);
    const double share = weights[b] / total_weight;
    BucketCounts counts;
    counts.bucket = b;
    counts.views = draw(feed_day * share * (1 - ctr) * f.views, 0.02, params.seed, day_key, b * 3);
    counts.likes = draw(feed_day * share * ctr * f.likes, 0.02, params.seed, day_key, b * 3 + 1);
    counts.messages =
        draw(message_day * share * f.messages, 0.03, params.seed, day_key, b * 3 + 2);
    counts.feed_user_share = std::min(1.0, f.feed_users);
    counts.sender_share = std::min(1.0, f.senders);
    plan.buckets.push_back(counts);
  }
  return plan;
}

bool is_known_anomaly_metric(std::string_view metric) {
  const auto& names = alert_metric_names();
  return std::find(names.begin(), names.end(), metric) != names.end();
}

std::vector<Anomaly> default_anomalies(const SimParams& params, const date::time_zone* zone) {
  // (day offset from the start, local start hour, minute, length in buckets, metric, factor,
  // slice: "" everyone).
  struct Spec {
    int day_from_start;
    int hour, minute, buckets;
    const char* metric;
    double factor;
    const char* slice = "";
  };
  static const Spec kSpecs[] = {
      {2, 20, 30, 2, "views", 0.45},        {3, 11, 0, 1, "messages_sent", 2.6},
      {4, 14, 15, 3, "feed_users", 0.5},    {5, 21, 0, 2, "ctr", 0.5},
      {6, 9, 45, 2, "messenger_users", 0.35}, {7, 18, 0, 1, "likes", 2.2},
      {8, 16, 30, 4, "views", 1.8},         {9, 12, 15, 2, "messages_sent", 0.3},
      {10, 22, 0, 2, "feed_users", 0.6},    {11, 13, 0, 1, "ctr", 1.9},
      {12, 19, 45, 3, "messenger_users", 1.9}, {13, 10, 30, 2, "likes", 0.4},
      // One slice's outage on the last day, the one `vigil demo` replays through
      // the alerts: Android views -70 % for 45 minutes (all users' views about -43 %).
      {13, 20, 0, 3, "views", 0.3, "os=Android"},
  };
  std::vector<Anomaly> out;
  for (const auto& s : kSpecs) {
    if (s.day_from_start >= params.days) continue;
    const Days day = params.from + date::days{s.day_from_start};
    const EpochSeconds start =
        day_start(day, zone) + (s.hour * 60 + s.minute) * 60;  // zones without DST at these hours
    out.push_back({s.metric, start, start + s.buckets * kBucketSeconds, s.factor, s.slice});
  }
  return out;
}

std::pair<std::string, std::string> split_slice(std::string_view slice) {
  const auto eq = slice.find('=');
  if (eq == std::string_view::npos) return {};
  return {std::string(slice.substr(0, eq)), std::string(slice.substr(eq + 1))};
}

std::string anomaly_slice_problem(std::string_view slice,
                                  const std::vector<std::string>& age_labels) {
  if (slice.empty()) return "";
  const auto [dimension, value] = split_slice(slice);
  const auto& dims = kAnomalySliceDimensions;
  if (std::find(dims.begin(), dims.end(), dimension) == dims.end() || value.empty()) {
    return fmt::format("bad slice '{}': expected dimension=value with dimension one of {}", slice,
                       fmt::join(dims, ", "));
  }
  if (dimension == "gender" && !parse_int(value).ok()) {
    return fmt::format("bad slice '{}': gender is a number (0 or 1)", slice);
  }
  if (dimension == "age" && std::find(age_labels.begin(), age_labels.end(), value) ==
                                age_labels.end()) {
    return fmt::format("bad slice '{}': age is one of the configured buckets {}", slice,
                       fmt::join(age_labels, ", "));
  }
  return "";
}

Result<std::vector<Anomaly>> parse_anomalies_csv(std::string_view text,
                                                 std::string_view source_name,
                                                 const date::time_zone* zone,
                                                 const std::vector<std::string>& age_labels) {
  std::vector<Anomaly> out;
  std::istringstream in{std::string(text)};
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#' || (line_no == 1 && line.rfind("metric,", 0) == 0)) continue;
    auto bad = [&](const std::string& why) {
      return Error::usage(fmt::format("{}:{}: {} (expected metric,start,end,factor[,slice])",
                                      source_name, line_no, why));
    };
    std::vector<std::string> fields;
    std::istringstream fs(line);
    for (std::string f; std::getline(fs, f, ',');) fields.push_back(f);
    if (!line.empty() && line.back() == ',') fields.emplace_back();  // an empty slice
    if (fields.size() != 4 && fields.size() != 5) {
      return bad(fmt::format("{} fields", fields.size()));
    }
    if (!is_known_anomaly_metric(fields[0])) return bad(fmt::format("unknown metric '{}'", fields[0]));
    auto start = parse_local_time(fields[1], zone);
    auto end = parse_local_time(fields[2], zone);
    if (!start.ok()) return bad(start.error().message);
    if (!end.ok()) return bad(end.error().message);
    if (*end <= *start) return bad("end is not after start");
    const auto factor = parse_double(fields[3]);
    if (!factor.ok() || *factor < 0) return bad(fmt::format("bad factor '{}'", fields[3]));
    std::string slice = fields.size() == 5 ? fields[4] : "";
    if (auto problem = anomaly_slice_problem(slice, age_labels); !problem.empty()) {
      return bad(problem);
    }
    out.push_back({fields[0], *start, *end, *factor, std::move(slice)});
  }
  return out;
}

std::string anomalies_csv(const std::vector<Anomaly>& anomalies, const date::time_zone* zone) {
  std::string out = "metric,start,end,factor,slice\n";
  for (const auto& a : anomalies) {
    out += fmt::format("{},{},{},{},{}\n", a.metric, format_local_time(a.start, zone),
                       format_local_time(a.end, zone), a.factor, a.slice);
  }
  return out;
}

}  // namespace vigil
