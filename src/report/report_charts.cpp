#include "report/report_charts.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include <fmt/format.h>

namespace vigil {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

using Metric = std::function<std::optional<double>(const DailyMetrics&)>;

std::vector<DailyMetrics> last_days(const std::vector<DailyMetrics>& days, int shown) {
  const size_t n = std::min<size_t>(days.size(), static_cast<size_t>(std::max(shown, 1)));
  return {days.end() - static_cast<long>(n), days.end()};
}

chart::Panel panel(const std::vector<DailyMetrics>& days, const char* title,
                   chart::ValueFormat format, const Metric& metric) {
  chart::Line line;
  line.name = title;
  line.value_labels = true;
  for (const auto& d : days) line.values.push_back(metric(d).value_or(kMissing));
  chart::Panel p;
  p.title = title;
  p.format = format;
  p.lines.push_back(std::move(line));
  return p;
}

std::optional<double> when(bool present, std::int64_t value) {
  if (!present) return std::nullopt;
  return static_cast<double>(value);
}

chart::ChartSpec base_spec(const std::vector<DailyMetrics>& days, const char* what) {
  chart::ChartSpec spec;
  spec.columns = 2;
  for (const auto& d : days) spec.x_labels.push_back(
        chart::day_label(std::chrono::year_month_day{std::chrono::sys_days{d.day.time_since_epoch()}}));
  const std::string range =
      days.empty() ? "" : fmt::format("{} – {}", date::format("%d.%m", days.front().day),
                                      date::format("%d.%m.%Y", days.back().day));
  spec.title = fmt::format("{} · {}", what, range);
  return spec;
}

}  // namespace

chart::ChartSpec feed_chart_spec(const std::vector<DailyMetrics>& all_days, int shown) {
  const auto days = last_days(all_days, shown);
  auto spec = base_spec(days, "Feed");
  using F = chart::ValueFormat;
  spec.panels.push_back(panel(days, "Active users", F::kInteger,
                              [](const DailyMetrics& m) { return when(m.has_feed, m.feed_users); }));
  spec.panels.push_back(panel(days, "Views", F::kInteger,
                              [](const DailyMetrics& m) { return when(m.has_feed, m.views); }));
  spec.panels.push_back(panel(days, "Likes", F::kInteger,
                              [](const DailyMetrics& m) { return when(m.has_feed, m.likes); }));
  spec.panels.push_back(
      panel(days, "CTR", F::kPercent, [](const DailyMetrics& m) { return m.ctr(); }));
  return spec;
}

chart::ChartSpec messenger_chart_spec(const std::vector<DailyMetrics>& all_days, int shown) {
  const auto days = last_days(all_days, shown);
  auto spec = base_spec(days, "Messenger");
  using F = chart::ValueFormat;
  spec.panels.push_back(panel(days, "Active users (senders)", F::kInteger, [](const DailyMetrics& m) {
    return when(m.has_messages, m.messenger_users);
  }));
  spec.panels.push_back(panel(days, "Messages sent", F::kInteger, [](const DailyMetrics& m) {
    return when(m.has_messages, m.messages_sent);
  }));
  spec.panels.push_back(panel(days, "Senders / receivers", F::kRatio,
                              [](const DailyMetrics& m) { return m.sent_received_ratio(); }));
  return spec;
}

}  // namespace vigil
