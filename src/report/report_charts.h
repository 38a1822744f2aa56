// The daily report's two pictures as chart specs (pure): the feed (active users,
// views, likes, CTR) and the messenger (active users, messages sent,
// senders/receivers), 7 days ending the reported day.
#pragma once

#include <vector>

#include "chart/chart.h"
#include "metrics/daily.h"

namespace vigil {

inline constexpr int kReportChartDays = 7;

// `days`: consecutive days ending at the reported day; the last `shown` are drawn
// (the dashboard also draws 30).
chart::ChartSpec feed_chart_spec(const std::vector<DailyMetrics>& days,
                                 int shown = kReportChartDays);
chart::ChartSpec messenger_chart_spec(const std::vector<DailyMetrics>& days,
                                      int shown = kReportChartDays);

}  // namespace vigil
