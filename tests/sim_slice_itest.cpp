// Slice-targeted anomalies against a real ClickHouse: the same two days simulated
// twice, once with anomalies that each target one slice and once without. Inside
// each anomaly's slice and window the events move by about the factor; every other
// event (other slices, other times, the other table) is exactly the same in both.
// And the labels table keeps the slice, also when an older vigil created it.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/parse.h"
#include "sim/simulator.h"
#include "sim/slice_anomalies.h"
#include "support/clickhouse_fixture.h"

namespace vigil {
namespace {

constexpr const char* kPlainDb = "sim_slice_plain";
constexpr const char* kHitDb = "sim_slice_hit";

Config config_for(const std::string& database) {
  Config config;
  config.clickhouse = test_server().config("default");
  config.source.database = database;
  return config;
}

SimParams two_days() {
  SimParams params;
  params.from = *parse_date("2026-05-04");
  params.days = 2;
  params.users = 5000;
  params.feed_per_day = 400000;
  params.messages_per_day = 40000;
  return params;
}

const date::time_zone* moscow() { return *find_zone("Europe/Moscow"); }

Anomaly sliced(const char* metric, const char* from, int minutes, double factor,
               const char* slice) {
  const EpochSeconds start = *parse_local_time(from, moscow());
  return {metric, start, start + minutes * 60, factor, slice};
}

// One per dimension, on separate windows of the second day.
std::vector<Anomaly> anomalies() {
  return {sliced("views", "2026-05-05 20:00", 45, 0.3, "os=Android"),
          sliced("likes", "2026-05-05 14:00", 60, 2.5, "country=Ukraine"),
          sliced("feed_users", "2026-05-05 12:00", 60, 0.5, "age=18-24"),
          sliced("messages_sent", "2026-05-05 11:00", 60, 3.0, "source=ads"),
          sliced("messenger_users", "2026-05-05 18:00", 60, 0.4, "gender=1")};
}

// The events an anomaly targets: its slice, its window, the kinds its metric counts.
std::string targeted(const Anomaly& a) {
  std::string kinds = "1";
  if (a.metric == "views") kinds = "action = 'view'";
  if (a.metric == "likes") kinds = "action = 'like'";
  return fmt::format("({} AND toUInt32(time) >= {} AND toUInt32(time) < {} AND {})", kinds,
                     a.start, a.end, slice_condition_sql(a.slice, Config().etl.age_buckets));
}

bool on_feed(const Anomaly& a) {
  return a.metric != "messages_sent" && a.metric != "messenger_users";
}

class SimSliceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto client = make_http_clickhouse(test_server().config("default"));
    for (auto [db, list] : {std::pair{kPlainDb, std::vector<Anomaly>{}},
                            std::pair{kHitDb, anomalies()}}) {
      auto done = simulate(*client, config_for(db), moscow(), two_days(), list);
      ASSERT_TRUE(done.ok()) << done.error().message;
    }
  }

  // One number from `sql` with {db} and {feed} / {messages} replaced.
  static double value(const std::string& db, const std::string& sql) {
    auto client = make_http_clickhouse(test_server().config("default"));
    const Config config = config_for(db);
    auto text = client->query_value(
        fmt::format(fmt::runtime(sql),
                    fmt::arg("feed", sql_table(db, config.source.feed_table)),
                    fmt::arg("messages", sql_table(db, config.source.message_table))));
    EXPECT_TRUE(text.ok()) << text.error().message;
    return text.ok() ? *parse_double(*text) : std::nan("");
  }

  // Count and a fingerprint of every event matching `where` in a table.
  static std::string events(const std::string& db, const std::string& table,
                            const std::string& where) {
    const bool feed = table == "feed";
    const std::string fingerprint =
        feed ? "cityHash64(user_id, post_id, action, time, os, age, country, source, gender)"
             : "cityHash64(user_id, receiver_id, time, os, age, country, source, gender)";
    return fmt::format("{:.0f}/{:.0f}",
                       value(db, fmt::format("SELECT count() FROM {{{}}} WHERE {}", table, where)),
                       value(db, fmt::format("SELECT sum({}) FROM {{{}}} WHERE {}", fingerprint,
                                             table, where)));
  }
};

TEST_F(SimSliceTest, EventsOutsideEveryTargetAreUnchanged) {
  std::string feed_untouched = "1", messages_untouched = "1";
  for (const auto& a : anomalies()) {
    (on_feed(a) ? feed_untouched : messages_untouched) += " AND NOT " + targeted(a);
  }
  EXPECT_EQ(events(kHitDb, "feed", feed_untouched), events(kPlainDb, "feed", feed_untouched));
  EXPECT_EQ(events(kHitDb, "messages", messages_untouched),
            events(kPlainDb, "messages", messages_untouched));
  // The rest of the same slice and the other slices in the same window, one by one.
  const Anomaly android = anomalies()[0];
  const std::string window =
      fmt::format("toUInt32(time) >= {} AND toUInt32(time) < {}", android.start, android.end);
  for (const char* where : {"os = 'iOS'", "os = 'Android' AND action = 'like'"}) {
    const std::string w = fmt::format("{} AND {}", window, where);
    EXPECT_EQ(events(kHitDb, "feed", w), events(kPlainDb, "feed", w)) << where;
  }
  EpochSeconds first_start = android.start;
  for (const auto& a : anomalies()) first_start = std::min(first_start, a.start);
  const std::string before = fmt::format("os = 'Android' AND toUInt32(time) < {}", first_start);
  EXPECT_EQ(events(kHitDb, "feed", before), events(kPlainDb, "feed", before));
}

TEST_F(SimSliceTest, TargetedEventsMoveByAboutTheFactor) {
  for (const auto& a : anomalies()) {
    const std::string table = on_feed(a) ? "{feed}" : "{messages}";
    const std::string sql = fmt::format("SELECT count() FROM {} WHERE {}", table, targeted(a));
    const double plain = value(kPlainDb, sql), hit = value(kHitDb, sql);
    ASSERT_GT(plain, 50) << a.metric << " " << a.slice << ": too few events to judge";
    std::printf("%s %s: %.0f events, %.0f without the anomaly (x%.3f, factor %.2f)\n",
                a.metric.c_str(), a.slice.c_str(), hit, plain, hit / plain, a.factor);
    // Users metrics drop users (their events go with them): about the factor too.
    EXPECT_NEAR(hit / plain, a.factor, 0.15 * a.factor + 0.05)
        << a.metric << " " << a.slice << ": " << hit << " vs " << plain;
  }
}

TEST_F(SimSliceTest, UsersDropRemovesThatShareOfTheSlicesUsers) {
  for (const auto& a : anomalies()) {
    if (a.metric != "feed_users" && a.metric != "messenger_users") continue;
    const std::string sql = fmt::format("SELECT uniqExact(user_id) FROM {} WHERE {}",
                                        on_feed(a) ? "{feed}" : "{messages}", targeted(a));
    const double plain = value(kPlainDb, sql), hit = value(kHitDb, sql);
    ASSERT_GT(plain, 50) << a.metric;
    std::printf("%s %s: %.0f users, %.0f without the anomaly (x%.3f)\n", a.metric.c_str(),
                a.slice.c_str(), hit, plain, hit / plain);
    EXPECT_NEAR(hit / plain, a.factor, 0.12) << a.metric << " " << hit << " vs " << plain;
  }
}

TEST_F(SimSliceTest, LabelsKeepTheSlice) {
  const std::string labels = sql_table(kHitDb, kLabelsTable);
  EXPECT_EQ(value(kHitDb, fmt::format("SELECT count() FROM {} WHERE slice = 'os=Android' AND "
                                      "metric = 'views'", labels)),
            1);
  EXPECT_EQ(value(kHitDb, fmt::format("SELECT count() FROM {} WHERE slice != ''", labels)), 5);
}

TEST(SimSliceMigration, OldLabelsTableGainsTheSliceColumn) {
  auto client = make_http_clickhouse(test_server().config("default"));
  const std::string db = "sim_slice_old_labels";
  const Config config = config_for(db);
  const std::string labels = sql_table(db, kLabelsTable);
  ASSERT_TRUE(client->execute("CREATE DATABASE IF NOT EXISTS " + sql_ident(db)).ok());
  ASSERT_TRUE(client->execute("DROP TABLE IF EXISTS " + labels).ok());
  // The labels table as vigil created it before slice-targeted anomalies.
  ASSERT_TRUE(client
                  ->execute(fmt::format(
                      "CREATE TABLE {} (metric String, start DateTime, end DateTime, factor "
                      "Float64) ENGINE = MergeTree PARTITION BY toDate(start, 'Europe/Moscow') "
                      "ORDER BY (metric, start)",
                      labels))
                  .ok());
  SimParams params = two_days();
  params.days = 1;
  params.feed_per_day = 20000;
  params.messages_per_day = 2000;
  const std::vector<Anomaly> list = {sliced("views", "2026-05-04 20:00", 30, 0.2, "os=iOS")};
  for (int run = 0; run < 2; ++run) {  // the second run finds the column there
    auto done = simulate(*client, config, moscow(), params, list);
    ASSERT_TRUE(done.ok()) << run << ": " << done.error().message;
  }
  auto slice = client->query_value("SELECT slice FROM " + labels);
  ASSERT_TRUE(slice.ok()) << slice.error().message;
  EXPECT_EQ(*slice, "os=iOS");
}

TEST(SimSliceRefusal, BadSliceIsRefusedBeforeAnythingIsWritten) {
  auto client = make_http_clickhouse(test_server().config("default"));
  const std::vector<Anomaly> list = {sliced("views", "2026-05-04 20:00", 30, 0.2, "age=18-30")};
  auto done = simulate(*client, config_for("sim_slice_refused"), moscow(), two_days(), list);
  ASSERT_FALSE(done.ok());
  EXPECT_NE(done.error().message.find("age=18-30"), std::string::npos) << done.error().message;
  auto exists = client->query_value(
      "SELECT count() FROM system.databases WHERE name = 'sim_slice_refused'");
  ASSERT_TRUE(exists.ok()) << exists.error().message;
  EXPECT_EQ(*exists, "0");
}

}  // namespace
}  // namespace vigil
