// The bot's reader (chat/reader.h) without a network: who it obeys, the offset
// file, and one batch of updates handled against a recording bot and a real
// SQLite store in a temporary directory.
#include "chat/reader.h"

#include "alert/buttons.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "base/files.h"
#include "support/expect.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

constexpr EpochSeconds kNow = 1'795'000'500;

TelegramUpdate message(std::int64_t id, const std::string& chat, std::int64_t user, const std::string& username,
                       const std::string& text) {
  TelegramUpdate u;
  u.update_id = id;
  u.is_text = true;
  u.chat_id = chat;
  u.user_id = user;
  u.username = username;
  u.first_name = "Someone";
  u.text = text;
  u.date = kNow - 5;
  return u;
}

TEST(ChatReaderRules, ObeysTheChatAndTheAllowedUsers) {
  TelegramConfig config;
  config.chat_id = "-100";
  EXPECT_TRUE(obeys(message(1, "-100", 7, "ann", "/status"), config));
  EXPECT_FALSE(obeys(message(1, "-200", 7, "ann", "/status"), config));
  config.allowed_users = {"@Ann", "42"};
  EXPECT_TRUE(obeys(message(1, "-100", 7, "ann", "/status"), config));   // by name, any case
  EXPECT_TRUE(obeys(message(1, "-100", 42, "", "/status"), config));     // by id
  EXPECT_FALSE(obeys(message(1, "-100", 8, "bob", "/status"), config));
  EXPECT_FALSE(obeys(message(1, "-100", 0, "", "/status"), config));
  EXPECT_FALSE(obeys(message(1, "-200", 42, "ann", "/status"), config));  // right user, wrong chat
}

// Records replies; reads nothing.
class RecordingBot final : public TelegramBot {
 public:
  Result<std::int64_t> send_message(const std::string& html, const InlineKeyboard&) override {
    sent.push_back(html);
    return static_cast<std::int64_t>(sent.size());
  }
  Result<std::int64_t> send_photo(const Photo&, const std::string&, const InlineKeyboard&) override {
    return Error::failure("no photos here");
  }
  Status send_media_group(const std::vector<Photo>&, const std::string&) override {
    return Error::failure("no albums here");
  }
  Result<std::vector<TelegramUpdate>> get_updates(std::int64_t, int, const std::function<bool()>&) override {
    return std::vector<TelegramUpdate>{};
  }
  Status answer_callback_query(const std::string& id, const std::string& text) override {
    answers.push_back(id + ": " + text);
    return {};
  }
  Status edit_message_reply_markup(std::int64_t message_id, const InlineKeyboard& buttons) override {
    edits.emplace_back(message_id, buttons);
    return {};
  }
  Status edit_message_text(std::int64_t, const std::string&, const InlineKeyboard&) override {
    return Error::failure("no edits here");
  }
  Status edit_message_caption(std::int64_t, const std::string&, const InlineKeyboard&) override {
    return Error::failure("no edits here");
  }
  Result<std::string> get_me() override { return std::string("vigil_bot"); }
  std::vector<std::string> sent;
  std::vector<std::string> answers;  // "query id: toast"
  std::vector<std::pair<std::int64_t, InlineKeyboard>> edits;
};

class ChatReader : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("vigil_reader_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto opened = open_sqlite_alert_store((dir_ / "alerts.sqlite").string());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    config_.telegram.chat_id = "-100";
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  ChatReaderOptions options() {
    return {config_, zone_, offset_path(), [] { return kNow; }, [] { return false; },
            [](double) { return true; }, 25, "", nullptr};
  }
  std::string offset_path() const { return (dir_ / "telegram.offset").string(); }

  fs::path dir_;
  Config config_;
  const date::time_zone* zone_ = *find_zone("Europe/Moscow");
  std::unique_ptr<AlertStore> store_;
  RecordingBot bot_;
};

TEST_F(ChatReader, TheOffsetFileIsMissingAtFirstThenKept) {
  auto none = read_chat_offset(offset_path());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(write_chat_offset(offset_path(), 900000123).ok());
  auto kept = read_chat_offset(offset_path());
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->value(), 900000123);
  ASSERT_TRUE(write_file(offset_path(), "12x\n").ok());
  auto broken = read_chat_offset(offset_path());
  ASSERT_FALSE(broken.ok());
  EXPECT_CONTAINS(broken.error().message, offset_path());
}

TEST_F(ChatReader, ABatchIsObeyedOrIgnoredInOrderAndTheOffsetFollows) {
  const std::vector<TelegramUpdate> batch = {
      message(10, "-100", 7, "ann", "/silence likes 2h release"),
      message(11, "-200", 8, "eve", "/silence all 1d"),  // another chat
      message(12, "-100", 7, "ann", "lunch?"),            // talk: no reply
      message(13, "-100", 7, "ann", "/silences"),
  };
  auto next = handle_updates(batch, 0, bot_, *store_, options());
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(*next, 14);
  EXPECT_EQ(read_chat_offset(offset_path())->value(), 14);
  ASSERT_EQ(bot_.sent.size(), 2u);
  EXPECT_CONTAINS(bot_.sent[0], "Silenced: #1 likes");
  EXPECT_CONTAINS(bot_.sent[1], "#1 likes");
  auto silences = store_->silences(std::nullopt);
  ASSERT_TRUE(silences.ok());
  ASSERT_EQ(silences->size(), 1u);
  EXPECT_EQ((*silences)[0].created_by, "@ann");
}

TEST_F(ChatReader, ACommandSentWhileNoReaderRanIsNotRunButAnswered) {
  TelegramUpdate old = message(20, "-100", 7, "ann", "/silence all 1d");
  old.date = kNow - kStaleCommandSeconds - 60;  // 11 minutes ago
  TelegramUpdate talk = message(21, "-100", 7, "ann", "anyone there?");
  talk.date = old.date;
  auto next = handle_updates({old, talk, message(22, "-100", 7, "ann", "/silences")}, 0, bot_,
                             *store_, options());
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 23);
  EXPECT_TRUE(store_->silences(std::nullopt)->empty());
  ASSERT_EQ(bot_.sent.size(), 2u);
  EXPECT_CONTAINS(bot_.sent[0], "Not run: /silence from 2026-11-18 14:04 came while the bot was "
                                "not reading (11 min ago)");
  EXPECT_CONTAINS(bot_.sent[1], "No silences");
}

TEST_F(ChatReader, UpdatesBelowTheOffsetAreNotRunAgain) {
  const std::vector<TelegramUpdate> batch = {message(10, "-100", 7, "ann", "/silence likes 2h"),
                                             message(11, "-100", 7, "ann", "/silence views 1h")};
  auto next = handle_updates(batch, 11, bot_, *store_, options());
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 12);
  auto silences = store_->silences(std::nullopt);
  ASSERT_TRUE(silences.ok());
  ASSERT_EQ(silences->size(), 1u);
  EXPECT_EQ((*silences)[0].metric, "views");
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

// A press of "False alarm" under message 31 by user `user` in chat -100.
TelegramUpdate press(std::int64_t update_id, std::int64_t user, std::int64_t record_id) {
  TelegramUpdate update;
  update.update_id = update_id;
  update.is_callback = true;
  update.callback_id = "q" + std::to_string(update_id);
  update.callback_data = button_data(ButtonVerb::kFalseAlarm, record_id);
  update.message_id = 31;
  update.chat_id = "-100";
  update.user_id = user;
  update.username = user == 42 ? "ann" : "mallory";
  return update;
}

TEST_F(ChatReader, APressIsActedOnAnsweredAndRedrawnOnlyForTheTeam) {
  AlertRecord fired;
  fired.evaluation = {.key = {"views", ""}, .bucket = kNow - 900, .value = 1, .lower = 2, .upper = 3,
                      .expected = 2.5, .score = -4, .anomaly = true, .ready = true};
  fired.action = AlertAction::kFire;
  auto committed = store_->commit({}, {fired});
  ASSERT_TRUE(committed.ok());
  const std::int64_t id = committed->front().id;
  ASSERT_TRUE(store_->set_message_id({id}, 31).ok());
  config_.telegram.allowed_users = {"@ann"};
  auto next = handle_updates({press(10, 77, id), press(11, 42, id)}, 10, bot_, *store_, options());
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(*next, 12);
  EXPECT_EQ(read_chat_offset(offset_path())->value(), 12);
  ASSERT_EQ(bot_.answers.size(), 2u);  // both answered: no button left spinning
  EXPECT_EQ(bot_.answers[0].rfind("q10: Not for you", 0), 0u) << bot_.answers[0];
  EXPECT_EQ(bot_.answers[1].rfind("q11: ", 0), 0u) << bot_.answers[1];
  ASSERT_EQ(bot_.edits.size(), 1u);  // only Ann's press redraws the message
  EXPECT_EQ(bot_.edits[0].first, 31);
  EXPECT_EQ(bot_.edits[0].second.at(1).at(1).text, "✅ False alarm · @ann");
  auto kept = store_->feedback(std::nullopt, std::nullopt);
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 1u);  // Mallory's press changed nothing
  EXPECT_EQ(kept->front().by, "@ann");
  EXPECT_TRUE(bot_.sent.empty());  // a press gets a toast, not a chat message
}

}  // namespace
}  // namespace vigil
