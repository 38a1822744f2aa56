// The daily report end to end: hand-built events in a real ClickHouse, the
// report built by vigil, delivered to the fake Bot API (or to files).
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "alert/message.h"
#include "base/files.h"
#include "report/report.h"
#include "support/clickhouse_fixture.h"
#include "support/fake_telegram.h"
#include "support/vigil_process.h"

namespace vigil {
namespace {

constexpr const char* kPngSignature = "\x89PNG\r\n\x1a\n";

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    src_ = "report_src_" + std::to_string(++counter_);
    client_ = make_http_clickhouse(test_server().config("default"));
    config_.clickhouse = test_server().config("default");
    config_.source.database = src_;
    config_.report.dashboard_url = "http://127.0.0.1:8080/overview?date={date}";
    zone_ = *find_zone(config_.timezone);
    run("CREATE DATABASE " + src_);
    run(fmt::format("CREATE TABLE {}.feed_actions (user_id UInt32, post_id UInt32, action String, "
                    "time DateTime, gender UInt8, age UInt8, country String, city String, "
                    "os String, source String, exp_group Int8) ENGINE = MergeTree ORDER BY time",
                    src_));
    run(fmt::format("CREATE TABLE {}.message_actions (user_id UInt32, receiver_id UInt32, "
                    "time DateTime, source String, exp_group Int8, gender UInt8, age UInt8, "
                    "country String, city String, os String) ENGINE = MergeTree ORDER BY time",
                    src_));
    load_events();
  }

  void run(const std::string& sql) {
    auto status = client_->execute(sql);
    ASSERT_TRUE(status.ok()) << status.error().message;
  }

  // `users` users (ids from 1), each doing `per_user` feed actions of `action`
  // at 12:00 Moscow time on `day`.
  void feed(const char* day, int users, int per_user, const char* action) {
    run(fmt::format("INSERT INTO {}.feed_actions SELECT 1 + intDiv(number, {}), 7, '{}', "
                    "toDateTime('{} 12:00:00', 'Europe/Moscow'), 1, 30, 'Russia', 'Moscow', "
                    "'iOS', 'ads', 0 FROM numbers({})",
                    src_, per_user, action, day, users * per_user));
  }

  // Users 1..senders each send one message to each of the receivers 1001..1000+receivers.
  void messages(const char* day, int senders, int receivers) {
    run(fmt::format("INSERT INTO {src}.message_actions SELECT 1 + intDiv(number, {r}), "
                    "1001 + number % {r}, toDateTime('{d} 23:59:59', 'Europe/Moscow'), 'ads', 0, "
                    "1, 30, 'Russia', 'Moscow', 'iOS' FROM numbers({n})",
                    fmt::arg("r", receivers), fmt::arg("d", day), fmt::arg("n", senders * receivers),
                    fmt::arg("src", src_)));
  }

  // The report day is Tue 2026-03-10. Worked values:
  //   03-10: 100 users x 10 views, users 1..20 like once  -> 100 users, 1000 views, 20 likes, 2.00%
  //   03-09: 80 users x 10 views, no likes                 -> 80, 800, 0 (CTR 0: no comparison)
  //   03-03: 50 users x 10 views, users 1..10 like twice   -> 50, 500, 20, 4.00%
  //   messages 03-10: 10 senders x 3 receivers            -> 10 senders, 30 sent, ratio 3.33
  //   messages 03-03: 5 senders x 5 receivers             -> 5 senders, 25 sent, ratio 1.00
  //   events at 03-11 00:00 and 03-09 23:59:59 Moscow must not count for 03-10.
  void load_events() {
    feed("2026-03-10", 100, 10, "view");
    feed("2026-03-10", 20, 1, "like");
    feed("2026-03-09", 80, 10, "view");
    feed("2026-03-03", 50, 10, "view");
    feed("2026-03-03", 10, 2, "like");
    messages("2026-03-10", 10, 3);
    messages("2026-03-03", 5, 5);
    run(fmt::format("INSERT INTO {}.feed_actions SELECT 500, 7, 'view', "
                    "toDateTime('2026-03-11 00:00:00', 'Europe/Moscow'), 1, 30, '', '', 'iOS', "
                    "'', 0",
                    src_));
  }

  Result<ReportArtifacts> build(const chart::Renderer& renderer = chart::default_renderer()) {
    return build_report(*client_, config_, zone_, *parse_date("2026-03-10"), renderer);
  }

  static inline int counter_ = 0;
  std::string src_;
  Config config_;
  const date::time_zone* zone_ = nullptr;
  std::unique_ptr<ClickHouse> client_;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(ReportTest, TextHasTheWorkedValuesAndChanges) {
  auto report = build();
  ASSERT_TRUE(report.ok()) << report.error().message;
  const auto& html = report->html;
  EXPECT_TRUE(contains(html, "Active users: <b>100</b>  ▲ 25.0% d/d · ▲ 100.0% w/w")) << html;
  EXPECT_TRUE(contains(html, "Views: <b>1 000</b>  ▲ 25.0% d/d · ▲ 100.0% w/w")) << html;
  EXPECT_TRUE(contains(html, "Likes: <b>20</b>  — d/d · = 0.0% w/w")) << html;
  EXPECT_TRUE(contains(html, "CTR: <b>2.00%</b>  — d/d · ▼ 50.0% w/w")) << html;
  EXPECT_TRUE(contains(html, "Active users: <b>10</b>  — d/d · ▲ 100.0% w/w")) << html;
  EXPECT_TRUE(contains(html, "Messages sent: <b>30</b>  — d/d · ▲ 20.0% w/w")) << html;
  EXPECT_TRUE(contains(html, "Senders / receivers: <b>3.33</b>  — d/d · ▲ 233.3% w/w")) << html;
  EXPECT_TRUE(contains(html, "href=\"http://127.0.0.1:8080/overview?date=2026-03-10\"")) << html;
  ASSERT_TRUE(report->feed_chart.has_value());
  ASSERT_TRUE(report->messenger_chart.has_value());
  EXPECT_EQ(report->feed_chart->png.substr(0, 8), std::string(kPngSignature, 8));
}

TEST_F(ReportTest, OneAlbumWithTheTextAsCaption) {
  auto report = build();
  ASSERT_TRUE(report.ok()) << report.error().message;
  FakeTelegram fake;
  auto telegram = make_bot_api_telegram(fake.config(), real_sleeper());
  ASSERT_TRUE(send_report(*telegram, *report).ok());
  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "sendMediaGroup");
  EXPECT_EQ(calls[0].chat_id, FakeTelegram::kDefaultChat);
  EXPECT_EQ(calls[0].text, report->html);
  EXPECT_EQ(calls[0].parse_mode, "HTML");
  ASSERT_EQ(calls[0].photos.size(), 2u);
  EXPECT_EQ(calls[0].photos[0].bytes, report->feed_chart->png);
  EXPECT_EQ(calls[0].photos[1].bytes, report->messenger_chart->png);
  EXPECT_EQ(calls[0].photos[1].bytes.substr(0, 8), std::string(kPngSignature, 8));
  EXPECT_GT(calls[0].photos[0].bytes.size(), 10000u);
}

TEST_F(ReportTest, LongTextGoesFirstThenTheAlbum) {
  auto report = build_report(*client_, config_, zone_, *parse_date("2026-03-10"),
                             chart::default_renderer(), std::string(1100, 'x'));
  ASSERT_TRUE(report.ok()) << report.error().message;
  FakeTelegram fake;
  auto telegram = make_bot_api_telegram(fake.config(), real_sleeper());
  ASSERT_TRUE(send_report(*telegram, *report).ok());
  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].method, "sendMessage");
  EXPECT_EQ(calls[0].text, report->html);
  EXPECT_EQ(calls[1].method, "sendMediaGroup");
  EXPECT_EQ(calls[1].text, "");
  EXPECT_EQ(calls[1].photos.size(), 2u);
}

// Text out, album refused: a retry (serve, Airflow, a person) sends the album only.
TEST_F(ReportTest, RetryAfterAFailedAlbumSendsOnlyWhatIsMissing) {
  auto report = build_report(*client_, config_, zone_, *parse_date("2026-03-10"),
                             chart::default_renderer(), std::string(1100, 'x'));
  ASSERT_TRUE(report.ok()) << report.error().message;
  TempDir dir;
  FakeTelegram fake;
  fake.fail_next_on("sendMediaGroup", 400);
  auto telegram = make_bot_api_telegram(fake.config(), real_sleeper());
  auto sent = [&]() {
    // Each run opens the log afresh, as separate processes do.
    auto log = ReportSentLog::open(dir.path() + "/reports.sqlite");
    EXPECT_TRUE(log.ok()) << log.error().message;
    return send_report(*telegram, *report, &*log, fake.chat_id());
  };
  auto first = sent();
  ASSERT_FALSE(first.ok());
  EXPECT_TRUE(contains(first.error().message, "400")) << first.error().message;
  ASSERT_EQ(fake.calls().size(), 1u);
  EXPECT_EQ(fake.calls()[0].method, "sendMessage");
  auto retry = sent();
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].method, "sendMediaGroup");
  EXPECT_EQ(calls[1].text, "");
  EXPECT_EQ(calls[1].photos.size(), 2u);
  EXPECT_EQ(retry->sent_now, (std::vector<std::string>{"feed.png", "messenger.png"}));
  // Everything is out: a third run sends nothing.
  auto again = sent();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->sent_now.empty());
  EXPECT_EQ(fake.calls().size(), 2u);
}

// A run that still holds the day after the wait: nothing is sent, the error names its pid.
TEST_F(ReportTest, ARunHoldingTheDayPastTheWaitIsNamed) {
  auto report = build();
  ASSERT_TRUE(report.ok()) << report.error().message;
  TempDir dir;
  FakeTelegram fake;
  auto telegram = make_bot_api_telegram(fake.config(), real_sleeper());
  const std::string path = dir.path() + "/reports.sqlite";
  const Days day = *parse_date("2026-03-10");
  auto held = FileLock::try_lock(dir.path() + "/locks/report-2026-03-10.lock");
  ASSERT_TRUE(held.ok() && held->acquired());
  auto refused = ReportSentLog::open_for_day(path, day, std::chrono::milliseconds(300));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(contains(refused.error().message, fmt::format("pid {}", ::getpid())))
      << refused.error().message;
  held = FileLock();  // released: now it opens, and holds the day while it lives
  auto log = ReportSentLog::open_for_day(path, day, std::chrono::milliseconds(300));
  ASSERT_TRUE(log.ok()) << log.error().message;
  auto again = FileLock::try_lock(dir.path() + "/locks/report-2026-03-10.lock");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->acquired());
  auto sent = send_report(*telegram, *report, &*log, fake.chat_id());
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(fake.calls().size(), 1u);
}

TEST_F(ReportTest, FailedChartStillSendsTheText) {
  chart::Renderer broken = [](const chart::ChartSpec&) -> Result<std::string> {
    return Error::failure("cairo: out of memory");
  };
  auto report = build(broken);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->chart_errors.size(), 2u);
  FakeTelegram fake;
  auto telegram = make_bot_api_telegram(fake.config(), real_sleeper());
  ASSERT_TRUE(send_report(*telegram, *report).ok());
  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "sendMessage");
  EXPECT_TRUE(contains(calls[0].text, "Views: <b>1 000</b>"));
}

TEST_F(ReportTest, EmptyDayReportsNoData) {
  auto report = build_report(*client_, config_, zone_, *parse_date("2026-04-01"),
                             chart::default_renderer());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(contains(report->html, "Views: no data")) << report->html;
  EXPECT_TRUE(contains(report->html, "Messages sent: no data")) << report->html;
  EXPECT_TRUE(report->feed_chart.has_value());  // a chart of "no data" panels
}

TEST_F(ReportTest, MissingSourceTableIsNamed) {
  run(fmt::format("DROP TABLE {}.message_actions", src_));
  auto report = build();
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(contains(report.error().message, "message_actions")) << report.error().message;
}

// Without a vigil.toml (as `make demo` runs) the built-in dashboard is the
// default, so the report and the alerts link to it at [serve] listen's default.
TEST_F(ReportTest, NoConfigFileStillLinksToTheBuiltInDashboard) {
  TempDir dir;
  auto loaded = load_config(dir.path() + "/vigil.toml", false, {});
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  Config config = *loaded;
  config.clickhouse = config_.clickhouse;
  config.source.database = src_;
  auto report = build_report(*client_, config, zone_, *parse_date("2026-03-10"),
                             chart::default_renderer());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(contains(report->html,
                       "<a href=\"http://127.0.0.1:8765/overview?date=2026-03-10\">"))
      << report->html;
  Evaluation e;
  e.key = {"views", ""};
  e.bucket = *parse_local_time("2026-03-10 20:30", zone_);
  e.value = 1200;
  e.lower = 2000;
  e.upper = 2600;
  e.expected = 2400;
  e.anomaly = true;
  e.ready = true;
  const std::string alert = alert_html(
      {e, AlertAction::kFire, e.bucket, 900, zone_, config.alerts.dashboard_url, "", ""});
  EXPECT_TRUE(contains(alert, "href=\"http://127.0.0.1:8765/metric?metric=views&amp;"
                              "date=2026-03-10&amp;time=20:30"))
      << alert;
}

TEST_F(ReportTest, CommandLineDryRunNoTokenAndRejectedToken) {
  TempDir dir;
  FakeTelegram fake;
  const std::string config_path = dir.path() + "/vigil.toml";
  ASSERT_TRUE(write_file(config_path,
                         fmt::format("state_dir = \"{0}/state\"\nout_dir = \"{0}/out\"\n"
                                     "[clickhouse]\nurl = \"{1}\"\n"
                                     "[source]\ndatabase = \"{2}\"\n[telegram]\napi_url = \"{3}\"\n"
                                     "chat_id = \"{4}\"\nmax_attempts = 2\n",
                                     dir.path(), test_server().url, src_, fake.url(),
                                     FakeTelegram::kDefaultChat))
                  .ok());
  const std::vector<std::string> base = {"--config", config_path, "report", "--date",
                                         "2026-03-10"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  // --dry-run writes the three files and sends nothing, even with a token.
  const std::string token_env = std::string("VIGIL_TELEGRAM_TOKEN=") + FakeTelegram::kDefaultToken;
  auto dry = run_vigil(with({"--dry-run", "--out", dir.path() + "/dry"}), {token_env}, dir.path());
  EXPECT_EQ(dry.first, 0) << dry.second;
  for (const char* name : {"report.html", "feed.png", "messenger.png"}) {
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/dry/" + name)) << name;
  }
  // No token: behaves as a dry run into out_dir and says so.
  auto no_token = run_vigil(base, {"VIGIL_TELEGRAM_TOKEN="}, dir.path());
  EXPECT_EQ(no_token.first, 0) << no_token.second;
  EXPECT_TRUE(contains(no_token.second, "VIGIL_TELEGRAM_TOKEN is not set")) << no_token.second;
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/out/report.html"));
  EXPECT_TRUE(fake.calls().empty());
  // A token Telegram rejects: exit 1, one line naming the variable, token not shown.
  const std::string wrong = "123456:WRONGwrongWRONGwrongWRONGwrong";
  auto rejected = run_vigil(base, {"VIGIL_TELEGRAM_TOKEN=" + wrong}, dir.path());
  EXPECT_EQ(rejected.first, 1);
  EXPECT_TRUE(contains(rejected.second, "VIGIL_TELEGRAM_TOKEN")) << rejected.second;
  EXPECT_FALSE(contains(rejected.second, "WRONGwrong")) << rejected.second;
  // The right token: one album arrives.
  auto sent = run_vigil(base, {token_env}, dir.path());
  EXPECT_EQ(sent.first, 0) << sent.second;
  ASSERT_EQ(fake.calls().size(), 1u);
  EXPECT_EQ(fake.calls()[0].method, "sendMediaGroup");
}

// Across processes: a run whose album failed (500 after the retries) is
// completed by the next run, a report that went out is not sent again, and
// --resend sends it all again.
TEST_F(ReportTest, CommandLineRetryResumesAndResendRepeats) {
  TempDir dir;
  FakeTelegram fake;
  const std::string config_path = dir.path() + "/vigil.toml";
  ASSERT_TRUE(write_file(config_path,
                         fmt::format("state_dir = \"{0}/state\"\nout_dir = \"{0}/out\"\n"
                                     "[clickhouse]\nurl = \"{1}\"\n[source]\ndatabase = \"{2}\"\n"
                                     "[telegram]\napi_url = \"{3}\"\nchat_id = \"{4}\"\n"
                                     "max_attempts = 2\n",
                                     dir.path(), test_server().url, src_, fake.url(),
                                     FakeTelegram::kDefaultChat))
                  .ok());
  const std::vector<std::string> env = {std::string("VIGIL_TELEGRAM_TOKEN=") +
                                        FakeTelegram::kDefaultToken};
  std::vector<std::string> args = {"--config", config_path, "report", "--date", "2026-03-10"};
  fake.fail_next_on("sendMediaGroup", 500);
  fake.fail_next_on("sendMediaGroup", 500);
  auto failed = run_vigil(args, env, dir.path());
  EXPECT_EQ(failed.first, 1) << failed.second;
  EXPECT_TRUE(fake.calls().empty());
  auto retried = run_vigil(args, env, dir.path());
  EXPECT_EQ(retried.first, 0) << retried.second;
  ASSERT_EQ(fake.calls().size(), 1u);
  EXPECT_EQ(fake.calls()[0].method, "sendMediaGroup");
  EXPECT_TRUE(contains(fake.calls()[0].text, "Views:")) << fake.calls()[0].text;
  auto again = run_vigil(args, env, dir.path());
  EXPECT_EQ(again.first, 0) << again.second;
  EXPECT_EQ(fake.calls().size(), 1u);
  args.push_back("--resend");
  auto resent = run_vigil(args, env, dir.path());
  EXPECT_EQ(resent.first, 0) << resent.second;
  ASSERT_EQ(fake.calls().size(), 2u);
  EXPECT_EQ(fake.calls()[1].method, "sendMediaGroup");
  EXPECT_EQ(fake.calls()[1].text, fake.calls()[0].text);
}

// Two `vigil report --date D` at the same moment (serve's job and a person, or an
// Airflow retry) with a slow Telegram: the report arrives once, both succeed.
TEST_F(ReportTest, CommandLineConcurrentRunsSendTheReportOnce) {
  TempDir dir;
  FakeTelegram fake;
  fake.set_reply_delay(std::chrono::milliseconds(1500));
  const std::string config_path = dir.path() + "/vigil.toml";
  ASSERT_TRUE(write_file(config_path,
                         fmt::format("state_dir = \"{0}/state\"\nout_dir = \"{0}/out\"\n"
                                     "[clickhouse]\nurl = \"{1}\"\n[source]\ndatabase = \"{2}\"\n"
                                     "[telegram]\napi_url = \"{3}\"\nchat_id = \"{4}\"\n",
                                     dir.path(), test_server().url, src_, fake.url(),
                                     FakeTelegram::kDefaultChat))
                  .ok());
  const std::vector<std::string> env = {std::string("VIGIL_TELEGRAM_TOKEN=") +
                                        FakeTelegram::kDefaultToken};
  const std::vector<std::string> args = {"--config", config_path, "report", "--date",
                                         "2026-03-10"};
  const pid_t first = spawn_vigil(args, env, dir.path() + "/first.err");
  const pid_t second = spawn_vigil(args, env, dir.path() + "/second.err");
  EXPECT_EQ(wait_exit_within(first, std::chrono::seconds(60)), 0)
      << read_file(dir.path() + "/first.err").value();
  EXPECT_EQ(wait_exit_within(second, std::chrono::seconds(60)), 0)
      << read_file(dir.path() + "/second.err").value();
  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 1u) << read_file(dir.path() + "/first.err").value() << "\n---\n"
                              << read_file(dir.path() + "/second.err").value();
  EXPECT_EQ(calls[0].method, "sendMediaGroup");
  EXPECT_TRUE(contains(calls[0].text, "Views:")) << calls[0].text;
}

}  // namespace
}  // namespace vigil
