// The built-in dashboard of `vigil serve`: the pages the report's and the
// alerts' links land on, their JSON behind them and the charts, as one request
// handler over injected data sources. No sockets here (web/server.h maps HTTP
// onto it), so every route is tested without a network.
//
// Routes (GET; dates YYYY-MM-DD and times HH:MM in the business zone):
//   /                         302 -> /overview
//   /overview?date&sort&order report metrics of a day (default yesterday), 7- and
//                             30-day charts, the ETL slice table sorted server-side
//   /slices.csv?date          the slice table as CSV (download)
//   /metric?metric&date&time&slice
//                             one metric's 15-minute series for a day (default
//                             today) with the detector's band, yesterday, a week
//                             ago and the alerts that fired; `time` marks a bucket
//   /alerts?metric&from&to&action
//                             alert history (fire, repeat, resolve), newest first,
//                             each with its verdict from the chat or `vigil feedback`,
//                             and per metric the alerts fired, marked real or false,
//                             and the precision that implies; from/to are days,
//                             inclusive (default: the last 7)
//   /runs?job&status&limit    job run history of `vigil serve`
//   /chart/daily.png?date&days=7|30&group=feed|messenger
//   /chart/metric.png?metric&date&time&slice
//   /api/overview?date  /api/slices?date  /api/series?metric&date&slice
//   /api/alerts?metric&from&to&action  /api/runs?job&status&limit
// Bad parameters -> 400 with a one-line message naming the parameter; a data
// source that fails (ClickHouse down, missing table) -> 503 with its message;
// never 500. Pages are plain HTML that work without JavaScript.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "alert/store.h"
#include "base/result.h"
#include "chart/chart.h"
#include "config/config.h"
#include "metrics/daily.h"
#include "metrics/series.h"
#include "schedule/history.h"

namespace vigil {

// One row of the ETL target table (event_date = the day).
struct SliceRow {
  std::string dimension;        // "os", "gender", "age"
  std::string dimension_value;
  std::map<std::string, std::int64_t> values;  // views, likes, messages_sent, ...
};

// Where the dashboard reads from; the live one queries ClickHouse and the
// state directory's SQLite files, tests may use their own.
class DashboardSource {
 public:
  virtual ~DashboardSource() = default;
  // Report metrics per day, [first, last] (as metrics/daily.h).
  virtual Result<std::vector<DailyMetrics>> daily(Days first, Days last) = 0;
  // The slice table's rows of `day`, and its value column names in table order.
  virtual Result<std::vector<SliceRow>> slices(Days day, std::vector<std::string>& columns) = 0;
  // Bucket series [begin, end) for all users and, when `dimension` is not
  // empty ("os", "gender", "age"), per value of that dimension.
  virtual Result<BucketSeries> series(EpochSeconds begin, EpochSeconds end,
                                      const std::string& dimension) = 0;
  // Per slice of the `[alerts] explain_by` dimensions, the counts behind
  // `metric` over [begin, end) (metrics/breakdown.h: one query); a source
  // without it gives an empty series (no breakdown on the page).
  virtual Result<BucketSeries> breakdown(EpochSeconds /*begin*/, EpochSeconds /*end*/,
                                         const std::string& /*metric*/) {
    return BucketSeries{};
  }
  virtual Result<std::vector<AlertRecord>> alerts(const HistoryFilter& filter) = 0;
  // The silences that end after `after` (alert/silence.h).
  virtual Result<std::vector<Silence>> silences(EpochSeconds after) = 0;
  // The feedback on the records whose bucket is in [from, to) (alert/feedback.h);
  // a source without it gives none.
  virtual Result<std::vector<Feedback>> feedback(EpochSeconds /*from*/, EpochSeconds /*to*/) {
    return std::vector<Feedback>{};
  }
  virtual Result<std::vector<RunRecord>> runs(const RunFilter& filter) = 0;
};

// ClickHouse (a client per call, so requests can run in parallel), the alert
// store at `alert_store_path` and the run history at `run_history_path`
// (either may not exist yet: then empty). Recent daily and series results are
// kept for a minute, so a page and its charts query once; readers asking for
// the same result at once share one query (the slice table too, not kept).
std::unique_ptr<DashboardSource> make_live_dashboard_source(const Config& config,
                                                            const date::time_zone* zone,
                                                            std::string alert_store_path,
                                                            std::string run_history_path);

struct HttpRequest {
  std::string path;                                // without the query string
  std::multimap<std::string, std::string> params;  // decoded query parameters
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::map<std::string, std::string> headers;  // extra (Location, Content-Disposition)
};

struct DashboardOptions {
  const date::time_zone* zone = nullptr;
  std::function<EpochSeconds()> now;   // the clock (default dates: today, yesterday)
  chart::Renderer render;              // spec -> PNG bytes
};

class Dashboard {
 public:
  Dashboard(const Config& config, DashboardSource& source, DashboardOptions options);
  // Any path: a dashboard route, or 404.
  HttpResponse handle(const HttpRequest& request) const;

 private:
  const Config& config_;
  DashboardSource& source_;
  DashboardOptions options_;
};

}  // namespace vigil
