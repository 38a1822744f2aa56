#include "alert/store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace vigil {
namespace {

namespace fs = std::filesystem;

constexpr EpochSeconds kT0 = 1'795'000'500;  // a bucket start (multiple of 900)

::testing::AssertionResult HasSubstr(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\n  text: " << text << "\n  does not contain: "
                                       << part;
}

// A fresh directory per test, removed afterwards.
class AlertStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("vigil_alert_store_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    path_ = (dir_ / "state" / "alerts.sqlite").string();
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<AlertStore> open() {
    auto store = open_sqlite_alert_store(path_);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
    return store.ok() ? std::move(*store) : nullptr;
  }

  fs::path dir_;
  std::string path_;
};

// The state right after firing at kT0.
constexpr AlertState kFiring{
    .firing = true, .streak = 1, .fired_at = kT0, .last_sent = kT0, .last_bucket = kT0};

AlertRecord record(const std::string& metric, EpochSeconds bucket, AlertAction action) {
  AlertRecord r;
  r.evaluation = {.key = {metric, ""}, .bucket = bucket, .value = 42.5, .lower = 90.25,
                  .upper = 110.5, .expected = 100.125, .score = -3.75, .anomaly = true,
                  .ready = true};
  r.action = action;
  r.recorded_at = bucket + 60;
  return r;
}

void expect_same_double(double a, double b) {
  EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << a << " != " << b;
}

void expect_same_record(const AlertRecord& a, const AlertRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.evaluation.key.metric, b.evaluation.key.metric);
  EXPECT_EQ(a.evaluation.key.slice, b.evaluation.key.slice);
  EXPECT_EQ(a.evaluation.bucket, b.evaluation.bucket);
  expect_same_double(a.evaluation.value, b.evaluation.value);
  expect_same_double(a.evaluation.lower, b.evaluation.lower);
  expect_same_double(a.evaluation.upper, b.evaluation.upper);
  expect_same_double(a.evaluation.expected, b.evaluation.expected);
  expect_same_double(a.evaluation.score, b.evaluation.score);
  EXPECT_EQ(a.evaluation.anomaly, b.evaluation.anomaly);
  EXPECT_EQ(a.evaluation.ready, b.evaluation.ready);
  EXPECT_EQ(a.action, b.action);
  EXPECT_EQ(a.delivered, b.delivered);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.recorded_at, b.recorded_at);
}

// Runs SQL on the file through a separate raw connection (another process, or
// someone else's database).
void raw_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

std::vector<std::int64_t> ids(const std::vector<AlertRecord>& records) {
  std::vector<std::int64_t> out;
  for (const auto& r : records) out.push_back(r.id);
  return out;
}

TEST_F(AlertStoreTest, NewFileIsEmptyAndCreatedWithItsDirectory) {
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_TRUE(fs::exists(path_));
  auto states = store->load_states();
  ASSERT_TRUE(states.ok()) << states.error().message;
  EXPECT_TRUE(states->empty());
  auto history = store->history({});
  ASSERT_TRUE(history.ok()) << history.error().message;
  EXPECT_TRUE(history->empty());
}

TEST_F(AlertStoreTest, RoundTripsStatesAndRecordsWithAllFields) {
  auto store = open();
  ASSERT_TRUE(store);
  const AlertKey all{"views", ""};
  const AlertKey ios{"views", "os=iOS"};
  std::map<AlertKey, AlertState> states;
  states[all] = {.firing = true, .streak = 3, .fired_at = kT0, .last_sent = kT0 + 3600,
                 .last_bucket = kT0 + 4500};
  states[ios] = {.firing = false, .streak = 1, .fired_at = 0, .last_sent = 0,
                 .last_bucket = kT0 + 4500};

  AlertRecord fire = record("views", kT0, AlertAction::kFire);
  fire.evaluation.key.slice = "os=iOS";
  fire.evaluation.score = -1e300;
  AlertRecord quiet = record("views", kT0 + 900, AlertAction::kNone);
  quiet.evaluation.value = std::numeric_limits<double>::quiet_NaN();  // a missing bucket
  quiet.evaluation.upper = std::numeric_limits<double>::infinity();
  quiet.evaluation.anomaly = false;
  quiet.evaluation.ready = false;
  quiet.delivered = true;
  quiet.error = "dry run: written to out/";

  auto saved = store->commit(states, {fire, quiet});
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  ASSERT_EQ(saved->size(), 2u);
  EXPECT_GT((*saved)[0].id, 0);
  EXPECT_GT((*saved)[1].id, (*saved)[0].id);
  fire.id = (*saved)[0].id;
  quiet.id = (*saved)[1].id;
  expect_same_record((*saved)[0], fire);
  expect_same_record((*saved)[1], quiet);

  auto loaded = store->load_states();
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ(loaded->at(all), states[all]);
  EXPECT_EQ(loaded->at(ios), states[ios]);

  auto history = store->history({});
  ASSERT_TRUE(history.ok()) << history.error().message;
  ASSERT_EQ(history->size(), 2u);
  expect_same_record((*history)[0], quiet);  // newest first
  expect_same_record((*history)[1], fire);
}

TEST_F(AlertStoreTest, CommitUpdatesExistingStates) {
  auto store = open();
  ASSERT_TRUE(store);
  const AlertKey key{"likes", ""};
  const AlertState resolved{.firing = false, .streak = 0, .fired_at = kT0, .last_sent = kT0,
                            .last_bucket = kT0 + 900};
  ASSERT_TRUE(store->commit({{key, kFiring}}, {}).ok());
  ASSERT_TRUE(store->commit({{key, resolved}}, {}).ok());
  auto loaded = store->load_states();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ(loaded->at(key), resolved);
}

TEST_F(AlertStoreTest, CommitWritesStatesAndRecordsTogether) {
  const AlertKey key{"messages", "country=RU"};
  {
    auto store = open();
    ASSERT_TRUE(store);
    AlertRecord r = record("messages", kT0, AlertAction::kFire);
    r.evaluation.key = key;
    auto saved = store->commit({{key, kFiring}}, {r});
    ASSERT_TRUE(saved.ok()) << saved.error().message;
  }
  auto reopened = open();
  ASSERT_TRUE(reopened);
  auto states = reopened->load_states();
  ASSERT_TRUE(states.ok());
  ASSERT_EQ(states->count(key), 1u);
  EXPECT_EQ(states->at(key), kFiring);
  auto pending = reopened->undelivered(0);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].evaluation.key, key);
  EXPECT_EQ((*pending)[0].evaluation.bucket, kT0);
}

TEST_F(AlertStoreTest, FailedCommitWritesNothing) {
  ASSERT_TRUE(open());  // creates the schema, then closes
  // Make the second insert fail, after the state and the first record are written.
  raw_sql(path_,
          "CREATE TRIGGER fail_boom BEFORE INSERT ON alert_history WHEN NEW.metric = 'boom' "
          "BEGIN SELECT RAISE(ABORT, 'boom refused'); END;");
  auto store = open();
  ASSERT_TRUE(store);
  const AlertKey key{"views", ""};
  auto saved = store->commit({{key, kFiring}},
                             {record("views", kT0, AlertAction::kFire),
                              record("boom", kT0, AlertAction::kFire)});
  ASSERT_FALSE(saved.ok());
  EXPECT_TRUE(HasSubstr(saved.error().message, path_));
  EXPECT_TRUE(HasSubstr(saved.error().message, "boom refused"));
  EXPECT_TRUE(store->load_states()->empty());
  EXPECT_TRUE(store->history({})->empty());
  // The store is usable afterwards (the transaction was rolled back).
  auto again = store->commit({{key, {}}}, {record("views", kT0, AlertAction::kNone)});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(store->history({})->size(), 1u);
}

TEST_F(AlertStoreTest, UndeliveredThenMarkDelivered) {
  auto store = open();
  ASSERT_TRUE(store);
  auto saved = store->commit({}, {record("views", kT0 + 1800, AlertAction::kRepeat),
                                  record("views", kT0, AlertAction::kFire),
                                  record("views", kT0 + 900, AlertAction::kNone),
                                  record("likes", kT0 + 2700, AlertAction::kResolve)});
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  const auto& s = *saved;

  auto pending = store->undelivered(0);
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  // Oldest bucket first; the "none" row is never pending.
  EXPECT_EQ(ids(*pending), (std::vector<std::int64_t>{s[1].id, s[0].id, s[3].id}));

  auto since = store->undelivered(kT0 + 1800);
  ASSERT_TRUE(since.ok());
  EXPECT_EQ(ids(*since), (std::vector<std::int64_t>{s[0].id, s[3].id}));

  ASSERT_TRUE(store->mark_delivered(s[1].id, true, "").ok());
  ASSERT_TRUE(store->mark_delivered(s[0].id, false, "telegram: 403 bot was blocked").ok());
  pending = store->undelivered(0);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(ids(*pending), (std::vector<std::int64_t>{s[0].id, s[3].id}));
  EXPECT_FALSE((*pending)[0].delivered);
  EXPECT_EQ((*pending)[0].error, "telegram: 403 bot was blocked");

  ASSERT_TRUE(store->mark_delivered(s[0].id, true, "").ok());
  ASSERT_TRUE(store->mark_delivered(s[3].id, true, "").ok());
  pending = store->undelivered(0);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());

  auto history = store->history({.actions_only = true});
  ASSERT_TRUE(history.ok());
  for (const auto& r : *history) EXPECT_TRUE(r.delivered) << r.id;

  auto status = store->mark_delivered(12345, true, "");
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(HasSubstr(status.error().message, path_));
  EXPECT_TRUE(HasSubstr(status.error().message, "12345"));
}

TEST_F(AlertStoreTest, HistoryFiltersAndOrdering) {
  auto store = open();
  ASSERT_TRUE(store);
  std::vector<AlertRecord> records;
  for (int n = 0; n < 6; ++n) {  // views and likes alternate, one bucket apart
    const bool views = n % 2 == 0;
    records.push_back(record(views ? "views" : "likes", kT0 + n * 900,
                             n == 2 ? AlertAction::kFire : AlertAction::kNone));
  }
  records.push_back(record("views", kT0 + 2 * 900, AlertAction::kNone));  // same bucket, later id
  auto saved = store->commit({}, records);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  const auto& s = *saved;

  auto all = store->history({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(ids(*all), (std::vector<std::int64_t>{s[5].id, s[4].id, s[3].id, s[6].id, s[2].id,
                                                  s[1].id, s[0].id}));

  auto views = store->history({.metric = "views"});
  ASSERT_TRUE(views.ok());
  EXPECT_EQ(ids(*views), (std::vector<std::int64_t>{s[4].id, s[6].id, s[2].id, s[0].id}));

  // [from, to): includes from, excludes to.
  auto range = store->history({.from = kT0 + 900, .to = kT0 + 3 * 900});
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(ids(*range), (std::vector<std::int64_t>{s[6].id, s[2].id, s[1].id}));

  auto open_ended = store->history({.from = kT0 + 4 * 900});
  ASSERT_TRUE(open_ended.ok());
  EXPECT_EQ(ids(*open_ended), (std::vector<std::int64_t>{s[5].id, s[4].id}));

  auto actions = store->history({.actions_only = true});
  ASSERT_TRUE(actions.ok());
  EXPECT_EQ(ids(*actions), (std::vector<std::int64_t>{s[2].id}));

  auto limited = store->history({.limit = 2});
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(ids(*limited), (std::vector<std::int64_t>{s[5].id, s[4].id}));

  auto unlimited = store->history({.limit = 0});
  ASSERT_TRUE(unlimited.ok());
  EXPECT_EQ(unlimited->size(), 7u);

  auto combined = store->history({.metric = "views", .from = kT0, .to = kT0 + 3 * 900,
                                  .actions_only = false, .limit = 2});
  ASSERT_TRUE(combined.ok());
  EXPECT_EQ(ids(*combined), (std::vector<std::int64_t>{s[6].id, s[2].id}));

  auto none = store->history({.metric = "views'; DROP TABLE alert_history; --"});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(store->history({})->size(), 7u);
}

TEST_F(AlertStoreTest, ReopenAfterCloseKeepsEverything) {
  const AlertState streak_two{.firing = true, .streak = 2, .fired_at = kT0, .last_sent = kT0,
                              .last_bucket = kT0 + 900};
  const AlertKey key{"views", ""};
  std::int64_t first_id = 0;
  {
    auto store = open();
    ASSERT_TRUE(store);
    auto saved = store->commit({{key, streak_two}}, {record("views", kT0, AlertAction::kFire)});
    ASSERT_TRUE(saved.ok());
    first_id = (*saved)[0].id;
    ASSERT_TRUE(store->mark_delivered(first_id, true, "").ok());
  }
  auto store = open();
  ASSERT_TRUE(store);
  auto states = store->load_states();
  ASSERT_TRUE(states.ok());
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ(states->at(key), streak_two);
  auto history = store->history({});
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_TRUE((*history)[0].delivered);
  EXPECT_TRUE(store->undelivered(0)->empty());
  // New ids continue after the old ones.
  auto more = store->commit({}, {record("views", kT0 + 900, AlertAction::kNone)});
  ASSERT_TRUE(more.ok());
  EXPECT_GT((*more)[0].id, first_id);
}

TEST_F(AlertStoreTest, TwoStoresOnTheSameFileBothWork) {
  auto serve = open();
  auto manual = open();
  ASSERT_TRUE(serve && manual);
  auto a = serve->commit({{{"views", ""}, kFiring}},
                         {record("views", kT0, AlertAction::kFire)});
  ASSERT_TRUE(a.ok()) << a.error().message;
  auto b = manual->commit({{{"likes", ""}, {.firing = false, .streak = 0, .fired_at = 0,
                                            .last_sent = 0, .last_bucket = kT0}}},
                          {record("likes", kT0, AlertAction::kNone)});
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_NE((*a)[0].id, (*b)[0].id);

  // Each sees the other's writes.
  auto from_serve = serve->load_states();
  ASSERT_TRUE(from_serve.ok());
  EXPECT_EQ(from_serve->size(), 2u);
  ASSERT_TRUE(manual->mark_delivered((*a)[0].id, true, "").ok());
  auto pending = serve->undelivered(0);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
  auto history = manual->history({});
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);
}

TEST_F(AlertStoreTest, CommitWaitsForAnotherWriter) {
  auto store = open();
  ASSERT_TRUE(store);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::thread holder([other] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  });
  const auto start = std::chrono::steady_clock::now();
  auto saved = store->commit({}, {record("views", kT0, AlertAction::kFire)});
  const auto waited = std::chrono::steady_clock::now() - start;
  holder.join();
  sqlite3_close(other);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_GE(waited, std::chrono::milliseconds(200));
}

TEST_F(AlertStoreTest, UsesWalJournal) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit({}, {record("views", kT0, AlertAction::kNone)}).ok());
  std::ifstream file(path_, std::ios::binary);
  char header[20] = {};
  file.read(header, sizeof header);
  EXPECT_EQ(std::string(header, 16), std::string("SQLite format 3\0", 16));
  // Bytes 18 and 19 are the read/write format versions: 2 means WAL.
  EXPECT_EQ(header[18], 2);
  EXPECT_EQ(header[19], 2);
}

TEST_F(AlertStoreTest, DirectoryThatCannotBeCreatedIsAClearError) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "state") << "a file where the directory should be\n";
  auto store = open_sqlite_alert_store(path_);
  ASSERT_FALSE(store.ok());
  const std::string& message = store.error().message;
  EXPECT_TRUE(HasSubstr(message, "cannot open alert state " + path_ + ": "));
  EXPECT_TRUE(HasSubstr(message, "check that the state directory is writable"));
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST_F(AlertStoreTest, PathThatCannotBeOpenedIsAClearError) {
  fs::create_directories(path_);  // a directory where the file should be
  auto store = open_sqlite_alert_store(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().message,
            "cannot open alert state " + path_ +
                ": unable to open database file: check that the state directory is writable");
}

TEST_F(AlertStoreTest, UnwritableDirectoryIsAClearError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes to read-only directories";
  fs::create_directories(fs::path(path_).parent_path());
  fs::permissions(fs::path(path_).parent_path(), fs::perms::owner_read | fs::perms::owner_exec);
  auto store = open_sqlite_alert_store(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(HasSubstr(store.error().message, "cannot open alert state " + path_ + ": "));
  EXPECT_TRUE(HasSubstr(store.error().message, "check that the state directory is writable"));
}

TEST_F(AlertStoreTest, NonSqliteFileIsAClearError) {
  fs::create_directories(fs::path(path_).parent_path());
  {
    std::ofstream file(path_);
    for (int i = 0; i < 100; ++i) file << "metric,bucket,value\nviews,1795000500,42\n";
  }
  auto store = open_sqlite_alert_store(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().message, "alert state " + path_ +
                                       " is not a vigil state database (file is not a database): "
                                       "move it away");
  // The file is left as it was.
  std::ifstream file(path_);
  std::string first;
  std::getline(file, first);
  EXPECT_EQ(first, "metric,bucket,value");
}

// Prepares the file with `sql`, then returns the error of opening it ("" if it opened).
std::string open_error_after(const std::string& path, const std::string& sql) {
  fs::create_directories(fs::path(path).parent_path());
  raw_sql(path, sql);
  auto store = open_sqlite_alert_store(path);
  return store.ok() ? "" : store.error().message;
}

TEST_F(AlertStoreTest, OtherSqliteDatabaseIsRefusedAndLeftAlone) {
  EXPECT_EQ(open_error_after(path_, "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)"), "alert state " + path_ +
                                       " is not a vigil state database (it holds other tables): "
                                       "move it away");
}

TEST_F(AlertStoreTest, TablesWithOtherColumnsAreRefused) {
  const std::string message = open_error_after(
      path_, "CREATE TABLE alert_state(metric TEXT, slice TEXT); PRAGMA user_version = 1;");
  EXPECT_TRUE(HasSubstr(message, "alert state " + path_ + " is not a vigil state database ("));
  EXPECT_TRUE(HasSubstr(message, "): move it away"));
}

// The tables of the first alert schema, alert_history left open after
// recorded_at so that a later version's columns can follow.
constexpr const char* kVersionOneTablesOpen =
    "CREATE TABLE alert_state(metric TEXT NOT NULL, slice TEXT NOT NULL, firing INTEGER NOT "
    "NULL, streak INTEGER NOT NULL, fired_at INTEGER NOT NULL, last_sent INTEGER NOT NULL, "
    "last_bucket INTEGER NOT NULL, PRIMARY KEY(metric, slice));"
    "CREATE TABLE alert_history(id INTEGER PRIMARY KEY, metric TEXT NOT NULL, slice TEXT "
    "NOT NULL, bucket INTEGER NOT NULL, value REAL, lower REAL, upper REAL, expected REAL, "
    "score REAL, anomaly INTEGER NOT NULL, ready INTEGER NOT NULL, action TEXT NOT NULL, "
    "delivered INTEGER NOT NULL, error TEXT NOT NULL, recorded_at INTEGER NOT NULL";

TEST_F(AlertStoreTest, VersionOneFileIsUpgradedKeepingItsPendingMessages) {
  // The schema vigil wrote before `sending` existed, with one undelivered fire.
  fs::create_directories(fs::path(path_).parent_path());
  raw_sql(path_,
          std::string(kVersionOneTablesOpen) +
          ");"
          "INSERT INTO alert_history VALUES(5, 'views', '', 1795000500, 1, 2, 3, 2.5, -4, 1, 1, "
          "'fire', 0, '', 1795000560);"
          "PRAGMA user_version = 1;");
  auto store = open();
  ASSERT_TRUE(store);
  auto pending = store->undelivered(0);
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, 5);
  EXPECT_FALSE((*pending)[0].sending);
  auto claimed = store->begin_sending(5);
  ASSERT_TRUE(claimed.ok()) << claimed.error().message;
  EXPECT_TRUE(*claimed);
  EXPECT_TRUE(store->undelivered(0)->at(0).sending);
  ASSERT_TRUE(store->mark_delivered(5, true, "").ok());
  EXPECT_TRUE(store->undelivered(0)->empty());
  auto again = store->begin_sending(5);  // delivered: not to be sent again
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  auto unknown = store->begin_sending(99);
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(HasSubstr(unknown.error().message, "has no alert record 99"));
}

TEST_F(AlertStoreTest, VersionTwoFileIsUpgradedAndRemembersASentText) {
  // The schema vigil wrote before `text_sent` existed, with one undelivered fire.
  fs::create_directories(fs::path(path_).parent_path());
  raw_sql(path_,
          std::string(kVersionOneTablesOpen) +
          ", "
          "sending INTEGER NOT NULL DEFAULT 0);"
          "INSERT INTO alert_history VALUES(7, 'views', '', 1795000500, 1, 2, 3, 2.5, -4, 1, 1, "
          "'fire', 0, '', 1795000560, 1);"
          "PRAGMA user_version = 2;");
  auto store = open();
  ASSERT_TRUE(store);
  auto pending = store->undelivered(0);
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_TRUE((*pending)[0].sending);
  EXPECT_FALSE((*pending)[0].text_sent);
  ASSERT_TRUE(store->mark_text_sent(7).ok());
  store.reset();
  store = open();  // a later process sees it; the file is not migrated twice
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->undelivered(0)->at(0).text_sent);
  auto unknown = store->mark_text_sent(99);
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(HasSubstr(unknown.error().message, "has no alert record 99"));
}

TEST_F(AlertStoreTest, VersionThreeFileIsUpgradedWithSilences) {
  // The schema before silences, with one undelivered fire.
  fs::create_directories(fs::path(path_).parent_path());
  raw_sql(path_,
          std::string(kVersionOneTablesOpen) +
          ", "
          "sending INTEGER NOT NULL DEFAULT 0, text_sent INTEGER NOT NULL DEFAULT 0);"
          "INSERT INTO alert_history VALUES(8, 'views', '', 1795000500, 1, 2, 3, 2.5, -4, 1, 1, "
          "'fire', 0, '', 1795000560, 0, 0);"
          "PRAGMA user_version = 3;");
  auto store = open();
  ASSERT_TRUE(store);
  auto pending = store->undelivered(0);
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_FALSE((*pending)[0].silenced);
  Silence silence;
  silence.metric = "views";
  silence.starts = 1795000500;
  silence.ends = 1795004100;
  ASSERT_TRUE(store->add_silence(silence).ok());
  store.reset();
  store = open();  // not migrated twice
  ASSERT_TRUE(store);
  EXPECT_EQ(store->silences(std::nullopt)->size(), 1u);
}

TEST_F(AlertStoreTest, VersionFourFileIsUpgradedWithMessageIdsAndFeedback) {
  // The schema before message ids and feedback, with a silence and one fire.
  fs::create_directories(fs::path(path_).parent_path());
  raw_sql(path_,
          std::string(kVersionOneTablesOpen) +
          ", sending INTEGER NOT NULL DEFAULT 0, text_sent INTEGER NOT NULL DEFAULT 0, "
          "silenced INTEGER NOT NULL DEFAULT 0);"
          "CREATE TABLE silences(id INTEGER PRIMARY KEY, metric TEXT NOT NULL, slice TEXT, "
          "starts INTEGER NOT NULL, ends INTEGER NOT NULL, comment TEXT NOT NULL, created_by "
          "TEXT NOT NULL, created_at INTEGER NOT NULL, expired_at INTEGER);"
          "INSERT INTO silences VALUES(3, 'likes', NULL, 1, 1795004100, 'release', 'ann', 1, "
          "NULL);"
          "INSERT INTO alert_history VALUES(9, 'views', '', 1795000500, 1, 2, 3, 2.5, -4, 1, 1, "
          "'fire', 0, '', 1795000560, 0, 0, 0);"
          "PRAGMA user_version = 4;");
  auto store = open();
  ASSERT_TRUE(store);
  auto pending = store->undelivered(0);
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].message_id, 0);  // unknown
  EXPECT_EQ(store->silences(std::nullopt)->at(0).comment, "release");
  ASSERT_TRUE(store->set_message_id({9}, 555).ok());
  Feedback judged;
  judged.record_id = 9;
  judged.verdict = FeedbackVerdict::kFalseAlarm;
  judged.by = "ann";
  judged.source = kFeedbackFromCli;
  ASSERT_TRUE(store->add_feedback(judged).ok());
  store.reset();
  store = open();  // not migrated twice
  ASSERT_TRUE(store);
  EXPECT_EQ(store->records_of_message(555)->size(), 1u);
  EXPECT_EQ(store->feedback(std::nullopt, std::nullopt)->size(), 1u);
}

TEST_F(AlertStoreTest, NewerSchemaIsRefused) {
  const std::string message = open_error_after(path_, "PRAGMA user_version = 7");
  EXPECT_TRUE(HasSubstr(message, path_));
  EXPECT_TRUE(HasSubstr(message, "schema version 7"));
}

}  // namespace
}  // namespace vigil
