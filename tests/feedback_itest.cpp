// `vigil feedback` and what `vigil backtest` makes of it, with the real binary
// and a real ClickHouse: the store is filled with alerts "sent live" on a
// simulated day, people judge them on the command line, the judgements are
// listed and exported as labels, and the backtest over that day reads both the
// labels (a false alarm its config still fires on) and the store (precision per
// metric from the feedback).
#include <algorithm>
#include <sstream>
#include <tuple>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "alert/store.h"
#include "base/files.h"
#include "sim/simulator.h"
#include "support/alert_data.h"
#include "support/clickhouse_fixture.h"
#include "support/expect.h"
#include "support/vigil_process.h"

namespace vigil {
namespace {

std::string text_of(const std::string& path) {
  auto text = read_file(path);
  return text.ok() ? *text : std::string();
}

class FeedbackCli : public ::testing::Test {
 protected:
  void SetUp() override {
    config_path_ = dir_.path() + "/vigil.toml";
    ASSERT_TRUE(write_file(config_path_, fmt::format("state_dir = \"{0}/state\"\n"
                                                     "out_dir = \"{0}/out\"\n"
                                                     "[clickhouse]\nurl = \"{1}\"\n"
                                                     "[source]\ndatabase = \"{2}\"\n",
                                                     dir_.path(), test_server().url, kDatabase))
                    .ok());
    zone_ = *find_zone(Config{}.timezone);
  }

  // Runs vigil with the config; returns (exit code, stdout, stderr).
  std::tuple<int, std::string, std::string> vigil(std::vector<std::string> args,
                                                  const std::vector<std::string>& env = {}) {
    args.insert(args.begin(), {"--config", config_path_});
    const std::string out = dir_.path() + "/stdout.txt", err = dir_.path() + "/stderr.txt";
    const int code = wait_exit_code(spawn_vigil_to(args, env, out, err));
    return {code, text_of(out), text_of(err)};
  }

  // Alerts as a live run would have recorded them: (metric, local time, value, expected).
  std::vector<std::int64_t> fired(
      const std::vector<std::tuple<std::string, std::string, double, double>>& alerts) {
    auto store = open_sqlite_alert_store(dir_.path() + "/state/alerts.sqlite");
    EXPECT_TRUE(store.ok()) << store.error().message;
    std::vector<AlertRecord> records;
    for (const auto& [metric, at, value, expected] : alerts) {
      AlertRecord r;
      r.evaluation = {.key = {metric, ""}, .bucket = *parse_local_time(at, zone_),
                      .value = value, .expected = expected, .anomaly = true, .ready = true};
      r.action = AlertAction::kFire;
      r.delivered = true;
      records.push_back(r);
    }
    auto saved = (*store)->commit({}, records);
    EXPECT_TRUE(saved.ok()) << saved.error().message;
    std::vector<std::int64_t> ids;
    for (const auto& r : *saved) ids.push_back(r.id);
    return ids;
  }

  static constexpr const char* kDatabase = "feedback_src";
  TempDir dir_;
  std::string config_path_;
  const date::time_zone* zone_ = nullptr;
};

TEST_F(FeedbackCli, AddRefusesAnUnknownRecordAndVerdict) {
  const auto ids = fired({{"views", "2026-03-09 20:00", 200, 1000}});
  auto [code, out, err] = vigil({"feedback", "add", "999", "real"});
  EXPECT_EQ(code, 2) << err;
  EXPECT_CONTAINS(err, "no alert record #999");
  std::tie(code, out, err) = vigil({"feedback", "add", std::to_string(ids[0]), "maybe"});
  EXPECT_EQ(code, 2) << err;
  EXPECT_CONTAINS(err, "'maybe' is not a verdict");
  {  // a "back to normal" is no alert to judge
    auto store = open_sqlite_alert_store(dir_.path() + "/state/alerts.sqlite");
    AlertRecord resolved;
    resolved.evaluation.key = {"views", ""};
    resolved.action = AlertAction::kResolve;
    const std::int64_t id = (*store)->commit({}, {resolved})->front().id;
    std::tie(code, out, err) = vigil({"feedback", "add", std::to_string(id), "false"});
    EXPECT_EQ(code, 2) << err;
    EXPECT_CONTAINS(err, fmt::format("record #{} is no alert (its action: resolve)", id));
  }
  std::tie(code, out, err) = vigil({"feedback", "list"});
  EXPECT_EQ(code, 0) << err;
  EXPECT_EQ(out, "no feedback\n");
  // --by defaults to $USER.
  std::tie(code, out, err) =
      vigil({"feedback", "add", std::to_string(ids[0]), "real"}, {"USER=carol"});
  EXPECT_EQ(code, 0) << err;
  EXPECT_CONTAINS(out, fmt::format("record #{} (views at 2026-03-09 20:00, fire): marked real by carol",
                                   ids[0]));
}

TEST_F(FeedbackCli, JudgedAlertsBecomeLabelsAndPrecisionInTheBacktest) {
  Config config;
  config.clickhouse = test_server().config("default");
  config.source.database = kDatabase;
  const SimParams params = alert_data_params();
  // A views outage and a likes drop the team calls normal (say, a planned change).
  const EpochSeconds outage = *parse_local_time("2026-03-09 20:00", zone_);
  const EpochSeconds drop = *parse_local_time("2026-03-09 13:00", zone_);
  const std::vector<Anomaly> injected = {{"views", outage, outage + 2700, 0.2, ""},
                                         {"likes", drop, drop + 1800, 0.3, ""}};
  auto client = make_http_clickhouse(config.clickhouse);
  auto simulated = simulate(*client, config, zone_, params, injected);
  ASSERT_TRUE(simulated.ok()) << simulated.error().message;

  // What was sent live that day (and one alert the day before, outside the range).
  const auto ids = fired({{"views", "2026-03-09 20:00", 200, 1000},   // real
                          {"likes", "2026-03-09 13:00", 30, 100},     // false (known change)
                          {"views", "2026-03-09 03:00", 90, 120},     // false, nothing there
                          {"views", "2026-03-09 10:00", 150, 100},    // nobody judged it
                          {"likes", "2026-03-07 12:00", 10, 100}});   // real, another day
  const std::vector<std::pair<std::int64_t, std::string>> judged = {
      {ids[0], "false"}, {ids[0], "real"},  // changed their mind: real
      {ids[1], "false"}, {ids[2], "false"}, {ids[4], "real"}};
  for (const auto& [id, verdict] : judged) {
    auto [code, out, err] = vigil({"feedback", "add", std::to_string(id), verdict, "--by", "ann"});
    ASSERT_EQ(code, 0) << err;
  }

  // list: every judgement of the day, with its record.
  auto [code, out, err] = vigil({"feedback", "list", "--from", "2026-03-09", "--to", "2026-03-09"});
  ASSERT_EQ(code, 0) << err;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1 + 4) << out;  // header + 4 judgements
  EXPECT_CONTAINS(out, fmt::format("{:>7}  2026-03-09 20:00  views", ids[0]));
  EXPECT_CONTAINS(out, fmt::format("{:>7}  2026-03-09 13:00  likes", ids[1]));
  EXPECT_LACKS(out, "2026-03-07");

  // export: the day's judged alerts as the simulator's CSV.
  const std::string labels_path = dir_.path() + "/labels.csv";
  std::tie(code, out, err) = vigil({"feedback", "export", "--labels", labels_path, "--from",
                                    "2026-03-09", "--to", "2026-03-09"});
  ASSERT_EQ(code, 0) << err;
  auto labels = parse_anomalies_csv(text_of(labels_path), labels_path, zone_,
                                    age_bucket_labels(config.etl.age_buckets));
  ASSERT_TRUE(labels.ok()) << labels.error().message;
  ASSERT_EQ(labels->size(), 3u);
  const EpochSeconds night = *parse_local_time("2026-03-09 03:00", zone_);
  const auto label_at = [&](EpochSeconds start) {
    for (const auto& a : *labels) {
      if (a.start == start) return a;
    }
    ADD_FAILURE() << "no label at " << start;
    return Anomaly{};
  };
  EXPECT_EQ(label_at(outage).metric, "views");
  EXPECT_EQ(label_at(outage).end, outage + 900);
  EXPECT_DOUBLE_EQ(label_at(outage).factor, 200.0 / 1000.0);
  EXPECT_DOUBLE_EQ(label_at(drop).factor, 1.0);  // known normal
  EXPECT_DOUBLE_EQ(label_at(night).factor, 1.0);
  // Without --labels, the same CSV on stdout.
  std::tie(code, out, err) =
      vigil({"feedback", "export", "--from", "2026-03-09", "--to", "2026-03-09"});
  ASSERT_EQ(code, 0) << err;
  EXPECT_EQ(out, text_of(labels_path));

  std::tie(code, out, err) = vigil({"backtest", "--from", "2026-03-09", "--to", "2026-03-09",
                                    "--labels", labels_path, "--method", "seasonal"});
  ASSERT_EQ(code, 0) << err;
  // The likes drop still fires; the quiet night does not.
  EXPECT_CONTAINS(out, "seasonal: 1 of 2 false alarms marked in the chat still fire with this config");
  // The real outage is the one label to find.
  std::istringstream lines(out);
  bool scored = false;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    std::vector<std::string> f;
    for (std::string w; in >> w;) f.push_back(w);
    if (f.size() == 10 && f[0] == "seasonal" && f[1] == "all") {
      EXPECT_EQ(f[5], "1") << line;  // labels
      EXPECT_EQ(f[6], "1") << line;  // found
      scored = true;
    }
    // The live alerts of the day by the feedback on them, as judged above:
    // views 3 (1 real, 1 false, 1 unjudged), likes 1 (false).
    if (f.size() == 6 && f[0] == "views") {
      EXPECT_EQ(f, (std::vector<std::string>{"views", "3", "1", "1", "1", "50%"}));
    }
    if (f.size() == 6 && f[0] == "likes") {
      EXPECT_EQ(f, (std::vector<std::string>{"likes", "1", "0", "1", "0", "0%"}));
    }
    if (f.size() == 6 && f[0] == "all") {
      EXPECT_EQ(f, (std::vector<std::string>{"all", "4", "1", "2", "1", "33%"}));
    }
  }
  EXPECT_TRUE(scored) << out;
  EXPECT_CONTAINS(out, "alerts sent live and the feedback on them");
}

}  // namespace
}  // namespace vigil
