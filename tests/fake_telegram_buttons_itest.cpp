// The fake Bot API itself refuses the inline keyboards, callback answers and
// edits the real one refuses, with its words, for requests made by hand (not
// through vigil's client, which checks first).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/expect.h"
#include "support/fake_telegram.h"
#include "support/http_client.h"

namespace vigil {
namespace {

using nlohmann::json;

class FakeTelegramButtons : public ::testing::Test {
 protected:
  PostAnswer post(const std::string& method, const json& body, const FormParts& parts = {}) {
    return http_post(fake.url() + "/bot" + fake.token() + "/" + method, body.dump(), parts);
  }
  static std::string description(const PostAnswer& answer) {
    return answer.body.is_object() ? answer.body.value("description", "") : "";
  }
  // sendMessage with this reply_markup (JSON text); the answer's description ("" if accepted).
  std::string send_with(const std::string& markup) {
    const PostAnswer answer = post("sendMessage", {{"chat_id", fake.chat_id()}, {"text", "hi"}, {"reply_markup", markup}});
    return answer.status == 200 ? "" : description(answer);
  }
  // A message with one "ack" button; its id.
  std::int64_t sent_with_button() {
    const PostAnswer answer = post("sendMessage", {{"chat_id", fake.chat_id()},
                                                   {"text", "likes"},
                                                   {"reply_markup", R"({"inline_keyboard":[[{"text":"Ack","callback_data":"ack"}]]})"}});
    return answer.body["result"]["message_id"].get<std::int64_t>();
  }

  FakeTelegram fake;
};

TEST_F(FakeTelegramButtons, ChecksKeyboardsLikeTelegram) {
  const std::string data64(64, 'd');
  EXPECT_EQ(send_with(R"({"inline_keyboard":[[{"text":"a","callback_data":")" + data64 + R"("}]]})"), "");
  EXPECT_EQ(send_with(R"({"inline_keyboard":[[{"text":"a","callback_data":")" + data64 + R"(x"}]]})"),
            "Bad Request: BUTTON_DATA_INVALID");
  EXPECT_EQ(send_with(R"({"inline_keyboard":[[{"text":"a","callback_data":""}]]})"), "Bad Request: BUTTON_DATA_INVALID");
  EXPECT_EQ(send_with(R"({"inline_keyboard":[[{"text":"site","url":"https://example.com"}]]})"), "");
  EXPECT_EQ(send_with(R"({"inline_keyboard":[[{"text":"a"}]]})"),
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
  EXPECT_EQ(send_with(R"({"inline_keyboard":[[{"text":"a","url":null,"callback_data":"x"}]]})"),
            "Bad Request: can't parse inline keyboard button: Field \"url\" must be of type String");
  for (const char* malformed : {"not json", "[]", R"({"inline_keyboard":{}})", R"({"inline_keyboard":[{"text":"a"}]})"}) {
    EXPECT_EQ(send_with(malformed), "Bad Request: can't parse reply keyboard markup JSON object") << malformed;
  }
  json rows = json::array();
  for (int i = 0; i < 101; ++i) rows.push_back(json::array({{{"text", "b"}, {"callback_data", std::to_string(i)}}}));
  EXPECT_EQ(send_with(json{{"inline_keyboard", rows}}.dump()), "Bad Request: reply markup is too long");
  EXPECT_EQ(fake.calls().size(), 2u);
}

TEST_F(FakeTelegramButtons, ChecksThePhotosKeyboardInAMultipartBody) {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  png += "pixels";
  const std::string long_data(65, 'x');
  const PostAnswer refused = post("sendPhoto", json(), FormParts{{"chat_id", fake.chat_id(), ""},
                                                                 {"photo", png, "a.png"},
                                                                 {"reply_markup", R"({"inline_keyboard":[[{"text":"a","callback_data":")" + long_data + R"("}]]})", ""}});
  EXPECT_EQ(description(refused), "Bad Request: BUTTON_DATA_INVALID");
  const PostAnswer taken = post("sendPhoto", json(), FormParts{{"chat_id", fake.chat_id(), ""},
                                                               {"photo", png, "a.png"},
                                                               {"reply_markup", R"({"inline_keyboard":[[{"text":"a","callback_data":"b"}]]})", ""}});
  ASSERT_EQ(taken.status, 200);
  EXPECT_EQ(taken.body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"], "b");
}

TEST_F(FakeTelegramButtons, AnswersCallbacksOnceWithinTheLimit) {
  const std::int64_t id = sent_with_button();
  const std::string query = fake.push_callback(fake.chat_id(), 7, "ann", "Ann", id, "ack");
  EXPECT_EQ(description(post("answerCallbackQuery", {{"callback_query_id", query}, {"text", std::string(201, 'a')}})),
            "Bad Request: MESSAGE_TOO_LONG");
  const PostAnswer ok = post("answerCallbackQuery", {{"callback_query_id", query}, {"text", "done"}, {"show_alert", true}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, json::parse(R"({"ok":true,"result":true})"));
  const std::string too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid";
  EXPECT_EQ(description(post("answerCallbackQuery", {{"callback_query_id", query}})), too_old);
  EXPECT_EQ(description(post("answerCallbackQuery", {{"callback_query_id", "12345"}})), too_old);
  const auto answers = fake.callback_answers();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_TRUE(answers[0].show_alert);
  EXPECT_EQ(answers[0].text, "done");
}

TEST_F(FakeTelegramButtons, EditsFollowTheRules) {
  const std::int64_t id = sent_with_button();
  const json chat = fake.chat_id();
  EXPECT_EQ(description(post("editMessageText", {{"chat_id", chat}, {"message_id", id + 50}, {"text", "x"}})),
            "Bad Request: message to edit not found");
  EXPECT_EQ(description(post("editMessageText", {{"chat_id", "1"}, {"message_id", id}, {"text", "x"}})),
            "Bad Request: chat not found");
  EXPECT_EQ(description(post("editMessageCaption", {{"chat_id", chat}, {"message_id", id}, {"caption", "x"}})),
            "Bad Request: there is no caption in the message to edit");
  EXPECT_EQ(description(post("editMessageText", {{"chat_id", chat}, {"message_id", id}, {"text", std::string(4097, 'x')}})),
            "Bad Request: message is too long");
  const std::string same_markup = R"({"inline_keyboard":[[{"text":"Ack","callback_data":"ack"}]]})";
  EXPECT_EQ(description(post("editMessageText",
                             {{"chat_id", chat}, {"message_id", id}, {"text", "likes"}, {"reply_markup", same_markup}})),
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the "
            "same as a current content and reply markup of the message");
  // The same text without reply_markup removes the keyboard: a change.
  const PostAnswer removed = post("editMessageText", {{"chat_id", chat}, {"message_id", id}, {"text", "likes"}});
  EXPECT_EQ(removed.status, 200);
  EXPECT_FALSE(removed.body["result"].contains("reply_markup"));
  EXPECT_EQ(fake.message(id)->inline_keyboard, json::array());
  EXPECT_THROW(fake.push_callback(fake.chat_id(), 7, "ann", "Ann", id, "ack"), std::logic_error);  // gone
  ASSERT_EQ(fake.calls().size(), 2u);
  EXPECT_EQ(fake.calls()[1].method, "editMessageText");
}

TEST_F(FakeTelegramButtons, GetMeIsTheBotFromTheToken) {
  fake.set_bot_username("ops_bot");
  const PostAnswer me = post("getMe", json::object());
  EXPECT_EQ(me.body, json::parse(R"({"ok":true,"result":{"id":110201543,"is_bot":true,"first_name":"vigil",
                                     "username":"ops_bot"}})"));
}

}  // namespace
}  // namespace vigil
