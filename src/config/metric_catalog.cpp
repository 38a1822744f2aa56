#include "config/metric_catalog.h"

#include <algorithm>

namespace vigil {
namespace {

// Designated initializers leave the fields a row does not need at their defaults;
// GCC's -Wextra would flag each one.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
std::vector<MetricDef> rows() {
  using F = ValueFormat;
  using S = MetricSource;
  using K = MetricKind;
  return {
      {.name = "feed_users", .title = "Feed active users", .report_label = "Active users",
       .chart_label = "Active users", .format = F::kInteger, .source = S::kFeed,
       .kind = K::kCount, .sql = "uniqExact(user_id)", .alerted = true, .reported = true},
      {.name = "views", .title = "Views", .report_label = "Views", .chart_label = "Views",
       .format = F::kInteger, .source = S::kFeed, .kind = K::kCount,
       .sql = "countIf(action = 'view')", .alerted = true, .reported = true},
      {.name = "likes", .title = "Likes", .report_label = "Likes", .chart_label = "Likes",
       .format = F::kInteger, .source = S::kFeed, .kind = K::kCount,
       .sql = "countIf(action = 'like')", .alerted = true, .reported = true},
      // A ratio (~0.045): count noise and a minimum volume make no sense for it.
      {.name = "ctr", .title = "CTR", .report_label = "CTR", .chart_label = "CTR",
       .format = F::kPercent, .source = S::kFeed, .kind = K::kRatio, .numerator = "likes",
       .denominator = "views", .alerted = true, .reported = true,
       .defaults = {{"seasonal", "poisson", "0"}, {"seasonal", "min_volume", "0"}}},
      {.name = "messenger_users", .title = "Messenger active users",
       .report_label = "Active users", .chart_label = "Active users (senders)",
       .format = F::kInteger, .source = S::kMessages, .kind = K::kCount,
       .sql = "uniqExact(user_id)", .alerted = true, .reported = true},
      {.name = "messages_sent", .title = "Messages sent", .report_label = "Messages sent",
       .chart_label = "Messages sent", .format = F::kInteger, .source = S::kMessages,
       .kind = K::kCount, .sql = "count()", .alerted = true, .reported = true},
      {.name = "sent_received_ratio", .title = "Senders / receivers",
       .report_label = "Senders / receivers", .chart_label = "Senders / receivers",
       .format = F::kRatio, .source = S::kMessages, .kind = K::kRatio,
       .numerator = "messenger_users", .denominator = "receivers", .reported = true},
      // Distinct receivers: only the denominator of sent_received_ratio.
      {.name = "receivers", .title = "Receivers", .format = F::kInteger, .source = S::kMessages,
       .kind = K::kCount, .sql = "uniqExact(receiver_id)"},
  };
}
#pragma GCC diagnostic pop

std::vector<std::string> names_where(bool MetricDef::*flag) {
  std::vector<std::string> out;
  for (const auto& row : metric_catalog()) {
    if (row.*flag) out.push_back(row.name);
  }
  return out;
}

}  // namespace

const std::vector<MetricDef>& metric_catalog() {
  static const std::vector<MetricDef> kRows = rows();
  return kRows;
}

const MetricDef* find_metric(std::string_view name) {
  const auto& all = metric_catalog();
  auto it =
      std::find_if(all.begin(), all.end(), [&](const MetricDef& r) { return r.name == name; });
  return it == all.end() ? nullptr : &*it;
}

const std::vector<std::string>& alert_metric_names() {
  static const std::vector<std::string> kNames = names_where(&MetricDef::alerted);
  return kNames;
}

const std::vector<std::string>& daily_metric_names() {
  static const std::vector<std::string> kNames = names_where(&MetricDef::reported);
  return kNames;
}

const char* source_name(MetricSource source) {
  return source == MetricSource::kFeed ? "feed" : "messages";
}

const char* source_title(MetricSource source) {
  return source == MetricSource::kFeed ? "Feed" : "Messenger";
}

std::string metric_title(const std::string& metric) {
  const MetricDef* row = find_metric(metric);
  return row == nullptr ? metric : row->title;
}

ValueFormat metric_format(const std::string& metric) {
  const MetricDef* row = find_metric(metric);
  return row == nullptr ? ValueFormat::kInteger : row->format;
}

std::map<std::string, std::string> default_detector_params(const std::string& metric,
                                                           const std::string& method) {
  std::map<std::string, std::string> out;
  if (const MetricDef* row = find_metric(metric)) {
    for (const auto& p : row->defaults) {
      if (p.method == method) out[p.name] = p.value;
    }
  }
  return out;
}

}  // namespace vigil
