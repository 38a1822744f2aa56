// getUpdates answers read into TelegramUpdate (telegram/updates.h), and the
// rule that says which chat an update came from.
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

}  // namespace
}  // namespace vigil
