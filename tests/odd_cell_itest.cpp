// An odd cell in a ClickHouse answer (text where a count is expected) must end a
// command with one line naming the column and exit 1, not std::terminate. The
// real server computes these cells with aggregates that are always numbers, so
// this test puts a small HTTP endpoint that speaks ClickHouse's HTTP protocol in
// its place and answers vigil's queries with one odd row.
#include <atomic>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "base/files.h"
#include "base/time.h"
#include "clickhouse/client.h"
#include "etl/etl_sql.h"
#include "support/clickhouse_fixture.h"
#include "web/dashboard.h"
#include "support/vigil_process.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

class OddCellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string& sql = req.body;
      std::string body;
      if (sql.find("'feed' AS source_table") != std::string::npos) {
        body = bucket_row_;  // the alerts' bucket series
      } else if (sql.find("countIf(action = 'view')") != std::string::npos) {
        body = daily_row_;  // the report's daily feed metrics
      }
      res.set_content(body, "text/tab-separated-values; charset=UTF-8");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    config_ = dir_.path() + "/vigil.toml";
    ASSERT_TRUE(write_file(config_, fmt::format("state_dir = \"{0}/state\"\nout_dir = \"{0}/out\"\n"
                                                "[clickhouse]\nurl = \"http://127.0.0.1:{1}\"\n"
                                                "read_retries = 0\n",
                                                dir_.path(), port_))
                    .ok());
  }

  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::pair<int, std::string> vigil(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--config", config_, "--quiet"};
    all.insert(all.end(), args.begin(), args.end());
    return run_vigil(all, {}, dir_.path());
  }

  TempDir dir_{"vigil-odd-cell-itest-"};
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::string config_;
  std::string daily_row_ = "2025-03-09\t10\tn/a\t3\n";
  std::string bucket_row_ = "1741518000\t\tfeed\t5\t7\tlots\n";
};

TEST_F(OddCellTest, ReportSaysWhichColumnAndExitsOne) {
  const auto [code, err] = vigil({"report", "--dry-run", "--date", "2025-03-09"});
  EXPECT_EQ(code, 1) << err;
  EXPECT_EQ(err,
            "vigil: daily feed metrics from simulator.feed_actions: column views: 'n/a' is not "
            "an integer\n");
}

TEST_F(OddCellTest, AlertSaysWhichColumnAndExitsOne) {
  const auto [code, err] = vigil({"alert", "--dry-run", "--at", "2025-03-09 14:15"});
  EXPECT_EQ(code, 1) << err;
  EXPECT_THAT(err, HasSubstr("column likes: 'lots' is not a number"));
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

// The real server: a slice table written by some other tool, whose views column is
// text. The dashboard's slice view used to show 'n/a' as 0; it must say what is wrong.
TEST(OddCellRealServerTest, DashboardSlicesNameTheColumnInsteadOfShowingZero) {
  auto client = make_http_clickhouse(test_server().config("default"));
  const std::string db = "odd_cell_dst";
  ASSERT_TRUE(client->execute("DROP DATABASE IF EXISTS " + db).ok());
  ASSERT_TRUE(client->execute("CREATE DATABASE " + db).ok());
  std::string columns, values;
  for (const auto& [name, type] : target_columns()) {
    const bool odd = name == "views";
    columns += fmt::format("{}{} {}", columns.empty() ? "" : ", ", name, odd ? "String" : type);
    const std::string value = name == "event_date" ? "'2026-03-09'"
                              : name == "dimension" ? "'os'"
                              : name == "dimension_value" ? "'iOS'"
                              : odd ? "'n/a'" : "1";
    values += (values.empty() ? "" : ", ") + value;
  }
  ASSERT_TRUE(client->execute(fmt::format("CREATE TABLE {}.user_slices_daily ({}) ENGINE = "
                                          "MergeTree ORDER BY event_date", db, columns)).ok());
  ASSERT_TRUE(client->execute(fmt::format("INSERT INTO {}.user_slices_daily VALUES ({})", db,
                                          values)).ok());
  TempDir dir("vigil-odd-cell-dash-");
  Config config;
  config.clickhouse = test_server().config(db);
  config.state_dir = dir.path();
  auto source = make_live_dashboard_source(config, *find_zone(config.timezone),
                                           dir.path() + "/alerts.sqlite",
                                           dir.path() + "/runs.sqlite");
  std::vector<std::string> names;
  auto rows = source->slices(*parse_date("2026-03-09"), names);
  ASSERT_FALSE(rows.ok()) << "views shown as " << rows->front().values.at("views");
  EXPECT_EQ(rows.error().message,
            "slices from odd_cell_dst.user_slices_daily: column views: 'n/a' is not an integer");
  ASSERT_TRUE(client->execute("DROP DATABASE " + db).ok());
}

}  // namespace
}  // namespace vigil
