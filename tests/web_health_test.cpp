// /health's view of ClickHouse without a network: the probe keeps an answer
// (up or down) for a moment and shares a check between concurrent probes; the
// JSON and the HTTP status say "unhealthy"/503 while ClickHouse is down.
#include <atomic>
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
  EXPECT_EQ(health_http_status(&down), 503);
  const auto good = nlohmann::json::parse(health_json(status, zone, &up));
  EXPECT_EQ(good["status"], "ok");
  EXPECT_EQ(good["clickhouse"]["ok"], true);
  EXPECT_TRUE(good["clickhouse"]["error"].is_null());
  EXPECT_EQ(health_http_status(&up), 200);
  // Not asked (a server without ClickHouse settings): as before.
  const auto plain = nlohmann::json::parse(health_json(status, zone));
  EXPECT_EQ(plain["status"], "ok");
  EXPECT_FALSE(plain.contains("clickhouse"));
  EXPECT_EQ(health_http_status(nullptr), 200);
  status.stopping = true;
  EXPECT_EQ(nlohmann::json::parse(health_json(status, zone, &down))["status"], "stopping");
}

}  // namespace
}  // namespace vigil
