// The dashboard's HTTP endpoint as operators meet it: two real `vigil serve
// --dashboard-only` processes asked for one port (the second must refuse, not
// share the port and split the requests), /health and /metrics while the
// ClickHouse behind it stops and starts again (probes must see it), and /health
// while serve stops (503: a readiness probe must stop sending traffic).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/files.h"
#include "clickhouse/server.h"
#include "support/clickhouse_fixture.h"
#include "support/http_client.h"
#include "support/vigil_process.h"
#include "web/server.h"

namespace vigil {
namespace {

using Clock = std::chrono::steady_clock;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A vigil.toml for `serve --dashboard-only` on 127.0.0.1:port with its own state dir.
std::string write_config(const std::string& dir, int port,
                         const std::string& clickhouse_url = test_server().url) {
  const std::string path = dir + "/vigil.toml";
  EXPECT_TRUE(write_file(path, fmt::format("state_dir = \"{}/state\"\nout_dir = \"{}/out\"\n"
                                           "[clickhouse]\nurl = \"{}\"\n"
                                           "[serve]\nlisten = \"127.0.0.1:{}\"\n",
                                           dir, dir, clickhouse_url, port))
                  .ok());
  return path;
}

std::string text_of(const std::string& path) {
  auto text = read_file(path);
  return text.ok() ? *text : "";
}

// The line of `text` that contains `part` ("" if none).
std::string line_with(const std::string& text, const std::string& part) {
  const size_t at = text.find(part);
  if (at == std::string::npos) return "";
  const size_t begin = text.rfind('\n', at);
  const size_t end = text.find('\n', at);
  return text.substr(begin == std::string::npos ? 0 : begin + 1,
                     end == std::string::npos ? std::string::npos : end - (begin + 1));
}

// The value of the sample line `name value` in a Prometheus text (-1 if absent).
double sample(const std::string& text, const std::string& name) {
  const std::string start = "\n" + name + " ";
  const size_t at = text.find(start);
  return at == std::string::npos ? -1 : std::stod(text.substr(at + start.size()));
}

Reply wait_for_health(int port, std::chrono::seconds limit) {
  Reply r;
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline && (r = http_get(port, "/health")).status < 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return r;
}

TEST(DashboardServeTest, SecondServeOnTheSamePortFailsNamingTheAddress) {
  TempDir first_dir, second_dir;
  const int port = *find_free_port();
  const pid_t first = spawn_vigil({"--config", write_config(first_dir.path(), port), "serve",
                                   "--dashboard-only"},
                                  {}, first_dir.path() + "/stderr.txt");
  ASSERT_GT(first, 0);
  const Reply up = wait_for_health(port, std::chrono::seconds(20));
  ASSERT_EQ(up.status, 200) << text_of(first_dir.path() + "/stderr.txt");

  // Another state dir (so serve's state-dir lock does not stop it), the same port.
  const std::string err_path = second_dir.path() + "/stderr.txt";
  const pid_t second = spawn_vigil({"--config", write_config(second_dir.path(), port), "serve",
                                    "--dashboard-only"},
                                   {}, err_path);
  ASSERT_GT(second, 0);
  EXPECT_EQ(wait_exit_within(second, std::chrono::seconds(10)), 1)
      << "the second serve must not listen beside the first";
  const std::string err = text_of(err_path);
  // One line naming the address, the cause and the setting to change.
  const std::string line = line_with(err, fmt::format("127.0.0.1:{}", port));
  EXPECT_TRUE(contains(line, "another process listens on it")) << err;
  EXPECT_TRUE(contains(line, "[serve] listen")) << err;

  // The first one still serves, alone.
  EXPECT_EQ(http_get(port, "/health").status, 200);
  ASSERT_EQ(kill(first, SIGTERM), 0);
  EXPECT_EQ(wait_exit_within(first, std::chrono::seconds(10)), 0);
}

// /health asks ClickHouse (cached for a moment): while it is down, 503 with a
// field naming ClickHouse and its URL (no password), so probes see it; back, 200.
// /metrics says the same as vigil_clickhouse_up (1, 0, 1).
TEST(DashboardServeTest, HealthSaysWhenClickHouseIsDownAndWhenItIsBack) {
  TempDir dir;
  const std::string password = "health-secret-4242";
  ManagedServerOptions options;
  options.dir = dir.path() + "/clickhouse";
  options.http_port = *find_free_port();
  options.password = password;
  ASSERT_TRUE(start_managed_server(options).ok());
  const std::string url = fmt::format("http://127.0.0.1:{}", options.http_port);
  const int port = *find_free_port();
  const pid_t serve =
      spawn_vigil({"--config", write_config(dir.path(), port, url), "serve", "--dashboard-only"},
                  {"VIGIL_CLICKHOUSE_PASSWORD=" + password}, dir.path() + "/stderr.txt");
  ASSERT_GT(serve, 0);
  // Polls /health until its status is `want` (or 15 s pass); returns the last answer.
  auto health_until = [&](int want) {
    Reply r;
    const auto deadline = Clock::now() + std::chrono::seconds(15);
    while (Clock::now() < deadline && (r = http_get(port, "/health")).status != want) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_FALSE(contains(r.body, password)) << r.body;
    return r;
  };

  const Reply up = health_until(200);
  ASSERT_EQ(up.status, 200) << up.body << text_of(dir.path() + "/stderr.txt");
  EXPECT_EQ(up.js()["status"], "ok") << up.body;
  EXPECT_EQ(up.js()["clickhouse"]["ok"], true) << up.body;
  EXPECT_EQ(up.js()["clickhouse"]["url"], url) << up.body;
  const Reply metrics_up = http_get(port, "/metrics");
  EXPECT_EQ(metrics_up.status, 200);
  EXPECT_EQ(sample(metrics_up.body, "vigil_clickhouse_up"), 1) << metrics_up.body;
  EXPECT_TRUE(contains(metrics_up.body, "\n# TYPE vigil_clickhouse_up gauge\n")) << metrics_up.body;

  ASSERT_TRUE(stop_managed_server(options.dir).ok());
  const Reply down = health_until(503);
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_TRUE(contains(down.header("Content-Type"), "application/json"));
  const auto j = down.js();
  EXPECT_EQ(j["status"], "unhealthy") << down.body;
  EXPECT_EQ(j["clickhouse"]["ok"], false) << down.body;
  EXPECT_EQ(j["clickhouse"]["url"], url) << down.body;
  ASSERT_TRUE(j["clickhouse"]["error"].is_string()) << down.body;
  EXPECT_TRUE(contains(j["clickhouse"]["error"], url)) << down.body;
  const Reply metrics_down = http_get(port, "/metrics");
  EXPECT_EQ(metrics_down.status, 200) << "vigil itself is up: /metrics answers";
  EXPECT_EQ(sample(metrics_down.body, "vigil_clickhouse_up"), 0) << metrics_down.body;
  EXPECT_EQ(sample(metrics_down.body, "vigil_up"), 1) << metrics_down.body;

  ASSERT_TRUE(start_managed_server(options).ok());
  const Reply back = health_until(200);
  EXPECT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.js()["clickhouse"]["ok"], true) << back.body;
  EXPECT_EQ(sample(http_get(port, "/metrics").body, "vigil_clickhouse_up"), 1);

  ASSERT_EQ(kill(serve, SIGTERM), 0);
  EXPECT_EQ(wait_exit_within(serve, std::chrono::seconds(10)), 0);
  EXPECT_TRUE(stop_managed_server(options.dir).ok());
}

// While serve shuts down (the scheduler lets its steps finish, the endpoint
// still answers) /health is 503 with "status": "stopping", not 200.
TEST(DashboardServeTest, HealthIs503WhileStopping) {
  std::atomic<bool> stopping{false};
  const int port = *find_free_port();
  auto server = start_http_server({ListenAddress{"127.0.0.1", port, true},
                                   [&] {
                                     SchedulerStatus s;
                                     s.started_at = 1000, s.now = 1010;
                                     s.stopping = stopping;
                                     return s;
                                   },
                                   *find_zone("Europe/Moscow"), nullptr, "", std::nullopt});
  ASSERT_TRUE(server.ok()) << server.error().message;
  const Reply running = http_get(port, "/health");
  EXPECT_EQ(running.status, 200) << running.body;
  EXPECT_EQ(running.js()["status"], "ok") << running.body;
  stopping = true;
  const Reply stopped = http_get(port, "/health");
  EXPECT_EQ(stopped.status, 503) << stopped.body;
  EXPECT_EQ(stopped.js()["status"], "stopping") << stopped.body;
  EXPECT_TRUE(contains(stopped.header("Content-Type"), "application/json"));
}

}  // namespace
}  // namespace vigil
