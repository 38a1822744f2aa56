// getUpdates answers read into TelegramUpdate (telegram/updates.h), the rule
// that says which chat an update came from, and the values read from other
// answers (a sent message's id, the bot's name).
#include <gtest/gtest.h>

#include "support/expect.h"
#include "telegram/updates.h"

namespace vigil {
namespace {

TEST(TelegramUpdates, ReadsATextMessageWithItsChatAndSender) {
  const auto updates = parse_updates(R"({"ok":true,"result":[{"update_id":900000001,"message":{
      "message_id":7,"date":1700000000,
      "chat":{"id":-1001234567890,"type":"supergroup","title":"Ops"},
      "from":{"id":4242,"is_bot":false,"first_name":"Ann","username":"ann_ops"},
      "text":"/silence likes 2h release"}}]})");
  ASSERT_TRUE(updates.ok()) << updates.error().message;
  ASSERT_EQ(updates->size(), 1u);
  const TelegramUpdate& u = updates->front();
  EXPECT_EQ(u.update_id, 900000001);
  EXPECT_TRUE(u.is_text);
  EXPECT_EQ(u.chat_id, "-1001234567890");
  EXPECT_EQ(u.user_id, 4242);
  EXPECT_EQ(u.username, "ann_ops");
  EXPECT_EQ(u.first_name, "Ann");
  EXPECT_EQ(u.text, "/silence likes 2h release");
  EXPECT_EQ(u.date, 1700000000);
}

TEST(TelegramUpdates, AnEmptyResultIsNoUpdates) {
  const auto updates = parse_updates(R"({"ok":true,"result":[]})");
  ASSERT_TRUE(updates.ok());
  EXPECT_TRUE(updates->empty());
}

TEST(TelegramUpdates, OtherUpdatesKeepTheirIdButAreNotText) {
  const auto updates = parse_updates(R"({"ok":true,"result":[
      {"update_id":5,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"photo":[]}},
      {"update_id":6,"edited_message":{"message_id":1,"chat":{"id":1},"text":"/status"}},
      {"update_id":7,"message":{"message_id":2,"chat":{"id":"weird"},"text":"/status"}},
      {"update_id":8,"message":{"message_id":3,"chat":{"id":12,"type":"private"},"text":"hi"}}]})");
  ASSERT_TRUE(updates.ok()) << updates.error().message;
  ASSERT_EQ(updates->size(), 4u);
  EXPECT_EQ((*updates)[0].update_id, 5);
  EXPECT_FALSE((*updates)[0].is_text);
  EXPECT_FALSE((*updates)[1].is_text);
  EXPECT_FALSE((*updates)[2].is_text);
  EXPECT_TRUE((*updates)[3].is_text);
  EXPECT_EQ((*updates)[3].user_id, 0);  // no sender: a channel post
  EXPECT_EQ((*updates)[3].username, "");
}

TEST(TelegramUpdates, AnswersOfAnotherShapeAreErrors) {
  EXPECT_FALSE(parse_updates("<html>502</html>").ok());
  EXPECT_FALSE(parse_updates(R"({"ok":false,"error_code":409})").ok());
  EXPECT_FALSE(parse_updates(R"({"ok":true,"result":{}})").ok());
  const auto no_id = parse_updates(R"({"ok":true,"result":[{"message":{}}]})");
  ASSERT_FALSE(no_id.ok());
  EXPECT_CONTAINS(no_id.error().message, "update_id");
}

TEST(TelegramUpdates, TheChatIsMatchedByIdOrPublicName) {
  TelegramUpdate u;
  u.is_text = true;
  u.chat_id = "-1001234567890";
  u.chat_username = "vigil_ops";
  EXPECT_TRUE(update_from_chat(u, "-1001234567890"));
  EXPECT_FALSE(update_from_chat(u, "-100123456789"));
  EXPECT_TRUE(update_from_chat(u, "@vigil_ops"));
  EXPECT_FALSE(update_from_chat(u, "@vigil"));
  EXPECT_FALSE(update_from_chat(u, ""));
  u.chat_username.clear();
  EXPECT_FALSE(update_from_chat(u, "@"));
  u.is_text = false;
  EXPECT_FALSE(update_from_chat(u, "-1001234567890"));
}

// The shape of the Bot API's CallbackQuery: who pressed (from), the message the
// button is under (message, with its chat), the button's data.
TEST(TelegramUpdates, ReadsAPressedButton) {
  const auto updates = parse_updates(R"({"ok":true,"result":[{"update_id":10000,"callback_query":{
      "id":"4382bfdwdsb323b2d9",
      "from":{"id":1111111,"is_bot":false,"first_name":"Test","last_name":"Lastname","username":"Test",
              "language_code":"en"},
      "message":{"message_id":1365,"date":1441645532,
                 "from":{"id":5555555,"is_bot":true,"first_name":"vigil","username":"vigil_bot"},
                 "chat":{"id":-1001234567890,"title":"Ops","type":"supergroup","username":"vigil_ops"},
                 "caption":"likes dropped",
                 "reply_markup":{"inline_keyboard":[[{"text":"Ack","callback_data":"ack:17"}]]}},
      "chat_instance":"-8172935628573924835",
      "data":"ack:17"}}]})");
  ASSERT_TRUE(updates.ok()) << updates.error().message;
  ASSERT_EQ(updates->size(), 1u);
  const TelegramUpdate& u = updates->front();
  EXPECT_EQ(u.update_id, 10000);
  EXPECT_TRUE(u.is_callback);
  EXPECT_FALSE(u.is_text);
  EXPECT_EQ(u.callback_id, "4382bfdwdsb323b2d9");
  EXPECT_EQ(u.callback_data, "ack:17");
  EXPECT_EQ(u.message_id, 1365);
  EXPECT_EQ(u.chat_id, "-1001234567890");
  EXPECT_EQ(u.chat_username, "vigil_ops");
  EXPECT_EQ(u.user_id, 1111111);  // who pressed, not the bot that sent the message
  EXPECT_EQ(u.username, "Test");
  EXPECT_EQ(u.first_name, "Test");
  EXPECT_EQ(u.text, "");
  EXPECT_EQ(u.date, 0);  // the message's date is not when the button was pressed
  EXPECT_TRUE(update_from_chat(u, "-1001234567890"));
  EXPECT_TRUE(update_from_chat(u, "@vigil_ops"));
  EXPECT_FALSE(update_from_chat(u, "-100999"));
}

TEST(TelegramUpdates, CallbacksWithoutAMessageOrDataAreNotPresses) {
  const auto updates = parse_updates(R"({"ok":true,"result":[
      {"update_id":1,"callback_query":{"id":"1","from":{"id":2,"is_bot":false,"first_name":"A"},
        "inline_message_id":"BAAAAAA","chat_instance":"9","data":"ack:1"}},
      {"update_id":2,"callback_query":{"id":"2","from":{"id":2,"is_bot":false,"first_name":"A"},
        "message":{"message_id":5,"date":1,"chat":{"id":-100,"type":"supergroup"}},
        "chat_instance":"9","game_short_name":"tetris"}},
      {"update_id":3,"callback_query":{"id":"3","from":{"id":2,"is_bot":false,"first_name":"A"},
        "message":{"message_id":6,"date":0,"chat":{"id":-100,"type":"supergroup"}},
        "chat_instance":"9","data":"ack:2"}}]})");
  ASSERT_TRUE(updates.ok()) << updates.error().message;
  ASSERT_EQ(updates->size(), 3u);
  EXPECT_FALSE((*updates)[0].is_callback);  // inline mode: no message in a chat
  EXPECT_EQ((*updates)[0].callback_data, "");
  EXPECT_FALSE((*updates)[1].is_callback);  // a game: no data
  EXPECT_FALSE(update_from_chat((*updates)[1], "-100"));
  EXPECT_TRUE((*updates)[2].is_callback);   // an inaccessible (old) message still has its id and chat
  EXPECT_EQ((*updates)[2].message_id, 6);
  EXPECT_EQ((*updates)[2].chat_id, "-100");
}

TEST(TelegramUpdates, ASentMessagesIdIsRead) {
  const auto id = sent_message_id("sendPhoto", R"({"ok":true,"result":{"message_id":4711,"date":1,
      "chat":{"id":-100,"type":"supergroup"},"photo":[{"file_id":"x"}]}})");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, 4711);
  const auto none = sent_message_id("sendMessage", R"({"ok":true,"result":true})");
  ASSERT_FALSE(none.ok());
  EXPECT_CONTAINS(none.error().message, "sendMessage");
  EXPECT_CONTAINS(none.error().message, "message_id");
  EXPECT_FALSE(sent_message_id("sendMessage", "<html>").ok());
}

TEST(TelegramUpdates, TheBotsNameIsReadFromGetMe) {
  const auto name = bot_username(
      R"({"ok":true,"result":{"id":110201543,"is_bot":true,"first_name":"vigil","username":"vigil_ops_bot"}})");
  ASSERT_TRUE(name.ok()) << name.error().message;
  EXPECT_EQ(*name, "vigil_ops_bot");
  EXPECT_FALSE(bot_username(R"({"ok":true,"result":{"id":1,"is_bot":true,"first_name":"x"}})").ok());
  EXPECT_FALSE(bot_username(R"({"ok":false,"error_code":401})").ok());
}

}  // namespace
}  // namespace vigil
