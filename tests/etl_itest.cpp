// ETL against a real clickhouse-server on a hand-built event set whose slice
// values are worked out by hand below (not by running the code under test).
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <functional>
#include <optional>
#include <map>
#include <mutex>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/file_lock.h"
#include "base/files.h"
#include "clickhouse/server.h"
#include "clickhouse/server_process.h"
#include "etl/etl.h"
#include "support/clickhouse_fixture.h"
#include "support/vigil_process.h"

namespace vigil {
namespace {

// views, likes, messages_received, messages_sent, users_received, users_sent
using Metrics = std::array<long long, 6>;
using SliceKey = std::pair<std::string, std::string>;
using Slices = std::map<SliceKey, Metrics>;

constexpr const char* kFeedDdl =
    "CREATE TABLE {}.feed_actions (user_id UInt32, post_id UInt32, action String, time DateTime, "
    "gender UInt8, age UInt8, country String, city String, os String, source String, "
    "exp_group Int8) ENGINE = MergeTree ORDER BY time";
constexpr const char* kMessageDdl =
    "CREATE TABLE {}.message_actions (user_id UInt32, receiver_id UInt32, time DateTime, "
    "source String, exp_group Int8, gender UInt8, age UInt8, country String, city String, "
    "os String) ENGINE = MergeTree ORDER BY time";

class EtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    suffix_ = std::to_string(++counter_);
    src_ = std::string("etl_src_") + suffix_;
    dst_ = std::string("etl_dst_") + suffix_;
    zone_ = *find_zone(config_.timezone);
    use_server(test_server());
  }

  // Points the test at `server` and creates the empty source tables there.
  void use_server(const TestServer& server) {
    client_ = make_http_clickhouse(server.config("default"));
    config_.clickhouse = server.config(dst_);
    config_.source.database = src_;
    run("CREATE DATABASE " + src_);
    run(fmt::format(kFeedDdl, src_));
    run(fmt::format(kMessageDdl, src_));
  }

  void run(const std::string& sql) {
    auto status = client_->execute(sql);
    ASSERT_TRUE(status.ok()) << status.error().message;
  }

  // Moscow is UTC+3 all year: local "2026-03-10 13:00:00" is 10:00 UTC.
  static std::string at(const std::string& local) {
    return fmt::format("toDateTime('{}', 'Europe/Moscow')", local);
  }

  void feed(int user, const std::string& action, const std::string& local, int gender, int age,
            const std::string& os) {
    run(fmt::format("INSERT INTO {}.feed_actions SELECT {}, 1, '{}', {}, {}, {}, 'Russia', "
                    "'Moscow', '{}', 'ads', 1",
                    src_, user, action, at(local), gender, age, os));
  }

  void message(int from, int to, const std::string& local, int gender, int age,
               const std::string& os) {
    run(fmt::format("INSERT INTO {}.message_actions SELECT {}, {}, {}, 'ads', 1, {}, {}, "
                    "'Russia', 'Moscow', '{}'",
                    src_, from, to, at(local), gender, age, os));
  }

  // The hand-built day 2026-03-10 (see expected_day() for the worked answer).
  void load_events() {
    // user 1: Android, male(1), 20
    feed(1, "view", "2026-03-10 10:00:00", 1, 20, "Android");
    feed(1, "view", "2026-03-10 11:00:00", 1, 20, "Android");
    feed(1, "view", "2026-03-10 12:00:00", 1, 20, "Android");
    feed(1, "like", "2026-03-10 12:30:00", 1, 20, "Android");
    message(1, 3, "2026-03-10 13:00:00", 1, 20, "Android");
    message(1, 3, "2026-03-10 13:05:00", 1, 20, "Android");
    message(1, 2, "2026-03-10 13:10:00", 1, 20, "Android");
    message(1, 4, "2026-03-10 13:15:00", 1, 20, "Android");
    // user 2: two platforms in a day, iOS in the morning, Android last (18:00).
    feed(2, "view", "2026-03-10 08:00:00", 0, 30, "iOS");
    feed(2, "view", "2026-03-10 08:30:00", 0, 30, "iOS");
    message(2, 1, "2026-03-10 09:00:00", 0, 30, "iOS");
    feed(2, "view", "2026-03-10 18:00:00", 0, 30, "Android");
    // user 3: receive-only today; own event 5 days before (iOS, 1, 40).
    feed(3, "view", "2026-03-05 15:00:00", 1, 40, "iOS");
    // user 4: receive-only today; last own event 40 days before: outside the window.
    feed(4, "view", "2026-01-29 15:00:00", 0, 22, "iOS");
    // user 5: just outside the day on both sides (iOS, 1, 50).
    feed(5, "view", "2026-03-09 23:59:59", 1, 50, "iOS");
    feed(5, "view", "2026-03-11 00:00:00", 1, 50, "iOS");
    // user 6: exactly at the day's first second (Android, 0, 17).
    feed(6, "view", "2026-03-10 00:00:00", 0, 17, "Android");
  }

  // Worked by hand from load_events(): users 1 (Android/1/18-24), 2 (Android/0/25-34),
  // 3 (iOS/1/35-44 from look-back), 4 (unknown), 6 (Android/0/0-17).
  static Slices expected_day() {
    //                                    views likes recv sent urecv usent
    return {{{"os", "Android"},            {7, 1, 2, 5, 2, 4}},
            {{"os", "iOS"},                {0, 0, 2, 0, 1, 0}},
            {{"os", "unknown"},            {0, 0, 1, 0, 1, 0}},
            {{"gender", "1"},              {3, 1, 3, 4, 2, 3}},
            {{"gender", "0"},              {4, 0, 1, 1, 1, 1}},
            {{"gender", "unknown"},        {0, 0, 1, 0, 1, 0}},
            {{"age", "0-17"},              {1, 0, 0, 0, 0, 0}},
            {{"age", "18-24"},             {3, 1, 1, 4, 1, 3}},
            {{"age", "25-34"},             {3, 0, 1, 1, 1, 1}},
            {{"age", "35-44"},             {0, 0, 2, 0, 1, 0}},
            {{"age", "unknown"},           {0, 0, 1, 0, 1, 0}}};
  }

  Slices slices(const std::string& day) {
    Slices out;
    auto status = client_->query(
        fmt::format("SELECT dimension, dimension_value, views, likes, messages_received, "
                    "messages_sent, users_received, users_sent FROM {}.user_slices_daily "
                    "WHERE event_date = '{}'",
                    dst_, day),
        [&](const Row& r) {
          Metrics m{};
          for (size_t i = 0; i < m.size(); ++i) m[i] = std::stoll(r.at(i + 2));
          EXPECT_EQ(out.count({r[0], r[1]}), 0u) << "duplicate row " << r[0] << "=" << r[1];
          out[{r[0], r[1]}] = m;
        });
    EXPECT_TRUE(status.ok()) << status.error().message;
    return out;
  }

  long long count(const std::string& sql) {
    auto value = client_->query_value(sql);
    EXPECT_TRUE(value.ok()) << value.error().message;
    return value.ok() ? std::stoll(*value) : -1;
  }

  Days day(const std::string& text) { return *parse_date(text); }

  static inline int counter_ = 0;
  std::string suffix_, src_, dst_;
  Config config_;
  const date::time_zone* zone_ = nullptr;
  std::unique_ptr<ClickHouse> client_;
};

TEST_F(EtlTest, HandBuiltDayMatchesWorkedSlices) {
  load_events();
  Etl etl(*client_, config_, zone_);
  auto report = etl.run(day("2026-03-10"), EtlStep::kAll);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->rows, 11);
  EXPECT_EQ(slices("2026-03-10"), expected_day());
}

// Where a user's attributes come from when feed and messages disagree: the latest
// own event of the day wins, whichever table it is in; at the same second the
// greater (os, gender, age) wins; a sender without feed events and a receiver
// with feed events but no message of their own are placed by what they did.
TEST_F(EtlTest, AttributesComeFromTheLatestOwnEventAcrossFeedAndMessages) {
  // user 11: feed and a message at the same second, Android vs iOS: iOS (greater).
  feed(11, "view", "2026-03-10 10:00:00", 1, 20, "Android");
  message(11, 12, "2026-03-10 10:00:00", 1, 20, "iOS");
  // user 12: receives only, but liked a post: Android, 0, 30.
  feed(12, "like", "2026-03-10 09:00:00", 0, 30, "Android");
  // user 13: sends only; the later message says iOS, 0, 50.
  message(13, 12, "2026-03-10 11:00:00", 0, 50, "Android");
  message(13, 11, "2026-03-10 12:00:00", 0, 50, "iOS");
  // user 14: a message after the feed event: Android, 1, 41.
  feed(14, "view", "2026-03-10 15:00:00", 1, 40, "iOS");
  message(14, 13, "2026-03-10 16:00:00", 1, 41, "Android");
  Etl etl(*client_, config_, zone_);
  auto report = etl.run(day("2026-03-10"), EtlStep::kAll);
  ASSERT_TRUE(report.ok()) << report.error().message;
  //                                   views likes recv sent urecv usent
  const Slices expected = {{{"os", "iOS"},       {1, 0, 2, 3, 2, 3}},   // users 11, 13
                           {{"os", "Android"},   {1, 1, 2, 1, 2, 1}},   // users 12, 14
                           {{"gender", "1"},     {2, 0, 1, 2, 1, 2}},   // users 11, 14
                           {{"gender", "0"},     {0, 1, 3, 2, 3, 2}},   // users 12, 13
                           {{"age", "18-24"},    {1, 0, 1, 1, 1, 1}},   // user 11
                           {{"age", "25-34"},    {0, 1, 2, 0, 2, 0}},   // user 12
                           {{"age", "35-44"},    {1, 0, 0, 1, 0, 1}},   // user 14
                           {{"age", "45+"},      {0, 0, 1, 2, 1, 2}}};  // user 13
  EXPECT_EQ(slices("2026-03-10"), expected);
}

TEST_F(EtlTest, NeighbourDayGetsOnlyItsOwnEvents) {
  load_events();
  Etl etl(*client_, config_, zone_);
  ASSERT_TRUE(etl.run(day("2026-03-09"), EtlStep::kAll).ok());
  const Slices expected = {{{"os", "iOS"}, {1, 0, 0, 0, 0, 0}},
                           {{"gender", "1"}, {1, 0, 0, 0, 0, 0}},
                           {{"age", "45+"}, {1, 0, 0, 0, 0, 0}}};
  EXPECT_EQ(slices("2026-03-09"), expected);
}

TEST_F(EtlTest, RunningTwiceGivesTheSameRows) {
  load_events();
  Etl etl(*client_, config_, zone_);
  ASSERT_TRUE(etl.run(day("2026-03-10"), EtlStep::kAll).ok());
  ASSERT_TRUE(etl.run(day("2026-03-10"), EtlStep::kAll).ok());
  ASSERT_TRUE(etl.run(day("2026-03-10"), EtlStep::kExtractFeed).ok());
  ASSERT_TRUE(etl.run(day("2026-03-10"), EtlStep::kExtractFeed).ok());
  ASSERT_TRUE(etl.run(day("2026-03-10"), EtlStep::kExtractMessages).ok());
  ASSERT_TRUE(etl.run(day("2026-03-10"), EtlStep::kTransform).ok());
  ASSERT_TRUE(etl.run(day("2026-03-10"), EtlStep::kTransform).ok());
  ASSERT_TRUE(etl.run(day("2026-03-10"), EtlStep::kLoad).ok());
  EXPECT_EQ(slices("2026-03-10"), expected_day());
  EXPECT_EQ(count(fmt::format("SELECT count() FROM {}.user_slices_daily", dst_)), 11);
  // Load dropped every staging table.
  EXPECT_EQ(count(fmt::format("SELECT count() FROM system.tables WHERE database = '{}' AND "
                              "name LIKE '%__stg_%'",
                              dst_)),
            0);
}

TEST_F(EtlTest, LoadWithoutTransformSaysWhatToRun) {
  load_events();
  Etl etl(*client_, config_, zone_);
  auto result = etl.run(day("2026-03-10"), EtlStep::kLoad);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("--date 2026-03-10 --step transform"), std::string::npos)
      << result.error().message;
  auto transform = etl.run(day("2026-03-10"), EtlStep::kTransform);
  ASSERT_FALSE(transform.ok());
  EXPECT_NE(transform.error().message.find("--step extract-feed"), std::string::npos)
      << transform.error().message;
}

TEST_F(EtlTest, EmptyDayLoadsZeroRowsAndClearsAnOldLoad) {
  Etl etl(*client_, config_, zone_);
  auto empty = etl.run_range(day("2026-03-20"), day("2026-03-20"), EtlStep::kAll);
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(empty->at(0).rows, 0);
  // A day loaded earlier whose events were later removed at the source: re-running fixes it.
  feed(7, "view", "2026-03-21 12:00:00", 1, 33, "iOS");
  ASSERT_TRUE(etl.run(day("2026-03-21"), EtlStep::kAll).ok());
  EXPECT_EQ(slices("2026-03-21").size(), 3u);
  run(fmt::format("DROP TABLE {}.feed_actions", src_));
  run(fmt::format(kFeedDdl, src_));
  ASSERT_TRUE(etl.run(day("2026-03-21"), EtlStep::kAll).ok());
  EXPECT_TRUE(slices("2026-03-21").empty());
}

TEST_F(EtlTest, MissingSourceTableNamesIt) {
  run(fmt::format("DROP TABLE {}.message_actions", src_));
  Etl etl(*client_, config_, zone_);
  auto result = etl.run(day("2026-03-10"), EtlStep::kAll);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("message_actions"), std::string::npos)
      << result.error().message;
}

TEST_F(EtlTest, TargetWithOtherColumnsIsRefusedClearly) {
  run(fmt::format("CREATE DATABASE {}", dst_));
  run(fmt::format("CREATE TABLE {}.user_slices_daily (event_date Date, x UInt8) "
                  "ENGINE = MergeTree PARTITION BY event_date ORDER BY x",
                  dst_));
  load_events();
  Etl etl(*client_, config_, zone_);
  auto result = etl.run(day("2026-03-10"), EtlStep::kAll);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("user_slices_daily"), std::string::npos);
  EXPECT_NE(result.error().message.find("other columns"), std::string::npos)
      << result.error().message;
}

TEST_F(EtlTest, CustomAgeBucketsAndLookbackWindow) {
  load_events();
  config_.etl.age_buckets = {21, 40};        // 0-20, 21-39, 40+
  config_.etl.demographics_lookback_days = 3;  // user 3's event (5 days back) is now too old
  Etl etl(*client_, config_, zone_);
  ASSERT_TRUE(etl.run(day("2026-03-10"), EtlStep::kAll).ok());
  auto got = slices("2026-03-10");
  // 0-20: users 1 (20) and 6 (17); 21-39: user 2 (30); unknown: users 3 and 4.
  EXPECT_EQ(got[SliceKey("age", "0-20")], (Metrics{4, 1, 1, 4, 1, 3}));
  EXPECT_EQ(got[SliceKey("age", "21-39")], (Metrics{3, 0, 1, 1, 1, 1}));
  EXPECT_EQ(got[SliceKey("age", "unknown")], (Metrics{0, 0, 3, 0, 2, 0}));
  EXPECT_EQ(got.count(SliceKey("age", "40+")), 0u);
  EXPECT_EQ(got[SliceKey("os", "unknown")], (Metrics{0, 0, 3, 0, 2, 0}));
}

// The server goes away between the staging steps and load: load fails with a
// clear message, and once the server is back, re-running load finishes the date.
TEST_F(EtlTest, ServerStoppedBetweenStagingAndLoadThenRerun) {
  TempDir dir;
  ManagedServerOptions options;
  options.dir = dir.path() + "/clickhouse";
  options.http_port = *find_free_port();
  ASSERT_TRUE(start_managed_server(options).ok());
  TestServer server;
  server.url = fmt::format("http://127.0.0.1:{}", options.http_port);
  server.http_port = options.http_port;
  use_server(server);
  load_events();
  Etl etl(*client_, config_, zone_);
  for (auto step : {EtlStep::kExtractFeed, EtlStep::kExtractMessages, EtlStep::kTransform}) {
    auto done = etl.run(day("2026-03-10"), step);
    ASSERT_TRUE(done.ok()) << done.error().message;
  }
  ASSERT_TRUE(stop_managed_server(options.dir).ok());
  auto failed = etl.run(day("2026-03-10"), EtlStep::kLoad);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("cannot connect"), std::string::npos)
      << failed.error().message;
  auto restarted = start_managed_server(options);
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  auto loaded = etl.run(day("2026-03-10"), EtlStep::kLoad);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(slices("2026-03-10"), expected_day());
  EXPECT_TRUE(stop_managed_server(options.dir).ok());
}

// A private managed server for tests that stop, kill or restart it.
class RestartableServer {
 public:
  RestartableServer() {
    options_.dir = dir_.path() + "/clickhouse";
    options_.http_port = *find_free_port();
    start();
    server_.url = fmt::format("http://127.0.0.1:{}", options_.http_port);
    server_.http_port = options_.http_port;
  }
  ~RestartableServer() { (void)stop_managed_server(options_.dir); }
  const TestServer& server() const { return server_; }
  void start() {
    auto started = start_managed_server(options_);
    if (!started.ok()) throw std::runtime_error(started.error().message);
  }
  // A graceful stop, or SIGKILL of the server process; then a fresh start.
  void restart(bool kill_hard) {
    if (kill_hard) {
      const int pid = managed_server_status(options_.dir).pid;
      ASSERT_GT(pid, 0);
      ::kill(pid, SIGKILL);
      for (int i = 0; i < 200 && ch_internal::process_alive(pid); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    ASSERT_TRUE(stop_managed_server(options_.dir).ok());  // after a kill: waits for the exit
    start();
  }

 private:
  TempDir dir_;
  ManagedServerOptions options_;
  TestServer server_;
};

// Reloading a day on ClickHouse 18.16 leaves the replaced parts on disk for a while;
// a stop or crash in that window brought them back as live rows (the day doubled).
// A load returns only once a restart can no longer resurrect them: reload, restart
// (graceful and kill -9) after several delays, and compare the day with a count made
// straight from the source table.
TEST_F(EtlTest, ReloadedDaySurvivesRestartsWithoutDoubling) {
  RestartableServer managed;
  use_server(managed.server());
  load_events();
  const std::string source_views = fmt::format(
      "SELECT countIf(action = 'view') FROM {}.feed_actions WHERE toDate(time, "
      "'Europe/Moscow') = '2026-03-10'",
      src_);
  const std::string loaded_views = fmt::format(
      "SELECT sum(views) FROM {}.user_slices_daily WHERE event_date = '2026-03-10' AND "
      "dimension = 'os'",
      dst_);
  const long long expected_views = count(source_views);
  ASSERT_EQ(expected_views, 7);
  for (const bool kill_hard : {false, true}) {
    for (const int delay_ms : {0, 300, 1500}) {
      SCOPED_TRACE(fmt::format("{} after {} ms", kill_hard ? "kill -9" : "stop", delay_ms));
      for (int load = 0; load < 2; ++load) {
        Etl etl(*client_, config_, zone_);
        auto done = etl.run(day("2026-03-10"), EtlStep::kAll);
        ASSERT_TRUE(done.ok()) << done.error().message;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      managed.restart(kill_hard);
      EXPECT_EQ(count(loaded_views), expected_views);
      EXPECT_EQ(count(fmt::format("SELECT count() FROM {}.user_slices_daily", dst_)), 11);
    }
  }
}

// The real client with one rule changed, to stand in for another server or process.
class InterposedClickHouse : public ClickHouse {
 public:
  using Hook = std::function<std::optional<Status>(std::string_view sql, ClickHouse& real)>;
  InterposedClickHouse(ClickHouse& real, Hook hook) : real_(real), hook_(std::move(hook)) {}
  Status execute(std::string_view sql) override {
    if (auto answer = hook_(sql, real_)) return *answer;
    return real_.execute(sql);
  }
  Status query(std::string_view sql, const RowCallback& on_row) override {
    return real_.query(sql, on_row);
  }
  std::string describe() const override { return real_.describe(); }

 private:
  ClickHouse& real_;
  Hook hook_;
};

// ClickHouse 26.6+ refuses REPLACE PARTITION from a table without rows. A day whose
// events are gone at the source must still be cleared, with no staging left behind.
TEST_F(EtlTest, EmptyDayOnCurrentClickHouseClearsTheDay) {
  load_events();
  Etl first(*client_, config_, zone_);
  ASSERT_TRUE(first.run(day("2026-03-10"), EtlStep::kAll).ok());
  InterposedClickHouse current(*client_, [](std::string_view sql, ClickHouse& real)
                                              -> std::optional<Status> {
    const auto from = sql.find(" FROM ");
    if (sql.find("REPLACE PARTITION") == std::string_view::npos || from == sql.npos) {
      return std::nullopt;
    }
    auto rows = real.query_value("SELECT count() FROM " + std::string(sql.substr(from + 6)));
    if (rows.ok() && *rows != "0") return std::nullopt;
    return Error::failure(
        "Code: 36. DB::Exception: Source table has no parts in partition 20260310: refusing "
        "`REPLACE PARTITION` because it would silently drop the destination partition's data");
  });
  run(fmt::format("TRUNCATE TABLE {}.feed_actions", src_));
  run(fmt::format("TRUNCATE TABLE {}.message_actions", src_));
  Etl etl(current, config_, zone_);
  auto reload = etl.run(day("2026-03-10"), EtlStep::kAll);
  ASSERT_TRUE(reload.ok()) << reload.error().message;
  EXPECT_EQ(reload->rows, 0);
  EXPECT_TRUE(slices("2026-03-10").empty());
  EXPECT_EQ(count(fmt::format("SELECT count() FROM system.tables WHERE database = '{}' AND "
                              "name LIKE '%__stg_%'",
                              dst_)),
            0);
}

// `etl --date` runs the two extracts side by side: the feed's CREATE waits until
// the messages' CREATE has started (run one after the other, it never would).
// A failing extract fails the run with its own message, and the other one's
// staging table, finished, is complete.
TEST_F(EtlTest, ExtractsRunSideBySideAndEitherFailureFailsTheRun) {
  load_events();
  std::mutex mutex;
  std::condition_variable started;
  bool messages_started = false;
  bool overlapped = false;
  InterposedClickHouse watched(*client_, [&](std::string_view sql, ClickHouse&)
                                             -> std::optional<Status> {
    if (sql.rfind("CREATE TABLE", 0) != 0) return std::nullopt;
    std::unique_lock lock(mutex);
    if (sql.find("__stg_messages_") != sql.npos) {
      messages_started = true;
      started.notify_all();
    } else if (sql.find("__stg_feed_") != sql.npos) {
      overlapped = started.wait_for(lock, std::chrono::seconds(10),
                                    [&] { return messages_started; });
    }
    return std::nullopt;
  });
  Etl etl(watched, config_, zone_);
  auto both = etl.run(day("2026-03-10"), EtlStep::kAll);
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_TRUE(overlapped) << "the feed extract ran without the messages extract beside it";
  EXPECT_EQ(slices("2026-03-10"), expected_day());

  run(fmt::format("DROP TABLE {}.feed_actions", src_));
  auto failed = etl.run(day("2026-03-10"), EtlStep::kAll);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("feed_actions"), std::string::npos)
      << failed.error().message;
  // One row per user in the messages: 1, 2 (senders), 3, 4 (receive-only).
  EXPECT_EQ(count(fmt::format("SELECT count() FROM {}.user_slices_daily__stg_messages_20260310",
                              dst_)),
            4);
  EXPECT_EQ(count(fmt::format("SELECT count() FROM system.tables WHERE database = '{}' AND "
                              "name LIKE '%__stg_feed_%' AND name NOT LIKE '%__tmp'",
                              dst_)),
            0);
}

// Another host loading the same date against the same ClickHouse drops our
// temporary staging table: the error says so instead of "table does not exist".
TEST_F(EtlTest, ConcurrentLoadElsewhereIsNamedAsSuch) {
  load_events();
  InterposedClickHouse racing(*client_, [](std::string_view sql, ClickHouse& real)
                                            -> std::optional<Status> {
    if (sql.rfind("INSERT INTO", 0) != 0) return std::nullopt;
    const auto end = sql.find("__tmp`");
    if (end == sql.npos) return std::nullopt;
    const auto table = std::string(sql.substr(12, end + 6 - 12));
    (void)real.execute("DROP TABLE IF EXISTS " + table);  // the other process's rebuild
    return std::nullopt;
  });
  Etl etl(racing, config_, zone_);
  auto result = etl.run(day("2026-03-10"), EtlStep::kAll);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("another load of 2026-03-10 is running"),
            std::string::npos)
      << result.error().message;
}

// Two processes on one state dir (a manual `vigil etl` beside `serve` or Airflow):
// the second is refused with the holder's pid, the other extract may run alongside.
TEST_F(EtlTest, SecondLoadOfADateIsRefusedWhileTheFirstRuns) {
  load_events();
  TempDir dir;
  config_.state_dir = dir.path() + "/state";
  const std::string config_path = dir.path() + "/vigil.toml";
  ASSERT_TRUE(write_file(config_path,
                         fmt::format("state_dir = \"{}\"\n[clickhouse]\nurl = \"{}\"\n"
                                     "database = \"{}\"\n[source]\ndatabase = \"{}\"\n",
                                     config_.state_dir, test_server().url, dst_, src_))
                  .ok());
  auto held = FileLock::try_lock(etl_lock_path(config_, day("2026-03-10"), EtlStep::kExtractFeed));
  ASSERT_TRUE(held.ok() && held->acquired());
  auto [code, err] = run_vigil({"--config", config_path, "etl", "--date", "2026-03-10"}, {},
                               dir.path());
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find(fmt::format("another vigil process (pid {}) is running the ETL of "
                                 "2026-03-10",
                                 ::getpid())),
            std::string::npos)
      << err;
  // Refused before touching anything.
  EXPECT_EQ(count(fmt::format("SELECT count() FROM system.tables WHERE database = '{}'", dst_)),
            0);
  auto [other_code, other_err] = run_vigil(
      {"--config", config_path, "etl", "--date", "2026-03-10", "--step", "extract-messages"}, {},
      dir.path());
  EXPECT_EQ(other_code, 0) << other_err;
  held = FileLock::try_lock(config_.state_dir + "/unrelated.lock");  // releases the first
  auto [after_code, after_err] =
      run_vigil({"--config", config_path, "etl", "--date", "2026-03-10"}, {}, dir.path());
  EXPECT_EQ(after_code, 0) << after_err;
  EXPECT_EQ(slices("2026-03-10"), expected_day());
  EXPECT_FALSE(std::filesystem::exists(
      etl_lock_path(config_, day("2026-03-10"), EtlStep::kExtractFeed)));
}

// `vigil --quiet --config FILE args...`, started.
pid_t spawn_with(const std::string& config_path, const std::vector<std::string>& args) {
  std::vector<std::string> all = {"--quiet", "--config", config_path};
  all.insert(all.end(), args.begin(), args.end());
  return spawn_vigil(all);
}

// The vigil process is killed in the middle of a 40-day backfill (and an
// orphaned temporary staging table is lying around): re-running the same
// command gives exactly the result of one clean run.
TEST_F(EtlTest, KilledBackfillRerunGivesTheCleanResult) {
  load_events();
  run(fmt::format("CREATE DATABASE {}", dst_));
  run(fmt::format("CREATE TABLE {}.user_slices_daily__stg_slices_20260310__tmp (x UInt8) "
                  "ENGINE = Memory",
                  dst_));
  TempDir dir;
  const std::string config_path = dir.path() + "/vigil.toml";
  ASSERT_TRUE(write_file(config_path,
                         fmt::format("[clickhouse]\nurl = \"{}\"\ndatabase = \"{}\"\n"
                                     "[source]\ndatabase = \"{}\"\n",
                                     test_server().url, dst_, src_))
                  .ok());
  const std::vector<std::string> backfill = {"etl", "--from", "2026-02-20", "--to",
                                             "2026-03-31"};
  const pid_t victim = spawn_with(config_path, backfill);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  kill(victim, SIGKILL);
  ASSERT_EQ(wait_exit_code(victim), -1) << "the backfill finished before it could be killed";
  ASSERT_EQ(wait_exit_code(spawn_with(config_path, backfill)), 0);
  EXPECT_EQ(slices("2026-03-10"), expected_day());
  EXPECT_EQ(slices("2026-03-09").size(), 3u);
  // 2026-03-10 has 11 rows; 03-05 (user 3), 03-09 and 03-11 (user 5) one user each: 3 rows.
  EXPECT_EQ(slices("2026-03-11").size(), 3u);
  EXPECT_EQ(count(fmt::format("SELECT count() FROM {}.user_slices_daily", dst_)), 11 + 3 * 3);
  EXPECT_EQ(count(fmt::format("SELECT count() FROM system.tables WHERE database = '{}' AND "
                              "name LIKE '%__stg_%'",
                              dst_)),
            0);
}

TEST_F(EtlTest, CommandLineReportsBadDatesAsUsageErrors) {
  TempDir dir;
  const std::string config_path = dir.path() + "/vigil.toml";
  ASSERT_TRUE(write_file(config_path, fmt::format("[clickhouse]\nurl = \"{}\"\n",
                                                  test_server().url))
                  .ok());
  EXPECT_EQ(wait_exit_code(spawn_with(config_path, {"etl", "--date", "2026-02-30"})), 2);
  EXPECT_EQ(wait_exit_code(spawn_with(config_path, {"etl", "--from", "2026-03-02", "--to",
                                                     "2026-03-01"})),
            2);
  EXPECT_EQ(wait_exit_code(spawn_with(config_path, {"etl", "--step", "extract"})), 2);
}

}  // namespace
}  // namespace vigil
