#include "web/dashboard.h"

#include <algorithm>

#include <fmt/format.h>

#include "alert/evaluate.h"
#include "base/parse.h"
#include "alert/run.h"
#include "report/report_charts.h"
#include "base/strings.h"
#include "web/api_json.h"
#include "web/pages.h"
#include "web/params.h"

namespace vigil {
namespace {

constexpr const char* kJson = "application/json";
constexpr int kOverviewDays = 30;   // one daily query serves the page and every chart
constexpr int kMaxAlertRows = 1000;
constexpr int kMaxAlertRangeDays = 366;

// Which navigation entry a path belongs to.
std::string section(const std::string& path) {
  for (const char* name : {"metric", "alerts", "runs"}) {
    if (path.find(name) != std::string::npos) return name;
  }
  return "overview";
}

HttpResponse error_response(const HttpRequest& request, int status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  if (is_api_path(request.path)) {
    r.content_type = kJson;
    r.body = error_json(message);
  } else if (request.path.rfind("/chart/", 0) == 0 || request.path == "/slices.csv") {
    r.content_type = "text/plain; charset=utf-8";
    r.body = message + "\n";
  } else {
    r.body = error_page(section(request.path), message);
  }
  return r;
}

HttpResponse content(std::string body, std::string type) {
  HttpResponse r;
  r.body = std::move(body);
  r.content_type = std::move(type);
  return r;
}

}  // namespace

Dashboard::Dashboard(const Config& config, DashboardSource& source, DashboardOptions options)
    : config_(config), source_(source), options_(std::move(options)) {}

namespace {

// The handlers, with everything a request needs.
class Handlers {
 public:
  Handlers(const Config& config, DashboardSource& source, const DashboardOptions& options,
           const HttpRequest& request)
      : config_(config), source_(source), options_(options), request_(request),
        params_(request.params), zone_(options.zone), now_(options.now()),
        today_(local_date(now_, options.zone)),
        bucket_seconds_(config.alerts.interval_minutes * 60) {}

  Result<HttpResponse> route() {
    const std::string& p = request_.path;
    VIGIL_TRY(check_utf8(params_));
    if (p == "/") {
      HttpResponse r;
      r.status = 302;
      r.headers["Location"] = "/overview";
      return r;
    }
    if (p == "/overview" || p == "/api/overview") return overview(p == "/api/overview");
    if (p == "/api/slices" || p == "/slices.csv") return slices(p == "/slices.csv");
    if (p == "/metric" || p == "/api/series") return metric(p == "/api/series");
    if (p == "/chart/metric.png") return metric_chart();
    if (p == "/chart/daily.png") return daily_chart();
    if (p == "/alerts" || p == "/api/alerts") return alerts(p == "/api/alerts");
    if (p == "/runs" || p == "/api/runs") return runs(p == "/api/runs");
    return error_response(request_, 404,
                          valid_utf8(p) ? "not found: " + p : "not found (the path is not UTF-8)");
  }

 private:
  Result<Days> day(Days fallback) { return day_param(params_, "date", fallback); }

  Result<std::vector<DailyMetrics>> daily_until(Days last) {
    return source_.daily(last - date::days{kOverviewDays - 1}, last);
  }

  Result<HttpResponse> overview(bool api) {
    VIGIL_ASSIGN_OR_RETURN(const Days d, day(today_ - date::days{1}));
    OverviewView view;
    view.day = d;
    VIGIL_ASSIGN_OR_RETURN(view.order, choice_param(params_, "order", {"asc", "desc"}, "asc"));
    const auto sort = param(params_, "sort");
    VIGIL_ASSIGN_OR_RETURN(view.days, daily_until(d));
    if (api) return content(overview_json(d, view.days), kJson);
    auto rows = source_.slices(d, view.columns);
    if (rows.ok()) {
      view.rows = std::move(*rows);
      std::vector<std::string> sortable = {"dimension", "dimension_value"};
      sortable.insert(sortable.end(), view.columns.begin(), view.columns.end());
      VIGIL_ASSIGN_OR_RETURN(view.sort, choice_param(params_, "sort", sortable, "dimension"));
      sort_slices(view.rows, view.sort, view.order);
    } else {
      view.slices_error = rows.error().message;
      if (sort) view.sort = *sort;
    }
    return content(overview_page(view), "text/html; charset=utf-8");
  }

  Result<HttpResponse> slices(bool csv) {
    VIGIL_ASSIGN_OR_RETURN(const Days d, day(today_ - date::days{1}));
    std::vector<std::string> columns;
    VIGIL_ASSIGN_OR_RETURN(auto rows, source_.slices(d, columns));
    sort_slices(rows, "dimension", "asc");
    if (!csv) return content(slices_json(d, columns, rows), kJson);
    HttpResponse r = content(slices_csv(d, columns, rows), "text/csv; charset=utf-8");
    r.headers["Content-Disposition"] =
        fmt::format("attachment; filename=\"vigil-slices-{}.csv\"", format_date(d));
    return r;
  }

  Result<HttpResponse> daily_chart() {
    VIGIL_ASSIGN_OR_RETURN(const Days d, day(today_ - date::days{1}));
    VIGIL_ASSIGN_OR_RETURN(const std::string days, choice_param(params_, "days", {"7", "30"}, "7"));
    VIGIL_ASSIGN_OR_RETURN(const std::string group, choice_param(params_, "group", {"feed", "messenger"}, "feed"));
    VIGIL_ASSIGN_OR_RETURN(const auto metrics, daily_until(d));
    VIGIL_ASSIGN_OR_RETURN(const int shown, parse_int(days));
    const auto spec = group == "feed" ? feed_chart_spec(metrics, shown)
                                      : messenger_chart_spec(metrics, shown);
    return png(spec);
  }

  Result<HttpResponse> png(const chart::ChartSpec& spec) {
    auto bytes = options_.render(spec);
    if (!bytes.ok()) return Error::failure("cannot draw the chart: " + bytes.error().message);
    HttpResponse r = content(std::move(*bytes), "image/png");
    r.headers["Cache-Control"] = "max-age=60";
    return r;
  }

  // The metric's day as the alerts judge it (what the chart needs).
  Result<MetricView> metric_view() {
    // Without ?metric=, the first alert metric (the catalogue's first row).
    VIGIL_ASSIGN_OR_RETURN(const std::string metric,
                           metric_param(params_, alert_metric_names().front()));
    VIGIL_ASSIGN_OR_RETURN(const Days d, day(today_));
    VIGIL_ASSIGN_OR_RETURN(const auto time, time_param(params_, config_.alerts.interval_minutes));
    VIGIL_ASSIGN_OR_RETURN(const std::string slice, slice_param(params_));
    const int bs = bucket_seconds_;
    const EpochSeconds begin = day_start(d - date::days{config_.alerts.history_days}, zone_) / bs * bs;
    const EpochSeconds end = (day_start(d + date::days{1}, zone_) + bs - 1) / bs * bs;
    VIGIL_ASSIGN_OR_RETURN(const BucketSeries series,
                           source_.series(begin, end, slice.substr(0, slice.find('='))));
    const EpochSeconds cut = std::min(last_complete_bucket(now_, bs), end - bs);
    const int last_index = cut < begin ? -1 : static_cast<int>((cut - begin) / bs);

    AlertsConfig alerts = config_.alerts;  // the band even for a metric not alerted on
    alerts.metrics[metric].enabled = true;
    VIGIL_ASSIGN_OR_RETURN(auto watches, make_watches(alerts));
    const MetricWatch* watch = find_watch(watches, metric);
    MetricView view;
    view.method = watch->method;
    view.day = metric_day(series, {metric, slice}, *watch->detector, d, last_index, zone_);
    if (time) {
      const EpochSeconds at = day_start(d, zone_) + EpochSeconds{*time} * 60;
      for (size_t i = 0; i < view.day.buckets.size(); ++i) {
        if (view.day.buckets[i].start == at) view.marker = static_cast<int>(i);
      }
    }
    return view;
  }

  // The day's alerts of the view's metric and slice.
  Status add_alerts(MetricView& view) {
    const auto& [metric, slice] = view.day.key;
    const Days d = view.day.day;
    HistoryFilter filter{metric, day_start(d, zone_), day_start(d + date::days{1}, zone_), true, 0};
    VIGIL_ASSIGN_OR_RETURN(auto fired, source_.alerts(filter));
    for (auto& r : fired) {
      if (r.evaluation.key.slice == slice) view.alerts.push_back(std::move(r));
    }
    VIGIL_ASSIGN_OR_RETURN(const auto feedback, source_.feedback(*filter.from, *filter.to));
    view.verdicts = record_verdicts(view.alerts, feedback);
    return {};
  }

  // The page's slice picker offers the slices the ETL table has for the day
  // (none if it is missing).
  void add_slices(MetricView& view) {
    std::vector<std::string> columns;
    if (auto rows = source_.slices(view.day.day, columns); rows.ok()) {
      sort_slices(*rows, "dimension", "asc");
      for (const auto& row : *rows) view.slices.push_back(row.dimension + "=" + row.dimension_value);
    }
  }

  // For a bucket in the URL, on all users: each explain_by slice against its own
  // forecast, over the alert run's window (so the same expected values), one query.
  void add_breakdown(MetricView& view) {
    if (!view.marker || !view.day.key.second.empty() || config_.alerts.explain_by.empty()) return;
    const int bs = bucket_seconds_;
    const EpochSeconds at = view.day.buckets[*view.marker].start;
    const EpochSeconds begin =
        day_start(view.day.day - date::days{config_.alerts.history_days}, zone_) / bs * bs;
    auto series = source_.breakdown(begin, at + bs, view.day.key.first);
    auto watches = breakdown_watches(config_.alerts);
    if (!series.ok() || !watches.ok()) {
      view.breakdown_error = (series.ok() ? watches.error() : series.error()).message;
      return;
    }
    view.breakdown = breakdown_of(*series, *watches, view.day.key.first, series->index_of(at));
  }

  Result<HttpResponse> metric(bool api) {
    VIGIL_ASSIGN_OR_RETURN(MetricView view, metric_view());
    VIGIL_TRY(add_alerts(view));
    if (api) {
      return content(series_json(view.day, view.method, view.alerts, view.verdicts, zone_), kJson);
    }
    add_slices(view);
    add_breakdown(view);
    return content(metric_page(view, zone_), "text/html; charset=utf-8");
  }

  Result<HttpResponse> metric_chart() {
    VIGIL_ASSIGN_OR_RETURN(const MetricView view, metric_view());
    return png(metric_day_chart_spec(view.day, view.marker));
  }

  Result<HttpResponse> alerts(bool api) {
    AlertsView view;
    if (param(params_, "metric")) {
      VIGIL_ASSIGN_OR_RETURN(view.metric, metric_param(params_, ""));
    }
    VIGIL_ASSIGN_OR_RETURN(view.to, day_param(params_, "to", today_));
    VIGIL_ASSIGN_OR_RETURN(view.from, day_param(params_, "from", view.to - date::days{6}));
    VIGIL_ASSIGN_OR_RETURN(view.action, choice_param(params_, "action", {"fire", "repeat", "resolve"}, ""));
    if (view.from > view.to || view.to - view.from >= date::days{kMaxAlertRangeDays}) {
      return Error::usage(fmt::format(
          "from/to: {} .. {} is not a range of 1 to {} days: give from <= to", format_date(view.from),
          format_date(view.to), kMaxAlertRangeDays));
    }
    HistoryFilter filter;
    if (!view.metric.empty()) filter.metric = view.metric;
    filter.from = day_start(view.from, zone_);
    filter.to = day_start(view.to + date::days{1}, zone_);
    filter.actions_only = true;
    filter.limit = 0;
    VIGIL_ASSIGN_OR_RETURN(auto records, source_.alerts(filter));
    VIGIL_ASSIGN_OR_RETURN(const auto feedback, source_.feedback(*filter.from, *filter.to));
    view.verdicts = record_verdicts(records, feedback);
    view.feedback = feedback_counts(records, feedback);
    for (auto& r : records) {
      if (!view.action.empty() && view.action != alert_action_name(r.action)) continue;
      if (static_cast<int>(view.alerts.size()) == kMaxAlertRows) {
        view.truncated = true;
        break;
      }
      view.alerts.push_back(std::move(r));
    }
    if (api) return content(alerts_json(view.alerts, view.verdicts, view.feedback, zone_), kJson);
    VIGIL_ASSIGN_OR_RETURN(view.silences, source_.silences(now_));
    view.now = now_;
    return content(alerts_page(view, zone_), "text/html; charset=utf-8");
  }

  Result<HttpResponse> runs(bool api) {
    RunsView view;
    VIGIL_ASSIGN_OR_RETURN(view.job, choice_param(params_, "job", {"etl", "report", "alerts"}, ""));
    VIGIL_ASSIGN_OR_RETURN(
        view.status, choice_param(params_, "status", {"running", "ok", "failed", "abandoned"}, ""));
    VIGIL_ASSIGN_OR_RETURN(view.limit, int_param(params_, "limit", 100, 1, 10000));
    RunFilter filter;
    if (!view.job.empty()) filter.job = view.job;
    for (RunStatus s : {RunStatus::kRunning, RunStatus::kOk, RunStatus::kFailed,
                        RunStatus::kAbandoned}) {
      if (run_status_name(s) == view.status) filter.status = s;
    }
    filter.limit = view.limit;
    VIGIL_ASSIGN_OR_RETURN(view.runs, source_.runs(filter));
    if (api) return content(runs_json(view.runs, zone_), kJson);
    return content(runs_page(view, zone_), "text/html; charset=utf-8");
  }

  const Config& config_;
  DashboardSource& source_;
  const DashboardOptions& options_;
  const HttpRequest& request_;
  const QueryParams& params_;
  const date::time_zone* zone_;
  const EpochSeconds now_;  // one clock reading per request
  const Days today_;
  const int bucket_seconds_;
};

}  // namespace

HttpResponse Dashboard::handle(const HttpRequest& request) const {
  auto response = Handlers(config_, source_, options_, request).route();
  if (response.ok()) return std::move(*response);
  // Bad parameters (usage) are the request's fault; anything else is a data
  // source that failed (ClickHouse down, a missing table): the service is not
  // available, and the message says why.
  const bool bad_request = response.error().kind == Error::Kind::kUsage;
  return error_response(request, bad_request ? 400 : 503, response.error().message);
}

}  // namespace vigil
