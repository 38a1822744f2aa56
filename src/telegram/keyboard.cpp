// Inline keyboards checked and written as JSON. See keyboard.h.
#include "telegram/keyboard.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace vigil {

Status check_inline_keyboard(const InlineKeyboard& buttons) {
  std::size_t count = 0;
  for (std::size_t row = 0; row < buttons.size(); ++row) {
    if (buttons[row].empty()) {
      return Error::failure(fmt::format("Telegram keyboard row {} has no buttons", row + 1));
    }
    for (const InlineButton& button : buttons[row]) {
      ++count;
      if (button.text.empty()) {
        return Error::failure(fmt::format("Telegram button {} of row {} has no text", count, row + 1));
      }
      const std::size_t bytes = button.callback_data.size();
      if (bytes == 0 || bytes > kTelegramMaxCallbackData) {
        return Error::failure(fmt::format(
            "Telegram button '{}' has callback data of {} bytes; Telegram takes 1 to {}: shorten it",
            one_line(button.text, 40), bytes, kTelegramMaxCallbackData));
      }
    }
  }
  if (count > kTelegramMaxButtons) {
    return Error::failure(fmt::format("Telegram keyboard has {} buttons, more than the {} Telegram allows",
                                      count, kTelegramMaxButtons));
  }
  return {};
}

std::string inline_keyboard_json(const InlineKeyboard& buttons) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : buttons) {
    nlohmann::json items = nlohmann::json::array();
    for (const InlineButton& button : row) {
      items.push_back({{"text", button.text}, {"callback_data", button.callback_data}});
    }
    rows.push_back(std::move(items));
  }
  const nlohmann::json markup = {{"inline_keyboard", std::move(rows)}};
  return markup.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace vigil
