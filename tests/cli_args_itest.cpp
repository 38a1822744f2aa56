// The command line contract of the real binary: an option given with an empty
// value is a usage error (exit 2, one line naming the option), never the default.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "support/clickhouse_fixture.h"
#include "support/vigil_process.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

class CliArgsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // ClickHouse on a port nothing listens on: a command that got past its arguments
    // fails with exit 1 instead of touching a real server.
    config_ = dir_.path() + "/vigil.toml";
    ASSERT_TRUE(write_file(config_, fmt::format("state_dir = \"{0}/state\"\nout_dir = \"{0}/out\"\n"
                                                "[clickhouse]\nurl = \"http://127.0.0.1:9\"\n"
                                                "read_retries = 0\n",
                                                dir_.path()))
                    .ok());
  }

  TempDir dir_{"vigil-cli-args-itest-"};
  std::string config_;
};

TEST_F(CliArgsTest, EmptyOptionValuesAreUsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string option;
  };
  const std::vector<Case> cases = {
      {{"etl", "--date", ""}, "--date"},
      {{"etl", "--from", "", "--to", "2025-01-02"}, "--from"},
      {{"etl", "--from", "2025-01-01", "--to", ""}, "--to"},
      {{"etl", "--step", ""}, "--step"},
      {{"report", "--date", ""}, "--date"},
      {{"report", "--dry-run", "--out", ""}, "--out"},
      {{"alert", "--at", ""}, "--at"},
      {{"alert", "--dry-run", "--out", ""}, "--out"},
      {{"simulate", "--from", ""}, "--from"},
      {{"simulate", "--days", ""}, "--days"},
      {{"simulate", "--users", ""}, "--users"},
      {{"simulate", "--feed-per-day", ""}, "--feed-per-day"},
      {{"simulate", "--messages-per-day", ""}, "--messages-per-day"},
      {{"simulate", "--anomalies", ""}, "--anomalies"},
      {{"simulate", "--seed", ""}, "--seed"},
      {{"backtest", "--from", "", "--to", "2025-01-02"}, "--from"},
      {{"backtest", "--from", "2025-01-01", "--to", ""}, "--to"},
      {{"backtest", "--from", "2025-01-01", "--to", "2025-01-02", "--method", ""}, "--method"},
      {{"backtest", "--from", "2025-01-01", "--to", "2025-01-02", "--labels", ""}, "--labels"},
      {{"detect", "--method", ""}, "--method"},
      {{"detect", "--param", ""}, "--param"},
      {{"detect", "--interval-minutes", ""}, "--interval-minutes"},
      {{"runs", "--job", ""}, "--job"},
      {{"runs", "--limit", ""}, "--limit"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"--config", config_};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const auto [code, err] = run_vigil(args, {}, dir_.path());
    const std::string what = fmt::format("vigil {}", fmt::join(c.args, " "));
    EXPECT_EQ(code, 2) << what << ": " << err;
    EXPECT_THAT(err, HasSubstr(c.option + ": empty value")) << what;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << what << ": " << err;
  }
  // CLI11's own words for these two, still one line naming the option.
  for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"clickhouse", ""}, "vigil: action:  not in {start,stop,status} (see `vigil clickhouse --help`)\n"},
           {{"etl", "--date="}, "vigil: --date: 1 required TEXT missing (see `vigil etl --help`)\n"}}) {
    const auto [code, err] = run_vigil(args, {}, dir_.path());
    EXPECT_EQ(code, 2) << err;
    EXPECT_EQ(err, message);
  }
  // The global option too, before any config is read.
  const auto [code, err] = run_vigil({"--config", "", "check-config"}, {}, dir_.path());
  EXPECT_EQ(code, 2) << err;
  EXPECT_THAT(err, HasSubstr("--config: empty value"));
}

}  // namespace
}  // namespace vigil
