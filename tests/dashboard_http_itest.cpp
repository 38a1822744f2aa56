// The dashboard over HTTP: the run history, bad parameters (400 with a message
// naming the parameter: JSON on /api, an HTML page for pages, plain text for
// charts and CSV), odd inputs on every route (never 5xx while the data source
// works), a failing data source (503 with its message), parallel readers, and
// the token off loopback. Small simulated data in a real ClickHouse; the
// metric values: dashboard_itest.cpp.
#include <future>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "alert/store.h"
#include "clickhouse/server.h"
#include "etl/etl.h"
#include "schedule/history.h"
#include "sim/simulator.h"
#include "support/clickhouse_fixture.h"
#include "support/http_client.h"
#include "web/dashboard.h"
#include "web/server.h"

namespace vigil {
namespace {

using nlohmann::json;
using Params = QueryPairs;

constexpr const char* kToken = "0123456789abcdef0123";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

// A dashboard over a live source and its HTTP server on a free loopback port.
struct Served {
  Served(const Config& config, const std::string& state, const date::time_zone* zone,
         bool loopback = true, std::string token = "")
      : source(make_live_dashboard_source(config, zone, state + "/alerts.sqlite",
                                          state + "/runs.sqlite")),
        dashboard(config, *source,
                  {zone, [zone] { return *parse_local_time("2026-03-10 12:05", zone); },
                   chart::default_renderer()}),
        port(*find_free_port()) {
    auto started = start_http_server({ListenAddress{"127.0.0.1", port, loopback},
                                      [] { return SchedulerStatus{}; }, zone, &dashboard, token,
                                      std::nullopt});
    EXPECT_TRUE(started.ok()) << started.error().message;
    if (started.ok()) server = std::move(*started);
  }
  Reply get(const std::string& path, const Params& params = {},
            const httplib::Headers& h = {}) const {
    return http_get(port, target(path, params), h);
  }
  std::unique_ptr<DashboardSource> source;
  Dashboard dashboard;
  int port;
  std::unique_ptr<HttpServer> server;
};

class DashboardHttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>("vigil-dash-http-");
    config_ = std::make_unique<Config>();
    config_->clickhouse = test_server().config("dash_http_dst");
    config_->source.database = "dash_http_src";
    config_->timezone = "Europe/Moscow";
    config_->state_dir = dir_->path();
    zone_ = *find_zone(config_->timezone);
    auto client = make_http_clickhouse(test_server().config("default"));
    SimParams params;
    params.from = *parse_date("2026-03-08");
    params.days = 3, params.users = 300, params.feed_per_day = 5000, params.messages_per_day = 500;
    auto simulated = simulate(*client, *config_, zone_, params, {});
    ASSERT_TRUE(simulated.ok()) << simulated.error().message;
    Etl etl(*client, *config_, zone_);
    auto loaded = etl.run(*parse_date("2026-03-09"), EtlStep::kAll);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    auto store = open_sqlite_alert_store(dir_->path() + "/alerts.sqlite");
    ASSERT_TRUE(store.ok()) << store.error().message;
    AlertRecord fire;
    fire.evaluation = {{"views", "os=iOS"}, *parse_local_time("2026-03-10 09:00", zone_), 10, 20,
                       40, 30, -5, true, true};
    fire.action = AlertAction::kFire;
    ASSERT_TRUE((*store)->commit({}, {fire}).ok());
    fill_runs(dir_->path() + "/runs.sqlite");
    served_ = std::make_unique<Served>(*config_, dir_->path(), zone_);
  }
  static void TearDownTestSuite() { served_.reset(), config_.reset(), dir_.reset(); }
  void SetUp() override { ASSERT_TRUE(served_ && served_->server) << "suite setup failed"; }

  static Reply get(const std::string& path, const Params& params = {}) {
    return served_->get(path, params);
  }
  static EpochSeconds at(const char* local) { return *parse_local_time(local, zone_); }

  // Ids 1..4: etl ok, report ok, alerts failed (attempt 2), alerts running.
  static void fill_runs(const std::string& path) {
    auto history = open_run_history(path);
    ASSERT_TRUE(history.ok()) << history.error().message;
    auto run = [&](const char* job, const char* for_, const char* scheduled, double took,
                   RunStatus status, int attempt, const char* error, const char* detail) {
      RunRecord r{0, job, for_, at(scheduled), static_cast<double>(at(scheduled)) + 1.0, 0,
                  RunStatus::kRunning, attempt, "", ""};
      auto id = (*history)->start(r);
      ASSERT_TRUE(id.ok()) << id.error().message;
      if (status != RunStatus::kRunning) {
        ASSERT_TRUE((*history)->finish(*id, status, r.started + took, error, detail).ok());
      }
    };
    run("etl", "2026-03-09", "2026-03-10 02:00", 30.5, RunStatus::kOk, 1, "", "3 days loaded");
    run("report", "2026-03-09", "2026-03-10 11:00", 4.25, RunStatus::kOk, 1, "", "sent");
    run("alerts", "2026-03-10 11:30", "2026-03-10 11:45", 2, RunStatus::kFailed, 2,
        "clickhouse: connection refused", "");
    run("alerts", "2026-03-10 11:45", "2026-03-10 12:00", 0, RunStatus::kRunning, 1, "", "");
  }

  static inline std::unique_ptr<TempDir> dir_;
  static inline std::unique_ptr<Config> config_;
  static inline const date::time_zone* zone_ = nullptr;
  static inline std::unique_ptr<Served> served_;
};

TEST_F(DashboardHttpTest, RunsJsonListsTheRunsWithFiltersAndLimit) {
  auto runs = [&](const Params& p) {
    const Reply r = get("/api/runs", p);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.js()["runs"];
  };
  auto ids = [&](const Params& p) {
    std::vector<std::int64_t> out;
    for (const auto& run : runs(p)) out.push_back(run["id"]);
    return out;
  };
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(ids({}), (Ids{4, 3, 2, 1}));
  EXPECT_EQ(ids({{"job", "alerts"}}), (Ids{4, 3}));
  EXPECT_EQ(ids({{"status", "failed"}}), (Ids{3}));
  EXPECT_EQ(ids({{"status", "running"}}), (Ids{4}));
  EXPECT_EQ(ids({{"job", "etl"}, {"status", "ok"}}), (Ids{1}));
  EXPECT_EQ(ids({{"job", "report"}, {"status", "failed"}}), Ids{});
  EXPECT_EQ(ids({{"limit", "1"}}), (Ids{4}));
  EXPECT_EQ(ids({{"limit", "10000"}}).size(), 4u);
  const json all = runs({});
  const json& etl = all[3];
  EXPECT_EQ(etl["job"], "etl");
  EXPECT_EQ(etl["target"], "2026-03-09");
  EXPECT_EQ(etl["status"], "ok");
  EXPECT_EQ(etl["attempt"], 1);
  EXPECT_EQ(etl["scheduled_for"], "2026-03-10 02:00:00");
  EXPECT_EQ(etl["started"], "2026-03-10 02:00:01");
  EXPECT_EQ(etl["ended"], "2026-03-10 02:00:31");
  EXPECT_DOUBLE_EQ(etl["duration_seconds"].get<double>(), 30.5);
  EXPECT_EQ(etl["detail"], "3 days loaded");
  EXPECT_EQ(all[1]["error"], "clickhouse: connection refused");
  EXPECT_EQ(all[1]["attempt"], 2);
  EXPECT_TRUE(all[0]["ended"].is_null());
  EXPECT_TRUE(all[0]["duration_seconds"].is_null());
  const Reply page = get("/runs", {{"job", "alerts"}});
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.header("Content-Type"), "text/html"));
  EXPECT_TRUE(contains(page.body, "clickhouse: connection refused"));
  EXPECT_TRUE(contains(page.body, "<td class=\"status-failed\">failed</td>"));
  EXPECT_FALSE(contains(page.body, "3 days loaded"));
}

// Readers in parallel (a ClickHouse client per call): every answer complete and
// the same as when asked alone (charts: the same bytes for the same data).
TEST_F(DashboardHttpTest, ParallelReadersGetTheSameAnswers) {
  std::vector<std::string> paths;
  for (const char* date : {"2026-03-08", "2026-03-09", "2026-03-10"}) {
    paths.push_back(target("/api/overview", {{"date", date}}));
    paths.push_back(
        target("/api/series", {{"metric", "views"}, {"date", date}, {"slice", "os=iOS"}}));
    paths.push_back(target("/chart/metric.png", {{"metric", "likes"}, {"date", date}}));
    paths.push_back(target("/api/slices", {{"date", date}}));
  }
  std::vector<std::future<Reply>> replies;
  for (int round = 0; round < 3; ++round) {
    for (const auto& path : paths) {
      replies.push_back(
          std::async(std::launch::async, [path] { return http_get(served_->port, path); }));
    }
  }
  for (size_t i = 0; i < replies.size(); ++i) {
    const Reply r = replies[i].get();
    const std::string& path = paths[i % paths.size()];
    EXPECT_EQ(r.status, 200) << path << " " << r.body.substr(0, 300);
    EXPECT_TRUE(r.body == http_get(served_->port, path).body) << path;  // PNGs too
  }
}
// 400, in the route's format, with a message that names `name`.
void expect_bad(const Reply& r, const std::string& path, const std::string& name) {
  EXPECT_EQ(r.status, 400) << r.body;
  const std::string type = r.header("Content-Type");
  if (path.rfind("/api/", 0) == 0) {
    EXPECT_TRUE(contains(type, "application/json")) << type;
    const json j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object() && j.contains("error") && j["error"].is_string()) << r.body;
    EXPECT_TRUE(contains(j["error"], name)) << j["error"];
  } else if (path.rfind("/chart/", 0) == 0 || path == "/slices.csv") {
    EXPECT_TRUE(contains(type, "text/plain")) << type;
    EXPECT_TRUE(contains(r.body, name)) << r.body;
  } else {
    EXPECT_TRUE(contains(type, "text/html")) << type;
    EXPECT_TRUE(contains(r.body, "id=\"error\"")) << r.body;
    EXPECT_TRUE(contains(r.body, name)) << r.body;
  }
}

TEST_F(DashboardHttpTest, BadParametersAre400NamingTheParameter) {
  struct Case {
    std::string path;
    Params params;
    std::string names;  // what the message must mention
  };
  const std::vector<Case> cases = {
      {"/api/series", {{"metric", "nope"}}, "metric"},
      {"/api/series", {{"metric", "views"}, {"date", "2026-13-01"}}, "date"},
      {"/api/overview", {{"date", "yesterday"}}, "date"},
      {"/api/overview", {{"date", "2026-02-30"}}, "date"},
      {"/api/overview", {{"date", "2026-3-1"}}, "date"},
      {"/api/overview", {{"date", "1970-01-01"}}, "date"},
      {"/api/overview", {{"date", "2026-03-09"}, {"date", "garbage"}}, "date"},  // the last counts
      {"/api/slices", {{"date", "03/09/2026"}}, "date"},
      {"/api/series", {{"time", "10:07"}}, "time"},
      {"/api/series", {{"time", "24:00"}}, "time"},
      {"/api/series", {{"time", "9:00"}}, "time"},
      {"/api/series", {{"slice", "foo"}}, "slice"},
      {"/api/series", {{"slice", "os="}}, "slice"},
      {"/api/series", {{"slice", "country=RU"}}, "slice"},
      {"/api/alerts", {{"from", "2026-03-10"}, {"to", "2026-03-01"}}, "from"},
      {"/api/alerts", {{"from", "2024-01-01"}, {"to", "2026-03-10"}}, "from"},
      {"/api/alerts", {{"action", "explode"}}, "action"},
      {"/api/alerts", {{"metric", "nope"}}, "metric"},
      {"/api/alerts", {{"to", "tomorrow"}}, "to"},
      {"/api/runs", {{"limit", "0"}}, "limit"},
      {"/api/runs", {{"limit", "abc"}}, "limit"},
      {"/api/runs", {{"limit", "-1"}}, "limit"},
      {"/api/runs", {{"limit", "10001"}}, "limit"},
      {"/api/runs", {{"limit", "1.5"}}, "limit"},
      {"/api/runs", {{"job", "cron"}}, "job"},
      {"/api/runs", {{"status", "done"}}, "status"},
      {"/slices.csv", {{"date", "bad"}}, "date"},
      {"/chart/daily.png", {{"days", "8"}}, "days"},
      {"/chart/daily.png", {{"group", "ads"}}, "group"},
      {"/chart/daily.png", {{"date", "2026-02-29"}}, "date"},
      {"/chart/metric.png", {{"metric", "nope"}}, "metric"},
      {"/chart/metric.png", {{"time", "10:07"}}, "time"},
      {"/overview", {{"sort", "nonexistent"}}, "sort"},
      {"/overview", {{"order", "sideways"}}, "order"},
      {"/overview", {{"date", "2026-13-01"}}, "date"},
      {"/metric", {{"metric", "nope"}}, "metric"},
      {"/metric", {{"time", "10:07"}}, "time"},
      {"/metric", {{"slice", "foo"}}, "slice"},
      {"/alerts", {{"from", "2026-03-10"}, {"to", "2026-03-01"}}, "from"},
      {"/runs", {{"limit", "0"}}, "limit"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(target(c.path, c.params));
    expect_bad(get(c.path, c.params), c.path, c.names);
  }
}

TEST_F(DashboardHttpTest, EmptyParametersMeanTheDefault) {
  // params.h: "an empty value counts as absent".
  const Reply overview = get("/api/overview", {{"date", ""}});
  EXPECT_EQ(overview.status, 200) << overview.body;
  EXPECT_TRUE(contains(overview.body, "\"date\":\"2026-03-09\"")) << overview.body;
  const Reply series = get("/api/series", {{"metric", ""}, {"time", ""}, {"slice", ""}});
  EXPECT_EQ(series.status, 200) << series.body;
  EXPECT_TRUE(contains(series.body, "\"metric\":\"feed_users\""));
  EXPECT_EQ(get("/api/overview", {{"date", "garbage"}, {"date", "2026-03-09"}}).status, 200);
}

// A parameter that is not UTF-8 is the request's fault like any other bad value:
// 400 with a JSON message, not an exception from the JSON writer or the chart.
TEST_F(DashboardHttpTest, ParametersThatAreNotUtf8Are400) {
  const std::string cut = "a" + repeat("\xC3\xA9", 30);  // echoed cut to 40 bytes: mid-character
  const std::vector<std::pair<std::string, Params>> cases = {
      {"/api/series", {{"metric", "\xFF"}}},
      {"/api/alerts", {{"metric", "\xFF"}}},
      {"/api/overview", {{"date", cut}}},
      {"/api/slices", {{"date", "\xFF"}}},
      {"/api/series", {{"time", "\xFF"}}},
      {"/api/series", {{"slice", "os=\xFF"}}},
      {"/chart/metric.png", {{"slice", "os=\xFF"}}},
  };
  for (const auto& [path, params] : cases) {
    SCOPED_TRACE(target(path, params));
    const Reply r = get(path, params);
    EXPECT_EQ(r.status, 400) << r.body;
    if (path.rfind("/api/", 0) == 0) {
      EXPECT_TRUE(r.js().contains("error")) << r.body;
    }
  }
}

// Odd values for every parameter of every route: a 4xx or 2xx/3xx, never 5xx
// (503 needs a failing data source, which this one is not).
TEST_F(DashboardHttpTest, OddInputsNeverGive5xx) {
  const std::vector<std::string> values = {
      std::string(3000, 'a'), std::string(20000, '9'), std::string(1, '\0'),
      std::string("2026-03-09\0x", 12),
      "\xD0\xB4\xD0\xB0\xD1\x82\xD0\xB0 \xE6\x97\xA5\xE4\xBB\x98", "\xFF\xFE", "os=\xFF",
      "a" + repeat("\xC3\xA9", 30),  // cut mid-character when echoed (40 bytes)
      "<script>alert(1)</script>", "'; DROP TABLE x; --", "../../etc/passwd", "-1",
      "99999999999999999999", " ", "+", "%", "os=iOS\r\nX-Injected: 1", "1e3", "NaN",
      "2026-03-09T00:00", "00:-0", "os=iOS=x", "age=18-24"};
  const std::vector<std::pair<std::string, std::vector<std::string>>> routes = {
      {"/", {}},
      {"/overview", {"date", "sort", "order"}},
      {"/slices.csv", {"date"}},
      {"/api/overview", {"date"}},
      {"/api/slices", {"date"}},
      {"/metric", {"metric", "date", "time", "slice"}},
      {"/api/series", {"metric", "date", "time", "slice"}},
      {"/chart/metric.png", {"metric", "date", "time", "slice"}},
      {"/chart/daily.png", {"date", "days", "group"}},
      {"/alerts", {"metric", "from", "to", "action"}},
      {"/api/alerts", {"metric", "from", "to", "action"}},
      {"/runs", {"job", "status", "limit"}},
      {"/api/runs", {"job", "status", "limit"}},
      {"/health", {}},
  };
  const auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::warn);  // not a line per request
  std::vector<std::string> failures;
  int requests = 0;
  for (const auto& [path, names] : routes) {
    std::vector<std::string> all = names;
    all.push_back("x");
    for (const auto& name : all) {
      for (const auto& value : values) {
        // Once alone, once repeated after a good value.
        for (const Params& params : {Params{{name, value}}, Params{{name, "1"}, {name, value}}}) {
          const std::string t = target(path, params);
          const Reply r = http_get(served_->port, t);
          ++requests;
          const bool api = path.rfind("/api/", 0) == 0;
          const bool json_error = !api || r.status < 400 || r.status == 414 ||
                                  json::parse(r.body, nullptr, false).contains("error");
          if (r.status < 0 || r.status >= 500 || !json_error) {
            std::string body = r.body.substr(0, 160);
            std::replace(body.begin(), body.end(), '\n', ' ');
            failures.push_back(fmt::format("{} -> {} {}", t.substr(0, 100), r.status, body));
          }
        }
      }
    }
  }
  spdlog::set_level(level);
  std::string shown;
  for (size_t i = 0; i < failures.size() && i < 40; ++i) shown += failures[i] + "\n";
  EXPECT_TRUE(failures.empty()) << failures.size() << " of " << requests << " requests failed:\n"
                                << shown;
}

TEST_F(DashboardHttpTest, ClickHouseDownIs503WithAMessageAlertsAndRunsStillWork) {
  Config down = *config_;
  down.clickhouse.url = fmt::format("http://127.0.0.1:{}", *find_free_port());
  down.clickhouse.connect_timeout_seconds = 2;
  down.clickhouse.read_retries = 0;
  Served served(down, dir_->path(), zone_);
  for (const char* path : {"/api/overview", "/api/slices", "/api/series"}) {
    const Reply r = served.get(path);
    EXPECT_EQ(r.status, 503) << path << " " << r.body;
    const json j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.contains("error")) << r.body;
    EXPECT_FALSE(j["error"].get<std::string>().empty());
  }
  const Reply page = served.get("/overview");
  EXPECT_EQ(page.status, 503);
  EXPECT_TRUE(contains(page.header("Content-Type"), "text/html"));
  EXPECT_TRUE(contains(page.body, "id=\"error\""));
  const Reply chart = served.get("/chart/daily.png");
  EXPECT_EQ(chart.status, 503);
  EXPECT_TRUE(contains(chart.header("Content-Type"), "text/plain"));
  EXPECT_EQ(served.get("/metric").status, 503);
  EXPECT_EQ(served.get("/api/runs").status, 200);
  EXPECT_EQ(served.get("/api/alerts").status, 200);
  EXPECT_EQ(served.get("/alerts").status, 200);
  // Bad parameters are still the request's fault.
  EXPECT_EQ(served.get("/api/overview", {{"date", "bad"}}).status, 400);
}

TEST_F(DashboardHttpTest, MissingTablesAre503NamingThem) {
  Config missing = *config_;
  missing.etl.target_table = "missing_table";
  Served served(missing, dir_->path(), zone_);
  for (const char* path : {"/api/slices", "/slices.csv"}) {
    const Reply r = served.get(path, {{"date", "2026-03-09"}});
    EXPECT_EQ(r.status, 503) << path;
    EXPECT_TRUE(contains(r.body, "missing_table")) << path << " " << r.body;
  }
  // The overview still shows the metrics and says why the table is missing.
  const Reply page = served.get("/overview", {{"date", "2026-03-09"}});
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "missing_table")) << page.body;
  EXPECT_EQ(served.get("/api/overview").status, 200);
  EXPECT_EQ(served.get("/api/runs").status, 200);

  Config no_source = *config_;
  no_source.source.database = "dash_nowhere";
  Served nowhere(no_source, dir_->path(), zone_);
  const Reply r = nowhere.get("/api/overview");
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(contains(r.body, "dash_nowhere")) << r.body;
  EXPECT_EQ(nowhere.get("/api/series", {{"metric", "views"}}).status, 503);
  EXPECT_EQ(nowhere.get("/api/runs").status, 200);
}

TEST_F(DashboardHttpTest, OffLoopbackEveryRequestNeedsTheToken) {
  Served served(*config_, dir_->path(), zone_, /*loopback=*/false, kToken);
  ASSERT_TRUE(served.server);
  std::vector<Reply> replies;
  auto get = [&](const std::string& path, const Params& params = {},
                 const httplib::Headers& headers = {}) {
    replies.push_back(served.get(path, params, headers));
    return replies.back();
  };
  for (const char* path : {"/api/overview", "/api/runs", "/overview", "/health", "/metrics",
                           "/chart/daily.png", "/slices.csv", "/"}) {
    SCOPED_TRACE(path);
    const Reply none = get(path);
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer realm=\"vigil\"");
    EXPECT_TRUE(contains(none.body, "token"));
    if (std::string(path).rfind("/api/", 0) == 0) {
      EXPECT_TRUE(json::parse(none.body, nullptr, false).contains("error")) << none.body;
    }
    EXPECT_EQ(get(path, {}, {{"Authorization", "Bearer wrong-token-0123456789"}}).status, 401);
    EXPECT_EQ(get(path, {{"token", "wrong-token-0123456789"}}).status, 401);
    EXPECT_EQ(get(path, {}, {{"Cookie", "vigil_session=0123"}}).status, 401);
    EXPECT_EQ(get(path, {}, {{"Authorization", std::string("Basic ") + kToken}}).status, 401);
    const Reply bearer = get(path, {}, {{"Authorization", std::string("Bearer ") + kToken}});
    EXPECT_EQ(bearer.status, std::string(path) == "/" ? 302 : 200) << bearer.body;
  }
  // ?token= once: a cookie instead, and the address without the token.
  const Reply swap = get("/api/runs", {{"job", "etl"}, {"token", kToken}});
  EXPECT_EQ(swap.status, 303);
  EXPECT_EQ(swap.header("Location"), "/api/runs?job=etl");
  const std::string cookie = swap.header("Set-Cookie");
  EXPECT_EQ(cookie.rfind("vigil_session=", 0), 0u) << cookie;
  EXPECT_TRUE(contains(cookie, "; HttpOnly")) << cookie;
  const std::string session = cookie.substr(0, cookie.find(';'));
  for (const char* path : {"/api/runs", "/overview", "/health", "/api/series"}) {
    const Reply r = get(path, {}, {{"Cookie", "other=1; " + session}});
    EXPECT_EQ(r.status, 200) << path << " " << r.body;
  }
  EXPECT_TRUE(contains(get("/api/runs", {{"job", "etl"}}, {{"Cookie", session}}).body,
                       "\"job\":\"etl\""));
  // Bad parameters behind the token are still 400, not 401.
  EXPECT_EQ(get("/api/runs", {{"limit", "0"}}, {{"Cookie", session}}).status, 400);
  for (const auto& r : replies) {
    EXPECT_FALSE(contains(r.body, kToken)) << r.body.substr(0, 300);
    for (const auto& [name, value] : r.headers) EXPECT_FALSE(contains(value, kToken)) << name;
  }
}

TEST_F(DashboardHttpTest, OffLoopbackWithoutAGoodTokenDoesNotStart) {
  for (const std::string token : {"", "short-token"}) {
    SCOPED_TRACE(token);
    const int port = *find_free_port();
    auto started = start_http_server({ListenAddress{"127.0.0.1", port, false},
                                      [] { return SchedulerStatus{}; }, zone_, &served_->dashboard,
                                      token, std::nullopt});
    ASSERT_FALSE(started.ok());
    EXPECT_TRUE(contains(started.error().message, "VIGIL_DASHBOARD_TOKEN"))
        << started.error().message;
    EXPECT_EQ(http_get(port, "/health").status, -1) << "nothing listens";
  }
}

}  // namespace
}  // namespace vigil
