// One incident, one message (pure). Everything that fires, repeats or goes
// back to normal in one bucket is one incident: with slices watched, one drop
// of views moves views, likes and their slices at once, and 30 messages in the
// same minute bury the one that matters. The incident's message is its main
// alert in full (alert_html: value, band, Where line, link, chart) followed by
// one short line per other slice and action, e.g.
//   "🚨 all users: Likes −68%, CTR −12%"
//   "🚨 slices alerting with it: os=Android, age=18-24"   (metrics alerting for all users)
//   "🚨 os=iOS: Messages sent −50%"                        (a slice alone in its metric)
//   "✅ all users (back to normal): Messages sent"
#pragma once

#include <string>
#include <vector>

#include "alert/state.h"

namespace vigil {

// How messages are grouped ([alerts] group): one per bucket (default), one per
// metric and bucket (the metric with its slices), or one per alert.
enum class AlertGrouping { kBucket, kMetric, kAlert };

// One alert of an incident: what was judged and what was decided.
struct IncidentAlert {
  Evaluation evaluation;
  AlertAction action = AlertAction::kNone;
};

// The index of the alert the message is about: fire and repeat before back to
// normal, all users before a slice, a new fire before a repeat, a count before
// a ratio (CTR moves because views or likes did: lead with the cause), then the
// largest relative deviation, then the first. `alerts` is not empty.
std::size_t main_alert(const std::vector<IncidentAlert>& alerts);

// The lines that follow the main alert's text ("" when it is alone): the
// other alerts grouped by action and slice (fires, reminders, back to normal;
// all users first, then the slice that moved most), the slices of metrics that
// alert for all users named in one line; at most `max_lines` lines, then
// "… and N more: see the dashboard" (N alerts).
std::string incident_more_html(const std::vector<IncidentAlert>& alerts, std::size_t main,
                               int max_lines = 8);

// How many messages `alerts` (any buckets; "none" actions ignored) go out in
// with `grouping`: for backtests' "127 alerts in 23 messages".
std::size_t message_count(const std::vector<IncidentAlert>& alerts, AlertGrouping grouping);

}  // namespace vigil
