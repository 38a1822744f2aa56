// Alerts end to end: simulated events with one injected drop in a real
// ClickHouse, `run_alerts` at buckets inside and after the window, messages to
// the fake Bot API, state in SQLite.
#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "alert/run.h"
#include "base/files.h"
#include "alert/store.h"
#include "metrics/series.h"
#include "support/alert_data.h"
#include "support/clickhouse_fixture.h"
#include "support/fake_telegram.h"

namespace vigil {
namespace {

constexpr const char* kPngSignature = "\x89PNG\r\n\x1a\n";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// One simulation shared by the tests: 9 days from 2026-03-01, views x0.3 on the
// last day 20:00-20:30 Moscow (buckets 20:00 and 20:15).
class AlertTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    config_ = new Config(views_only_config("alert_src"));
    zone_ = *find_zone(config_->timezone);
    auto simulated = simulate_views_dip(*config_);
    ASSERT_TRUE(simulated.ok()) << simulated.error().message;
  }
  static void TearDownTestSuite() { delete config_; }

  void SetUp() override { config_->state_dir = dir_.path(); }

  Result<AlertRunReport> run_at(const char* local, AlertStore& store, AlertSink& sink,
                                bool dry_run = false) {
    auto client = make_http_clickhouse(config_->clickhouse);
    const EpochSeconds at = *parse_local_time(local, zone_);
    // A fixed clock: the run happens 7 s after `at`.
    return run_alerts(*client, *config_, zone_, store, sink, chart::default_renderer(),
                      {at, dry_run}, [at] { return at + 7; });
  }

  std::unique_ptr<AlertStore> open_store() {
    auto store = open_sqlite_alert_store(dir_.path() + "/alerts.sqlite");
    EXPECT_TRUE(store.ok()) << store.error().message;
    return std::move(*store);
  }

  static inline Config* config_ = nullptr;
  static inline const date::time_zone* zone_ = nullptr;
  TempDir dir_;
};

TEST_F(AlertTest, FiresOnceWithAChartThenBackToNormalOnce) {
  FakeTelegram fake;
  auto telegram = make_bot_api_telegram(fake.config(), real_sleeper());
  auto sink = make_telegram_alert_sink(*telegram);
  auto store = open_store();

  auto quiet = run_at("2026-03-09 19:50", *store, *sink);  // bucket 19:30: before the drop
  ASSERT_TRUE(quiet.ok()) << quiet.error().message;
  EXPECT_EQ(quiet->fired, 0);
  EXPECT_TRUE(fake.calls().empty());

  auto fired = run_at("2026-03-09 20:16", *store, *sink);  // bucket 20:00: inside
  ASSERT_TRUE(fired.ok()) << fired.error().message;
  EXPECT_EQ(fired->fired, 1);
  ASSERT_EQ(fake.calls().size(), 1u);
  const auto alert = fake.calls()[0];
  EXPECT_EQ(alert.method, "sendPhoto");
  EXPECT_TRUE(contains(alert.text, "Views")) << alert.text;
  EXPECT_TRUE(contains(alert.text, "too low")) << alert.text;
  EXPECT_TRUE(contains(alert.text, "20:00–20:15")) << alert.text;
  ASSERT_EQ(alert.photos.size(), 1u);
  EXPECT_EQ(alert.photos[0].bytes.substr(0, 8), std::string(kPngSignature, 8));

  auto still = run_at("2026-03-09 20:31", *store, *sink);  // bucket 20:15: still low, no repeat yet
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->repeated, 0);
  EXPECT_EQ(fake.calls().size(), 1u);

  auto back = run_at("2026-03-09 20:46", *store, *sink);  // bucket 20:30: after the window
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->resolved, 1);
  ASSERT_EQ(fake.calls().size(), 2u);
  EXPECT_TRUE(contains(fake.calls()[1].text, "back to normal")) << fake.calls()[1].text;
  EXPECT_TRUE(contains(fake.calls()[1].text, "anomalous since 20:00")) << fake.calls()[1].text;

  // The same bucket again, and again after a restart (a new store on the same file): nothing.
  ASSERT_TRUE(run_at("2026-03-09 20:50", *store, *sink).ok());
  auto reopened = open_store();
  ASSERT_TRUE(run_at("2026-03-09 20:59", *reopened, *sink).ok());
  EXPECT_EQ(fake.calls().size(), 2u);
  auto history = reopened->history({.metric = "views", .actions_only = true});
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_TRUE(history->at(0).delivered && history->at(1).delivered);
  // Stamped by the clock the run was given, not the system's.
  EXPECT_EQ(history->at(0).recorded_at, *parse_local_time("2026-03-09 20:46", zone_) + 7);
  EXPECT_EQ(history->at(1).recorded_at, *parse_local_time("2026-03-09 20:16", zone_) + 7);
}

TEST_F(AlertTest, ASilenceHoldsTheFireAndItsEndSaysStillFiring) {
  FakeTelegram fake;
  auto telegram = make_bot_api_telegram(fake.config(), real_sleeper());
  auto sink = make_telegram_alert_sink(*telegram);
  auto store = open_store();
  Silence silence;  // the 20:00 bucket only
  silence.metric = "views";
  silence.starts = *parse_local_time("2026-03-09 20:00", zone_);
  silence.ends = silence.starts + 900;
  silence.created_by = "ann";
  ASSERT_TRUE(store->add_silence(silence).ok());
  ASSERT_TRUE(run_at("2026-03-09 19:50", *store, *sink).ok());
  auto held = run_at("2026-03-09 20:16", *store, *sink);
  ASSERT_TRUE(held.ok()) << held.error().message;
  EXPECT_EQ(held->fired, 0);
  EXPECT_EQ(held->silenced, 1);
  EXPECT_TRUE(contains(alert_run_summary(*held), "1 held by a silence")) << alert_run_summary(*held);
  EXPECT_TRUE(fake.calls().empty());
  // 20:15: the silence is over, the views still low: one message says so.
  auto after = run_at("2026-03-09 20:31", *store, *sink);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->repeated, 1);
  ASSERT_EQ(fake.calls().size(), 1u);
  EXPECT_TRUE(contains(fake.calls()[0].text, "still too low")) << fake.calls()[0].text;
  EXPECT_TRUE(contains(fake.calls()[0].text, "anomalous since 20:00")) << fake.calls()[0].text;
  // Back to normal goes out: the chat saw the alert.
  auto back = run_at("2026-03-09 20:46", *store, *sink);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->resolved, 1);
  EXPECT_EQ(fake.calls().size(), 2u);
  auto history = store->history({.metric = "views", .actions_only = true});
  ASSERT_EQ(history->size(), 3u);
  EXPECT_TRUE(history->at(2).silenced);  // the fire at 20:00, recorded, not sent
  EXPECT_EQ(history->at(2).action, AlertAction::kFire);
}

TEST_F(AlertTest, AnAlertThatClearsUnderASilenceSendsNothing) {
  FakeTelegram fake;
  auto telegram = make_bot_api_telegram(fake.config(), real_sleeper());
  auto sink = make_telegram_alert_sink(*telegram);
  auto store = open_store();
  Silence silence;  // all metrics, the whole dip
  silence.metric = "all";
  silence.starts = *parse_local_time("2026-03-09 19:45", zone_);
  silence.ends = *parse_local_time("2026-03-09 20:30", zone_);
  ASSERT_TRUE(store->add_silence(silence).ok());
  for (const char* at : {"2026-03-09 19:50", "2026-03-09 20:16", "2026-03-09 20:31",
                         "2026-03-09 20:46", "2026-03-09 21:01"}) {
    auto run = run_at(at, *store, *sink);
    ASSERT_TRUE(run.ok()) << run.error().message;
  }
  EXPECT_TRUE(fake.calls().empty());
  auto history = store->history({.metric = "views", .actions_only = true});
  // The fire, a reminder (nothing had gone out) and the back to normal: all held.
  ASSERT_EQ(history->size(), 3u);
  for (const auto& row : *history) EXPECT_TRUE(row.silenced) << alert_action_name(row.action);
  EXPECT_EQ(history->at(0).action, AlertAction::kResolve);
}

TEST_F(AlertTest, UndeliveredAlertIsSentByTheNextRunNotLost) {
  FakeTelegram fake;
  auto tg_config = fake.config();
  tg_config.max_attempts = 2;
  tg_config.backoff_seconds = 0.01;
  auto telegram = make_bot_api_telegram(tg_config, real_sleeper());
  auto sink = make_telegram_alert_sink(*telegram);
  auto store = open_store();
  ASSERT_TRUE(run_at("2026-03-09 19:50", *store, *sink).ok());
  fake.fail_next(500);
  fake.fail_next(500);
  auto failed = run_at("2026-03-09 20:16", *store, *sink);
  ASSERT_TRUE(failed.ok()) << failed.error().message;
  EXPECT_EQ(failed->fired, 1);
  ASSERT_EQ(failed->failures.size(), 1u);
  EXPECT_TRUE(fake.calls().empty());
  // Next bucket: the fire from 20:00 goes out now, once; no new fire for 20:15.
  auto next = run_at("2026-03-09 20:31", *store, *sink);
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->resent, 1);
  ASSERT_EQ(fake.calls().size(), 1u);
  EXPECT_TRUE(contains(fake.calls()[0].text, "20:00–20:15")) << fake.calls()[0].text;
  ASSERT_TRUE(run_at("2026-03-09 20:40", *store, *sink).ok());
  EXPECT_EQ(fake.calls().size(), 1u);
}

TEST_F(AlertTest, DryRunWritesFilesAndKeepsNoState) {
  auto store = open_store();
  const std::string out = dir_.path() + "/out";
  auto sink = make_directory_alert_sink(out, zone_);
  auto dry = run_at("2026-03-09 20:16", *store, *sink, true);
  ASSERT_TRUE(dry.ok()) << dry.error().message;
  EXPECT_EQ(dry->fired, 1);
  EXPECT_TRUE(std::filesystem::exists(out + "/alert-views-20260309-2000-fire.html"));
  EXPECT_TRUE(std::filesystem::exists(out + "/alert-views-20260309-2000-fire.png"));
  // No state was kept: a real run of the same bucket fires.
  auto history = store->history({});
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());
  auto real = run_at("2026-03-09 20:16", *store, *sink);
  ASSERT_TRUE(real.ok());
  EXPECT_EQ(real->fired, 1);
}

TEST_F(AlertTest, AUniformDropNamesNoSlice) {
  // The shared data set's views dip hits every user alike.
  Config config = *config_;
  config.alerts.slices = {"os", "age"};
  config.alerts.explain_by = {"os", "age"};
  const std::string text = dry_run_message(config, zone_, dir_.path(), "2026-03-09 20:16",
                                           "alert-views-20260309-2000-fire.html");
  EXPECT_TRUE(contains(text, "\nWhere: no slice stands out (age, os moved alike)")) << text;
}

TEST_F(AlertTest, AnAndroidOnlyDropNamesAndroid) {
  // A copy of the data set without 70 % of Android's views from 14:00 to 14:30.
  auto client = make_http_clickhouse(config_->clickhouse);
  const EpochSeconds start = *parse_local_time("2026-03-09 14:00", zone_);
  auto copied = copy_source(*client, *config_, "alert_src", "alert_android",
                            fmt::format("NOT (os = 'Android' AND action = 'view' AND {} AND "
                                        "cityHash64(user_id, post_id, time) % 10 < 7)",
                                        time_window_sql(start, 1800)));
  ASSERT_TRUE(copied.ok()) << copied.error().message;
  Config config = *config_;
  config.source.database = "alert_android";
  config.alerts.slices = {"os", "age"};
  const std::string text = dry_run_message(config, zone_, dir_.path(), "2026-03-09 14:16",
                                           "alert-views-20260309-1400-fire.html");
  EXPECT_TRUE(contains(text, "\nWhere: os=Android −7")) << text;  // about −70 %
  EXPECT_TRUE(contains(text, "of the change) · rest of os")) << text;
  const std::size_t where = text.find("\nWhere:");
  EXPECT_FALSE(contains(text.substr(where, text.find('\n', where + 1) - where), "age=")) << text;
  // The slices that alerted too are in the same message, not 5 more.
  EXPECT_TRUE(contains(text, "\n🚨 slices alerting with it: os=Android, age=")) << text;
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.path() + "/out"),
                          std::filesystem::directory_iterator()),
            2)
      << "one message (html + png)";
}

// A real client that counts the SELECTs it runs.
class CountingClickHouse final : public ClickHouse {
 public:
  explicit CountingClickHouse(const ClickHouseConfig& config) : client_(make_http_clickhouse(config)) {}
  Status execute(std::string_view sql) override { return client_->execute(sql); }
  Status query(std::string_view sql, const RowCallback& on_row) override {
    ++queries;
    return client_->query(sql, on_row);
  }
  std::string describe() const override { return client_->describe(); }
  int queries = 0;

 private:
  std::unique_ptr<ClickHouse> client_;
};

TEST_F(AlertTest, AFailingWhereQueryCostsOnlyTheWhereLine) {
  // A feed without the country column: the alert query works, the breakdown's fails.
  auto client = make_http_clickhouse(config_->clickhouse);
  for (const std::string& sql :
       {std::string("DROP DATABASE IF EXISTS alert_no_country"),
        std::string("CREATE DATABASE alert_no_country"),
        fmt::format("CREATE VIEW {} AS SELECT user_id, post_id, action, time, gender, age, city, "
                    "os, source, exp_group FROM {}",
                    sql_table("alert_no_country", config_->source.feed_table),
                    sql_table("alert_src", config_->source.feed_table)),
        fmt::format("CREATE VIEW {} AS SELECT * FROM {}",
                    sql_table("alert_no_country", config_->source.message_table),
                    sql_table("alert_src", config_->source.message_table))}) {
    ASSERT_TRUE(client->execute(sql).ok()) << sql;
  }
  Config config = *config_;
  config.source.database = "alert_no_country";
  const std::string text = dry_run_message(config, zone_, dir_.path(), "2026-03-09 20:16",
                                           "alert-views-20260309-2000-fire.html");
  EXPECT_TRUE(contains(text, "<b>Views</b> too low (all users)")) << text;
  EXPECT_FALSE(contains(text, "Where:")) << text;
  // Without explain_by dimensions nothing is asked (and nothing said): the
  // firing run makes one query fewer than with them (reading the raw events; with
  // the bucket table the Where line is two smaller reads of it, below).
  config.source.database = "alert_src";
  config.alerts.bucket_table.clear();
  CountingClickHouse counted(config.clickhouse);
  const std::string explained = dry_run_message(config, zone_, dir_.path() + "/explained", "2026-03-09 20:16",
                                                "alert-views-20260309-2000-fire.html", &counted);
  EXPECT_TRUE(contains(explained, "Where:")) << explained;
  const int with_where = counted.queries;
  counted.queries = 0;
  config.alerts.explain_by.clear();
  const std::string plain = dry_run_message(config, zone_, dir_.path() + "/plain", "2026-03-09 20:16",
                                            "alert-views-20260309-2000-fire.html", &counted);
  EXPECT_TRUE(contains(plain, "too low")) << plain;
  EXPECT_FALSE(contains(plain, "Where:")) << plain;
  EXPECT_EQ(counted.queries, with_where - 1);
  // With the bucket table (filled by the first of these runs): the marks and the rows.
  config.alerts.bucket_table = Config().alerts.bucket_table;
  config.alerts.explain_by = Config().alerts.explain_by;
  counted.queries = 0;
  dry_run_message(config, zone_, dir_.path() + "/table", "2026-03-09 20:16",
                  "alert-views-20260309-2000-fire.html", &counted);
  const int table_with_where = counted.queries;
  counted.queries = 0;
  const std::string table_explained = dry_run_message(
      config, zone_, dir_.path() + "/table2", "2026-03-09 20:16",
      "alert-views-20260309-2000-fire.html", &counted);
  EXPECT_TRUE(contains(table_explained, "Where:")) << table_explained;
  EXPECT_LE(counted.queries, table_with_where);
  const int filled_with_where = counted.queries;
  counted.queries = 0;
  config.alerts.explain_by.clear();
  dry_run_message(config, zone_, dir_.path() + "/table3", "2026-03-09 20:16",
                  "alert-views-20260309-2000-fire.html", &counted);
  EXPECT_EQ(counted.queries, filled_with_where - 2);
}

TEST_F(AlertTest, SliceSeriesAddUpToAllUsers) {
  Config config = *config_;
  config.alerts.slices = {"os", "age"};
  auto client = make_http_clickhouse(config.clickhouse);
  const EpochSeconds begin = *parse_local_time("2026-03-09 00:00", zone_);
  auto series = query_bucket_series(*client, config, begin, begin + 86400);
  ASSERT_TRUE(series.ok()) << series.error().message;
  ASSERT_EQ(series->count, 96);
  const auto& all = series->values.at({"views", ""});
  const auto& android = series->values.at({"views", "os=Android"});
  const auto& ios = series->values.at({"views", "os=iOS"});
  double total = 0;
  for (int i = 0; i < 96; ++i) {
    EXPECT_EQ(all[i], android[i] + ios[i]) << i;
    total += all[i];
  }
  // The simulator's plan: about 400 000 feed events that day, ~95.5% views.
  EXPECT_GT(total, 300000);
  EXPECT_TRUE(series->values.count({"messages_sent", "age=18-24"}));
  // The same window without slices gives the same all-users series.
  auto plain = query_bucket_series(*client, *config_, begin, begin + 86400);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->values.at({"views", ""}), all);
  EXPECT_EQ(plain->values.size(), 6u);
}

}  // namespace
}  // namespace vigil
