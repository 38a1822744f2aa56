// Presses of the buttons under an alert message (chat/buttons.h) over a real
// SQLite alert store: what each press writes, the toast, the redrawn keyboard.
#include "chat/buttons.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "alert/buttons.h"
#include "support/expect.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

// 2026-11-18 11:15 UTC = 14:15 in Moscow, a bucket start; the alerts are of 14:00.
constexpr EpochSeconds kNow = 1'795'000'500;
constexpr EpochSeconds kBucket = kNow - 900;
constexpr std::int64_t kMessage = 77;

AlertRecord fired(const std::string& metric, const std::string& slice) {
  AlertRecord r;
  r.evaluation = {.key = {metric, slice}, .bucket = kBucket, .value = 10, .lower = 40, .upper = 60,
                  .expected = 50, .score = -5, .anomaly = true, .ready = true};
  r.action = AlertAction::kFire;
  r.recorded_at = kNow;
  return r;
}

class ChatButtons : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("vigil_buttons_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    auto opened = open_sqlite_alert_store((dir_ / "alerts.sqlite").string());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    // One message carried three alerts: views for all users and on Android, likes on iOS.
    auto committed = store_->commit({}, {fired("views", ""), fired("views", "os=Android"), fired("likes", "os=iOS")});
    ASSERT_TRUE(committed.ok()) << committed.error().message;
    for (const auto& r : *committed) ids_.push_back(r.id);
    ASSERT_TRUE(store_->set_message_id(ids_, kMessage).ok());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // @ann presses the button `verb` of message `message` (naming record `record`), `later` s after kNow.
  PressOutcome press(ButtonVerb verb, EpochSeconds later = 0, const std::string& username = "ann",
                     std::int64_t message = kMessage, std::int64_t record = 0) {
    TelegramUpdate update;
    update.update_id = 5;
    update.is_callback = true;
    update.callback_id = "q1";
    update.chat_id = "-100";
    update.user_id = 4242;
    update.username = username;
    update.first_name = "Ann";
    update.message_id = message;
    update.callback_data = button_data(verb, record == 0 ? ids_[0] : record);
    const ChatContext context{config_, zone_, kNow + later, "vigil_bot", nullptr};
    return act_on_press(update, *store_, context);
  }

  std::vector<Silence> silences() { return *store_->silences(std::nullopt); }
  std::vector<Feedback> feedback() { return *store_->feedback(std::nullopt, std::nullopt); }

  fs::path dir_;
  Config config_;
  const date::time_zone* zone_ = *find_zone("Europe/Moscow");
  std::unique_ptr<AlertStore> store_;
  std::vector<std::int64_t> ids_;
};

TEST_F(ChatButtons, SilenceOneHourSilencesEachMetricTheMessageCarried) {
  const PressOutcome outcome = press(ButtonVerb::kSilenceHour, 7 * 60);  // 14:22, in the 14:15 bucket
  const auto saved = silences();
  ASSERT_EQ(saved.size(), 2u);
  EXPECT_EQ(saved[0].metric, "views");
  EXPECT_FALSE(saved[0].slice.has_value());  // all users and Android: every slice
  EXPECT_EQ(saved[1].metric, "likes");
  EXPECT_EQ(saved[1].slice, std::optional<std::string>("os=iOS"));  // only that slice alerted
  for (const Silence& s : saved) {
    EXPECT_EQ(s.starts, kNow);               // the bucket under way, which the next run checks
    EXPECT_EQ(s.ends, kNow + 7 * 60 + 3600);
    EXPECT_EQ(s.created_by, "@ann");
  }
  EXPECT_CONTAINS(outcome.toast, "views, likes (os=iOS) until 15:22");
  ASSERT_TRUE(outcome.keyboard.has_value());
  ASSERT_EQ(outcome.keyboard->at(0).size(), 1u);
  EXPECT_EQ(outcome.keyboard->at(0)[0].text, "🔕 Silenced until 15:22 by @ann");
}

TEST_F(ChatButtons, PressingSilenceTwiceAddsNothingMore) {
  press(ButtonVerb::kSilenceHour);
  const PressOutcome again = press(ButtonVerb::kSilenceHour, 60);
  EXPECT_EQ(silences().size(), 2u);
  EXPECT_CONTAINS(again.toast, "Already silenced");
  // A longer one still goes in.
  press(ButtonVerb::kSilenceMorning, 120);
  EXPECT_EQ(silences().size(), 4u);
}

TEST_F(ChatButtons, SilenceUntilMorningEndsAtNineTomorrow) {
  press(ButtonVerb::kSilenceMorning);
  const auto saved = silences();
  ASSERT_FALSE(saved.empty());
  EXPECT_EQ(format_local_time(saved[0].ends, zone_), "2026-11-19 09:00:00");
}

TEST_F(ChatButtons, VerdictsAreKeptOnEveryAlertWithWhoAndTheLatestShows) {
  const PressOutcome first = press(ButtonVerb::kFalseAlarm);
  EXPECT_CONTAINS(first.toast, "false alarm");
  ASSERT_TRUE(first.keyboard.has_value());
  EXPECT_EQ(first.keyboard->at(1)[1].text, "✅ False alarm · @ann");
  const PressOutcome second = press(ButtonVerb::kReal, 60, "bob");
  EXPECT_EQ(second.keyboard->at(1)[0].text, "✅ Real · @bob");
  EXPECT_EQ(second.keyboard->at(1)[1].text, "False alarm");
  const auto kept = feedback();
  ASSERT_EQ(kept.size(), 6u);  // three alerts, two presses
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(kept[i].record_id, ids_[i]);
    EXPECT_EQ(kept[i].verdict, FeedbackVerdict::kFalseAlarm);
    EXPECT_EQ(kept[i].by, "@ann");
    EXPECT_EQ(kept[i + 3].verdict, FeedbackVerdict::kReal);
    EXPECT_EQ(kept[i + 3].by, "@bob");
    EXPECT_EQ(kept[i + 3].at, kNow + 60);
  }
  EXPECT_TRUE(silences().empty());
}

TEST_F(ChatButtons, ABackToNormalLineInTheMessageIsNotJudged) {
  AlertRecord resolved = fired("ctr", "");
  resolved.action = AlertAction::kResolve;
  auto committed = store_->commit({}, {fired("likes", ""), resolved});
  ASSERT_TRUE(committed.ok());
  ASSERT_TRUE(store_->set_message_id({(*committed)[0].id, (*committed)[1].id}, 78).ok());
  press(ButtonVerb::kReal, 0, "ann", 78, (*committed)[0].id);
  const auto kept = feedback();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].record_id, (*committed)[0].id);
}

TEST_F(ChatButtons, AMessageTheStoreDoesNotKnowActsOnTheButtonsOwnAlert) {
  press(ButtonVerb::kReal, 0, "ann", /*message=*/999, /*record=*/ids_[2]);
  const auto kept = feedback();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].record_id, ids_[2]);
}

TEST_F(ChatButtons, ForeignOrStaleButtonsChangeNothing) {
  TelegramUpdate update;
  update.is_callback = true;
  update.callback_data = "snooze:1";
  update.message_id = kMessage;
  const ChatContext context{config_, zone_, kNow, "vigil_bot", nullptr};
  const PressOutcome foreign = act_on_press(update, *store_, context);
  EXPECT_FALSE(foreign.keyboard.has_value());
  EXPECT_FALSE(foreign.toast.empty());
  const PressOutcome gone = press(ButtonVerb::kReal, 0, "ann", 999, 12345);  // no such alert
  EXPECT_CONTAINS(gone.toast, "no longer");
  EXPECT_TRUE(feedback().empty());
  EXPECT_TRUE(silences().empty());
}

TEST_F(ChatButtons, TheSilenceMarkSaysHowToEndIt) {
  EXPECT_CONTAINS(press(ButtonVerb::kShowSilence).toast, "Not silenced");
  press(ButtonVerb::kSilenceHour);
  const PressOutcome info = press(ButtonVerb::kShowSilence, 60);
  EXPECT_CONTAINS(info.toast, "by @ann (#1): /unsilence 1 ends it");
}

TEST(PressSilences, OneSliceAloneIsSilencedAloneSeveralMeanEverySlice) {
  const auto one = press_silences({fired("ctr", "age=18-24")}, 100, 200, "Ann", 50);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].slice, std::optional<std::string>("age=18-24"));
  EXPECT_EQ(one[0].starts, 100);
  EXPECT_EQ(one[0].ends, 200);
  EXPECT_EQ(one[0].created_at, 50);
  const auto two = press_silences({fired("ctr", "age=18-24"), fired("ctr", "os=iOS")}, 100, 200, "Ann", 50);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_FALSE(two[0].slice.has_value());
}

}  // namespace
}  // namespace vigil
