// /health's view of ClickHouse without a network: the probe keeps an answer
// (up or down) for a moment and shares a check between concurrent probes; the
// JSON and the HTTP status say "unhealthy"/503 while ClickHouse is down and
// "stopping"/503 while serve shuts down; /metrics has the same answer as
// vigil_clickhouse_up.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "web/health.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;

TEST(WebHealthTest, ProbeKeepsEitherAnswerForAMomentThenAsksAgain) {
  std::atomic<int> calls{0};
  bool up = false;
  ClickHouseProbe probe(
      [&] {
        ++calls;
        std::this_thread::sleep_for(50ms);
        return ClickHouseHealth{up, "http://ch:8123", up ? "" : "cannot connect to ClickHouse"};
      },
      300ms);
  std::vector<std::thread> probes;
  for (int i = 0; i < 8; ++i) probes.emplace_back([&] { EXPECT_FALSE(probe.get().ok); });
  for (auto& t : probes) t.join();
  EXPECT_FALSE(probe.get().ok);
  EXPECT_EQ(calls, 1) << "a down server is asked once per moment, not once per probe";
  up = true;
  std::this_thread::sleep_for(350ms);
  EXPECT_TRUE(probe.get().ok);
  EXPECT_EQ(calls, 2);
}

TEST(WebHealthTest, JsonAndStatusSayWhetherClickHouseAnswers) {
  SchedulerStatus status;
  status.started_at = 1000, status.now = 1010;
  const auto* zone = *find_zone("Europe/Moscow");
  const ClickHouseHealth down{false, "http://ch:8123", "cannot connect to ClickHouse at http://ch:8123"};
  const ClickHouseHealth up{true, "http://ch:8123", ""};
  const auto bad = nlohmann::json::parse(health_json(status, zone, &down));
  EXPECT_EQ(bad["status"], "unhealthy");
  EXPECT_EQ(bad["clickhouse"]["ok"], false);
  EXPECT_EQ(bad["clickhouse"]["url"], "http://ch:8123");
  EXPECT_EQ(bad["clickhouse"]["error"], down.error);
  EXPECT_EQ(health_http_status(status, &down), 503);
  const auto good = nlohmann::json::parse(health_json(status, zone, &up));
  EXPECT_EQ(good["status"], "ok");
  EXPECT_EQ(good["clickhouse"]["ok"], true);
  EXPECT_TRUE(good["clickhouse"]["error"].is_null());
  EXPECT_EQ(health_http_status(status, &up), 200);
  // Not asked (a server without ClickHouse settings): as before.
  const auto plain = nlohmann::json::parse(health_json(status, zone));
  EXPECT_EQ(plain["status"], "ok");
  EXPECT_FALSE(plain.contains("clickhouse"));
  EXPECT_EQ(health_http_status(status, nullptr), 200);
  status.stopping = true;
  EXPECT_EQ(nlohmann::json::parse(health_json(status, zone, &down))["status"], "stopping");
}

// A readiness probe must stop sending traffic while serve shuts down, whatever ClickHouse says.
TEST(WebHealthTest, StoppingIs503AndSaysSo) {
  SchedulerStatus status;
  status.started_at = 1000, status.now = 1010;
  status.stopping = true;
  const auto* zone = *find_zone("Europe/Moscow");
  const ClickHouseHealth up{true, "http://ch:8123", ""};
  const ClickHouseHealth down{false, "http://ch:8123", "cannot connect"};
  for (const ClickHouseHealth* clickhouse : {&up, &down, static_cast<const ClickHouseHealth*>(nullptr)}) {
    EXPECT_EQ(health_http_status(status, clickhouse), 503);
    EXPECT_EQ(nlohmann::json::parse(health_json(status, zone, clickhouse))["status"], "stopping");
  }
  status.stopping = false;
  EXPECT_EQ(health_http_status(status, &up), 200);
}

// The sample lines of `name` in a Prometheus text (without HELP/TYPE).
std::vector<std::string> samples(const std::string& text, const std::string& name) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(begin, end - begin);
    if (line.rfind(name + " ", 0) == 0 || line.rfind(name + "{", 0) == 0) out.push_back(line);
    begin = end + 1;
  }
  return out;
}

TEST(WebHealthTest, MetricsHaveAClickHouseUpGauge) {
  SchedulerStatus status;
  status.started_at = 1000, status.now = 1010;
  const ClickHouseHealth up{true, "http://ch:8123", ""};
  const ClickHouseHealth down{false, "http://ch:8123", "cannot connect"};
  const std::string with_up = metrics_text(status, &up);
  EXPECT_EQ(samples(with_up, "vigil_clickhouse_up"), std::vector<std::string>{"vigil_clickhouse_up 1"})
      << with_up;
  EXPECT_NE(with_up.find("\n# HELP vigil_clickhouse_up "), std::string::npos) << with_up;
  EXPECT_NE(with_up.find("\n# TYPE vigil_clickhouse_up gauge\nvigil_clickhouse_up 1\n"),
            std::string::npos)
      << with_up;
  EXPECT_EQ(samples(metrics_text(status, &down), "vigil_clickhouse_up"),
            std::vector<std::string>{"vigil_clickhouse_up 0"});
  // Not asked (no ClickHouse settings): no gauge rather than a made-up value.
  EXPECT_EQ(metrics_text(status, nullptr).find("vigil_clickhouse_up"), std::string::npos);
}

}  // namespace
}  // namespace vigil
