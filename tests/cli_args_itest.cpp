// The command line contract of the real binary: an option given with an empty
// value is a usage error (exit 2, one line naming the option), never the default.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alert/store.h"
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
      {{"detect", "--alerts", "--consecutive", ""}, "--consecutive"},
      {{"detect", "--alerts", "--repeat-every-minutes", ""}, "--repeat-every-minutes"},
      {{"runs", "--job", ""}, "--job"},
      {{"runs", "--limit", ""}, "--limit"},
      {{"silence", "add", "likes", "--for", ""}, "--for"},
      {{"silence", "add", "likes", "--for", "2h", "--slice", ""}, "--slice"},
      {{"feedback", "add", "1", "real", "--by", ""}, "--by"},
      {{"feedback", "list", "--from", ""}, "--from"},
      {{"feedback", "export", "--labels", ""}, "--labels"},
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

// `vigil silence`: bad input is one usage line; a silence added from the
// command line is in the alert state that runs read, and expires.
TEST_F(CliArgsTest, SilencesAreAddedListedAndExpiredInTheAlertState) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"silence", "add", "likez", "--for", "2h"}, "unknown metric 'likez': give all or one of"},
      {{"silence", "add", "likes", "--for", "2 hours"}, "bad duration '2 hours'"},
      {{"silence", "add", "likes"}, "give how long: --for DURATION"},
      {{"silence", "add", "likes", "--for", "1h", "--until", "2099-01-01 00:00"},
       "give how long"},
      {{"silence", "add", "likes", "--slice", "iOS", "--for", "1h"}, "give dimension=value"},
      {{"silence", "add", "likes", "--until", "2001-01-01 10:00"}, "--until must be after"},
      {{"silence", "add", "likes", "--from", "2001-01-01 10:00", "--for", "1h"},
       "would be over already"},
      {{"silence", "expire", "7"}, "no silence #7"},
  };
  for (const auto& [args, message] : bad) {
    std::vector<std::string> all = {"--config", config_};
    all.insert(all.end(), args.begin(), args.end());
    const auto [code, err] = run_vigil(all, {}, dir_.path());
    EXPECT_EQ(code, 2) << err;
    EXPECT_THAT(err, HasSubstr(message));
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  }
  auto add = run_vigil({"--config", config_, "silence", "add", "likes", "--slice", "os=iOS",
                        "--for", "2h", "--comment", "release 4.2", "--by", "ann"},
                       {}, dir_.path());
  EXPECT_EQ(add.first, 0) << add.second;
  auto store = open_sqlite_alert_store(dir_.path() + "/state/alerts.sqlite");
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto silences = (*store)->silences(std::nullopt);
  ASSERT_EQ(silences->size(), 1u);
  const Silence& s = silences->front();
  EXPECT_EQ(s.metric, "likes");
  EXPECT_EQ(s.slice, std::optional<std::string>("os=iOS"));
  // From the start of the bucket under way, for two hours from now.
  EXPECT_EQ(s.starts % 900, 0);
  EXPECT_GE(s.ends - s.starts, 7200);
  EXPECT_LT(s.ends - s.starts, 7200 + 900);
  EXPECT_EQ(s.created_by, "ann");
  EXPECT_EQ(s.comment, "release 4.2");
  EXPECT_EQ(run_vigil({"--config", config_, "silence", "list"}, {}, dir_.path()).first, 0);
  EXPECT_EQ(run_vigil({"--config", config_, "silence", "expire", std::to_string(s.id)}, {},
                      dir_.path())
                .first,
            0);
  EXPECT_TRUE((*store)->silences(s.starts + 7200 - 1)->empty());
}

// --resend asks for a send; --dry-run sends nothing: together they are a usage
// error, not --resend silently ignored.
TEST_F(CliArgsTest, ResendWithDryRunIsAUsageError) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"report", "--resend", "--dry-run"}, {"report", "--dry-run", "--resend"}}) {
    std::vector<std::string> all = {"--config", config_};
    all.insert(all.end(), args.begin(), args.end());
    const auto [code, err] = run_vigil(all, {}, dir_.path());
    const std::string what = fmt::format("vigil {}", fmt::join(args, " "));
    EXPECT_EQ(code, 2) << what << ": " << err;
    EXPECT_THAT(err, HasSubstr("--resend")) << what;
    EXPECT_THAT(err, HasSubstr("--dry-run")) << what;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << what << ": " << err;
  }
}

// A detector that `vigil alert` would refuse is refused by check-config (and by
// every command that reads the config) with file:line, before serve starts.
TEST_F(CliArgsTest, CheckConfigRefusesBadDetectorsWithFileLine) {
  struct Case {
    std::string toml, expected;  // expected: the stderr line after "vigil: <file>:"
  };
  const std::vector<Case> cases = {
      {"[alerts]\nmethod = \"magic\"\n",
       "2: alerts.method: unknown detection method 'magic' (valid: seasonal, iqr, dayago)"},
      {"[alerts.metrics.views]\nparams = { zz = 1 }\n",
       "2: alerts.metrics.views.params.zz: unknown parameter 'zz' for method seasonal (valid: "
       "days, weeks, min_days, level, noise_window, k, floor, poisson, min_volume, sensitivity, "
       "k_min, margin, rank, calibration_days, model, direction)"},
      {"[alerts.metrics.views]\nmethod = \"iqr\"\nparams = { n = \"x\" }\n",
       "3: alerts.metrics.views.params.n: iqr parameter n='x': expected an integer 2..10000"},
      {"[alerts]\nmethod = \"iqr\"\n\n[alerts.metrics.likes]\nparams = { n = -3 }\n",
       "5: alerts.metrics.likes.params.n: iqr parameter n='-3': expected an integer 2..10000"},
      {"[alerts.metrics.ctr]\nenabled = true\nmethod = \"zscore\"\n",
       "3: alerts.metrics.ctr.method: unknown detection method 'zscore' (valid: seasonal, iqr, "
       "dayago)"},
      {"[alerts.metrics.views]\nparams = { days = 2, weeks = 0, min_days = 5 }\n",
       "2: alerts.metrics.views.params: seasonal parameter min_days=5: expected at most days + "
       "weeks = 2"},
  };
  const std::string path = dir_.path() + "/detectors.toml";
  for (const auto& c : cases) {
    ASSERT_TRUE(write_file(path, c.toml).ok());
    const auto [code, err] = run_vigil({"--config", path, "check-config"}, {}, dir_.path());
    EXPECT_EQ(code, 2) << c.toml;
    EXPECT_EQ(err, "vigil: " + path + ":" + c.expected + "\n") << c.toml;
  }
  ASSERT_TRUE(write_file(path, "[alerts]\nmethod = \"dayago\"\n[alerts.metrics.views]\n"
                               "method = \"iqr\"\nparams = { n = 8, a = 2.5 }\n"
                               "[alerts.metrics.likes]\nparams = { threshold = 0.3 }\n")
                  .ok());
  const auto [code, err] = run_vigil({"--config", path, "check-config"}, {}, dir_.path());
  EXPECT_EQ(code, 0) << err;
}

}  // namespace
}  // namespace vigil
