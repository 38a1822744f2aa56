// Alert delivery under faults, end to end: a real ClickHouse with simulated
// events (views x0.3 on 2026-03-09 20:00-20:30 Moscow), the fake Bot API made to
// refuse (400) or to answer slowly, the built `vigil` binary run twice at once,
// and `vigil serve` killed with SIGKILL while it sends. Each message must reach
// the chat exactly once (the one documented exception: a message Telegram
// accepted just before vigil died), and per alert in order.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "alert/buttons.h"
#include "alert/deliver.h"
#include "alert/message.h"
#include "alert/run.h"
#include "alert/store.h"
#include "base/files.h"
#include "metrics/series.h"
#include "sim/simulator.h"
#include "support/alert_data.h"
#include "support/clickhouse_fixture.h"
#include "support/fake_telegram.h"
#include "support/vigil_process.h"

namespace vigil {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// The whole file, or "" if it cannot be read.
std::string text_of(const std::string& path) {
  auto text = read_file(path);
  return text.ok() ? *text : "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Accepted calls whose text contains `part`.
int count_calls(const FakeTelegram& fake, const std::string& part) {
  int n = 0;
  for (const auto& call : fake.calls()) n += contains(call.text, part) ? 1 : 0;
  return n;
}

// The text of the fire for bucket 20:00 contains the bucket's time range.
constexpr const char* kFire2000 = "20:00–20:15";
constexpr const char* kBackToNormal = "back to normal";

// `[alerts.metrics.X] enabled = false` for every alert metric but `keep`.
std::string only_metric(const std::string& keep) {
  std::string toml;
  for (const auto& metric : alert_metric_names()) {
    if (metric != keep) toml += fmt::format("[alerts.metrics.{}]\nenabled = false\n", metric);
  }
  return toml;
}

// A vigil.toml for the binary: ClickHouse, source, the fake Bot API, only views.
std::string write_config(const std::string& dir, const std::string& source_db,
                         const FakeTelegram& fake, const std::string& extra = "") {
  const std::string path = dir + "/vigil.toml";
  const std::string text = fmt::format(
      "timezone = \"Europe/Moscow\"\nstate_dir = \"{0}/state\"\nout_dir = \"{0}/out\"\n"
      "[clickhouse]\nurl = \"{1}\"\n[source]\ndatabase = \"{2}\"\n"
      "[telegram]\napi_url = \"{3}\"\nchat_id = \"{4}\"\ntimeout_seconds = 10\n"
      "max_attempts = 2\n{5}{6}",
      dir, test_server().url, source_db, fake.url(), fake.chat_id(), extra,
      only_metric("views"));
  EXPECT_TRUE(write_file(path, text).ok());
  return path;
}

class AlertDeliveryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    config_ = new Config(views_only_config("delivery_src"));
    zone_ = *find_zone(config_->timezone);
    auto simulated = simulate_views_dip(*config_);
    ASSERT_TRUE(simulated.ok()) << simulated.error().message;
  }
  static void TearDownTestSuite() { delete config_; }

  void SetUp() override {
    config_->state_dir = dir_.path() + "/state";
    tg_config_ = fake_.config();
    tg_config_.max_attempts = 2;
    tg_config_.backoff_seconds = 0.01;
    telegram_ = make_bot_api_telegram(tg_config_, real_sleeper());
    sink_ = make_telegram_alert_sink(*telegram_);
    auto store = open_sqlite_alert_store(config_->state_dir + "/alerts.sqlite");
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
  }

  AlertRunReport run_at(const char* local) {
    const EpochSeconds at = *parse_local_time(local, zone_);
    auto client = make_http_clickhouse(config_->clickhouse);
    auto report = run_alerts(*client, *config_, zone_, *store_, *sink_,
                             chart::default_renderer(), {at, false}, [at] { return at + 60; });
    EXPECT_TRUE(report.ok()) << report.error().message;
    return report.ok() ? *report : AlertRunReport{};
  }

  // `vigil alert --at AT` with the fake's token; returns (exit code, stdout, stderr).
  struct Cli {
    int code = -1;
    std::string out, err;
  };
  pid_t spawn_alert(const std::string& at, const std::string& name) {
    return spawn_vigil_to({"--config", config_path_, "alert", "--at", at},
                          {"VIGIL_TELEGRAM_TOKEN=" + fake_.token()},
                          dir_.path() + "/" + name + ".out", dir_.path() + "/" + name + ".err");
  }
  Cli finish(pid_t pid, const std::string& name) {
    Cli cli;
    cli.code = wait_exit_within(pid, 60s);
    cli.out = text_of(dir_.path() + "/" + name + ".out");
    cli.err = text_of(dir_.path() + "/" + name + ".err");
    return cli;
  }
  Cli alert_cli(const std::string& at, const std::string& name) {
    return finish(spawn_alert(at, name), name);
  }

  static inline Config* config_ = nullptr;
  static inline const date::time_zone* zone_ = nullptr;
  TempDir dir_;
  FakeTelegram fake_;
  TelegramConfig tg_config_;
  std::unique_ptr<Telegram> telegram_;
  std::unique_ptr<AlertSink> sink_;
  std::unique_ptr<AlertStore> store_;
  std::string config_path_ = write_config(dir_.path(), "delivery_src", fake_);
};

// Item 4: Telegram refuses the fire (400); running the same bucket again must
// send it, not wait for the next bucket.
TEST_F(AlertDeliveryTest, RerunOfTheSameBucketSendsWhatTelegramRefused) {
  run_at("2026-03-09 19:50");
  fake_.fail_next(400, "Bad Request: chat not found");
  const AlertRunReport failed = run_at("2026-03-09 20:16");
  EXPECT_EQ(failed.fired, 1);
  EXPECT_EQ(failed.delivered, 0);
  EXPECT_EQ(failed.failures.size(), 1u);
  EXPECT_TRUE(fake_.calls().empty());

  const AlertRunReport again = run_at("2026-03-09 20:16");
  EXPECT_EQ(again.fired, 0);  // the state machine still sees the bucket once
  EXPECT_EQ(again.delivered, 1);
  EXPECT_EQ(again.resent, 1);
  EXPECT_TRUE(again.failures.empty());
  ASSERT_EQ(fake_.calls().size(), 1u);
  EXPECT_TRUE(contains(fake_.calls()[0].text, kFire2000)) << fake_.calls()[0].text;

  const AlertRunReport third = run_at("2026-03-09 20:16");
  EXPECT_EQ(third.delivered, 0);
  EXPECT_EQ(fake_.calls().size(), 1u);
}

// The fire goes out with its four buttons naming its record, and the store
// knows the Telegram message that carried it; `[alerts] buttons = false`
// (no bot reader) sends the next one bare.
TEST_F(AlertDeliveryTest, AlertsCarryTheirButtonsUnlessTurnedOff) {
  run_at("2026-03-09 19:50");
  run_at("2026-03-09 20:16");
  ASSERT_EQ(fake_.calls().size(), 1u);
  const FakeTelegramCall fire = fake_.calls()[0];
  ASSERT_TRUE(fire.reply_markup.is_object()) << fire.method;
  const auto& rows = fire.reply_markup["inline_keyboard"];
  ASSERT_EQ(rows.size(), 2u);
  const auto press = parse_button_data(rows[1][1]["callback_data"].get<std::string>());
  ASSERT_TRUE(press.has_value());
  EXPECT_EQ(press->verb, ButtonVerb::kFalseAlarm);
  auto carried = store_->records_of_message(fire.message_id);
  ASSERT_TRUE(carried.ok());
  ASSERT_EQ(carried->size(), 1u);
  EXPECT_EQ(carried->front().id, press->record_id);
  EXPECT_EQ(carried->front().action, AlertAction::kFire);

  config_->alerts.buttons = false;
  run_at("2026-03-09 21:16");  // the reminder an hour on
  config_->alerts.buttons = true;
  ASSERT_EQ(fake_.calls().size(), 2u);
  EXPECT_TRUE(fake_.calls()[1].reply_markup.is_null());
}

// Item 4 through the CLI: the failed run exits 1 and says so; the rerun of the
// same --at delivers and exits 0; the summary line counts what went out.
TEST_F(AlertDeliveryTest, CliRerunDeliversAndExitCodeSaysWhetherAllWentOut) {
  fake_.fail_next(400, "Bad Request: chat not found");
  const Cli failed = alert_cli("2026-03-09 20:16", "first");
  EXPECT_EQ(failed.code, 1) << failed.err;
  EXPECT_TRUE(contains(failed.out, "1 fired, 0 repeated, 0 resolved, 0 delivered, 1 not delivered"))
      << failed.out;
  EXPECT_TRUE(contains(failed.err, "1 alert message(s) not delivered")) << failed.err;
  EXPECT_TRUE(contains(failed.err, "a rerun for the same time")) << failed.err;

  const Cli rerun = alert_cli("2026-03-09 20:16", "rerun");
  EXPECT_EQ(rerun.code, 0) << rerun.err;
  EXPECT_TRUE(contains(rerun.out, "0 fired, 0 repeated, 0 resolved, 1 delivered (1 from an "
                                  "earlier run)\n"))
      << rerun.out;
  EXPECT_EQ(count_calls(fake_, kFire2000), 1);

  const Cli third = alert_cli("2026-03-09 20:16", "third");
  EXPECT_EQ(third.code, 0) << third.err;
  EXPECT_TRUE(contains(third.out, "0 resolved, 0 delivered\n")) << third.out;
  EXPECT_EQ(fake_.calls().size(), 1u);
}

// Item 5: Telegram answers in 2 s; `alert --at 20:16` and, 1 s later,
// `alert --at 20:31` (two processes on one state dir). The fire goes out once.
TEST_F(AlertDeliveryTest, OverlappingRunsSendEachMessageOnce) {
  fake_.set_reply_delay(2s);
  const pid_t first = spawn_alert("2026-03-09 20:16", "first");
  std::this_thread::sleep_for(1s);
  const pid_t second = spawn_alert("2026-03-09 20:31", "second");
  const Cli a = finish(first, "first");
  const Cli b = finish(second, "second");
  EXPECT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(count_calls(fake_, kFire2000), 1);
  EXPECT_EQ(fake_.calls().size(), 1u);
  EXPECT_TRUE(contains(a.out + b.out, "1 fired")) << a.out << b.out;
  // The second one waited for the first instead of sending beside it.
  EXPECT_TRUE(contains(b.err, "another alert run (pid " + std::to_string(first) + ")")) << b.err;
}

// Item 6: the fire of 20:00 is refused twice; the "back to normal" of 20:30 must
// not reach the chat before it. Then both go out, in order, counted right.
TEST_F(AlertDeliveryTest, BackToNormalWaitsForItsUndeliveredFire) {
  run_at("2026-03-09 19:50");
  fake_.fail_next(400, "Bad Request: chat not found");
  EXPECT_EQ(run_at("2026-03-09 20:16").fired, 1);
  fake_.fail_next(400, "Bad Request: chat not found");
  const AlertRunReport held = run_at("2026-03-09 20:46");
  EXPECT_EQ(held.resolved, 1);
  EXPECT_EQ(held.delivered, 0);
  EXPECT_EQ(held.resent, 0);
  EXPECT_EQ(held.failures.size(), 2u);  // the fire refused, the resolve held behind it
  EXPECT_TRUE(fake_.calls().empty()) << fake_.calls()[0].text;

  const AlertRunReport both = run_at("2026-03-09 20:46");
  EXPECT_EQ(both.delivered, 2);
  EXPECT_EQ(both.resent, 2);
  EXPECT_TRUE(both.failures.empty());
  const auto calls = fake_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_TRUE(contains(calls[0].text, kFire2000)) << calls[0].text;
  EXPECT_FALSE(contains(calls[0].text, kBackToNormal)) << calls[0].text;
  EXPECT_TRUE(contains(calls[1].text, kBackToNormal)) << calls[1].text;
  auto pending = store_->undelivered(0);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
}

// A text too long for a caption goes as two calls, the text and then the chart.
// When Telegram refuses the chart (400), the retry (a re-run) sends only the
// chart: the text reaches the chat once.
TEST(AlertTwoPartDeliveryTest, RetryAfterAFailedPhotoSendsOnlyThePhoto) {
  TempDir dir;
  FakeTelegram fake;
  TelegramConfig tg = fake.config();
  tg.max_attempts = 2;
  tg.backoff_seconds = 0.01;
  auto telegram = make_bot_api_telegram(tg, real_sleeper());
  auto sink = make_telegram_alert_sink(*telegram);
  auto store = open_sqlite_alert_store(dir.path() + "/state/alerts.sqlite");
  ASSERT_TRUE(store.ok()) << store.error().message;
  const date::time_zone* zone = *find_zone("Europe/Moscow");
  AlertRecord fire;
  fire.evaluation = {.key = {"views", ""}, .bucket = 1795000500, .value = 1, .lower = 2,
                     .upper = 3, .expected = 2.5, .score = -4, .anomaly = true, .ready = true};
  fire.action = AlertAction::kFire;
  fire.recorded_at = 1795000560;
  auto committed = (*store)->commit({}, {fire});
  ASSERT_TRUE(committed.ok()) << committed.error().message;
  const std::string long_text = "<b>views dropped</b> " + std::string(1100, 'x');
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(64, 'p');
  auto message_for = [&](const std::vector<AlertRecord>& records) {
    return AlertMessage{records.front().evaluation, records.front().action, long_text,
                        Photo{"views.png", png}};
  };
  fake.fail_next_on("sendPhoto", 400);
  AlertRunReport first;
  deliver_queue(delivery_queue({}, *committed), store->get(), *sink, message_for, zone, first);
  EXPECT_EQ(first.delivered, 0);
  ASSERT_EQ(first.undelivered, 1);
  ASSERT_EQ(fake.calls().size(), 1u);
  EXPECT_EQ(fake.calls()[0].method, "sendMessage");
  // The retry: what the run left undelivered.
  auto pending = (*store)->undelivered(0);
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  ASSERT_EQ(pending->size(), 1u);
  AlertRunReport retry;
  deliver_queue(delivery_queue(*pending, {}), store->get(), *sink, message_for, zone, retry);
  EXPECT_EQ(retry.delivered, 1) << (retry.failures.empty() ? "" : retry.failures[0]);
  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].method, "sendPhoto");
  EXPECT_EQ(calls[1].text, "");
  EXPECT_EQ(calls[1].photos.at(0).bytes, png);
  EXPECT_EQ(count_calls(fake, "views dropped"), 1);
  EXPECT_TRUE((*store)->undelivered(0)->empty());
}

// Item 7: `vigil serve` killed (SIGKILL) while Telegram holds the answer to the
// first of two left-over messages. The restarted serve sends both at start-up,
// without waiting for the next firing; the one in flight arrives twice (the
// documented at-least-once case, and the log says so), the other once.
class ServeRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    zone_ = *find_zone("Europe/Moscow");
    source_db_ = "delivery_now_" + std::to_string(::getpid());
    Config config;
    config.clickhouse = test_server().config("default");
    config.source.database = source_db_;
    auto client = make_http_clickhouse(config.clickhouse);
    const EpochSeconds now = std::time(nullptr);
    SimParams params;  // small: only so that serve's alert query finds its tables
    params.from = local_date(now, zone_) - date::days{1};
    params.days = 2;
    params.users = 200;
    params.feed_per_day = 5000;
    params.messages_per_day = 500;
    auto simulated = simulate(*client, config, zone_, params, {});
    ASSERT_TRUE(simulated.ok()) << simulated.error().message;
    bucket_ = last_complete_bucket(now, 900);
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Two fires an earlier run committed and never sent: likes, then messages sent.
  void leave_undelivered(const std::string& state_dir) {
    auto store = open_sqlite_alert_store(state_dir + "/alerts.sqlite");
    ASSERT_TRUE(store.ok()) << store.error().message;
    std::vector<AlertRecord> records;
    for (const auto& [metric, bucket] : {std::pair{"likes", bucket_ - 1800},
                                         std::pair{"messages_sent", bucket_ - 900}}) {
      AlertRecord r;
      r.evaluation = {.key = {metric, ""}, .bucket = bucket, .value = 10, .lower = 100,
                      .upper = 200, .expected = 150, .score = -9, .anomaly = true, .ready = true};
      r.action = AlertAction::kFire;
      r.recorded_at = bucket + 900;
      records.push_back(r);
    }
    ASSERT_TRUE((*store)->commit({}, records).ok());
  }

  pid_t start_serve(const std::string& config_path, const std::string& err) {
    return spawn_vigil({"--config", config_path, "serve"},
                       {"VIGIL_TELEGRAM_TOKEN=" + fake_.token()}, err);
  }

  // Waits until `ready` holds (checked every 50 ms) or `limit` passes.
  template <class Ready>
  bool wait_for(Ready ready, std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (ready()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return ready();
  }

  const date::time_zone* zone_ = nullptr;
  std::string source_db_;
  EpochSeconds bucket_ = 0;
  FakeTelegram fake_;
  pid_t pid_ = -1;
};

TEST_F(ServeRestartTest, KilledWhileSendingResendsAtStartUpNotAtTheNextFiring) {
  TempDir dir;
  // Alerts once a year: anything sent here is sent by the start-up, not the schedule.
  const std::string config_path = write_config(
      dir.path(), source_db_, fake_,
      "[schedule]\netl = \"\"\nreport = \"\"\nalerts = \"0 0 1 1 *\"\nretries = 0\n"
      "[serve]\nlisten = \"\"\n");
  const std::string state_dir = dir.path() + "/state";
  leave_undelivered(state_dir);
  const std::string likes = metric_title("likes"), messages = metric_title("messages_sent");

  fake_.set_reply_delay(3s);
  pid_ = start_serve(config_path, dir.path() + "/1.err");
  ASSERT_TRUE(wait_for([&] { return !fake_.calls().empty(); }, 20s))
      << text_of(dir.path() + "/1.err");
  ASSERT_EQ(kill(pid_, SIGKILL), 0);  // Telegram has the likes message; vigil has no answer yet
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  ASSERT_EQ(count_calls(fake_, likes), 1);
  ASSERT_EQ(count_calls(fake_, messages), 0);

  fake_.set_reply_delay(0ms);
  const std::string err_path = dir.path() + "/2.err";
  pid_ = start_serve(config_path, err_path);
  EXPECT_TRUE(wait_for([&] { return count_calls(fake_, messages) >= 1; }, 15s))
      << text_of(err_path);
  std::this_thread::sleep_for(500ms);  // nothing more arrives
  EXPECT_EQ(count_calls(fake_, messages), 1);
  EXPECT_EQ(count_calls(fake_, likes), 2);  // at-least-once: it was in flight when killed
  ASSERT_EQ(kill(pid_, SIGTERM), 0);
  EXPECT_EQ(wait_exit_within(pid_, 20s), 0) << text_of(err_path);
  pid_ = -1;
  const std::string err = text_of(err_path);
  EXPECT_TRUE(contains(err, "was being sent when an earlier run stopped")) << err;

  auto store = open_sqlite_alert_store(state_dir + "/alerts.sqlite");
  ASSERT_TRUE(store.ok());
  auto pending = (*store)->undelivered(0);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
}

}  // namespace
}  // namespace vigil
