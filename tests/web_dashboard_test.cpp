// The dashboard's routes over a fake data source, without a network: status
// codes, what the JSON and the pages say for hand-made values, bad parameters
// -> 400 and a failing source -> 503.
#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "web/dashboard.h"
#include "web/pages.h"

namespace vigil {
namespace {

using nlohmann::json;

const date::time_zone* moscow() { return *find_zone("Europe/Moscow"); }
Days day(const char* text) { return *parse_date(text); }

DailyMetrics metrics(Days d, std::int64_t users, std::int64_t views, std::int64_t likes) {
  DailyMetrics m;
  m.day = d;
  m.has_feed = views > 0;
  m.feed_users = users;
  m.views = views;
  m.likes = likes;
  m.has_messages = true;
  m.messenger_users = 100;
  m.messages_sent = 1000;
  m.receivers = 125;
  return m;
}

class FakeSource : public DashboardSource {
 public:
  Result<std::vector<DailyMetrics>> daily(Days first, Days last) override {
    if (fail) return Error::failure("ClickHouse at http://127.0.0.1:1 is not answering");
    daily_asked = {first, last};
    std::vector<DailyMetrics> out;
    // views 1000 + 10 x day number; the last day (24th) has 2000 views.
    for (Days d = first; d <= last; d += date::days{1}) {
      const int n = static_cast<int>((d - day("2026-11-01")).count());
      out.push_back(n < 0 ? DailyMetrics{d} : metrics(d, 50 + n, 1000 + 10 * n, 40 + n));
    }
    out.back() = metrics(last, 80, 2000, 90);
    return out;
  }
  Result<std::vector<SliceRow>> slices(Days, std::vector<std::string>& columns) override {
    ++slices_calls;
    if (slices_fail) return Error::failure("table vigil.user_slices_daily does not exist");
    columns = {"views", "likes"};
    return std::vector<SliceRow>{{"os", "iOS", {{"views", 700}, {"likes", 30}}},
                                 {"os", "Android", {{"views", 1300}, {"likes", 60}}},
                                 {"age", "18-24", {{"views", 2000}, {"likes", 90}}}};
  }
  Result<BucketSeries> series(EpochSeconds begin, EpochSeconds end,
                              const std::string& dimension) override {
    if (fail) return Error::failure("ClickHouse down");
    series_dimension = dimension;
    BucketSeries s;
    s.begin = begin;
    s.count = static_cast<int>((end - begin) / 900);
    // Every metric 100 in every bucket, except views at 10:15 on the 24th: 7.
    for (const auto& name : alert_metric_names()) {
      s.values[{name, ""}] = std::vector<double>(s.count, name == "ctr" ? 0.05 : 100.0);
    }
    const int spike = s.index_of(*parse_local_time("2026-11-24 10:15", moscow()));
    if (spike >= 0) s.values[{"views", ""}][spike] = 7;
    return s;
  }
  // views per slice: os=Android 60 (10 at 10:15 on the 24th), os=iOS 40, one
  // country named with markup, 100.
  Result<BucketSeries> breakdown(EpochSeconds begin, EpochSeconds end,
                                 const std::string& metric) override {
    ++breakdown_calls;
    if (breakdown_fail) return Error::failure("Unknown identifier: <country>");
    breakdown_asked = {metric, end};
    BucketSeries s;
    s.begin = begin;
    s.count = static_cast<int>((end - begin) / 900);
    s.values[{"views", "os=Android"}] = std::vector<double>(s.count, 60.0);
    s.values[{"views", "os=iOS"}] = std::vector<double>(s.count, 40.0);
    s.values[{"views", "country=<b>X&Y</b>"}] = std::vector<double>(s.count, 100.0);
    const int spike = s.index_of(*parse_local_time("2026-11-24 10:15", moscow()));
    if (spike >= 0) s.values[{"views", "os=Android"}][spike] = 10;
    return s;
  }
  Result<std::vector<AlertRecord>> alerts(const HistoryFilter& filter) override {
    ++alerts_calls;
    std::vector<AlertRecord> out;
    for (const auto& r : records) {
      if (filter.metric && *filter.metric != r.evaluation.key.metric) continue;
      if (filter.from && r.evaluation.bucket < *filter.from) continue;
      if (filter.to && r.evaluation.bucket >= *filter.to) continue;
      out.push_back(r);
    }
    return out;
  }
  Result<std::vector<Silence>> silences(EpochSeconds after) override {
    std::vector<Silence> out;
    for (const auto& s : silence_list) {
      if (s.ends > after) out.push_back(s);
    }
    return out;
  }
  Result<std::vector<Feedback>> feedback(EpochSeconds from, EpochSeconds to) override {
    std::vector<Feedback> out;
    for (const auto& f : feedback_list) {
      for (const auto& r : records) {
        const EpochSeconds b = r.evaluation.bucket;
        if (r.id == f.record_id && b >= from && b < to) out.push_back(f);
      }
    }
    return out;
  }
  Result<std::vector<RunRecord>> runs(const RunFilter& filter) override {
    last_run_filter = filter;
    RunRecord r;
    r.id = 7;
    r.job = "etl";
    r.target = "2026-11-24";
    r.started = 1000;
    r.ended = 1012.5;
    r.status = RunStatus::kFailed;
    r.error = "extract-feed: ClickHouse timed out";
    return std::vector<RunRecord>{r};
  }

  std::vector<Silence> silence_list;
  std::vector<Feedback> feedback_list;
  bool fail = false, slices_fail = false, breakdown_fail = false;
  int slices_calls = 0, alerts_calls = 0, breakdown_calls = 0;
  std::pair<std::string, EpochSeconds> breakdown_asked;
  std::pair<Days, Days> daily_asked;
  std::string series_dimension = "unset";
  std::vector<AlertRecord> records;
  RunFilter last_run_filter;
};

AlertRecord alert(const char* metric, const char* local, AlertAction action, double value) {
  AlertRecord r;
  r.id = 1;
  r.evaluation.key = {metric, ""};
  r.evaluation.bucket = *parse_local_time(local, moscow());
  r.evaluation.value = value;
  r.evaluation.lower = 80;
  r.evaluation.upper = 120;
  r.action = action;
  r.delivered = true;
  return r;
}

class DashboardTest : public ::testing::Test {
 protected:
  HttpResponse get(const std::string& path, std::multimap<std::string, std::string> params = {}) {
    DashboardOptions options{moscow(), [] { return *parse_local_time("2026-11-25 12:00", moscow()); },
                             [this](const chart::ChartSpec& spec) -> Result<std::string> {
                               charts.push_back(spec);
                               return std::string("\x89PNG fake");
                             }};
    Dashboard dashboard(config, source, options);
    return dashboard.handle({path, std::move(params)});
  }
  json get_json(const std::string& path, std::multimap<std::string, std::string> params = {}) {
    auto r = get(path, std::move(params));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    return json::parse(r.body);
  }

  Config config;
  FakeSource source;
  std::vector<chart::ChartSpec> charts;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(DashboardTest, RootRedirectsAndUnknownIs404) {
  auto root = get("/");
  EXPECT_EQ(root.status, 302);
  EXPECT_EQ(root.headers["Location"], "/overview");
  EXPECT_EQ(get("/nope").status, 404);
  EXPECT_EQ(json::parse(get("/api/nope").body)["error"], "not found: /api/nope");
}

TEST_F(DashboardTest, OverviewJsonComparesWithDayAndWeekBefore) {
  const json j = get_json("/api/overview", {{"date", "2026-11-24"}});
  EXPECT_EQ(j["date"], "2026-11-24");
  // One query covers the 30 days the page and its charts need.
  EXPECT_EQ(source.daily_asked.first, day("2026-10-26"));
  EXPECT_EQ(source.daily_asked.second, day("2026-11-24"));
  ASSERT_EQ(j["days"].size(), 30u);
  EXPECT_EQ(j["days"][0]["views"], nullptr);  // before the data starts
  const json& views = j["metrics"][1];
  EXPECT_EQ(views["name"], "views");
  EXPECT_EQ(views["value"], 2000);
  EXPECT_EQ(views["previous"], 1000 + 10 * 22);  // 23rd = day 22
  EXPECT_EQ(views["week_ago"], 1000 + 10 * 16);  // 17th
  EXPECT_DOUBLE_EQ(j["metrics"][3]["value"].get<double>(), 90.0 / 2000);       // CTR
  EXPECT_DOUBLE_EQ(j["metrics"][6]["value"].get<double>(), 100.0 / 125);       // senders/receivers
}

TEST_F(DashboardTest, OverviewDefaultsToYesterday) {
  get_json("/api/overview");
  EXPECT_EQ(source.daily_asked.second, day("2026-11-24"));
}

TEST_F(DashboardTest, OverviewPageShowsNumbersAndSortsSlices) {
  auto page = get("/overview", {{"date", "2026-11-24"}, {"sort", "views"}, {"order", "desc"}});
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(contains(page.body, "<span class=\"value\">2 000</span>"));
  EXPECT_TRUE(contains(page.body, "<span class=\"value\">4.50%</span>"));  // CTR 90/2000, as in the report
  // 2000 vs 1220 the day before: +63.9%.
  EXPECT_TRUE(contains(page.body, "day before ▲ 63.9%"));
  const auto age = page.body.find("18-24"), android = page.body.find("Android"),
             ios = page.body.find("iOS");
  EXPECT_TRUE(age < android && android < ios) << "sorted by views, descending";
  EXPECT_TRUE(contains(page.body, "/chart/daily.png?date=2026-11-24&amp;days=30&amp;group=messenger"));
  EXPECT_EQ(get("/overview", {{"sort", "nope"}}).status, 400);
}

TEST_F(DashboardTest, OverviewStillShowsMetricsWhenTheSliceTableIsMissing) {
  source.slices_fail = true;
  auto page = get("/overview", {{"date", "2026-11-24"}});
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "table vigil.user_slices_daily does not exist"));
  EXPECT_EQ(get("/api/slices").status, 503);
}

TEST_F(DashboardTest, SlicesAsJsonAndCsv) {
  const json j = get_json("/api/slices", {{"date", "2026-11-24"}});
  EXPECT_EQ(j["columns"], json({"views", "likes"}));
  ASSERT_EQ(j["rows"].size(), 3u);
  EXPECT_EQ(j["rows"][0]["dimension"], "age");  // sorted by dimension, value
  EXPECT_EQ(j["rows"][1]["dimension_value"], "Android");
  EXPECT_EQ(j["rows"][1]["views"], 1300);
  auto csv = get("/slices.csv", {{"date", "2026-11-24"}});
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.headers["Content-Disposition"],
            "attachment; filename=\"vigil-slices-2026-11-24.csv\"");
  EXPECT_EQ(csv.body,
            "event_date,dimension,dimension_value,views,likes\r\n"
            "2026-11-24,age,18-24,2000,90\r\n2026-11-24,os,Android,1300,60\r\n"
            "2026-11-24,os,iOS,700,30\r\n");
}

TEST_F(DashboardTest, SeriesJudgesEveryBucketOfTheDay) {
  config.alerts.method = "iqr";  // a band of 100..100 on a flat series
  const json j = get_json("/api/series", {{"metric", "views"}, {"date", "2026-11-24"}});
  EXPECT_EQ(j["metric"], "views");
  EXPECT_EQ(j["method"], "iqr");
  EXPECT_EQ(j["bucket_minutes"], 15);
  ASSERT_EQ(j["buckets"].size(), 96u);
  const json& spike = j["buckets"][41];  // 10:15
  EXPECT_EQ(spike["time"], "10:15");
  EXPECT_EQ(spike["value"], 7);
  EXPECT_EQ(spike["anomaly"], true);
  EXPECT_EQ(spike["yesterday"], 100);
  EXPECT_EQ(j["buckets"][40]["anomaly"], false);
  EXPECT_EQ(source.series_dimension, "");
}

TEST_F(DashboardTest, TodayStopsAtTheLastCompleteBucket) {
  const json j = get_json("/api/series", {{"metric", "likes"}, {"date", "2026-11-25"}});
  // now = 12:00: 11:45 is the last complete bucket.
  EXPECT_EQ(j["buckets"][47]["value"], 100);
  EXPECT_EQ(j["buckets"][48]["value"], nullptr);
  EXPECT_EQ(j["buckets"][48]["ready"], false);
}

TEST_F(DashboardTest, MetricPageMarksTheBucketAndListsItsAlerts) {
  source.records = {alert("views", "2026-11-24 10:15", AlertAction::kFire, 7),
                    alert("views", "2026-11-24 10:30", AlertAction::kResolve, 100),
                    alert("likes", "2026-11-24 10:15", AlertAction::kFire, 1)};
  auto page = get("/metric", {{"metric", "views"}, {"date", "2026-11-24"}, {"time", "10:15"},
                              {"slice", "os=iOS"}});
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(source.series_dimension, "os");
  // The slice picker lists the day's slices from the ETL table, the current one chosen.
  EXPECT_TRUE(contains(page.body, "<option value=\"age=18-24\">age=18-24</option>"));
  EXPECT_TRUE(contains(page.body, "<option value=\"os=iOS\" selected>"));
  // The alerts are of all users, the page of os=iOS: none listed.
  EXPECT_TRUE(contains(page.body, "No alerts for this metric and slice"));
  page = get("/metric", {{"metric", "views"}, {"date", "2026-11-24"}, {"time", "10:15"}});
  EXPECT_TRUE(contains(page.body, "<tr id=\"t-1015\" class=\"anomaly marked\">"));
  EXPECT_TRUE(contains(page.body, "<a href=\"#t-1015\">2026-11-24 10:15</a>"));
  EXPECT_TRUE(contains(page.body, "<a href=\"#t-1030\">"));
  EXPECT_FALSE(contains(page.body, "Likes</td>"));
  EXPECT_TRUE(contains(page.body, "/chart/metric.png?date=2026-11-24&amp;metric=views&amp;time=10:15"));
  const int slices_before = source.slices_calls, alerts_before = source.alerts_calls;
  auto chart = get("/chart/metric.png", {{"metric", "views"}, {"date", "2026-11-24"}, {"time", "10:15"}});
  // The picture needs the series only: no slice table, no alert store.
  EXPECT_EQ(source.slices_calls, slices_before);
  EXPECT_EQ(source.alerts_calls, alerts_before);
  EXPECT_EQ(chart.content_type, "image/png");
  ASSERT_EQ(charts.size(), 1u);
  EXPECT_EQ(charts[0].panels[0].marker_index, 41);
}

TEST_F(DashboardTest, MetricPageBreaksTheMarkedBucketDownBySlice) {
  config.alerts.method = "dayago";  // expected: the same bucket a day before
  auto page = get("/metric", {{"metric", "views"}, {"date", "2026-11-24"}, {"time", "10:15"}});
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(source.breakdown_calls, 1);
  // Up to the marked bucket, as the alert run that judged it.
  EXPECT_EQ(source.breakdown_asked,
            std::make_pair(std::string("views"), *parse_local_time("2026-11-24 10:30", moscow())));
  EXPECT_TRUE(contains(page.body, "<h2 id=\"breakdown\">Where is the change at 10:15</h2>"));
  EXPECT_TRUE(contains(page.body, "<p>Where: os=Android −83% (explains 100% of the change)"))
      << page.body;
  EXPECT_TRUE(contains(page.body,
                       "<tr class=\"named\"><td>os=Android</td><td class=\"num\">10</td>"
                       "<td class=\"num\">60</td><td class=\"num\">−83.3%</td>"
                       "<td class=\"num\">100%</td></tr>"))
      << page.body;
  EXPECT_TRUE(contains(page.body, "<tr><td>os=iOS</td><td class=\"num\">40</td>"
                                  "<td class=\"num\">40</td><td class=\"num\">±0.0%</td>"
                                  "<td class=\"num\">0%</td></tr>"))
      << page.body.substr(page.body.find("<td>os=iOS"), 200);
  // Every name is escaped.
  EXPECT_TRUE(contains(page.body, "<td>country=&lt;b&gt;X&amp;Y&lt;/b&gt;</td>")) << page.body;
  EXPECT_FALSE(contains(page.body, "<b>X"));
  // No bucket, a slice's page, or the chart: no breakdown asked.
  get("/metric", {{"metric", "views"}, {"date", "2026-11-24"}});
  get("/metric", {{"metric", "views"}, {"date", "2026-11-24"}, {"time", "10:15"},
                  {"slice", "os=iOS"}});
  get("/chart/metric.png", {{"metric", "views"}, {"date", "2026-11-24"}, {"time", "10:15"}});
  config.alerts.explain_by.clear();
  get("/metric", {{"metric", "views"}, {"date", "2026-11-24"}, {"time", "10:15"}});
  EXPECT_EQ(source.breakdown_calls, 1);
  // A failing breakdown leaves the rest of the page, and says why (escaped).
  config.alerts.explain_by = {"os"};
  source.breakdown_fail = true;
  page = get("/metric", {{"metric", "views"}, {"date", "2026-11-24"}, {"time", "10:15"}});
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(contains(page.body, "not available: Unknown identifier: &lt;country&gt;"));
  EXPECT_TRUE(contains(page.body, "<tr id=\"t-1015\""));
}

TEST_F(DashboardTest, AlertsFilterByMetricActionAndDays) {
  source.records = {alert("views", "2026-11-24 10:15", AlertAction::kFire, 7),
                    alert("views", "2026-11-24 10:30", AlertAction::kResolve, 100),
                    alert("likes", "2026-11-20 09:00", AlertAction::kFire, 1)};
  EXPECT_EQ(get_json("/api/alerts")["alerts"].size(), 3u);  // last 7 days by default
  EXPECT_EQ(get_json("/api/alerts", {{"metric", "views"}})["alerts"].size(), 2u);
  const json fired = get_json("/api/alerts", {{"action", "fire"}, {"from", "2026-11-21"}});
  ASSERT_EQ(fired["alerts"].size(), 1u);
  EXPECT_EQ(fired["alerts"][0]["url"], "/metric?metric=views&date=2026-11-24&time=10:15");
  EXPECT_EQ(fired["alerts"][0]["bucket"], "2026-11-24 10:15");
  auto page = get("/alerts", {{"to", "2026-11-24"}});
  EXPECT_TRUE(contains(page.body, "href=\"/metric?metric=likes&amp;date=2026-11-20&amp;time=09:00\""));
}

TEST_F(DashboardTest, AlertsPageShowsSilencesNotOverAndHeldRows) {
  AlertRecord held = alert("likes", "2026-11-25 10:00", AlertAction::kFire, 7);
  held.delivered = false;
  held.silenced = true;
  source.records = {held};
  Silence active;  // now is 2026-11-25 12:00
  active.id = 3;
  active.metric = "likes";
  active.starts = *parse_local_time("2026-11-25 09:00", moscow());
  active.ends = *parse_local_time("2026-11-25 14:00", moscow());
  active.created_by = "<ann>";
  active.comment = "release 4.2";
  Silence over = active;
  over.id = 2;
  over.ends = *parse_local_time("2026-11-25 11:00", moscow());
  source.silence_list = {over, active};
  const auto page = get("/alerts");
  EXPECT_TRUE(contains(page.body, "<td>3</td><td>Likes</td><td>every slice</td><td>2026-11-25 "
                                  "09:00</td><td>2026-11-25 14:00</td><td>active</td><td>&lt;ann&gt;"
                                  "</td><td>release 4.2</td>"))
      << page.body;
  EXPECT_FALSE(contains(page.body, "<td>2</td><td>Likes</td>")) << "over at 11:00";
  EXPECT_TRUE(contains(page.body, "held by a silence"));
}

TEST_F(DashboardTest, AlertsPageShowsFeedbackPerMetricAndEachRowsVerdict) {
  AlertRecord views_fire = alert("views", "2026-11-24 10:15", AlertAction::kFire, 7);
  AlertRecord views_repeat = alert("views", "2026-11-24 11:15", AlertAction::kRepeat, 8);
  AlertRecord likes_fire = alert("likes", "2026-11-24 09:00", AlertAction::kFire, 1);
  AlertRecord likes_again = alert("likes", "2026-11-24 12:00", AlertAction::kFire, 2);
  views_fire.id = 11;
  views_repeat.id = 12;
  likes_fire.id = 13;
  likes_again.id = 14;
  source.records = {views_fire, views_repeat, likes_fire, likes_again};
  auto judged = [](std::int64_t id, FeedbackVerdict v, const char* by, EpochSeconds at) {
    Feedback f;
    f.record_id = id;
    f.verdict = v;
    f.by = by;
    f.at = at;
    return f;
  };
  // views: real at first, then called a false alarm on its reminder; likes: one real.
  source.feedback_list = {judged(11, FeedbackVerdict::kReal, "ann", 100),
                          judged(12, FeedbackVerdict::kFalseAlarm, "bob", 200),
                          judged(13, FeedbackVerdict::kReal, "<cy>", 300)};
  const json j = get_json("/api/alerts");
  const json& fb = j["feedback"];
  EXPECT_EQ(fb["views"]["alerts"], 1);
  EXPECT_EQ(fb["views"]["real"], 0);
  EXPECT_EQ(fb["views"]["false"], 1);
  EXPECT_EQ(fb["views"]["precision"], 0.0);
  EXPECT_EQ(fb["likes"]["alerts"], 2);
  EXPECT_EQ(fb["likes"]["real"], 1);
  EXPECT_EQ(fb["likes"]["unjudged"], 1);
  EXPECT_EQ(fb["likes"]["precision"], 1.0);
  for (const auto& a : j["alerts"]) {
    const std::int64_t id = a["id"];
    if (id == 14) {
      EXPECT_TRUE(a["verdict"].is_null());
    } else {
      EXPECT_EQ(a["verdict"], id == 13 ? "real" : "false") << id;
      EXPECT_EQ(a["verdict_by"], id == 13 ? "<cy>" : "bob") << id;
    }
  }
  const auto page = get("/alerts");
  EXPECT_TRUE(contains(page.body, "<td>Views</td><td class=\"num\">1</td><td class=\"num\">0</td>"
                                  "<td class=\"num\">1</td><td class=\"num\">0</td>"
                                  "<td class=\"num\">0%</td>"))
      << page.body;
  EXPECT_TRUE(contains(page.body, "<td class=\"num\">1</td><td class=\"num\">100%</td>"));
  EXPECT_TRUE(contains(page.body, "false alarm</span> (bob)"));
  EXPECT_TRUE(contains(page.body, "real</span> (&lt;cy&gt;)"));
  // The metric page's rows too.
  const auto metric = get("/metric", {{"metric", "views"}, {"date", "2026-11-24"}});
  EXPECT_TRUE(contains(metric.body, "false alarm</span> (bob)")) << metric.body;
}

TEST_F(DashboardTest, RunsWithFilters) {
  const json j = get_json("/api/runs", {{"job", "etl"}, {"status", "failed"}, {"limit", "5"}});
  EXPECT_EQ(source.last_run_filter.job, "etl");
  EXPECT_EQ(source.last_run_filter.status, RunStatus::kFailed);
  EXPECT_EQ(source.last_run_filter.limit, 5);
  EXPECT_DOUBLE_EQ(j["runs"][0]["duration_seconds"].get<double>(), 12.5);
  EXPECT_EQ(j["runs"][0]["status"], "failed");
  auto page = get("/runs");
  EXPECT_TRUE(contains(page.body, "extract-feed: ClickHouse timed out"));
  EXPECT_TRUE(contains(page.body, "12.5 s"));
}

TEST_F(DashboardTest, BadParametersAre400WithTheParameterNamed) {
  const std::vector<std::pair<std::string, std::multimap<std::string, std::string>>> bad = {
      {"/api/series", {{"metric", "nope"}}},
      {"/api/overview", {{"date", "2026-13-01"}}},
      {"/api/overview", {{"date", "yesterday"}}},
      {"/api/overview", {{"date", "1960-01-01"}}},
      {"/api/series", {{"time", "10:07"}}},
      {"/api/series", {{"time", "25:00"}}},
      {"/api/series", {{"slice", "city=Moscow"}}},
      {"/api/alerts", {{"from", "2026-11-24"}, {"to", "2026-11-01"}}},
      {"/api/alerts", {{"action", "explode"}}},
      {"/api/runs", {{"limit", "0"}}},
      {"/api/runs", {{"limit", "12abc"}}},
      {"/api/runs", {{"status", "done"}}},
      {"/chart/daily.png", {{"days", "8"}}},
  };
  for (const auto& [path, params] : bad) {
    auto r = get(path, params);
    EXPECT_EQ(r.status, 400) << path;
    if (path.rfind("/api/", 0) == 0) {
      const std::string message = json::parse(r.body)["error"];
      EXPECT_EQ(message.find(params.begin()->first == "from" ? "from/to" : params.begin()->first),
                0u)
          << message;
    }
  }
  auto page = get("/metric", {{"metric", "<script>"}});
  EXPECT_EQ(page.status, 400);
  EXPECT_FALSE(contains(page.body, "<script>"));
  EXPECT_TRUE(contains(page.body, "&lt;script&gt;"));
}

TEST_F(DashboardTest, AFailingSourceIs503WithItsMessage) {
  source.fail = true;
  auto r = get("/api/overview");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["error"], "ClickHouse at http://127.0.0.1:1 is not answering");
  EXPECT_EQ(get("/overview").status, 503);
  EXPECT_EQ(get("/chart/metric.png").status, 503);
  EXPECT_EQ(get("/api/runs").status, 200);  // the state directory still answers
}

TEST(DashboardPages, SortSlicesByNumberThenName) {
  std::vector<SliceRow> rows = {{"os", "b", {{"views", 5}}}, {"os", "a", {{"views", 5}}},
                                {"age", "x", {{"views", 9}}}};
  sort_slices(rows, "views", "asc");
  EXPECT_EQ(rows[0].dimension_value, "a");
  EXPECT_EQ(rows[2].dimension_value, "x");
  sort_slices(rows, "views", "desc");
  EXPECT_EQ(rows[0].dimension_value, "x");
  sort_slices(rows, "dimension_value", "asc");
  EXPECT_EQ(rows[0].dimension_value, "a");
}

}  // namespace
}  // namespace vigil
