// The dashboard's JSON (pure): what /api/... returns, from the same values the
// pages show. Missing values are null; times are local "YYYY-MM-DD HH:MM" in
// the business zone. The shapes are documented in the README.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "alert/alert_chart.h"
#include "alert/feedback.h"
#include "alert/store.h"
#include "metrics/daily.h"
#include "schedule/history.h"
#include "web/dashboard.h"

namespace vigil {

// {"date", "metrics": [{name, title, value, previous, week_ago}], "days": [{date, <metric>...}]};
// `days` ends at `day` (older first); previous/week_ago look 1 and 7 days back.
std::string overview_json(Days day, const std::vector<DailyMetrics>& days);

// {"date", "columns": [...], "rows": [{dimension, dimension_value, <column>...}]}
std::string slices_json(Days day, const std::vector<std::string>& columns,
                        const std::vector<SliceRow>& rows);

// event_date,dimension,dimension_value,<columns> with one line per row (RFC 4180 quoting).
std::string slices_csv(Days day, const std::vector<std::string>& columns,
                       const std::vector<SliceRow>& rows);

// {"metric", "title", "slice", "date", "bucket_minutes", "method",
//  "buckets": [{time, value, expected, lower, upper, score, ready, anomaly, yesterday, week_ago}],
//  "alerts": [...as alerts_json]}
std::string series_json(const MetricDay& day, const std::string& method,
                        const std::vector<AlertRecord>& alerts,
                        const std::map<std::int64_t, Feedback>& verdicts,
                        const date::time_zone* zone);

// {"alerts": [{id, metric, slice, bucket, action, value, expected, lower, upper, score,
//  delivered, error, url, verdict, verdict_by}], "feedback": {<metric>: {alerts, real,
//  false, unjudged, precision}}}; url = the metric page at the bucket; verdict "real",
//  "false" or null (nobody judged it), from `verdicts` by record id; precision null
//  when none was judged.
std::string alerts_json(const std::vector<AlertRecord>& alerts,
                        const std::map<std::int64_t, Feedback>& verdicts,
                        const std::map<std::string, FeedbackCounts>& feedback,
                        const date::time_zone* zone);

// {"runs": [{id, job, target, status, attempt, scheduled_for, started, ended,
//  duration_seconds, error, detail}]}
std::string runs_json(const std::vector<RunRecord>& runs, const date::time_zone* zone);

// {"error": message}
std::string error_json(const std::string& message);

// Whether `path` is a JSON endpoint (/api/...), whose errors are JSON too.
bool is_api_path(const std::string& path);

// The metric page at an alert's bucket: /metric?metric=..&date=..&time=..[&slice=..].
std::string metric_page_link(const std::string& metric, const std::string& slice,
                             EpochSeconds bucket, const date::time_zone* zone);

}  // namespace vigil
