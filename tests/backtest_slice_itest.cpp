// `vigil backtest` end to end on a real ClickHouse with labels of one slice: an
// Android-only views outage and a uniform likes drop. The backtest reports that
// the top contributor of the views alert was the injected slice (the uniform
// label, with no slice, is not counted), querying the os slices itself since the
// config has no [alerts] slices.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "sim/simulator.h"
#include "support/alert_data.h"
#include "support/clickhouse_fixture.h"
#include "support/expect.h"
#include "support/vigil_process.h"

namespace vigil {
namespace {

TEST(BacktestSliceCli, TopContributorMatchesTheInjectedSlice) {
  TempDir dir;
  Config config;
  config.clickhouse = test_server().config("default");
  config.source.database = "backtest_slice_src";
  const auto* zone = *find_zone(config.timezone);
  const SimParams params = alert_data_params();
  const EpochSeconds outage = *parse_local_time("2026-03-09 20:00", zone);
  const EpochSeconds drop = *parse_local_time("2026-03-09 13:00", zone);
  const std::vector<Anomaly> anomalies = {{"views", outage, outage + 2700, 0.2, "os=Android"},
                                          {"likes", drop, drop + 1800, 0.3, ""}};
  auto client = make_http_clickhouse(config.clickhouse);
  auto simulated = simulate(*client, config, zone, params, anomalies);
  ASSERT_TRUE(simulated.ok()) << simulated.error().message;

  const std::string labels = dir.path() + "/anomalies.csv";
  ASSERT_TRUE(write_file(labels, anomalies_csv(anomalies, zone)).ok());
  const std::string config_path = dir.path() + "/vigil.toml";
  ASSERT_TRUE(write_file(config_path, fmt::format("state_dir = \"{0}/state\"\n"
                                                  "out_dir = \"{0}/out\"\n"
                                                  "[clickhouse]\nurl = \"{1}\"\n"
                                                  "[source]\ndatabase = \"{2}\"\n",
                                                  dir.path(), test_server().url,
                                                  config.source.database))
                  .ok());
  const std::string out = dir.path() + "/stdout.txt", err = dir.path() + "/stderr.txt";
  const pid_t pid = spawn_vigil_to({"--config", config_path, "backtest", "--from", "2026-03-09",
                                    "--to", "2026-03-09", "--labels", labels, "--method",
                                    "seasonal"},
                                   {}, out, err);
  auto text_of = [](const std::string& path) {
    auto text = read_file(path);
    return text.ok() ? *text : std::string();
  };
  ASSERT_EQ(wait_exit_code(pid), 0) << text_of(err);
  const std::string text = text_of(out);
  EXPECT_CONTAINS(text, "seasonal  views            2026-03-09 20:00 fire");
  EXPECT_CONTAINS(text,
                  "seasonal: top contributor matches the injected slice: 1 of 1 fired incidents "
                  "(100%)");
}

}  // namespace
}  // namespace vigil
