#include "report/report_text.h"

#include <cmath>

#include <fmt/format.h>

#include "base/strings.h"
#include "chart/format.h"
#include "telegram/text.h"

namespace vigil {
namespace {

// The entry `days_back` before the last one, if the input has it.
const DailyMetrics* back(const ReportInput& input, int days_back) {
  const int index = static_cast<int>(input.days.size()) - 1 - days_back;
  if (index < 0) return nullptr;
  const DailyMetrics& m = input.days[index];
  return m.day == input.day - date::days{days_back} ? &m : nullptr;
}

// The reported metrics of `source` (config/metric_catalog.h), in catalogue order.
std::string section(const ReportInput& input, MetricSource source) {
  const DailyMetrics* today = back(input, 0);
  const DailyMetrics* yesterday = back(input, 1);
  const DailyMetrics* week_ago = back(input, 7);
  std::string out = fmt::format("<b>{}</b>\n", source_title(source));
  for (const auto& row : metric_catalog()) {
    if (!row.reported || row.source != source) continue;
    auto value_of = [&](const DailyMetrics* m) -> std::optional<double> {
      return m == nullptr ? std::nullopt : daily_value(*m, row.name);
    };
    const auto current = value_of(today);
    if (!current) {
      out += fmt::format("{}: no data\n", row.report_label);
      continue;
    }
    out += fmt::format("{}: <b>{}</b>  {} d/d · {} w/w\n", row.report_label,
                       html_escape(chart::format_value(*current, row.format, 2)),
                       change_text(current, value_of(yesterday)),
                       change_text(current, value_of(week_ago)));
  }
  return out;
}

}  // namespace

std::string change_text(std::optional<double> current, std::optional<double> previous) {
  if (!current || !previous || *previous == 0) return "—";
  const double pct = (*current - *previous) / std::fabs(*previous) * 100.0;
  const std::string magnitude = chart::format_ratio(std::fabs(pct), 1);
  if (magnitude == "0.0") return "= 0.0%";
  return fmt::format("{} {}%", pct > 0 ? "▲" : "▼", magnitude);
}

std::string dashboard_link(const std::string& url_template, Days day) {
  return replace_all(url_template, "{date}", format_date(day));
}

std::string report_html(const ReportInput& input) {
  std::string out = fmt::format("<b>Daily report · {}</b>\n", date::format("%a %d.%m.%Y", input.day));
  if (!input.late_note.empty()) out += fmt::format("<i>{}</i>\n", html_escape(input.late_note));
  out += "\n" + section(input, MetricSource::kFeed);
  out += "\n" + section(input, MetricSource::kMessages);
  if (!input.dashboard_url.empty()) {
    out += fmt::format("\n<a href=\"{}\">Open the dashboard</a>",
                       html_escape(dashboard_link(input.dashboard_url, input.day)));
  }
  return out;
}

}  // namespace vigil
