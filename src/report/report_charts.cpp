#include "report/report_charts.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace vigil {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

std::vector<DailyMetrics> last_days(const std::vector<DailyMetrics>& days, int shown) {
  const size_t n = std::min<size_t>(days.size(), static_cast<size_t>(std::max(shown, 1)));
  return {days.end() - static_cast<long>(n), days.end()};
}

chart::Panel panel(const std::vector<DailyMetrics>& days, const MetricDef& row) {
  chart::Line line;
  line.name = row.chart_label;
  line.value_labels = true;
  for (const auto& d : days) line.values.push_back(daily_value(d, row.name).value_or(kMissing));
  chart::Panel p;
  p.title = row.chart_label;
  p.format = row.format;
  p.lines.push_back(std::move(line));
  return p;
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

// The spec of `source`'s table with a panel per reported metric of it
// (config/metric_catalog.h), in catalogue order.
chart::ChartSpec source_spec(const std::vector<DailyMetrics>& all_days, int shown,
                             MetricSource source) {
  const auto days = last_days(all_days, shown);
  auto spec = base_spec(days, source_title(source));
  for (const auto& row : metric_catalog()) {
    if (row.reported && row.source == source) spec.panels.push_back(panel(days, row));
  }
  return spec;
}

}  // namespace

chart::ChartSpec feed_chart_spec(const std::vector<DailyMetrics>& all_days, int shown) {
  return source_spec(all_days, shown, MetricSource::kFeed);
}

chart::ChartSpec messenger_chart_spec(const std::vector<DailyMetrics>& all_days, int shown) {
  return source_spec(all_days, shown, MetricSource::kMessages);
}

}  // namespace vigil
