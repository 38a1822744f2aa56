// Inline keyboards end to end, the client against the fake Bot API: messages
// and photos sent with buttons (and their ids), a button pressed, read as an
// update, answered and the message edited; pressing twice; the errors and
// their wording; getMe.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/expect.h"
#include "support/fake_telegram.h"
#include "support/http_client.h"
#include "telegram/telegram.h"

namespace vigil {
namespace {

using nlohmann::json;

class RecordingSleeper final : public Sleeper {
 public:
  void sleep_for(double seconds) override { waits.push_back(seconds); }
  std::vector<double> waits;
};

const std::function<bool()> kNever = [] { return false; };

Photo chart() {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  png += std::string(200, 'p');
  return Photo{"chart.png", png};
}

const InlineKeyboard kAlertButtons = {{{"🔕 Silence 2h", "silence:17:2h"}, {"✅ Ack", "ack:17"}}};

// The same keyboard written by hand as the Bot API's rows.
const json kAlertButtonsJson = json::parse(R"([[{"text":"🔕 Silence 2h","callback_data":"silence:17:2h"},
                                                {"text":"✅ Ack","callback_data":"ack:17"}]])");

class TelegramButtons : public ::testing::Test {
 protected:
  // getUpdates as another reader would ask: messages only; the HTTP status.
  long poll_messages_only() {
    const std::string url = fake.url() + "/bot" + fake.token() + "/getUpdates";
    return http_post(url, R"({"timeout":0,"allowed_updates":["message"]})").status;
  }

  FakeTelegram fake;
  RecordingSleeper sleeper;
  std::unique_ptr<TelegramBot> bot = make_bot_api_bot(fake.config(), sleeper);
};

TEST_F(TelegramButtons, AMessageGoesWithItsKeyboardAndItsIdComesBack) {
  const auto first = bot->send_message("<b>likes</b> dropped", kAlertButtons);
  ASSERT_TRUE(first.ok()) << first.error().message;
  const auto second = bot->send_message("no buttons", {});
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_GT(*second, *first);

  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].message_id, *first);
  EXPECT_EQ(calls[0].reply_markup, (json{{"inline_keyboard", kAlertButtonsJson}}));
  EXPECT_TRUE(calls[1].reply_markup.is_null());  // an empty keyboard sends no reply_markup
  const auto kept = fake.message(*first);
  ASSERT_TRUE(kept.has_value());
  EXPECT_FALSE(kept->photo);
  EXPECT_EQ(kept->text, "<b>likes</b> dropped");
  EXPECT_EQ(kept->inline_keyboard, kAlertButtonsJson);
  EXPECT_EQ(fake.message(*second)->inline_keyboard, json::array());
}

TEST_F(TelegramButtons, APhotoGoesWithItsKeyboardInTheMultipartBody) {
  const auto id = bot->send_photo(chart(), "<i>likes</i>", kAlertButtons);
  ASSERT_TRUE(id.ok()) << id.error().message;
  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "sendPhoto");
  EXPECT_EQ(calls[0].message_id, *id);
  EXPECT_EQ(calls[0].reply_markup["inline_keyboard"], kAlertButtonsJson);
  const auto kept = fake.message(*id);
  ASSERT_TRUE(kept.has_value());
  EXPECT_TRUE(kept->photo);
  EXPECT_EQ(kept->text, "<i>likes</i>");
}

TEST_F(TelegramButtons, APressIsReadAnsweredAndTheMessageEdited) {
  const auto id = bot->send_photo(chart(), "likes dropped", kAlertButtons);
  ASSERT_TRUE(id.ok()) << id.error().message;
  const std::string query = fake.push_callback(fake.chat_id(), 4242, "ann_ops", "Ann", *id, "ack:17");

  const auto updates = bot->get_updates(0, 0, kNever);
  ASSERT_TRUE(updates.ok()) << updates.error().message;
  ASSERT_EQ(updates->size(), 1u);
  const TelegramUpdate& press = updates->front();
  EXPECT_TRUE(press.is_callback);
  EXPECT_EQ(press.callback_id, query);
  EXPECT_EQ(press.callback_data, "ack:17");
  EXPECT_EQ(press.message_id, *id);
  EXPECT_EQ(press.user_id, 4242);
  EXPECT_EQ(press.username, "ann_ops");
  EXPECT_TRUE(update_from_chat(press, fake.chat_id()));

  const Status answered = bot->answer_callback_query(press.callback_id, "Acknowledged ✅");
  ASSERT_TRUE(answered.ok()) << answered.error().message;
  const auto answers = fake.callback_answers();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].callback_query_id, query);
  EXPECT_EQ(answers[0].text, "Acknowledged ✅");
  EXPECT_FALSE(answers[0].show_alert);

  const InlineKeyboard after = {{{"↩️ Unack", "unack:17"}}};
  const Status edited = bot->edit_message_caption(*id, "likes dropped — <b>acked</b> by @ann_ops", after);
  ASSERT_TRUE(edited.ok()) << edited.error().message;
  EXPECT_EQ(fake.message(*id)->text, "likes dropped — <b>acked</b> by @ann_ops");
  EXPECT_EQ(fake.message(*id)->inline_keyboard,
            json::parse(R"([[{"text":"↩️ Unack","callback_data":"unack:17"}]])"));

  // Pressed twice, the same edit again: Telegram says "not modified", which is fine.
  const Status again = bot->edit_message_caption(*id, "likes dropped — <b>acked</b> by @ann_ops", after);
  ASSERT_TRUE(again.ok()) << again.error().message;
  const auto attempts = fake.attempts();
  ASSERT_FALSE(attempts.empty());
  EXPECT_EQ(attempts.back().status, 400);
  EXPECT_CONTAINS(attempts.back().description, "message is not modified");
  EXPECT_TRUE(sleeper.waits.empty());  // not retried

  // A query is answered once.
  const Status twice = bot->answer_callback_query(press.callback_id, "");
  ASSERT_FALSE(twice.ok());
  EXPECT_CONTAINS(twice.error().message, "query is too old and response timeout expired or query ID is invalid");
}

TEST_F(TelegramButtons, ButtonsAreReplacedAndRemoved) {
  const auto id = bot->send_message("likes dropped", kAlertButtons);
  ASSERT_TRUE(id.ok()) << id.error().message;
  ASSERT_TRUE(bot->edit_message_reply_markup(*id, {{{"Ack", "ack:17"}}}).ok());
  EXPECT_EQ(fake.message(*id)->inline_keyboard, json::parse(R"([[{"text":"Ack","callback_data":"ack:17"}]])"));
  ASSERT_TRUE(bot->edit_message_reply_markup(*id, {}).ok());
  EXPECT_EQ(fake.message(*id)->inline_keyboard, json::array());
  EXPECT_EQ(fake.message(*id)->text, "likes dropped");
  EXPECT_TRUE(bot->edit_message_reply_markup(*id, {}).ok());  // none already: not modified, fine

  const Status text = bot->edit_message_text(*id, "likes <b>recovered</b>", {});
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(fake.message(*id)->text, "likes <b>recovered</b>");
  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 4u);  // the send and three edits that changed something
  EXPECT_EQ(calls[1].method, "editMessageReplyMarkup");
  EXPECT_EQ(calls[3].method, "editMessageText");
  EXPECT_EQ(calls[3].message_id, *id);
  EXPECT_EQ(calls[3].parse_mode, "HTML");
}

TEST_F(TelegramButtons, EditsOfTheWrongKindOrMessageAreNamedErrors) {
  const auto photo = bot->send_photo(chart(), "likes", kAlertButtons);
  ASSERT_TRUE(photo.ok()) << photo.error().message;
  const Status text_of_photo = bot->edit_message_text(*photo, "likes", {});
  ASSERT_FALSE(text_of_photo.ok());
  EXPECT_CONTAINS(text_of_photo.error().message, "editMessageText was rejected");
  EXPECT_CONTAINS(text_of_photo.error().message, "there is no text in the message to edit");
  const Status unknown = bot->edit_message_reply_markup(*photo + 100, {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_CONTAINS(unknown.error().message, "message to edit not found");
  const Status bad_html = bot->edit_message_caption(*photo, "<b>unclosed", {});
  ASSERT_FALSE(bad_html.ok());
  EXPECT_CONTAINS(bad_html.error().message, "can't parse entities");
  EXPECT_EQ(fake.calls().size(), 1u);
}

TEST_F(TelegramButtons, AnUnknownQueryIdIsTelegramsError) {
  const Status status = bot->answer_callback_query("6213462348523957", "");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "Telegram answerCallbackQuery was rejected (400 Bad Request: query is too old and response timeout "
            "expired or query ID is invalid)");
}

TEST_F(TelegramButtons, LimitsAreCheckedBeforeAnythingIsSent) {
  const InlineKeyboard long_data = {{{"Ack", std::string(65, 'x')}}};
  const auto message = bot->send_message("likes", long_data);
  ASSERT_FALSE(message.ok());
  EXPECT_CONTAINS(message.error().message, "65 bytes");
  EXPECT_FALSE(bot->send_photo(chart(), "likes", long_data).ok());
  EXPECT_FALSE(bot->edit_message_reply_markup(1, long_data).ok());
  EXPECT_FALSE(bot->edit_message_text(1, "", {}).ok());
  const Status long_answer = bot->answer_callback_query("1", std::string(201, 'a'));
  ASSERT_FALSE(long_answer.ok());
  EXPECT_CONTAINS(long_answer.error().message, "201");
  EXPECT_TRUE(fake.attempts().empty());
}

TEST_F(TelegramButtons, ANoticeOfTwoHundredUnitsIsTaken) {
  const auto id = bot->send_message("likes", kAlertButtons);
  ASSERT_TRUE(id.ok()) << id.error().message;
  const std::string query = fake.push_callback(fake.chat_id(), 1, "", "Bob", *id, "silence:17:2h");
  std::string notice;
  for (int i = 0; i < 100; ++i) notice += "😀";  // 100 characters, 200 UTF-16 units
  const Status status = bot->answer_callback_query(query, notice);
  ASSERT_TRUE(status.ok()) << status.error().message;
}

TEST_F(TelegramButtons, AnswersAreRetriedLikeEverySend) {
  const auto id = bot->send_message("likes", kAlertButtons);
  ASSERT_TRUE(id.ok()) << id.error().message;
  const std::string query = fake.push_callback(fake.chat_id(), 1, "", "Bob", *id, "ack:17");
  fake.fail_next(429, 3);
  fake.fail_next(500);
  const Status status = bot->answer_callback_query(query, "ok");
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(sleeper.waits, (std::vector<double>{3.0, 1.0}));
  EXPECT_EQ(fake.callback_answers().size(), 1u);
}

TEST_F(TelegramButtons, TheBotReadsPressesItAskedFor) {
  // Another reader asked for messages only: a press then makes no update.
  ASSERT_EQ(poll_messages_only(), 200);
  const auto id = bot->send_message("likes", kAlertButtons);
  ASSERT_TRUE(id.ok()) << id.error().message;
  fake.push_callback(fake.chat_id(), 1, "", "Bob", *id, "ack:17");
  EXPECT_EQ(fake.unconfirmed_updates(), 0u);
  // vigil's reader asks for presses too.
  ASSERT_TRUE(bot->get_updates(0, 0, kNever).ok());
  fake.push_callback(fake.chat_id(), 1, "", "Bob", *id, "ack:17");
  const auto updates = bot->get_updates(0, 0, kNever);
  ASSERT_TRUE(updates.ok()) << updates.error().message;
  ASSERT_EQ(updates->size(), 1u);
  EXPECT_TRUE(updates->front().is_callback);
}

TEST_F(TelegramButtons, APressOnAButtonThatIsNotThereCannotHappen) {
  const auto id = bot->send_message("likes", kAlertButtons);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_THROW(fake.push_callback(fake.chat_id(), 1, "", "Bob", *id, "ack:18"), std::logic_error);
  EXPECT_THROW(fake.push_callback(fake.chat_id(), 1, "", "Bob", *id + 1, "ack:17"), std::logic_error);
}

TEST_F(TelegramButtons, GetMeNamesTheBot) {
  const auto name = bot->get_me();
  ASSERT_TRUE(name.ok()) << name.error().message;
  EXPECT_EQ(*name, "vigil_bot");
  fake.set_bot_username("ops_alerts_bot");
  EXPECT_EQ(*bot->get_me(), "ops_alerts_bot");
  EXPECT_TRUE(fake.calls().empty());  // a question, not a message
}

}  // namespace
}  // namespace vigil
