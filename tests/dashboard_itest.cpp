// The dashboard over HTTP, end to end: 10 simulated days in a real ClickHouse,
// the ETL slice table, an alert store and a run history in SQLite, the real
// server in-process on a free loopback port and a fixed clock (2026-03-10
// 12:05 Moscow). Every number is checked against SQL written here on the source
// and target tables (not vigil's metric queries) or against the alerts inserted.
// Runs, bad parameters, fuzzing, failing sources, the token: dashboard_http_itest.cpp.
#include <algorithm>
#include <array>
#include <map>
#include <tuple>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "alert/store.h"
#include "clickhouse/server.h"
#include "config/metric_catalog.h"
#include "etl/etl.h"
#include "sim/simulator.h"
#include "support/clickhouse_fixture.h"
#include "support/http_client.h"
#include "web/dashboard.h"
#include "web/server.h"

namespace vigil {
namespace {

using nlohmann::json;
using Params = QueryPairs;

constexpr const char* kSrc = "dash_src";
constexpr const char* kDst = "dash_dst";
constexpr const char* kPng = "\x89PNG\r\n\x1a\n";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// 1234567 -> "1 234 567", written here rather than taken from chart/format.
std::string grouped(long long n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return out;
}

class DashboardTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>("vigil-dash-");
    config_ = std::make_unique<Config>();
    config_->clickhouse = test_server().config(kDst);
    config_->source.database = kSrc;
    config_->state_dir = dir_->path();
    config_->timezone = "Europe/Moscow";
    zone_ = *find_zone(config_->timezone);
    now_ = *parse_local_time("2026-03-10 12:05", zone_);
    client_ = make_http_clickhouse(test_server().config("default"));
    SimParams params;
    params.from = *parse_date("2026-03-01");
    params.days = 10, params.users = 3000;
    params.feed_per_day = 50000, params.messages_per_day = 5000;
    auto simulated = simulate(*client_, *config_, zone_, params, {});
    ASSERT_TRUE(simulated.ok()) << simulated.error().message;
    Etl etl(*client_, *config_, zone_);
    auto loaded =
        etl.run_range(*parse_date("2026-03-08"), *parse_date("2026-03-10"), EtlStep::kAll);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    fill_alerts(dir_->path() + "/alerts.sqlite");
    source_ = make_live_dashboard_source(*config_, zone_, dir_->path() + "/alerts.sqlite",
                                         dir_->path() + "/runs.sqlite");
    dashboard_ = std::make_unique<Dashboard>(
        *config_, *source_,
        DashboardOptions{zone_, [] { return now_; }, chart::default_renderer()});
    port_ = *find_free_port();
    auto server = start_http_server({ListenAddress{"127.0.0.1", port_, true},
                                     [] { return SchedulerStatus{}; }, zone_, dashboard_.get(),
                                     "", std::nullopt});
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(*server);
  }
  static void TearDownTestSuite() {  // the server first: it uses the rest
    server_.reset(), dashboard_.reset(), source_.reset(), client_.reset(), config_.reset();
    dir_.reset();
  }
  void SetUp() override { ASSERT_TRUE(server_) << "suite setup failed"; }

  static EpochSeconds at(const char* local) { return *parse_local_time(local, zone_); }

  static AlertRecord alert(const char* metric, const char* slice, const char* bucket,
                           AlertAction action, double value, bool delivered, const char* error) {
    AlertRecord r;
    r.evaluation = {{metric, slice}, at(bucket), value, value * 1.2, value * 1.8, value * 1.5,
                    -4.25, action != AlertAction::kNone, true};
    r.action = action;
    r.delivered = delivered;
    r.error = error;
    r.recorded_at = at(bucket) + 60;
    return r;
  }

  // Ids 1..6 in this order (the store numbers them).
  static void fill_alerts(const std::string& path) {
    auto store = open_sqlite_alert_store(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto committed = (*store)->commit(
        {}, {alert("views", "", "2026-03-10 09:00", AlertAction::kFire, 1000, true, ""),
             alert("views", "", "2026-03-10 09:15", AlertAction::kNone, 1100, false, ""),
             alert("views", "", "2026-03-10 09:30", AlertAction::kResolve, 1500, false,
                   "telegram: 502 Bad Gateway"),
             alert("likes", "os=iOS", "2026-03-09 20:00", AlertAction::kFire, 40, true, ""),
             alert("views", "", "2026-03-01 10:00", AlertAction::kFire, 900, true, ""),
             alert("messages_sent", "", "2026-03-10 11:00", AlertAction::kRepeat, 30, true, "")});
    ASSERT_TRUE(committed.ok()) << committed.error().message;
    ASSERT_EQ(committed->size(), 6u);
    ASSERT_EQ(committed->front().id, 1);
    // Feedback: views' fire called false, then real; the likes fire false; the
    // messages reminder real; the old views fire (outside the last 7 days) real.
    for (const auto& [id, verdict, by, at] :
         std::vector<std::tuple<std::int64_t, FeedbackVerdict, std::string, EpochSeconds>>{
             {1, FeedbackVerdict::kFalseAlarm, "ann", 10}, {1, FeedbackVerdict::kReal, "bob", 20},
             {4, FeedbackVerdict::kFalseAlarm, "cy", 30}, {6, FeedbackVerdict::kReal, "dee", 40},
             {5, FeedbackVerdict::kReal, "eve", 50}}) {
      Feedback f;
      f.record_id = id;
      f.verdict = verdict;
      f.by = by;
      f.at = at;
      f.source = kFeedbackFromChat;
      ASSERT_TRUE((*store)->add_feedback(f).ok());
    }
  }

  static Reply get(const std::string& path, const Params& params = {}) {
    return http_get(port_, target(path, params));
  }
  static long long count(const std::string& sql) {
    auto v = client_->query_value(sql);
    EXPECT_TRUE(v.ok()) << v.error().message;
    return v.ok() ? std::stoll(*v) : -1;
  }

  // Feed/messages aggregates of one local day, by SQL written here.
  static long long feed_day(const char* what, const std::string& day) {
    return count(fmt::format("SELECT {} FROM {}.feed_actions WHERE toDate(time, 'Europe/Moscow') "
                             "= '{}'", what, kSrc, day));
  }
  static long long messages_day(const char* what, const std::string& day) {
    return count(fmt::format("SELECT {} FROM {}.message_actions WHERE toDate(time, "
                             "'Europe/Moscow') = '{}'", what, kSrc, day));
  }
  // One 15-minute bucket [t, t + 900) of the feed, t local.
  static long long feed_bucket(const char* what, const std::string& local,
                               const char* extra = "") {
    return count(fmt::format("SELECT {} FROM {}.feed_actions WHERE time >= toDateTime('{}:00', "
                             "'Europe/Moscow') AND time < toDateTime('{}:00', 'Europe/Moscow') + "
                             "900 {}", what, kSrc, local, local, extra));
  }

  static inline std::unique_ptr<TempDir> dir_;
  static inline std::unique_ptr<Config> config_;
  static inline const date::time_zone* zone_ = nullptr;
  static inline EpochSeconds now_ = 0;
  static inline std::unique_ptr<ClickHouse> client_;
  static inline std::unique_ptr<DashboardSource> source_;
  static inline std::unique_ptr<Dashboard> dashboard_;
  static inline std::unique_ptr<HttpServer> server_;
  static inline int port_ = 0;
};

const json* find_metric(const json& overview, const std::string& name) {
  for (const auto& m : overview["metrics"]) {
    if (m["name"] == name) return &m;
  }
  return nullptr;
}

TEST_F(DashboardTest, RootRedirectsToOverviewAndUnknownPathIs404) {
  const Reply root = get("/");
  EXPECT_EQ(root.status, 302);
  EXPECT_EQ(root.header("Location"), "/overview");
  EXPECT_EQ(get("/nope").status, 404);
  EXPECT_EQ(get("/api/nope").status, 404);
  EXPECT_EQ(get("/health").status, 200);
  EXPECT_EQ(get("/metrics").status, 200);
}

TEST_F(DashboardTest, OverviewJsonMatchesSqlForTheDayTheDayBeforeAndAWeekAgo) {
  const Reply r = get("/api/overview");  // default: yesterday = 2026-03-09
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(contains(r.header("Content-Type"), "application/json"));
  const json j = r.js();
  ASSERT_FALSE(j.is_discarded()) << r.body;
  EXPECT_EQ(j["date"], "2026-03-09");
  std::vector<std::string> names;
  for (const auto& m : j["metrics"]) names.push_back(m["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"feed_users", "views", "likes", "ctr",
                                             "messenger_users", "messages_sent",
                                             "sent_received_ratio"}));
  const std::vector<std::pair<const char*, std::string>> days = {
      {"value", "2026-03-09"}, {"previous", "2026-03-08"}, {"week_ago", "2026-03-02"}};
  for (const auto& [field, day] : days) {
    SCOPED_TRACE(field);
    const double views = feed_day("countIf(action = 'view')", day);
    const double likes = feed_day("countIf(action = 'like')", day);
    const double senders = messages_day("uniqExact(user_id)", day);
    const double receivers = messages_day("uniqExact(receiver_id)", day);
    EXPECT_GT(views, 30000);
    EXPECT_EQ((*find_metric(j, "feed_users"))[field], feed_day("uniqExact(user_id)", day));
    EXPECT_EQ((*find_metric(j, "views"))[field], views);
    EXPECT_EQ((*find_metric(j, "likes"))[field], likes);
    EXPECT_NEAR((*find_metric(j, "ctr"))[field].get<double>(), likes / views, 1e-12);
    EXPECT_EQ((*find_metric(j, "messenger_users"))[field], senders);
    EXPECT_EQ((*find_metric(j, "messages_sent"))[field], messages_day("count()", day));
    EXPECT_NEAR((*find_metric(j, "sent_received_ratio"))[field].get<double>(),
                senders / receivers, 1e-12);
  }
  // 30 days ending at the date, older first; before the simulation: nulls.
  ASSERT_EQ(j["days"].size(), 30u);
  EXPECT_EQ(j["days"].front()["date"], "2026-02-08");
  EXPECT_EQ(j["days"].back()["date"], "2026-03-09");
  EXPECT_TRUE(j["days"].front()["views"].is_null());
  EXPECT_TRUE(j["days"].front()["receivers"].is_null());
  EXPECT_EQ(j["days"][21]["date"], "2026-03-01");
  EXPECT_EQ(j["days"][21]["views"], feed_day("countIf(action = 'view')", "2026-03-01"));
  EXPECT_EQ(j["days"].back()["receivers"], messages_day("uniqExact(receiver_id)", "2026-03-09"));
  // An explicit date: the last simulated day, tomorrow (no data yet).
  EXPECT_EQ(get("/api/overview", {{"date", "2026-03-10"}}).js()["metrics"][1]["value"],
            feed_day("countIf(action = 'view')", "2026-03-10"));
  EXPECT_TRUE(get("/api/overview", {{"date", "2026-03-11"}}).js()["metrics"][1]["value"].is_null());
}

TEST_F(DashboardTest, SlicesJsonAddUpToTheSourceAndMatchTheTargetTable) {
  const Reply r = get("/api/slices", {{"date", "2026-03-09"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.js();
  EXPECT_EQ(j["date"], "2026-03-09");
  EXPECT_EQ(j["columns"], json({"views", "likes", "messages_received", "messages_sent",
                                "users_received", "users_sent"}));
  std::map<std::string, std::map<std::string, long long>> sums;  // dimension -> column -> sum
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& row : j["rows"]) {
    order.emplace_back(row["dimension"], row["dimension_value"]);
    for (const auto& c : j["columns"]) {
      sums[row["dimension"]][c] += row[c.get<std::string>()].get<long long>();
    }
  }
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end())) << "rows sorted by dimension, value";
  ASSERT_EQ(sums.size(), 3u);
  for (const char* dimension : {"os", "gender", "age"}) {
    SCOPED_TRACE(dimension);
    EXPECT_EQ(sums[dimension]["views"], feed_day("countIf(action = 'view')", "2026-03-09"));
    EXPECT_EQ(sums[dimension]["likes"], feed_day("countIf(action = 'like')", "2026-03-09"));
    EXPECT_EQ(sums[dimension]["messages_sent"], messages_day("count()", "2026-03-09"));
  }
  // The iOS row as stored in the target table, and its views from the source.
  const json* ios = nullptr;
  for (const auto& row : j["rows"]) {
    if (row["dimension"] == "os" && row["dimension_value"] == "iOS") ios = &row;
  }
  ASSERT_NE(ios, nullptr);
  for (const auto& c : j["columns"]) {
    EXPECT_EQ((*ios)[c.get<std::string>()].get<long long>(),
              count(fmt::format("SELECT {} FROM {}.user_slices_daily WHERE event_date = "
                                "'2026-03-09' AND dimension = 'os' AND dimension_value = 'iOS'",
                                c.get<std::string>(), kDst)))
        << c;
  }
  EXPECT_EQ((*ios)["views"], count(fmt::format(
                                 "SELECT countIf(action = 'view') FROM {}.feed_actions WHERE "
                                 "toDate(time, 'Europe/Moscow') = '2026-03-09' AND os = 'iOS'",
                                 kSrc)));
  // A day the ETL did not load: no rows, not an error.
  const Reply empty = get("/api/slices", {{"date", "2026-03-01"}});
  EXPECT_EQ(empty.status, 200);
  EXPECT_TRUE(empty.js()["rows"].empty());
}

TEST_F(DashboardTest, SlicesCsvIsTheSameTableAsADownload) {
  const json j = get("/api/slices", {{"date", "2026-03-09"}}).js();
  const Reply r = get("/slices.csv", {{"date", "2026-03-09"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(contains(r.header("Content-Type"), "text/csv"));
  EXPECT_EQ(r.header("Content-Disposition"),
            "attachment; filename=\"vigil-slices-2026-03-09.csv\"");
  std::vector<std::string> lines;
  for (size_t start = 0, end; start < r.body.size(); start = end + 2) {
    end = r.body.find("\r\n", start);
    ASSERT_NE(end, std::string::npos) << "every line ends with CRLF";
    lines.push_back(r.body.substr(start, end - start));
  }
  ASSERT_EQ(lines.size(), j["rows"].size() + 1);
  EXPECT_EQ(lines[0], "event_date,dimension,dimension_value,views,likes,messages_received,"
                      "messages_sent,users_received,users_sent");
  for (size_t i = 0; i < j["rows"].size(); ++i) {
    const json& row = j["rows"][i];
    std::string expected = "2026-03-09," + row["dimension"].get<std::string>() + "," +
                           row["dimension_value"].get<std::string>();
    for (const auto& c : j["columns"]) {
      expected += "," + std::to_string(row[c.get<std::string>()].get<long long>());
    }
    EXPECT_EQ(lines[i + 1], expected);
  }
}

TEST_F(DashboardTest, SeriesBucketsMatchSqlWithYesterdayAWeekAgoAndTheBand) {
  const Reply r = get("/api/series", {{"metric", "views"}});  // default: today 2026-03-10
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.js();
  EXPECT_EQ(j["metric"], "views");
  EXPECT_EQ(j["slice"], "");
  EXPECT_EQ(j["date"], "2026-03-10");
  EXPECT_EQ(j["bucket_minutes"], 15);
  EXPECT_EQ(j["method"], "seasonal");
  const json& b = j["buckets"];
  ASSERT_EQ(b.size(), 96u);
  for (int i = 0; i < 96; ++i) {
    EXPECT_EQ(b[i]["time"], fmt::format("{:02}:{:02}", i / 4, i % 4 * 15));
  }
  EXPECT_EQ(b[36]["value"], feed_bucket("countIf(action = 'view')", "2026-03-10 09:00"));
  EXPECT_EQ(b[36]["yesterday"], feed_bucket("countIf(action = 'view')", "2026-03-09 09:00"));
  EXPECT_EQ(b[36]["week_ago"], feed_bucket("countIf(action = 'view')", "2026-03-03 09:00"));
  // Now is 12:05: 11:45 is the last complete bucket; later ones have no value yet.
  EXPECT_EQ(b[47]["value"], feed_bucket("countIf(action = 'view')", "2026-03-10 11:45"));
  EXPECT_TRUE(b[48]["value"].is_null());
  EXPECT_FALSE(b[48]["ready"].get<bool>());
  EXPECT_EQ(b[95]["yesterday"], feed_bucket("countIf(action = 'view')", "2026-03-09 23:45"));
  int ready = 0;
  for (const auto& x : b) {
    if (!x["ready"].get<bool>()) continue;
    ++ready;
    EXPECT_LE(x["lower"].get<double>(), x["expected"].get<double>()) << x;
    EXPECT_LE(x["expected"].get<double>(), x["upper"].get<double>()) << x;
  }
  EXPECT_GT(ready, 24) << "8 days of history: the band is there before noon";
  std::set<std::int64_t> ids;
  for (const auto& a : j["alerts"]) ids.insert(a["id"].get<std::int64_t>());
  EXPECT_EQ(ids, (std::set<std::int64_t>{1, 3})) << j["alerts"];
}

TEST_F(DashboardTest, SeriesOfOtherMetricsAndASliceMatchSql) {
  const Params day = {{"date", "2026-03-09"}};
  auto series = [&](const char* metric, const char* slice = "") {
    Params p = day;
    p.emplace_back("metric", metric);
    if (*slice) p.emplace_back("slice", slice);
    const Reply r = get("/api/series", p);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.js();
  };
  EXPECT_EQ(series("feed_users")["buckets"][80]["value"],
            feed_bucket("uniqExact(user_id)", "2026-03-09 20:00"));
  const double views = feed_bucket("countIf(action = 'view')", "2026-03-09 20:00");
  const double likes = feed_bucket("countIf(action = 'like')", "2026-03-09 20:00");
  EXPECT_NEAR(series("ctr")["buckets"][80]["value"].get<double>(), likes / views, 1e-12);
  const std::string messages = fmt::format(
      "FROM {}.message_actions WHERE time >= toDateTime('2026-03-09 20:00:00', 'Europe/Moscow') "
      "AND time < toDateTime('2026-03-09 20:15:00', 'Europe/Moscow')", kSrc);
  EXPECT_EQ(series("messages_sent")["buckets"][80]["value"], count("SELECT count() " + messages));
  EXPECT_EQ(series("messenger_users")["buckets"][80]["value"],
            count("SELECT uniqExact(user_id) " + messages));
  // A slice: the events of that os; the whole past day is complete.
  const json ios = series("likes", "os=iOS");
  EXPECT_EQ(ios["slice"], "os=iOS");
  EXPECT_EQ(ios["buckets"][80]["value"],
            feed_bucket("countIf(action = 'like')", "2026-03-09 20:00", "AND os = 'iOS'"));
  EXPECT_EQ(ios["buckets"][95]["value"],
            feed_bucket("countIf(action = 'like')", "2026-03-09 23:45", "AND os = 'iOS'"));
  ASSERT_EQ(ios["alerts"].size(), 1u);
  EXPECT_EQ(ios["alerts"][0]["id"], 4);
  EXPECT_TRUE(series("likes")["alerts"].empty()) << "the iOS alert is not an all-users alert";
}

TEST_F(DashboardTest, AlertsJsonListsTheRecordsWithFiltersAndLinks) {
  auto ids = [&](const Params& p) {
    const Reply r = get("/api/alerts", p);
    EXPECT_EQ(r.status, 200) << r.body;
    const json j = r.js();
    std::vector<std::int64_t> out;
    for (const auto& a : j["alerts"]) out.push_back(a["id"]);
    return out;
  };
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(ids({}), (Ids{6, 3, 1, 4})) << "last 7 days, actions only, newest first";
  EXPECT_EQ(ids({{"metric", "views"}}), (Ids{3, 1}));
  EXPECT_EQ(ids({{"metric", "views"}, {"from", "2026-03-01"}}), (Ids{3, 1, 5}));
  EXPECT_EQ(ids({{"from", "2026-03-01"}, {"to", "2026-03-01"}}), (Ids{5}));
  EXPECT_EQ(ids({{"from", "2026-03-09"}, {"to", "2026-03-09"}}), (Ids{4}));
  EXPECT_EQ(ids({{"action", "resolve"}}), (Ids{3}));
  EXPECT_EQ(ids({{"action", "fire"}, {"from", "2026-03-01"}}), (Ids{1, 4, 5}));
  EXPECT_EQ(ids({{"action", "repeat"}}), (Ids{6}));
  EXPECT_EQ(ids({{"metric", "ctr"}}), Ids{});
  const json all = get("/api/alerts").js()["alerts"];
  const json& resolve = all[1];
  EXPECT_EQ(resolve["metric"], "views");
  EXPECT_EQ(resolve["slice"], "");
  EXPECT_EQ(resolve["bucket"], "2026-03-10 09:30");
  EXPECT_EQ(resolve["action"], "resolve");
  EXPECT_EQ(resolve["value"], 1500.0);
  EXPECT_DOUBLE_EQ(resolve["lower"].get<double>(), 1800.0);
  EXPECT_DOUBLE_EQ(resolve["expected"].get<double>(), 2250.0);
  EXPECT_DOUBLE_EQ(resolve["upper"].get<double>(), 2700.0);
  EXPECT_EQ(resolve["score"], -4.25);
  EXPECT_EQ(resolve["delivered"], false);
  EXPECT_EQ(resolve["error"], "telegram: 502 Bad Gateway");
  EXPECT_EQ(resolve["url"], "/metric?metric=views&date=2026-03-10&time=09:30");
  EXPECT_EQ(all[3]["bucket"], "2026-03-09 20:00");
  EXPECT_EQ(all[3]["slice"], "os=iOS");
  const std::string url = all[3]["url"];
  EXPECT_TRUE(url == "/metric?metric=likes&date=2026-03-09&time=20:00&slice=os%3DiOS" ||
              url == "/metric?metric=likes&date=2026-03-09&time=20:00&slice=os=iOS")
      << url;
  // The link works and marks that bucket.
  const Reply page = http_get(port_, url);
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "<tr id=\"t-2000\" class=\"")) << "marked bucket";
}

// The alerts page's feedback against the store's own figures: per metric, the
// fires of the range and the latest word on each.
TEST_F(DashboardTest, AlertsFeedbackMatchesTheStore) {
  const Reply reply = get("/api/alerts");  // the last 7 days: 2026-03-04 .. 2026-03-10
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json j = reply.js();
  auto store = open_sqlite_alert_store(dir_->path() + "/alerts.sqlite");
  ASSERT_TRUE(store.ok());
  const EpochSeconds from = at("2026-03-04 00:00"), to = at("2026-03-11 00:00");
  auto records = (*store)->history({.from = from, .to = to, .actions_only = true, .limit = 0});
  auto feedback = (*store)->feedback(from, to);
  ASSERT_TRUE(records.ok() && feedback.ok());
  std::map<std::int64_t, Feedback> last;  // the latest word per record, by time
  for (const auto& f : *feedback) {
    if (!last.count(f.record_id) || last[f.record_id].at < f.at) last[f.record_id] = f;
  }
  std::map<std::string, std::array<int, 3>> expected;  // real, false, unjudged
  for (const auto& r : *records) {
    if (r.action != AlertAction::kFire) continue;
    auto& c = expected[r.evaluation.key.metric];
    if (!last.count(r.id)) {
      ++c[2];
    } else {
      ++c[last[r.id].verdict == FeedbackVerdict::kReal ? 0 : 1];
    }
  }
  ASSERT_EQ(j["feedback"].size(), expected.size()) << j["feedback"].dump();
  for (const auto& [metric, c] : expected) {
    const json& got = j["feedback"][metric];
    EXPECT_EQ(got["real"], c[0]) << metric;
    EXPECT_EQ(got["false"], c[1]) << metric;
    EXPECT_EQ(got["unjudged"], c[2]) << metric;
    EXPECT_EQ(got["alerts"], c[0] + c[1] + c[2]) << metric;
    const std::string html = get("/alerts").body;
    EXPECT_TRUE(contains(html, fmt::format("<td>{}</td><td class=\"num\">{}</td>"
                                           "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                                           metric_title(metric), c[0] + c[1] + c[2], c[0], c[1])))
        << metric;
  }
  for (const auto& a : j["alerts"]) {
    const std::int64_t id = a["id"];
    if (!last.count(id)) {
      EXPECT_TRUE(a["verdict"].is_null()) << id;
      continue;
    }
    EXPECT_EQ(a["verdict"], verdict_name(last[id].verdict)) << id;
    EXPECT_EQ(a["verdict_by"], last[id].by) << id;
  }
}

TEST_F(DashboardTest, PagesShowTheSameNumbers) {
  const Reply overview = get("/overview");
  ASSERT_EQ(overview.status, 200) << overview.body;
  EXPECT_TRUE(contains(overview.header("Content-Type"), "text/html"));
  const std::string& html = overview.body;
  for (const char* name : {"views", "likes", "feed_users"}) {
    const char* sql = std::string(name) == "views" ? "countIf(action = 'view')"
                      : std::string(name) == "likes" ? "countIf(action = 'like')"
                                                     : "uniqExact(user_id)";
    const auto tile = html.find(fmt::format("id=\"metric-{}\"", name));
    ASSERT_NE(tile, std::string::npos) << name;
    const std::string shown = grouped(feed_day(sql, "2026-03-09"));
    EXPECT_TRUE(contains(html.substr(tile, html.find("</div>", tile) - tile),
                         "<span class=\"value\">" + shown + "</span>"))
        << name;
  }
  EXPECT_TRUE(contains(html, "<span class=\"value\">" +
                                 grouped(messages_day("count()", "2026-03-09")) + "</span>"));
  const json slices = get("/api/slices", {{"date", "2026-03-09"}}).js();
  for (const auto& row : slices["rows"]) {
    EXPECT_TRUE(contains(html, fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td>",
                                           row["dimension"].get<std::string>(),
                                           row["dimension_value"].get<std::string>(),
                                           grouped(row["views"].get<long long>()))))
        << row;
  }
  EXPECT_TRUE(contains(html, "/chart/daily.png?date=2026-03-09&amp;days=30&amp;group=messenger"));
  // Sorted by views, descending: the first data row has the largest views.
  const Reply sorted = get("/overview", {{"sort", "views"}, {"order", "desc"}});
  ASSERT_EQ(sorted.status, 200);
  long long most = 0;
  for (const auto& row : slices["rows"]) most = std::max(most, row["views"].get<long long>());
  const auto body = sorted.body.find("<tbody><tr>");
  ASSERT_NE(body, std::string::npos);
  EXPECT_TRUE(contains(sorted.body.substr(body, 200), grouped(most)));

  const Reply metric =
      get("/metric", {{"metric", "views"}, {"date", "2026-03-10"}, {"time", "09:00"}});
  ASSERT_EQ(metric.status, 200) << metric.body;
  const auto row = metric.body.find("<tr id=\"t-0900\"");
  ASSERT_NE(row, std::string::npos);
  const std::string tr = metric.body.substr(row, metric.body.find("</tr>", row) - row);
  EXPECT_TRUE(contains(tr, "marked")) << tr;
  const long long at_nine = feed_bucket("countIf(action = 'view')", "2026-03-10 09:00");
  EXPECT_TRUE(contains(tr, "<td class=\"num\">" + grouped(at_nine) + "</td>")) << tr;
  EXPECT_TRUE(contains(metric.body, "href=\"#t-0930\"")) << "the resolve alert of that day";

  const Reply alerts = get("/alerts");
  ASSERT_EQ(alerts.status, 200);
  EXPECT_TRUE(contains(alerts.body,
                       "href=\"/metric?metric=views&amp;date=2026-03-10&amp;time=09:00\""));
  EXPECT_TRUE(contains(alerts.body, "telegram: 502 Bad Gateway"));
  EXPECT_TRUE(contains(alerts.body, "4 message(s)"));
}

TEST_F(DashboardTest, ChartsArePngs) {
  for (const std::string& path :
       {target("/chart/daily.png"),
        target("/chart/daily.png",
               {{"date", "2026-03-09"}, {"days", "30"}, {"group", "messenger"}}),
        target("/chart/metric.png",
               {{"metric", "views"}, {"date", "2026-03-10"}, {"time", "09:00"}}),
        target("/chart/metric.png",
               {{"metric", "ctr"}, {"date", "2026-03-09"}, {"slice", "os=iOS"}}),
        target("/chart/metric.png", {{"metric", "likes"}, {"date", "2026-04-01"}})}) {
    SCOPED_TRACE(path);
    const Reply r = http_get(port_, path);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "image/png");
    EXPECT_EQ(r.body.substr(0, 8), std::string(kPng, 8));
    EXPECT_GT(r.body.size(), 5000u);
    EXPECT_LT(r.body.size(), 2000000u);
  }
}

}  // namespace
}  // namespace vigil
