// The daily report's message text (Telegram HTML), pure: metrics in, text out.
// Each metric shows its value and its change versus the day before and the
// same weekday a week before; a metric without data says so.
#pragma once

#include <string>
#include <vector>

#include "metrics/daily.h"

namespace vigil {

struct ReportInput {
  Days day;                          // the reported day
  std::vector<DailyMetrics> days;    // consecutive days ending at `day` (8 for both comparisons)
  std::string dashboard_url;         // empty: no link
  std::string late_note;             // e.g. "sent late: vigil was down at 11:00"; empty: none
};

std::string report_html(const ReportInput& input);

// "▲ 2.1%", "▼ 0.4%", "= 0.0%", or "—" when there is nothing to compare with.
std::string change_text(std::optional<double> current, std::optional<double> previous);

// The dashboard link with "{date}" replaced by YYYY-MM-DD.
std::string dashboard_link(const std::string& url_template, Days day);

}  // namespace vigil
