#include "web/api_json.h"

#include <cmath>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "alert/message.h"
#include "base/strings.h"

namespace vigil {
namespace {

using nlohmann::json;

json number(double value) { return std::isfinite(value) ? json(value) : json(); }
json number(std::optional<double> value) { return value ? number(*value) : json(); }

std::string minutes_text(EpochSeconds instant, const date::time_zone* zone) {
  return format_local_time(instant, zone).substr(0, 16);
}

json day_json(const DailyMetrics& m) {
  json j = {{"date", format_date(m.day)}};
  for (const auto& name : daily_metric_names()) j[name] = number(daily_value(m, name));
  j["receivers"] = m.has_messages ? json(m.receivers) : json();
  return j;
}

json alert_json(const AlertRecord& r, const std::map<std::int64_t, Feedback>& verdicts,
                const date::time_zone* zone) {
  const Evaluation& e = r.evaluation;
  const auto v = verdicts.find(r.id);
  const bool judged = v != verdicts.end();
  return {{"id", r.id},
          {"metric", e.key.metric},
          {"slice", e.key.slice},
          {"bucket", minutes_text(e.bucket, zone)},
          {"action", alert_action_name(r.action)},
          {"value", number(e.value)},
          {"expected", number(e.expected)},
          {"lower", number(e.lower)},
          {"upper", number(e.upper)},
          {"score", number(e.score)},
          {"delivered", r.delivered},
          {"error", r.error},
          {"url", metric_page_link(e.key.metric, e.key.slice, e.bucket, zone)},
          {"verdict", judged ? json(verdict_name(v->second.verdict)) : json()},
          {"verdict_by", judged ? json(v->second.by) : json()}};
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string metric_page_link(const std::string& metric, const std::string& slice,
                             EpochSeconds bucket, const date::time_zone* zone) {
  const std::string local = format_local_time(bucket, zone);
  std::string url = fmt::format("/metric?metric={}&date={}&time={}", url_encode(metric),
                                local.substr(0, 10), local.substr(11, 5));
  if (!slice.empty()) url += "&slice=" + url_encode(slice);
  return url;
}

std::string overview_json(Days day, const std::vector<DailyMetrics>& days) {
  json metrics = json::array();
  for (const auto& name : daily_metric_names()) {
    auto value = [&](int n) { return number(daily_value(days, day - date::days{n}, name)); };
    metrics.push_back({{"name", name},
                       {"title", metric_title(name)},
                       {"value", value(0)},
                       {"previous", value(1)},
                       {"week_ago", value(7)}});
  }
  json list = json::array();
  for (const auto& m : days) list.push_back(day_json(m));
  return json{{"date", format_date(day)}, {"metrics", metrics}, {"days", list}}.dump();
}

std::string slices_json(Days day, const std::vector<std::string>& columns,
                        const std::vector<SliceRow>& rows) {
  json list = json::array();
  for (const auto& row : rows) {
    json j = {{"dimension", row.dimension}, {"dimension_value", row.dimension_value}};
    for (const auto& c : columns) {
      auto it = row.values.find(c);
      j[c] = it == row.values.end() ? json() : json(it->second);
    }
    list.push_back(j);
  }
  return json{{"date", format_date(day)}, {"columns", columns}, {"rows", list}}.dump();
}

std::string slices_csv(Days day, const std::vector<std::string>& columns,
                       const std::vector<SliceRow>& rows) {
  std::string out = "event_date,dimension,dimension_value";
  for (const auto& c : columns) out += "," + csv_field(c);
  out += "\r\n";
  for (const auto& row : rows) {
    out += fmt::format("{},{},{}", format_date(day), csv_field(row.dimension),
                       csv_field(row.dimension_value));
    for (const auto& c : columns) {
      auto it = row.values.find(c);
      out += "," + (it == row.values.end() ? std::string() : std::to_string(it->second));
    }
    out += "\r\n";
  }
  return out;
}

std::string series_json(const MetricDay& day, const std::string& method,
                        const std::vector<AlertRecord>& alerts,
                        const std::map<std::int64_t, Feedback>& verdicts,
                        const date::time_zone* zone) {
  json buckets = json::array();
  for (const DayBucket& b : day.buckets) {
    buckets.push_back({{"time", format_local_hhmm(b.start, zone)},
                       {"value", number(b.value)},
                       {"expected", number(b.expected)},
                       {"lower", number(b.lower)},
                       {"upper", number(b.upper)},
                       {"score", b.ready ? number(b.score) : json()},
                       {"ready", b.ready},
                       {"anomaly", b.anomaly},
                       {"yesterday", number(b.yesterday)},
                       {"week_ago", number(b.week_ago)}});
  }
  json fired = json::array();
  for (const auto& r : alerts) fired.push_back(alert_json(r, verdicts, zone));
  return json{{"metric", day.key.first},
              {"title", metric_title(day.key.first)},
              {"slice", day.key.second},
              {"date", format_date(day.day)},
              {"bucket_minutes", day.bucket_seconds / 60},
              {"method", method},
              {"buckets", buckets},
              {"alerts", fired}}
      .dump();
}

std::string alerts_json(const std::vector<AlertRecord>& alerts,
                        const std::map<std::int64_t, Feedback>& verdicts,
                        const std::map<std::string, FeedbackCounts>& feedback,
                        const date::time_zone* zone) {
  json list = json::array();
  for (const auto& r : alerts) list.push_back(alert_json(r, verdicts, zone));
  json counts = json::object();
  for (const auto& [metric, c] : feedback) {
    counts[metric] = {{"alerts", c.alerts()},
                      {"real", c.real},
                      {"false", c.false_alarm},
                      {"unjudged", c.unjudged},
                      {"precision", number(c.precision())}};
  }
  return json{{"alerts", list}, {"feedback", counts}}.dump();
}

std::string runs_json(const std::vector<RunRecord>& runs, const date::time_zone* zone) {
  json list = json::array();
  auto local = [&](double epoch) {
    return format_local_time(static_cast<EpochSeconds>(std::floor(epoch)), zone);
  };
  for (const auto& r : runs) {
    list.push_back({{"id", r.id},
                    {"job", r.job},
                    {"target", r.target},
                    {"status", run_status_name(r.status)},
                    {"attempt", r.attempt},
                    {"scheduled_for", format_local_time(r.scheduled_for, zone)},
                    {"started", local(r.started)},
                    {"ended", r.ended > 0 ? json(local(r.ended)) : json()},
                    {"duration_seconds", r.ended > 0 ? json(r.ended - r.started) : json()},
                    {"error", r.error},
                    {"detail", r.detail}});
  }
  return json{{"runs", list}}.dump();
}

std::string error_json(const std::string& message) { return json{{"error", message}}.dump(); }

bool is_api_path(const std::string& path) { return path.rfind("/api/", 0) == 0; }

}  // namespace vigil
