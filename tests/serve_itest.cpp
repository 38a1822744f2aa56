// `vigil serve` for real: the built binary on a 15-second schedule against the
// test ClickHouse (simulated source data) and the fake Bot API. It must run the
// ETL, the report and the alerts (catch-up at start, then on schedule), answer
// /health and /metrics, and stop cleanly on SIGTERM with the runs recorded.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "base/files.h"
#include "clickhouse/server.h"
#include "schedule/history.h"
#include "sim/simulator.h"
#include "support/clickhouse_fixture.h"
#include "support/vigil_process.h"
#include "support/fake_telegram.h"

extern char** environ;

namespace vigil {
namespace {

using Clock = std::chrono::steady_clock;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Starts `vigil --config FILE args...` with `extra_env` added to a copy of this
// environment (without other VIGIL_ variables), stdout/stderr to files.
pid_t spawn(const std::string& config, const std::vector<std::string>& args,
            const std::vector<std::string>& extra_env, const std::string& out,
            const std::string& err) {
  std::vector<std::string> argv_s = {VIGIL_BINARY, "--config", config};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<std::string> env_s = extra_env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string(*e).rfind("VIGIL_", 0) != 0) env_s.emplace_back(*e);
  }
  std::vector<char*> argv, envp;  // built before fork: the child only calls exec
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o < 0 || e < 0) _exit(126);
    dup2(o, 1);
    dup2(e, 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

// The sample value of the line `name` (with labels, exactly) in a Prometheus text; -1 if absent.
double sample(const std::string& metrics, const std::string& name) {
  const std::string prefix = "\n" + name + " ";
  const size_t at = ("\n" + metrics).find(prefix);
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + prefix.size() - 1));
}

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    zone_ = *find_zone("Europe/Moscow");
    suffix_ = std::to_string(::getpid());
    config_.clickhouse = test_server().config("default");
    config_.source.database = "serve_src_" + suffix_;
    client_ = make_http_clickhouse(config_.clickhouse);
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    // "Yesterday" must not change while the test runs: start after a midnight that is close.
    const EpochSeconds midnight = day_start(local_date(now, zone_) + date::days{1}, zone_);
    if (midnight - now < 90) {
      std::this_thread::sleep_for(std::chrono::seconds(midnight - now + 1));
      now = midnight + 1;
    }
    yesterday_ = local_date(now, zone_) - date::days{1};
    SimParams params;  // small: yesterday's ETL takes about a second
    params.from = yesterday_ - date::days{1};
    params.days = 3;
    params.users = 400;
    params.feed_per_day = 20000;
    params.messages_per_day = 2000;
    auto simulated = simulate(*client_, config_, zone_, params, {});
    ASSERT_TRUE(simulated.ok()) << simulated.error().message;
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  std::string query(const std::string& sql) {
    auto value = client_->query_value(sql);
    EXPECT_TRUE(value.ok()) << value.error().message;
    return value.ok() ? *value : "";
  }

  // Polls /health until every job has `ok_runs` successful runs; returns the last answer.
  nlohmann::json wait_for_runs(httplib::Client& http, int ok_runs, std::chrono::seconds limit) {
    nlohmann::json health;
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (auto res = http.Get("/health"); res && res->status == 200) {
        health = nlohmann::json::parse(res->body);
        bool done = true;
        for (const char* job : {"etl", "report", "alerts"}) {
          done = done && health["jobs"][job]["runs"]["ok"].get<int>() >= ok_runs;
        }
        if (done) return health;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    ADD_FAILURE() << "jobs did not run in time; last /health: " << health.dump();
    return health;
  }

  const date::time_zone* zone_ = nullptr;
  std::string suffix_;
  Config config_;
  std::unique_ptr<ClickHouse> client_;
  Days yesterday_{};
  pid_t pid_ = -1;
};

TEST_F(ServeTest, RunsTheJobsOnScheduleAndStopsCleanlyOnSigterm) {
  TempDir dir;
  FakeTelegram telegram;
  const int port = *find_free_port();
  const std::string target = "serve_dst_" + suffix_;
  const std::string config_path = dir.path() + "/vigil.toml";
  ASSERT_TRUE(write_file(config_path,
                         fmt::format(R"(timezone = "Europe/Moscow"
state_dir = "{dir}/state"
out_dir = "{dir}/out"
[clickhouse]
url = "{ch}"
database = "{dst}"
[source]
database = "{src}"
[telegram]
api_url = "{tg}"
chat_id = "{chat}"
timeout_seconds = 5
max_attempts = 2
[schedule]
etl = "*/15 * * * * *"
report = "*/15 * * * * *"
alerts = "*/15 * * * * *"
retries = 1
retry_backoff_seconds = 1
[serve]
listen = "127.0.0.1:{port}"
)",
                                     fmt::arg("dir", dir.path()), fmt::arg("ch", test_server().url),
                                     fmt::arg("dst", target),
                                     fmt::arg("src", config_.source.database),
                                     fmt::arg("tg", telegram.url()),
                                     fmt::arg("chat", telegram.chat_id()), fmt::arg("port", port)))
                  .ok());
  const std::string err_path = dir.path() + "/serve.err";
  const auto started = Clock::now();
  pid_ = spawn(config_path, {"serve"}, {"VIGIL_TELEGRAM_TOKEN=" + telegram.token()},
               dir.path() + "/serve.out", err_path);

  httplib::Client http("127.0.0.1", port);
  http.set_connection_timeout(1, 0);
  // Two ok runs each: the catch-up at start and at least one on the 15-second schedule.
  const auto health = wait_for_runs(http, 2, std::chrono::seconds(45));
  ASSERT_FALSE(HasFailure()) << read_file(err_path).value();
  EXPECT_EQ(health["status"], "ok");
  EXPECT_EQ(health["time_zone"], "Europe/Moscow");
  EXPECT_EQ(health["jobs"]["etl"]["schedule"], "*/15 * * * * *");
  EXPECT_FALSE(health["jobs"]["alerts"]["next_due"].is_null());
  EXPECT_FALSE(health["jobs"]["report"]["last_success"].is_null());

  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics && metrics->status == 200);
  EXPECT_TRUE(contains(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4"));
  const std::string& m = metrics->body;
  EXPECT_EQ(sample(m, "vigil_up"), 1);
  for (const char* job : {"etl", "report", "alerts"}) {
    EXPECT_GE(sample(m, fmt::format("vigil_job_runs_total{{job=\"{}\",status=\"ok\"}}", job)), 2)
        << job << "\n" << m;
    EXPECT_GE(sample(m, fmt::format("vigil_job_duration_seconds_count{{job=\"{}\"}}", job)), 2);
    EXPECT_GT(sample(m, fmt::format("vigil_job_last_success_timestamp_seconds{{job=\"{}\"}}", job)),
              1.7e9);
  }
  EXPECT_GE(sample(m, "vigil_alerts_sent_total"), 0);
  auto missing = http.Get("/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  // The ETL loaded yesterday: the os slices add up to the source's views that day.
  const std::string day = format_date(yesterday_);
  const std::string views = query(fmt::format(
      "SELECT countIf(action = 'view') FROM {}.feed_actions WHERE toUInt32(time) >= {} AND "
      "toUInt32(time) < {}",
      config_.source.database, day_start(yesterday_, zone_),
      day_start(yesterday_ + date::days{1}, zone_)));
  EXPECT_GT(std::stoll(views), 1000);
  EXPECT_EQ(query(fmt::format("SELECT sum(views) FROM {}.user_slices_daily WHERE event_date = "
                              "'{}' AND dimension = 'os'",
                              target, day)),
            views);

  // The report reached the fake Bot API once, as an album of two PNG charts: the
  // first run (owed at start, nothing in the history) says it is late, the later
  // runs for the same day find it delivered (state_dir/reports.sqlite).
  int albums = 0;
  bool late_note = false;
  for (const auto& call : telegram.calls()) {
    if (call.method == "sendMediaGroup" && call.photos.size() == 2) ++albums;
    late_note = late_note || contains(call.text, "Sent late: this report was due at");
  }
  EXPECT_EQ(albums, 1);
  EXPECT_TRUE(late_note);

  // SIGTERM: the current steps finish, exit 0 within a few seconds.
  const auto stopping = Clock::now();
  ASSERT_EQ(kill(pid_, SIGTERM), 0);
  EXPECT_EQ(wait_exit_within(pid_, std::chrono::seconds(20)), 0) << read_file(err_path).value();
  pid_ = -1;
  EXPECT_LT(Clock::now() - stopping, std::chrono::seconds(10));
  EXPECT_TRUE(contains(read_file(err_path).value(), "serve: SIGTERM")) << read_file(err_path).value();

  // The history: nothing left running, at least two ok runs of each job.
  auto history = open_run_history(dir.path() + "/state/runs.sqlite");
  ASSERT_TRUE(history.ok()) << history.error().message;
  auto runs = (*history)->list({.limit = 0});
  ASSERT_TRUE(runs.ok());
  std::map<std::string, int> ok;
  for (const RunRecord& run : *runs) {
    EXPECT_NE(run.status, RunStatus::kRunning) << run.job << " " << run.target;
    if (run.status == RunStatus::kOk) ++ok[run.job];
    if (run.job == "etl") {
      EXPECT_EQ(run.target, day);
    }
  }
  EXPECT_GE(ok["etl"], 2);
  EXPECT_GE(ok["report"], 2);
  EXPECT_GE(ok["alerts"], 2);

  // `vigil runs` prints it.
  const std::string runs_out = dir.path() + "/runs.out";
  const pid_t lister = spawn(config_path, {"runs", "--job", "report", "--limit", "0"}, {},
                             runs_out, dir.path() + "/runs.err");
  ASSERT_EQ(wait_exit_within(lister, std::chrono::seconds(10)), 0);
  const std::string table = read_file(runs_out).value();
  EXPECT_TRUE(contains(table, "report  " + day)) << table;
  EXPECT_TRUE(contains(table, " ok ")) << table;
  EXPECT_FALSE(contains(table, "etl ")) << table;
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(60));
}

TEST_F(ServeTest, RefusesASecondServeOnTheSameStateDir) {
  TempDir dir;
  const std::string config_path = dir.path() + "/vigil.toml";
  const int port = *find_free_port();
  ASSERT_TRUE(write_file(config_path,
                         fmt::format("state_dir = \"{}/state\"\nout_dir = \"{}/out\"\n"
                                     "[clickhouse]\nurl = \"{}\"\n[source]\ndatabase = \"{}\"\n"
                                     "[schedule]\netl = \"\"\nreport = \"\"\n"
                                     "alerts = \"0 0 1 1 *\"\n[serve]\nlisten = \"127.0.0.1:{}\"\n",
                                     dir.path(), dir.path(), test_server().url,
                                     config_.source.database, port))
                  .ok());
  pid_ = spawn(config_path, {"serve"}, {}, dir.path() + "/1.out", dir.path() + "/1.err");
  // Wait until the first one serves /health.
  httplib::Client http("127.0.0.1", port);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline && !http.Get("/health")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const pid_t second =
      spawn(config_path, {"serve"}, {}, dir.path() + "/2.out", dir.path() + "/2.err");
  EXPECT_EQ(wait_exit_within(second, std::chrono::seconds(10)), 1);
  const std::string err = read_file(dir.path() + "/2.err").value();
  EXPECT_TRUE(contains(err, fmt::format("vigil: another vigil serve (pid {}) is running", pid_)))
      << err;
  ASSERT_EQ(kill(pid_, SIGINT), 0);
  EXPECT_EQ(wait_exit_within(pid_, std::chrono::seconds(10)), 0);
  pid_ = -1;
}

}  // namespace
}  // namespace vigil
