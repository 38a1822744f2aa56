#include "web/pages.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "alert/message.h"
#include "base/strings.h"
#include "report/report_text.h"
#include "web/api_json.h"
#include "web/html.h"

namespace vigil {
namespace {

std::string tiles(const OverviewView& v) {
  const std::string date = format_date(v.day);
  std::string out = "<div class=\"tiles\">";
  for (const auto& name : daily_metric_names()) {
    const auto now = daily_value(v.days, v.day, name);
    const bool alerted = std::find(alert_metric_names().begin(), alert_metric_names().end(),
                                   name) != alert_metric_names().end();
    const std::string title =
        alerted ? fmt::format("<a href=\"/metric?metric={}&amp;date={}\">{} ›</a>", name, date,
                              html::esc(metric_title(name)))
                : fmt::format("<a>{}</a>", html::esc(metric_title(name)));
    out += fmt::format(
        "<div class=\"tile\" id=\"metric-{}\">{}<span class=\"value\">{}</span>"
        "<span class=\"change\">day before {}</span><span class=\"change\">week before {}</span>"
        "</div>",
        name, title, html::value(now, metric_format(name), 2),
        change_text(now, daily_value(v.days, v.day - date::days{1}, name)),
        change_text(now, daily_value(v.days, v.day - date::days{7}, name)));
  }
  return out + "</div>";
}

std::string charts(const std::string& date) {
  std::string out;
  for (int days : {7, 30}) {
    out += fmt::format("<h2>Last {} days</h2>", days);
    for (const char* group : {"feed", "messenger"}) {
      out += fmt::format(
          "<img class=\"chart\" id=\"chart-{0}-{1}\" width=\"1280\" alt=\"{0} over {1} days\" "
          "src=\"/chart/daily.png?date={2}&amp;days={1}&amp;group={0}\">",
          group, days, date);
    }
  }
  return out;
}

std::string slice_table(const OverviewView& v) {
  const std::string date = format_date(v.day);
  std::string out = fmt::format(
      "<h2>Slices (os / gender / age)</h2><p><a id=\"csv\" href=\"/slices.csv?date={}\" "
      "download>Download CSV</a> · the ETL table for {}; click a column to sort</p>",
      date, date);
  if (!v.slices_error.empty()) {
    return out + fmt::format("<p class=\"error\">{}</p>", html::esc(v.slices_error));
  }
  if (v.rows.empty()) return out + "<p class=\"muted\">No slice rows for this day (ETL not run yet?).</p>";
  auto header = [&](const std::string& column, bool numeric) {
    const bool current = v.sort == column;
    const std::string next = current && v.order == "asc" ? "desc" : "asc";
    return fmt::format(
        "<th{}><a href=\"/overview?date={}&amp;sort={}&amp;order={}#slices\">{}{}</a></th>",
        numeric ? " class=\"num\"" : "", date, column, next, html::esc(column),
        current ? (v.order == "asc" ? " ▲" : " ▼") : "");
  };
  out += "<table id=\"slices\"><thead><tr>" + header("dimension", false) +
         header("dimension_value", false);
  for (const auto& c : v.columns) out += header(c, true);
  out += "</tr></thead><tbody>";
  for (const auto& row : v.rows) {
    out += fmt::format("<tr><td>{}</td><td>{}</td>", html::esc(row.dimension),
                       html::esc(row.dimension_value));
    for (const auto& c : v.columns) {
      auto it = row.values.find(c);
      out += fmt::format("<td class=\"num\">{}</td>",
                         it == row.values.end()
                             ? chart::kMissingText
                             : chart::format_number(static_cast<double>(it->second)));
    }
    out += "</tr>";
  }
  return out + "</tbody></table>";
}

std::string metric_options_select(const std::string& selected, bool any) {
  std::vector<std::pair<std::string, std::string>> options;
  if (any) options.emplace_back("", "any metric");
  for (const auto& name : alert_metric_names()) options.emplace_back(name, metric_title(name));
  return html::select("metric", options, selected);
}

// "real (ann)", "false alarm (bob)", or "" when nobody judged it.
std::string verdict_cell(const std::map<std::int64_t, Feedback>& verdicts, std::int64_t id) {
  const auto v = verdicts.find(id);
  if (v == verdicts.end()) return "";
  const Feedback& f = v->second;
  return fmt::format("<span class=\"verdict-{}\">{}</span> ({})", verdict_name(f.verdict),
                     f.verdict == FeedbackVerdict::kReal ? "real" : "false alarm",
                     html::esc(f.by));
}

std::string alert_rows(const std::vector<AlertRecord>& alerts,
                       const std::map<std::int64_t, Feedback>& verdicts,
                       const date::time_zone* zone, bool same_page) {
  std::string out;
  for (const auto& r : alerts) {
    const Evaluation& e = r.evaluation;
    const std::string local = format_local_time(e.bucket, zone).substr(0, 16);
    const std::string href =
        same_page ? "#t-" + local.substr(11, 2) + local.substr(14, 2)
                  : metric_page_link(e.key.metric, e.key.slice, e.bucket, zone);
    out += fmt::format(
        "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td class=\"action-{}\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{} – {}</td><td class=\"num\">{}</td>"
        "<td>{}</td><td>{}</td></tr>",
        html::esc(href), local, html::esc(metric_title(e.key.metric)),
        e.key.slice.empty() ? "all users" : html::esc(e.key.slice), alert_action_name(r.action),
        alert_action_name(r.action), metric_value_text(e.key.metric, e.value),
        metric_value_text(e.key.metric, e.lower), metric_value_text(e.key.metric, e.upper),
        chart::format_ratio(e.score, 1),
        r.silenced    ? "held by a silence"
        : r.delivered ? "delivered"
                      : html::esc("not delivered" + (r.error.empty() ? "" : ": " + r.error)),
        verdict_cell(verdicts, r.id));
  }
  return out;
}

constexpr const char* kAlertHeader =
    "<thead><tr><th>bucket</th><th>metric</th><th>slice</th><th>action</th>"
    "<th class=\"num\">value</th><th class=\"num\">expected</th><th class=\"num\">score</th>"
    "<th>message (Telegram or files)</th><th>verdict (by)</th></tr></thead>";

// Per metric: the alerts fired in the range by what people said of them.
std::string feedback_table(const std::map<std::string, FeedbackCounts>& counts) {
  if (counts.empty()) return "";
  std::string out =
      "<h2>Feedback</h2><p class=\"muted\">Alerts fired, by the verdict given in the chat or "
      "with <code>vigil feedback</code>; precision = real / (real + false).</p>"
      "<table id=\"feedback\"><thead><tr><th>metric</th><th class=\"num\">alerts</th>"
      "<th class=\"num\">real</th><th class=\"num\">false</th><th class=\"num\">unjudged</th>"
      "<th class=\"num\">precision</th></tr></thead><tbody>";
  for (const auto& [metric, c] : counts) {
    out += fmt::format(
        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
        html::esc(metric_title(metric)), c.alerts(), c.real, c.false_alarm, c.unjudged,
        precision_text(c));
  }
  return out + "</tbody></table>";
}

// Silences not over yet: who set them, until when, why (`vigil silence list`).
std::string silences_table(const std::vector<Silence>& silences, EpochSeconds now,
                           const date::time_zone* zone) {
  if (silences.empty()) return "";
  std::string out =
      "<h2>Silences</h2><table id=\"silences\"><thead><tr><th>#</th><th>metric</th>"
      "<th>slice</th><th>from</th><th>until</th><th>state</th><th>by</th><th>comment</th>"
      "</tr></thead><tbody>";
  for (const auto& s : silences) {
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td></tr>",
        s.id, s.metric == kSilenceAllMetrics ? "all metrics" : html::esc(metric_title(s.metric)),
        s.slice ? html::esc(*s.slice) : "every slice",
        format_local_time(s.starts, zone).substr(0, 16), format_local_time(s.ends, zone).substr(0, 16),
        now < s.starts ? "upcoming" : "active", html::esc(s.created_by), html::esc(s.comment));
  }
  return out + "</tbody></table><h2>History</h2>";
}

std::string bucket_table(const MetricView& v, const date::time_zone* zone) {
  const std::string& metric = v.day.key.first;
  std::string out =
      "<table id=\"buckets\"><thead><tr><th>time</th><th class=\"num\">value</th>"
      "<th class=\"num\">expected</th><th class=\"num\">band</th><th class=\"num\">yesterday</th>"
      "<th class=\"num\">a week ago</th><th>verdict</th></tr></thead><tbody>";
  auto text = [&](double x) { return metric_value_text(metric, x); };
  for (size_t i = 0; i < v.day.buckets.size(); ++i) {
    const DayBucket& b = v.day.buckets[i];
    const std::string time = format_local_hhmm(b.start, zone);
    std::string cls = b.anomaly ? "anomaly" : "";
    if (v.marker && static_cast<size_t>(*v.marker) == i) cls += cls.empty() ? "marked" : " marked";
    out += fmt::format(
        "<tr id=\"t-{}{}\"{}><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
        time.substr(0, 2), time.substr(3, 2), cls.empty() ? "" : " class=\"" + cls + "\"", time,
        text(b.value), text(b.expected), b.ready ? text(b.lower) + " – " + text(b.upper) : "—",
        text(b.yesterday), text(b.week_ago),
        !b.ready ? "<span class=\"muted\">not judged</span>" : b.anomaly ? "anomaly" : "normal");
  }
  return out + "</tbody></table>";
}

// "+12.5%", "−40.0%", "±0.0%"; "—" without a forecast.
std::string percent_text(double relative) {
  if (!std::isfinite(relative)) return "—";
  const std::string digits = chart::format_ratio(std::fabs(relative) * 100, 1);
  if (digits == "0.0") return "±0.0%";
  return fmt::format("{}{}%", relative < 0 ? "−" : "+", digits);
}

// "93%", "−12%" (a slice that moved against the total), "0%", "—".
std::string share_text(double share) {
  if (!std::isfinite(share)) return "—";
  const double percent = std::round(share * 100);
  return percent < 0 ? fmt::format("−{:.0f}%", -percent) : fmt::format("{:.0f}%", percent + 0.0);
}

// Where the change of the marked bucket is: the line the alert says, then a table
// per dimension (the slices that carry the change first, marked).
std::string breakdown_section(const MetricView& v, const std::string& time) {
  std::string out = fmt::format("<h2 id=\"breakdown\">Where is the change at {}</h2>", time);
  if (!v.breakdown) {
    return out + "<p class=\"muted\">The breakdown by slice is not available: " +
           html::esc(v.breakdown_error) + "</p>";
  }
  const MetricBreakdown& b = *v.breakdown;
  if (b.dimensions.empty()) return out + "<p class=\"muted\">No slice has a forecast here.</p>";
  out += "<p>" + (b.where.empty() ? std::string("No change to explain.") : b.where) + "</p>";
  for (const auto& d : b.dimensions) {
    out += fmt::format(
        "<h3>{0}</h3><table class=\"breakdown\" id=\"breakdown-{0}\"><thead><tr><th>slice</th>"
        "<th class=\"num\">value</th><th class=\"num\">expected</th><th class=\"num\">"
        "deviation</th><th class=\"num\">share of the change</th></tr></thead><tbody>",
        html::esc(d.dimension));
    for (size_t i = 0; i < d.rows.size(); ++i) {
      const BreakdownRow& r = d.rows[i];
      out += fmt::format(
          "<tr{}><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
          "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
          static_cast<int>(i) < d.named ? " class=\"named\"" : "", html::esc(r.slice),
          metric_value_text(b.metric, r.value), metric_value_text(b.metric, r.expected),
          percent_text(r.deviation), share_text(r.share));
    }
    out += "</tbody></table>";
  }
  return out;
}

}  // namespace

void sort_slices(std::vector<SliceRow>& rows, const std::string& column, const std::string& order) {
  auto key_less = [&](const SliceRow& a, const SliceRow& b) {
    if (column == "dimension" || column == "dimension_value") {
      const auto& x = column == "dimension" ? a.dimension : a.dimension_value;
      const auto& y = column == "dimension" ? b.dimension : b.dimension_value;
      if (x != y) return x < y;
      return std::tie(a.dimension, a.dimension_value) < std::tie(b.dimension, b.dimension_value);
    }
    const auto x = a.values.count(column) ? a.values.at(column) : 0;
    const auto y = b.values.count(column) ? b.values.at(column) : 0;
    if (x != y) return x < y;
    return std::tie(a.dimension, a.dimension_value) < std::tie(b.dimension, b.dimension_value);
  };
  std::stable_sort(rows.begin(), rows.end(), key_less);
  if (order == "desc") std::reverse(rows.begin(), rows.end());
}

std::string overview_page(const OverviewView& v) {
  const std::string date = format_date(v.day);
  std::string body = fmt::format(
      "<h1>Overview · {}</h1><form class=\"filters\" method=\"get\" action=\"/overview\">"
      "<label>day<input type=\"date\" name=\"date\" value=\"{}\"></label>"
      "<button type=\"submit\">Show</button>{}</form>",
      date::format("%a %d.%m.%Y", v.day), date, html::day_nav("/overview", v.day, ""));
  body += tiles(v) + charts(date) + slice_table(v);
  return html::page("Overview " + date, "overview", body);
}

std::string metric_page(const MetricView& v, const date::time_zone* zone) {
  const std::string& metric = v.day.key.first;
  const std::string& slice = v.day.key.second;
  const std::string date = format_date(v.day.day);
  std::vector<std::pair<std::string, std::string>> slice_options = {{"", "all users"}};
  for (const auto& s : v.slices) slice_options.emplace_back(s, s);
  if (!slice.empty() && std::find(v.slices.begin(), v.slices.end(), slice) == v.slices.end()) {
    slice_options.emplace_back(slice, slice);
  }
  const std::string keep = "metric=" + metric + (slice.empty() ? "" : "&slice=" + url_encode(slice));
  std::string time_param;
  if (v.marker && *v.marker < static_cast<int>(v.day.buckets.size())) {
    time_param = format_local_hhmm(v.day.buckets[*v.marker].start, zone);
  }
  std::string body = fmt::format(
      "<h1>{} · {} · {}</h1><form class=\"filters\" method=\"get\" action=\"/metric\">"
      "<label>metric{}</label><label>day<input type=\"date\" name=\"date\" value=\"{}\"></label>"
      "<label>slice{}</label><button type=\"submit\">Show</button>{}</form>",
      html::esc(metric_title(metric)), slice.empty() ? "all users" : html::esc(slice),
      date::format("%a %d.%m.%Y", v.day.day), metric_options_select(metric, false), date,
      html::select("slice", slice_options, slice), html::day_nav("/metric", v.day.day, keep));
  body += fmt::format(
      "<p class=\"muted\">{}-minute buckets; band from the {} detector, as the alerts judge "
      "them.</p><img class=\"chart\" id=\"chart-metric\" width=\"1280\" alt=\"{} on {}\" "
      "src=\"/chart/metric.png?date={}&amp;{}{}\">",
      v.day.bucket_seconds / 60, v.method.empty() ? "no" : html::esc(v.method),
      html::esc(metric_title(metric)), date, date, html::esc(keep),
      time_param.empty() ? "" : "&amp;time=" + time_param);
  body += "<h2>Alerts this day</h2>";
  body += v.alerts.empty() ? "<p class=\"muted\" id=\"alerts\">No alerts for this metric and slice on this day.</p>"
                           : "<table id=\"alerts\">" + std::string(kAlertHeader) + "<tbody>" +
                                 alert_rows(v.alerts, v.verdicts, zone, true) + "</tbody></table>";
  if (v.breakdown || !v.breakdown_error.empty()) body += breakdown_section(v, time_param);
  body += "<h2>Buckets</h2>" + bucket_table(v, zone);
  return html::page(metric_title(metric) + " " + date, "metric", body);
}

std::string alerts_page(const AlertsView& v, const date::time_zone* zone) {
  const std::vector<std::pair<std::string, std::string>> actions = {
      {"", "any action"}, {"fire", "fired"}, {"repeat", "repeated"}, {"resolve", "resolved"}};
  std::string body = fmt::format(
      "<h1>Alerts · {} – {}</h1><form class=\"filters\" method=\"get\" action=\"/alerts\">"
      "<label>metric{}</label><label>from<input type=\"date\" name=\"from\" value=\"{}\"></label>"
      "<label>to<input type=\"date\" name=\"to\" value=\"{}\"></label><label>action{}</label>"
      "<button type=\"submit\">Filter</button></form>",
      date::format("%a %d.%m.%Y", v.from), date::format("%a %d.%m.%Y", v.to),
      metric_options_select(v.metric, true),
      format_date(v.from), format_date(v.to), html::select("action", actions, v.action));
  body += feedback_table(v.feedback);
  body += silences_table(v.silences, v.now, zone);
  if (v.alerts.empty()) {
    body += "<p class=\"muted\" id=\"alert-history\">No alerts in this range.</p>";
  } else {
    body += fmt::format("<p>{} message(s){}; click a bucket to see it on the metric page.</p>",
                        v.alerts.size(), v.truncated ? " (the newest only: narrow the range)" : "");
    body += "<table id=\"alert-history\">" + std::string(kAlertHeader) + "<tbody>" +
            alert_rows(v.alerts, v.verdicts, zone, false) + "</tbody></table>";
  }
  return html::page("Alerts", "alerts", body);
}

std::string runs_page(const RunsView& v, const date::time_zone* zone) {
  const std::vector<std::pair<std::string, std::string>> jobs = {
      {"", "any job"}, {"etl", "etl"}, {"report", "report"}, {"alerts", "alerts"}};
  const std::vector<std::pair<std::string, std::string>> statuses = {
      {"", "any status"}, {"ok", "ok"}, {"failed", "failed"}, {"running", "running"},
      {"abandoned", "abandoned"}};
  std::string body = fmt::format(
      "<h1>Runs</h1><form class=\"filters\" method=\"get\" action=\"/runs\"><label>job{}</label>"
      "<label>status{}</label><label>rows<input type=\"number\" name=\"limit\" min=\"1\" "
      "max=\"10000\" value=\"{}\"></label><button type=\"submit\">Filter</button></form>",
      html::select("job", jobs, v.job), html::select("status", statuses, v.status), v.limit);
  if (v.runs.empty()) {
    return html::page("Runs", "runs",
                      body + "<p class=\"muted\" id=\"runs\">No runs recorded (vigil serve keeps "
                             "them in state_dir/runs.sqlite).</p>");
  }
  body +=
      "<table id=\"runs\"><thead><tr><th>#</th><th>job</th><th>for</th><th>status</th>"
      "<th class=\"num\">attempt</th><th>started</th><th class=\"num\">duration</th>"
      "<th>result</th></tr></thead><tbody>";
  for (const auto& r : v.runs) {
    const std::string duration =
        r.ended > 0 ? fmt::format("{:.1f} s", r.ended - r.started) : "running";
    const std::string result = r.error.empty() ? r.detail : r.error;
    body += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"status-{}\">{}</td>"
        "<td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
        r.id, html::esc(r.job), html::esc(r.target), run_status_name(r.status),
        run_status_name(r.status), r.attempt,
        format_local_time(static_cast<EpochSeconds>(r.started), zone), duration, html::esc(result));
  }
  return html::page("Runs", "runs", body + "</tbody></table>");
}

std::string error_page(const std::string& active, const std::string& message) {
  return html::page("Error", active,
                    fmt::format("<h1>Cannot show this page</h1><p class=\"error\" id=\"error\">{}</p>",
                                html::esc(message)));
}

}  // namespace vigil
