#include "alert/incident.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/strings.h"
#include "config/metric_catalog.h"

namespace vigil {
namespace {

// |value - expected| / |expected|, 0 when there is no forecast to compare with.
double relative_change(const Evaluation& e) {
  if (!std::isfinite(e.value) || !std::isfinite(e.expected) || e.expected == 0) return 0;
  return std::fabs(e.value - e.expected) / std::fabs(e.expected);
}

int action_rank(AlertAction action) {
  switch (action) {
    case AlertAction::kFire: return 0;
    case AlertAction::kRepeat: return 1;
    default: return 2;
  }
}

// "Views −71%", "CTR +12%", "Views too low" without a forecast; the title
// alone for back to normal.
std::string alert_part(const IncidentAlert& alert) {
  const Evaluation& e = alert.evaluation;
  const std::string title = html_escape(metric_title(e.key.metric));
  if (alert.action == AlertAction::kResolve) return title;
  const double change = relative_change(e);
  const bool up = e.value > e.upper;
  if (change == 0) return fmt::format("{} too {}", title, up ? "high" : "low");
  return fmt::format("{} {}{:.0f}%", title, up ? "+" : "−", change * 100);
}

std::string line_head(AlertAction action, const std::string& slice) {
  const std::string who = slice.empty() ? "all users" : html_escape(slice);
  if (action == AlertAction::kRepeat) return fmt::format("🔁 {} (still)", who);
  if (action == AlertAction::kResolve) return fmt::format("✅ {} (back to normal)", who);
  return fmt::format("🚨 {}", who);
}

}  // namespace

std::size_t main_alert(const std::vector<IncidentAlert>& alerts) {
  auto rank = [](const IncidentAlert& a) {
    const bool resolve = a.action == AlertAction::kResolve;
    const MetricDef* row = find_metric(a.evaluation.key.metric);
    const bool ratio = row != nullptr && row->kind == MetricKind::kRatio;
    return std::make_tuple(resolve, !a.evaluation.key.slice.empty(), action_rank(a.action), ratio,
                           -relative_change(a.evaluation));
  };
  std::size_t best = 0;
  for (std::size_t i = 1; i < alerts.size(); ++i) {
    if (rank(alerts[i]) < rank(alerts[best])) best = i;
  }
  return best;
}

namespace {

// One line of the list: its place, its text and how many alerts it carries.
struct Line {
  std::tuple<int, bool, double> order;  // action, slice line, −largest change
  std::string text;
  int alerts = 0;
};

double largest_change(const std::vector<const IncidentAlert*>& alerts) {
  double most = 0;
  for (const auto* a : alerts) most = std::max(most, relative_change(a->evaluation));
  return most;
}

// "🚨 os=Android: Views −71%, Likes −69%": one action and slice, largest change first.
Line alerts_line(std::vector<const IncidentAlert*> alerts) {
  std::stable_sort(alerts.begin(), alerts.end(), [](const auto* a, const auto* b) {
    return relative_change(a->evaluation) > relative_change(b->evaluation);
  });
  std::vector<std::string> parts;
  for (const auto* a : alerts) parts.push_back(alert_part(*a));
  const auto& first = *alerts.front();
  return {{action_rank(first.action), !first.evaluation.key.slice.empty(), -largest_change(alerts)},
          fmt::format("{}: {}", line_head(first.action, first.evaluation.key.slice),
                      fmt::join(parts, ", ")),
          static_cast<int>(alerts.size())};
}

// The slices whose alerts move with an all-users alert of the same metric
// (what the Where line explains): named once each, largest change first.
Line moving_slices_line(const std::vector<const IncidentAlert*>& alerts) {
  std::map<std::string, double> change;
  for (const auto* a : alerts) {
    double& c = change[a->evaluation.key.slice];
    c = std::max(c, relative_change(a->evaluation));
  }
  std::vector<std::pair<std::string, double>> slices(change.begin(), change.end());
  std::stable_sort(slices.begin(), slices.end(),
                   [](const auto& x, const auto& y) { return x.second > y.second; });
  constexpr std::size_t kNamed = 6;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < slices.size() && i < kNamed; ++i) {
    names.push_back(html_escape(slices[i].first));
  }
  std::string text = fmt::format("🚨 slices alerting with it: {}", fmt::join(names, ", "));
  if (slices.size() > kNamed) text += fmt::format(" and {} more", slices.size() - kNamed);
  return {{0, true, -std::numeric_limits<double>::infinity()}, text,
          static_cast<int>(alerts.size())};
}

std::vector<Line> incident_lines(const std::vector<IncidentAlert>& alerts, std::size_t main) {
  // Metrics alerting for all users here: their slices' fires and repeats go in one line.
  std::set<std::string> for_all;
  for (const auto& a : alerts) {
    if (a.evaluation.key.slice.empty() && a.action != AlertAction::kResolve) {
      for_all.insert(a.evaluation.key.metric);
    }
  }
  std::map<std::pair<int, std::string>, std::vector<const IncidentAlert*>> by_slice;
  std::vector<const IncidentAlert*> moving;
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    const auto& a = alerts[i];
    if (i == main || a.action == AlertAction::kNone) continue;
    const bool with_all = !a.evaluation.key.slice.empty() && a.action != AlertAction::kResolve &&
                          for_all.count(a.evaluation.key.metric);
    if (with_all) {
      moving.push_back(&a);
    } else {
      by_slice[{action_rank(a.action), a.evaluation.key.slice}].push_back(&a);
    }
  }
  std::vector<Line> lines;
  for (auto& [key, line] : by_slice) lines.push_back(alerts_line(line));
  if (!moving.empty()) lines.push_back(moving_slices_line(moving));
  std::stable_sort(lines.begin(), lines.end(),
                   [](const Line& x, const Line& y) { return x.order < y.order; });
  return lines;
}

}  // namespace

std::size_t message_count(const std::vector<IncidentAlert>& alerts, AlertGrouping grouping) {
  std::set<std::pair<EpochSeconds, std::string>> messages;
  std::size_t alone = 0;
  for (const auto& a : alerts) {
    if (a.action == AlertAction::kNone) continue;
    if (grouping == AlertGrouping::kAlert) {
      ++alone;
    } else {
      messages.insert({a.evaluation.bucket,
                       grouping == AlertGrouping::kMetric ? a.evaluation.key.metric : ""});
    }
  }
  return alone + messages.size();
}

std::string incident_more_html(const std::vector<IncidentAlert>& alerts, std::size_t main,
                               int max_lines) {
  const std::vector<Line> lines = incident_lines(alerts, main);
  if (lines.empty()) return "";
  std::string out = "\nAlso in this bucket:";
  int left = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (static_cast<int>(i) < max_lines) {
      out += "\n" + lines[i].text;
    } else {
      left += lines[i].alerts;
    }
  }
  if (left > 0) out += fmt::format("\n… and {} more: see the dashboard", left);
  return out;
}

}  // namespace vigil
