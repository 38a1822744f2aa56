#include "report/report_text.h"

#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "base/strings.h"
#include "chart/format.h"
#include "telegram/text.h"

namespace vigil {
namespace {

struct MetricLine {
  const char* label;
  std::function<std::optional<double>(const DailyMetrics&)> value;
  std::string (*format)(double);
};

std::optional<double> when(bool present, std::int64_t value) {
  if (!present) return std::nullopt;
  return static_cast<double>(value);
}

std::string count_text(double v) { return chart::format_number(v); }
std::string percent_text(double v) { return chart::format_percent(v, 2); }
std::string ratio_text(double v) { return chart::format_ratio(v, 2); }

const std::vector<MetricLine>& feed_lines() {
  static const std::vector<MetricLine> kLines = {
      {"Active users", [](const DailyMetrics& m) { return when(m.has_feed, m.feed_users); },
       count_text},
      {"Views", [](const DailyMetrics& m) { return when(m.has_feed, m.views); }, count_text},
      {"Likes", [](const DailyMetrics& m) { return when(m.has_feed, m.likes); }, count_text},
      {"CTR", [](const DailyMetrics& m) { return m.ctr(); }, percent_text}};
  return kLines;
}

const std::vector<MetricLine>& messenger_lines() {
  static const std::vector<MetricLine> kLines = {
      {"Active users",
       [](const DailyMetrics& m) { return when(m.has_messages, m.messenger_users); }, count_text},
      {"Messages sent",
       [](const DailyMetrics& m) { return when(m.has_messages, m.messages_sent); }, count_text},
      {"Senders / receivers", [](const DailyMetrics& m) { return m.sent_received_ratio(); },
       ratio_text}};
  return kLines;
}

// The entry `days_back` before the last one, if the input has it.
const DailyMetrics* back(const ReportInput& input, int days_back) {
  const int index = static_cast<int>(input.days.size()) - 1 - days_back;
  if (index < 0) return nullptr;
  const DailyMetrics& m = input.days[index];
  return m.day == input.day - date::days{days_back} ? &m : nullptr;
}

std::string section(const ReportInput& input, const char* title,
                    const std::vector<MetricLine>& lines) {
  const DailyMetrics* today = back(input, 0);
  const DailyMetrics* yesterday = back(input, 1);
  const DailyMetrics* week_ago = back(input, 7);
  auto value_of = [](const MetricLine& line, const DailyMetrics* m) -> std::optional<double> {
    return m == nullptr ? std::nullopt : line.value(*m);
  };
  std::string out = fmt::format("<b>{}</b>\n", title);
  for (const auto& line : lines) {
    const auto current = value_of(line, today);
    if (!current) {
      out += fmt::format("{}: no data\n", line.label);
      continue;
    }
    out += fmt::format("{}: <b>{}</b>  {} d/d · {} w/w\n", line.label,
                       html_escape(line.format(*current)),
                       change_text(current, value_of(line, yesterday)),
                       change_text(current, value_of(line, week_ago)));
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
  out += "\n" + section(input, "Feed", feed_lines());
  out += "\n" + section(input, "Messenger", messenger_lines());
  if (!input.dashboard_url.empty()) {
    out += fmt::format("\n<a href=\"{}\">Open the dashboard</a>",
                       html_escape(dashboard_link(input.dashboard_url, input.day)));
  }
  return out;
}

}  // namespace vigil
