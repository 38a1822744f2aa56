// The dashboard's pages as HTML (pure): each takes the values it shows, so
// what a page says is tested without a server. Numbers are formatted as in
// the report and the alerts.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alert/alert_chart.h"
#include "alert/breakdown.h"
#include "alert/feedback.h"
#include "alert/store.h"
#include "metrics/daily.h"
#include "schedule/history.h"
#include "web/dashboard.h"

namespace vigil {

struct OverviewView {
  Days day;
  std::vector<DailyMetrics> days;        // ending at `day`, at least 8 for the changes
  std::vector<std::string> columns;      // slice table value columns
  std::vector<SliceRow> rows;            // sorted as shown
  std::string sort = "dimension", order = "asc";
  std::string slices_error;              // why the slice table is missing, if it is
};
std::string overview_page(const OverviewView& view);

// Sorts slice rows by "dimension" (then value) or a value column; `order` asc|desc.
void sort_slices(std::vector<SliceRow>& rows, const std::string& column, const std::string& order);

struct MetricView {
  MetricDay day;
  std::string method;                 // the detector ("" = none configured)
  std::optional<int> marker;          // bucket index within the day
  std::vector<AlertRecord> alerts;    // fired/repeated/resolved this day, this metric and slice
  std::map<std::int64_t, Feedback> verdicts;  // of those alerts, by record id (record_verdicts)
  std::vector<std::string> slices;    // slices of that day ("os=iOS"), for the picker
  // For the marked bucket of all users: where the change is, per explain_by slice.
  std::optional<MetricBreakdown> breakdown;
  std::string breakdown_error;        // why it is missing, if it is
};
std::string metric_page(const MetricView& view, const date::time_zone* zone);

struct AlertsView {
  std::string metric, action;         // "" = any
  Days from, to;                      // inclusive
  std::vector<AlertRecord> alerts;
  bool truncated = false;             // more rows than shown
  std::map<std::int64_t, Feedback> verdicts;          // by record id (record_verdicts)
  std::map<std::string, FeedbackCounts> feedback;     // per metric, all fires of the range
  std::vector<Silence> silences;      // not over yet at `now`
  EpochSeconds now = 0;
};
std::string alerts_page(const AlertsView& view, const date::time_zone* zone);

struct RunsView {
  std::string job, status;            // "" = any
  int limit = 100;
  std::vector<RunRecord> runs;
};
std::string runs_page(const RunsView& view, const date::time_zone* zone);

// A page that says what was wrong with the request (400) or the data (503).
std::string error_page(const std::string& active, const std::string& message);

}  // namespace vigil
