// Inline keyboards (telegram/keyboard.h): the Bot API's limits on buttons,
// counted the way the API counts them (callback data in bytes), and the
// reply_markup JSON the API expects.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/expect.h"
#include "telegram/keyboard.h"

namespace vigil {
namespace {

std::string repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

TEST(TelegramKeyboard, NoKeyboardAndOrdinaryButtonsAreFine) {
  EXPECT_TRUE(check_inline_keyboard({}).ok());
  EXPECT_TRUE(check_inline_keyboard({{{"🔕 Silence 2h", "silence:17:2h"}, {"✅ Ack", "ack:17"}}}).ok());
}

TEST(TelegramKeyboard, CallbackDataIsCountedInBytes) {
  EXPECT_TRUE(check_inline_keyboard({{{"a", std::string(64, 'x')}}}).ok());
  const Status long_ascii = check_inline_keyboard({{{"Ack", std::string(65, 'x')}}});
  ASSERT_FALSE(long_ascii.ok());
  EXPECT_CONTAINS(long_ascii.error().message, "65 bytes");
  EXPECT_CONTAINS(long_ascii.error().message, "'Ack'");
  // "ж" is 2 bytes: 32 of them are 64 bytes, 33 are 66, though only 33 characters.
  EXPECT_TRUE(check_inline_keyboard({{{"a", repeat("ж", 32)}}}).ok());
  const Status long_cyrillic = check_inline_keyboard({{{"a", repeat("ж", 33)}}});
  ASSERT_FALSE(long_cyrillic.ok());
  EXPECT_CONTAINS(long_cyrillic.error().message, "66 bytes");
}

TEST(TelegramKeyboard, EmptyPartsAreRefused) {
  EXPECT_FALSE(check_inline_keyboard({{{"Ack", ""}}}).ok());
  const Status no_text = check_inline_keyboard({{{"Ack", "a"}}, {{"", "b"}}});
  ASSERT_FALSE(no_text.ok());
  EXPECT_CONTAINS(no_text.error().message, "row 2");
  const Status empty_row = check_inline_keyboard({{{"Ack", "a"}}, {}});
  ASSERT_FALSE(empty_row.ok());
  EXPECT_CONTAINS(empty_row.error().message, "row 2");
}

TEST(TelegramKeyboard, AtMostAHundredButtons) {
  InlineKeyboard keyboard(10, std::vector<InlineButton>(10, InlineButton{"b", "d"}));
  EXPECT_TRUE(check_inline_keyboard(keyboard).ok());
  keyboard.push_back({InlineButton{"one more", "d"}});
  const Status status = check_inline_keyboard(keyboard);
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "101 buttons");
  EXPECT_EQ(status.error().message.find('\n'), std::string::npos);
}

TEST(TelegramKeyboard, MarkupIsTheBotApiShape) {
  const auto markup = nlohmann::json::parse(
      inline_keyboard_json({{{"Silence 2h", "s:1"}, {"Ack", "a:1"}}, {{"Dashboard \"x\"", "d"}}}));
  EXPECT_EQ(markup, nlohmann::json::parse(R"({"inline_keyboard":[
      [{"text":"Silence 2h","callback_data":"s:1"},{"text":"Ack","callback_data":"a:1"}],
      [{"text":"Dashboard \"x\"","callback_data":"d"}]]})"));
  EXPECT_EQ(nlohmann::json::parse(inline_keyboard_json({})), nlohmann::json::parse(R"({"inline_keyboard":[]})"));
}

}  // namespace
}  // namespace vigil
