// Inline keyboards: rows of buttons under a bot's message that send the bot a
// callback query when pressed (alert messages' "silence", "ack"...). Pure: the
// rules Telegram applies, checked before anything is sent so a bad button is a
// one-line error naming it instead of a 400, and the reply_markup JSON.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/result.h"

namespace vigil {

struct InlineButton {
  std::string text;           // the label, non-empty
  std::string callback_data;  // comes back in the callback query; 1..64 bytes
};

// Rows of buttons, top to bottom; empty = no keyboard.
using InlineKeyboard = std::vector<std::vector<InlineButton>>;

inline constexpr std::size_t kTelegramMaxCallbackData = 64;  // bytes, not characters
inline constexpr std::size_t kTelegramMaxButtons = 100;      // in a whole keyboard
inline constexpr std::size_t kTelegramMaxCallbackText = 200;  // characters of a callback's toast

// An error if Telegram would refuse `buttons`: an empty row, a button without
// text, callback_data empty or over 64 bytes, more than 100 buttons. An empty
// keyboard is fine.
Status check_inline_keyboard(const InlineKeyboard& buttons);

// The reply_markup value: {"inline_keyboard":[[{"text":..,"callback_data":..}]]}
// as JSON text (invalid UTF-8 replaced, never thrown).
std::string inline_keyboard_json(const InlineKeyboard& buttons);

}  // namespace vigil
