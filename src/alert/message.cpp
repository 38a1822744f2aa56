#include "alert/message.h"

#include <cmath>

#include <fmt/format.h>

#include "base/strings.h"
#include "chart/format.h"
#include "telegram/text.h"

namespace vigil {
namespace {

// "20:30–20:45 Tue 24.11" in the business zone.
std::string bucket_text(EpochSeconds bucket, int bucket_seconds, const date::time_zone* zone) {
  const std::string start = format_local_time(bucket, zone);           // YYYY-MM-DD HH:MM:SS
  const std::string end = format_local_time(bucket + bucket_seconds, zone);
  const Days day = local_date(bucket, zone);
  return fmt::format("{}–{} {}", start.substr(11, 5), end.substr(11, 5),
                     date::format("%a %d.%m", day));
}

std::string slice_text(const std::string& slice) {
  return slice.empty() ? "all users" : html_escape(slice);
}

std::string deviation_text(const Evaluation& e) {
  if (!std::isfinite(e.expected) || e.expected == 0) return "";
  const double pct = (e.value - e.expected) / std::fabs(e.expected) * 100.0;
  return fmt::format(", {}{}% vs expected {}", pct >= 0 ? "+" : "−",
                     chart::format_ratio(std::fabs(pct), 1), metric_value_text(e.key.metric, e.expected));
}

}  // namespace

std::string metric_value_text(const std::string& metric, double value) {
  if (!std::isfinite(value)) return "no data";
  return chart::format_value(value, metric_format(metric), 2);
}

std::string alert_link(const std::string& url_template, const std::string& metric,
                       const std::string& slice, EpochSeconds bucket,
                       const date::time_zone* zone) {
  const std::string local = format_local_time(bucket, zone);
  std::string url = replace_all(url_template, "{metric}", metric);
  url = replace_all(url, "{slice}", url_encode(slice));
  url = replace_all(url, "{date}", local.substr(0, 10));
  return replace_all(url, "{time}", local.substr(11, 5));
}

std::string alert_html(const AlertMessageInput& in) {
  const Evaluation& e = in.evaluation;
  const std::string& metric = e.key.metric;
  const std::string title = html_escape(metric_title(metric));
  const std::string who = slice_text(e.key.slice);
  const std::string when = bucket_text(e.bucket, in.bucket_seconds, in.zone);
  const std::string value = metric_value_text(metric, e.value);
  const std::string band = fmt::format("{} – {}", metric_value_text(metric, e.lower),
                                       metric_value_text(metric, e.upper));
  const std::string since = format_local_hhmm(in.fired_at, in.zone);
  std::string out;
  if (in.action == AlertAction::kResolve) {
    out = fmt::format("✅ <b>{}</b> back to normal ({})\n{}: <b>{}</b>, expected {}\n"
                      "anomalous since {}",
                      title, who, when, value, band, since);
  } else {
    const bool repeat = in.action == AlertAction::kRepeat;
    out = fmt::format("{} <b>{}</b> {}too {} ({})\n{}: <b>{}</b>{}\nexpected {}", repeat ? "🔁" : "🚨",
                      title, repeat ? "still " : "", e.value > e.upper ? "high" : "low", who, when,
                      value, deviation_text(e), band);
    if (repeat) out += fmt::format("\nanomalous since {}", since);
    if (!in.where.empty()) out += "\n" + in.where;
  }
  out += in.more;
  if (!in.dashboard_url.empty()) {
    out += fmt::format("\n<a href=\"{}\">Open the dashboard</a>",
                       html_escape(alert_link(in.dashboard_url, metric, e.key.slice, e.bucket, in.zone)));
  }
  return out;
}

}  // namespace vigil
