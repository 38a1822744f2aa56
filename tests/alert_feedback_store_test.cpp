// The alert store's message ids and feedback (schema v5): what the chat's
// buttons and `vigil feedback` rely on.
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "alert/store.h"
#include "support/expect.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

constexpr EpochSeconds kT0 = 1'795'000'500;  // a bucket start (multiple of 900)

class FeedbackStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("vigil_feedback_store_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    path_ = (dir_ / "alerts.sqlite").string();
    auto store = open_sqlite_alert_store(path_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // Commits one record per (metric, bucket) and returns their ids.
  std::vector<std::int64_t> commit(const std::vector<std::pair<std::string, EpochSeconds>>& rows) {
    std::vector<AlertRecord> records;
    for (const auto& [metric, bucket] : rows) {
      AlertRecord r;
      r.evaluation = {.key = {metric, ""}, .bucket = bucket, .value = 10, .expected = 5};
      r.action = AlertAction::kFire;
      records.push_back(r);
    }
    auto saved = store_->commit({}, records);
    EXPECT_TRUE(saved.ok()) << saved.error().message;
    std::vector<std::int64_t> ids;
    if (saved.ok()) for (const auto& r : *saved) ids.push_back(r.id);
    return ids;
  }

  Feedback judged(std::int64_t record, FeedbackVerdict verdict, const std::string& by,
                  EpochSeconds at) {
    Feedback f;
    f.record_id = record;
    f.verdict = verdict;
    f.by = by;
    f.at = at;
    f.source = kFeedbackFromChat;
    auto saved = store_->add_feedback(f);
    EXPECT_TRUE(saved.ok()) << saved.error().message;
    return saved.ok() ? *saved : Feedback{};
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<AlertStore> store_;
};

std::vector<std::int64_t> ids_of(const std::vector<AlertRecord>& records) {
  std::vector<std::int64_t> out;
  for (const auto& r : records) out.push_back(r.id);
  return out;
}

TEST_F(FeedbackStoreTest, MessageIdIsKeptPerRecordAndFindsThem) {
  const auto ids = commit({{"views", kT0}, {"likes", kT0}, {"views", kT0 + 900}});
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(store_->history({})->front().message_id, 0);  // unknown until sent
  ASSERT_TRUE(store_->set_message_id({ids[2], ids[0]}, 4711).ok());
  ASSERT_TRUE(store_->set_message_id({ids[1]}, 4712).ok());

  auto carried = store_->records_of_message(4711);
  ASSERT_TRUE(carried.ok()) << carried.error().message;
  EXPECT_EQ(ids_of(*carried), (std::vector<std::int64_t>{ids[0], ids[2]}));  // id order
  EXPECT_EQ((*carried)[0].message_id, 4711);
  EXPECT_EQ(ids_of(*store_->records_of_message(4712)), (std::vector<std::int64_t>{ids[1]}));
  EXPECT_TRUE(store_->records_of_message(999)->empty());
  EXPECT_TRUE(store_->records_of_message(0)->empty());  // 0 means unknown, not a message

  // history and undelivered read it back too.
  auto history = store_->history({});
  ASSERT_TRUE(history.ok());
  for (const auto& r : *history) EXPECT_EQ(r.message_id, r.id == ids[1] ? 4712 : 4711) << r.id;
  EXPECT_EQ(store_->undelivered(0)->front().message_id, 4711);
}

TEST_F(FeedbackStoreTest, MessageIdOfAnUnknownRecordChangesNothing) {
  const auto ids = commit({{"views", kT0}});
  auto status = store_->set_message_id({ids[0], 12345}, 77);
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "12345");
  EXPECT_CONTAINS(status.error().message, path_);
  EXPECT_TRUE(store_->records_of_message(77)->empty());  // not even the known one
  EXPECT_TRUE(store_->set_message_id({}, 78).ok());
}

TEST_F(FeedbackStoreTest, RecordsByIdInIdOrderSkippingUnknownOnes) {
  const auto ids = commit({{"views", kT0}, {"likes", kT0 + 900}, {"views", kT0 + 1800}});
  auto found = store_->records({ids[2], 999, ids[0]});
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(ids_of(*found), (std::vector<std::int64_t>{ids[0], ids[2]}));
  EXPECT_EQ((*found)[1].evaluation.bucket, kT0 + 1800);
  EXPECT_TRUE(store_->records({})->empty());
}

TEST_F(FeedbackStoreTest, EveryJudgementIsKeptWithWhoAndWhen) {
  const auto ids = commit({{"views", kT0}});
  const Feedback first = judged(ids[0], FeedbackVerdict::kFalseAlarm, "@ann", kT0 + 1000);
  const Feedback second = judged(ids[0], FeedbackVerdict::kReal, "Bob", kT0 + 2000);
  EXPECT_GT(first.id, 0);
  EXPECT_GT(second.id, first.id);
  // Reopened: it is in the file.
  store_.reset();
  store_ = std::move(*open_sqlite_alert_store(path_));
  auto all = store_->feedback(std::nullopt, std::nullopt);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  const Feedback& a = (*all)[0];
  EXPECT_EQ(a.id, first.id);
  EXPECT_EQ(a.record_id, ids[0]);
  EXPECT_EQ(a.verdict, FeedbackVerdict::kFalseAlarm);
  EXPECT_EQ(a.by, "@ann");
  EXPECT_EQ(a.at, kT0 + 1000);
  EXPECT_EQ(a.source, "chat");
  EXPECT_EQ((*all)[1].verdict, FeedbackVerdict::kReal);
  EXPECT_EQ((*all)[1].by, "Bob");
}

TEST_F(FeedbackStoreTest, FeedbackOnAnUnknownRecordIsAUsageError) {
  Feedback f;
  f.record_id = 4242;
  f.by = "cli";
  auto saved = store_->add_feedback(f);
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().kind, Error::Kind::kUsage);
  EXPECT_CONTAINS(saved.error().message, "#4242");
  EXPECT_TRUE(store_->feedback(std::nullopt, std::nullopt)->empty());
}

TEST_F(FeedbackStoreTest, OnlyAFireOrAReminderIsJudged) {
  for (AlertAction action : {AlertAction::kNone, AlertAction::kResolve}) {
    AlertRecord r;
    r.evaluation = {.key = {"views", ""}, .bucket = kT0, .value = 10, .expected = 5};
    r.action = action;
    const std::int64_t id = store_->commit({}, {r})->front().id;
    Feedback f;
    f.record_id = id;
    f.by = "cli";
    auto saved = store_->add_feedback(f);
    ASSERT_FALSE(saved.ok()) << alert_action_name(action);
    EXPECT_EQ(saved.error().kind, Error::Kind::kUsage);
    EXPECT_CONTAINS(saved.error().message,
                    fmt::format("record #{} is no alert (its action: {})", id, alert_action_name(action)));
  }
  EXPECT_TRUE(store_->feedback(std::nullopt, std::nullopt)->empty());
}

TEST_F(FeedbackStoreTest, FeedbackRangeIsOnTheRecordsBucketOldestJudgementFirst) {
  const auto ids = commit({{"views", kT0}, {"likes", kT0 + 900}, {"views", kT0 + 1800}});
  // Judged in another order than the buckets: the list is by time of judgement.
  const Feedback late = judged(ids[0], FeedbackVerdict::kReal, "a", kT0 + 9000);
  const Feedback early = judged(ids[2], FeedbackVerdict::kFalseAlarm, "b", kT0 + 5000);
  const Feedback middle = judged(ids[1], FeedbackVerdict::kReal, "c", kT0 + 7000);
  auto ids_in = [&](std::optional<EpochSeconds> from, std::optional<EpochSeconds> to) {
    std::vector<std::int64_t> out;
    auto found = store_->feedback(from, to);
    EXPECT_TRUE(found.ok());
    if (found.ok()) for (const auto& f : *found) out.push_back(f.id);
    return out;
  };
  EXPECT_EQ(ids_in(std::nullopt, std::nullopt),
            (std::vector<std::int64_t>{early.id, middle.id, late.id}));
  // [from, to) on the bucket, not on the time of judgement.
  EXPECT_EQ(ids_in(kT0 + 900, kT0 + 1800), (std::vector<std::int64_t>{middle.id}));
  EXPECT_EQ(ids_in(kT0 + 900, std::nullopt), (std::vector<std::int64_t>{early.id, middle.id}));
  EXPECT_EQ(ids_in(std::nullopt, kT0 + 900), (std::vector<std::int64_t>{late.id}));
  EXPECT_TRUE(ids_in(kT0 + 2700, std::nullopt).empty());
}

}  // namespace
}  // namespace vigil
