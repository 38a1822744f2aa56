// Sending committed alert messages (alert/deliver.h), the run summary and the
// alert-run lock, with a SQLite store in a temporary directory and a fake sink:
// order per alert, what is resent, what is held, the claim before each send.
#include "alert/deliver.h"

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "alert/run_lock.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr EpochSeconds kT0 = 1'795'000'500;  // a bucket start

AlertRecord record(const std::string& metric, EpochSeconds bucket, AlertAction action,
                   std::int64_t id = 0) {
  AlertRecord r;
  r.id = id;
  r.evaluation = {.key = {metric, ""}, .bucket = bucket, .value = 1, .lower = 2, .upper = 3,
                  .expected = 2.5, .score = -4, .anomaly = true, .ready = true};
  r.action = action;
  r.recorded_at = bucket + 60;
  return r;
}

// "views fire 0" style names of what a sink received, in order.
std::string name(const AlertRecord& r) {
  return r.evaluation.key.metric + " " + alert_action_name(r.action) + " " +
         std::to_string((r.evaluation.bucket - kT0) / 900);
}

// Records what it was given; refuses the messages `refuse` says no to.
class FakeSink final : public AlertSink {
 public:
  std::function<bool(const AlertMessage&)> refuse = [](const AlertMessage&) { return false; };
  std::function<void(const AlertMessage&)> during = [](const AlertMessage&) {};
  std::vector<std::string> got;

  Result<std::int64_t> deliver(const AlertMessage& message) override {
    during(message);
    if (refuse(message)) return Error::failure("telegram: 400 Bad Request: chat not found");
    got.push_back(message.html);
    return std::int64_t{1000} + static_cast<std::int64_t>(got.size());  // Telegram's message ids
  }
};

// The first record is the main one; the text names every record: "views fire 0 + likes fire 0".
AlertMessage message_for(const std::vector<AlertRecord>& records) {
  std::string text;
  for (const auto& r : records) text += (text.empty() ? "" : " + ") + name(r);
  return {records.front().evaluation, records.front().action, text, std::nullopt};
}

class AlertDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("vigil_alert_delivery_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    path_ = (dir_ / "alerts.sqlite").string();
    store_ = open();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<AlertStore> open() {
    auto store = open_sqlite_alert_store(path_);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return std::move(*store);
  }
  std::vector<AlertRecord> commit(const std::vector<AlertRecord>& records) {
    auto saved = store_->commit({}, records);
    EXPECT_TRUE(saved.ok()) << saved.error().message;
    return *saved;
  }
  std::vector<AlertRecord> pending() {
    auto p = store_->undelivered(0);
    EXPECT_TRUE(p.ok());
    return *p;
  }
  AlertRunReport deliver(const std::vector<AlertRecord>& earlier,
                         const std::vector<AlertRecord>& fresh, AlertStore* store) {
    AlertRunReport report;
    deliver_queue(delivery_queue(earlier, fresh), store, sink_, message_for, zone_, report);
    return report;
  }

  const date::time_zone* zone_ = date::locate_zone("Europe/Moscow");
  fs::path dir_;
  std::string path_;
  std::unique_ptr<AlertStore> store_;
  FakeSink sink_;
};

TEST_F(AlertDeliveryTest, QueueIsEarlierRunsOldestFirstThenThisRunsActions) {
  const std::vector<AlertRecord> pending = {record("likes", kT0 + 900, AlertAction::kFire, 7),
                                            record("views", kT0, AlertAction::kRepeat, 9),
                                            record("views", kT0 + 900, AlertAction::kResolve, 3),
                                            record("ctr", kT0, AlertAction::kFire, 8)};
  const std::vector<AlertRecord> fresh = {record("ctr", kT0 + 1800, AlertAction::kNone, 10),
                                          record("ctr", kT0 + 1800, AlertAction::kResolve, 11),
                                          record("likes", kT0 + 1800, AlertAction::kRepeat, 12)};
  using Ids = std::vector<std::vector<std::pair<std::int64_t, bool>>>;
  auto order = [&](AlertGrouping grouping) {
    Ids ids;
    for (const OutgoingGroup& group : delivery_queue(pending, fresh, grouping)) {
      ids.emplace_back();
      for (const Outgoing& o : group) ids.back().push_back({o.record.id, o.earlier});
    }
    return ids;
  };
  // By bucket (the default): one group per bucket.
  EXPECT_EQ(order(AlertGrouping::kBucket),
            (Ids{{{8, true}, {9, true}}, {{3, true}, {7, true}}, {{11, false}, {12, false}}}));
  EXPECT_EQ(order(AlertGrouping::kMetric),
            (Ids{{{8, true}}, {{9, true}}, {{3, true}}, {{7, true}}, {{11, false}}, {{12, false}}}));
  EXPECT_EQ(order(AlertGrouping::kAlert), order(AlertGrouping::kMetric));
}

TEST_F(AlertDeliveryTest, PerMetricGroupingKeepsAMetricsSlicesTogether) {
  AlertRecord android = record("views", kT0, AlertAction::kFire, 2);
  android.evaluation.key.slice = "os=Android";
  const std::vector<AlertRecord> fresh = {record("views", kT0, AlertAction::kFire, 1), android,
                                          record("likes", kT0, AlertAction::kFire, 3)};
  std::vector<std::size_t> sizes;
  for (const auto& group : delivery_queue({}, fresh, AlertGrouping::kMetric)) {
    sizes.push_back(group.size());
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 1}));
}

TEST_F(AlertDeliveryTest, ResolveIsHeldBehindItsFailedFireOtherAlertsGoOn) {
  const auto saved = commit({record("views", kT0, AlertAction::kFire),
                             record("views", kT0 + 900, AlertAction::kResolve),
                             record("likes", kT0 + 900, AlertAction::kFire)});
  sink_.refuse = [](const AlertMessage& m) { return m.action == AlertAction::kFire &&
                                                    m.evaluation.key.metric == "views"; };
  const AlertRunReport first = deliver({}, saved, store_.get());
  EXPECT_EQ(sink_.got, (std::vector<std::string>{"likes fire 1"}));
  EXPECT_EQ(first.delivered, 1);
  EXPECT_EQ(first.resent, 0);
  EXPECT_EQ(first.undelivered, 2);
  ASSERT_EQ(first.failures.size(), 2u);
  EXPECT_EQ(first.failures[0],
            "views fire at 2026-11-18 14:15: telegram: 400 Bad Request: chat not found");
  EXPECT_EQ(first.failures[1],
            "views resolve at 2026-11-18 14:30: held until the earlier message of this alert is "
            "delivered");
  const auto left = pending();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].error, "telegram: 400 Bad Request: chat not found");
  EXPECT_EQ(left[1].error, "held until the earlier message of this alert is delivered");

  // Telegram takes them now: fire first, then the resolve; both counted as resent.
  sink_.refuse = [](const AlertMessage&) { return false; };
  sink_.got.clear();
  const AlertRunReport second = deliver(left, {}, store_.get());
  EXPECT_EQ(sink_.got, (std::vector<std::string>{"views fire 0", "views resolve 1"}));
  EXPECT_EQ(second.delivered, 2);
  EXPECT_EQ(second.resent, 2);
  EXPECT_EQ(second.undelivered, 0);
  EXPECT_TRUE(second.failures.empty());
  EXPECT_TRUE(pending().empty());
}

TEST_F(AlertDeliveryTest, ResentCountsOnlyWhatWentOut) {
  const auto saved = commit({record("views", kT0, AlertAction::kFire),
                             record("likes", kT0 + 900, AlertAction::kFire)});
  sink_.refuse = [](const AlertMessage& m) { return m.evaluation.key.metric == "views"; };
  const AlertRunReport report = deliver(saved, {}, store_.get());
  EXPECT_EQ(report.delivered, 1);
  EXPECT_EQ(report.resent, 1);
  EXPECT_EQ(report.undelivered, 1);
  EXPECT_EQ(alert_run_summary(report),
            "0 series checked, 0 fired, 0 repeated, 0 resolved, 1 delivered (1 from an earlier "
            "run), 1 not delivered");
}

TEST_F(AlertDeliveryTest, OneBucketIsOneMessageAndFailsOrGoesAsAWhole) {
  const auto saved = commit({record("views", kT0, AlertAction::kFire),
                             record("likes", kT0, AlertAction::kFire),
                             record("likes", kT0 + 900, AlertAction::kResolve)});
  sink_.refuse = [](const AlertMessage& m) { return m.evaluation.key.metric == "views"; };
  const AlertRunReport first = deliver({}, saved, store_.get());
  EXPECT_TRUE(sink_.got.empty());
  EXPECT_EQ(first.undelivered, 3);  // two failed together, the resolve held behind likes
  EXPECT_EQ(first.messages, 0);
  ASSERT_EQ(first.failures.size(), 2u);
  EXPECT_EQ(first.failures[0],
            "views fire at 2026-11-18 14:15 (and 1 more alert(s) in its message): telegram: 400 "
            "Bad Request: chat not found");

  sink_.refuse = [](const AlertMessage&) { return false; };
  const AlertRunReport second = deliver(pending(), {}, store_.get());
  EXPECT_EQ(sink_.got, (std::vector<std::string>{"views fire 0 + likes fire 0", "likes resolve 1"}));
  EXPECT_EQ(second.delivered, 3);
  EXPECT_EQ(second.resent, 3);
  EXPECT_EQ(second.messages, 2);
  EXPECT_EQ(alert_run_summary(second),
            "0 series checked, 0 fired, 0 repeated, 0 resolved, 3 delivered in 2 messages (3 "
            "from an earlier run)");
  EXPECT_TRUE(pending().empty());
}

TEST_F(AlertDeliveryTest, TheStoreKnowsWhichRecordsEachTelegramMessageCarried) {
  const auto saved = commit({record("views", kT0, AlertAction::kFire),
                             record("likes", kT0, AlertAction::kFire),
                             record("likes", kT0 + 900, AlertAction::kResolve)});
  deliver({}, saved, store_.get());
  ASSERT_EQ(sink_.got.size(), 2u);  // the sink's message ids: 1001, then 1002
  auto first = store_->records_of_message(1001);
  auto second = store_->records_of_message(1002);
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].id, saved[0].id);
  EXPECT_EQ((*first)[1].id, saved[1].id);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].id, saved[2].id);
  EXPECT_EQ((*second)[0].message_id, 1002);
}

TEST_F(AlertDeliveryTest, EachSendIsClaimedFirstAndACutShortSendIsResentOnce) {
  const auto saved = commit({record("views", kT0, AlertAction::kFire)});
  // While the sink has the message, another connection sees it as being sent.
  bool seen_sending = false;
  sink_.during = [&](const AlertMessage&) {
    auto other = open();
    auto p = other->undelivered(0);
    seen_sending = p.ok() && p->size() == 1 && (*p)[0].sending;
  };
  // A process that died during the send: claimed, never marked.
  ASSERT_TRUE(*store_->begin_sending(saved[0].id));
  store_ = open();
  auto left = pending();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_TRUE(left[0].sending);

  const AlertRunReport report = deliver(left, {}, store_.get());
  EXPECT_TRUE(seen_sending);
  EXPECT_EQ(sink_.got, (std::vector<std::string>{"views fire 0"}));
  EXPECT_EQ(report.resent, 1);
  EXPECT_TRUE(pending().empty());
  auto history = store_->history({});
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE((*history)[0].delivered);
  EXPECT_FALSE((*history)[0].sending);
}

TEST_F(AlertDeliveryTest, WhatAnotherRunDeliveredMeanwhileIsNotSentAgain) {
  const auto saved = commit({record("views", kT0, AlertAction::kFire)});
  const auto read_before = pending();
  ASSERT_TRUE(open()->mark_delivered(saved[0].id, true, "").ok());
  const AlertRunReport report = deliver(read_before, {}, store_.get());
  EXPECT_TRUE(sink_.got.empty());
  EXPECT_EQ(report.delivered, 0);
  EXPECT_TRUE(report.failures.empty());
}

TEST_F(AlertDeliveryTest, DryRunSendsInOrderAndRecordsNothing) {
  const std::vector<AlertRecord> fresh = {record("views", kT0, AlertAction::kFire),
                                          record("views", kT0, AlertAction::kNone),
                                          record("likes", kT0, AlertAction::kResolve)};
  const AlertRunReport report = deliver({}, fresh, nullptr);
  EXPECT_EQ(sink_.got, (std::vector<std::string>{"views fire 0 + likes resolve 0"}));
  EXPECT_EQ(report.delivered, 2);
  EXPECT_EQ(report.messages, 1);
}

TEST(AlertRunSummaryTest, SaysWhatWentOutAndWhatDidNot) {
  AlertRunReport report;
  report.checked = 6;
  report.fired = 1;
  EXPECT_EQ(alert_run_summary(report),
            "6 series checked, 1 fired, 0 repeated, 0 resolved, 0 delivered");
  EXPECT_TRUE(alert_run_status(report).ok());
  report.delivered = 3;
  report.resent = 2;
  report.resolved = 1;
  EXPECT_EQ(alert_run_summary(report),
            "6 series checked, 1 fired, 0 repeated, 1 resolved, 3 delivered (2 from an earlier "
            "run)");
  report.undelivered = 2;
  report.failures = {"views fire at 2026-03-09 20:00: telegram: 400", "views resolve: held"};
  EXPECT_EQ(alert_run_summary(report),
            "6 series checked, 1 fired, 0 repeated, 1 resolved, 3 delivered (2 from an earlier "
            "run), 2 not delivered");
  const Status status = alert_run_status(report);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "2 alert message(s) not delivered (first: views fire at 2026-03-09 20:00: telegram: "
            "400); a rerun for the same time (`vigil alert --at`, serve's retry) or the next run "
            "sends them");
}

class AlertRunLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("vigil_alert_lock_" + std::to_string(::getpid()))).string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(AlertRunLockTest, SecondRunWaitsThenRefusesNamingTheHolder) {
  auto first = lock_alert_runs(dir_ + "/state", 0ms);
  ASSERT_TRUE(first.ok()) << first.error().message;
  const auto start = std::chrono::steady_clock::now();
  auto second = lock_alert_runs(dir_ + "/state", 300ms);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message,
            "another alert run (pid " + std::to_string(::getpid()) + ") has held " + dir_ +
                "/state/alerts.lock for 0.3 s: it is still sending; let it finish (or stop it), "
                "then run this one again");
  *first = AlertRunLock();  // released
  EXPECT_TRUE(lock_alert_runs(dir_ + "/state", 0ms).ok());
}

TEST_F(AlertRunLockTest, AWaitingRunGoesOnWhenTheHolderFinishes) {
  auto first = lock_alert_runs(dir_, 0ms);
  ASSERT_TRUE(first.ok());
  std::thread release([&] {
    std::this_thread::sleep_for(300ms);
    *first = AlertRunLock();
  });
  const auto start = std::chrono::steady_clock::now();
  auto second = lock_alert_runs(dir_, 10s);
  const auto waited = std::chrono::steady_clock::now() - start;
  release.join();
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 5s);
}

}  // namespace
}  // namespace vigil
