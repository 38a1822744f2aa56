// The fake Bot API's inline keyboards: reply_markup checked as Telegram
// does, button presses (push_callback) and their answers, the three edits and
// getMe. See fake_telegram.h.
#include <ctime>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/fake_telegram.h"
#include "support/fake_telegram_text.h"

namespace vigil {

using nlohmann::json;
using fake_telegram::check_text;
using fake_telegram::field;
using fake_telegram::truthy;

namespace {

constexpr std::size_t kMaxCallbackData = 64;  // bytes
constexpr std::size_t kMaxButtons = 100;
constexpr std::size_t kMaxCallbackText = 200;  // UTF-16 units
constexpr const char* kBadMarkup = "Bad Request: can't parse reply keyboard markup JSON object";
constexpr const char* kBadButton = "Bad Request: can't parse inline keyboard button: ";

// One button of an inline keyboard; the error description, or nullopt.
std::optional<std::string> check_button(const json& button) {
  if (!button.is_object()) return std::string(kBadButton) + "InlineKeyboardButton must be an Object";
  const auto text = button.find("text");
  if (text == button.end() || !text->is_string()) return std::string(kBadButton) + "Field \"text\" must be of type String";
  if (text->get<std::string>().empty()) return std::string(kBadButton) + "Text must be non-empty";
  int actions = 0;
  for (const char* name : {"callback_data", "url"}) {
    const auto value = button.find(name);
    if (value == button.end()) continue;
    if (!value->is_string()) return fmt::format("{}Field \"{}\" must be of type String", kBadButton, name);
    ++actions;
  }
  if (actions == 0) return std::string(kBadButton) + "Text buttons are unallowed in the inline keyboard";
  if (actions > 1) return std::string(kBadButton) + "exactly one of callback_data and url must be used";
  if (const auto data = button.find("callback_data"); data != button.end()) {
    const std::size_t bytes = data->get<std::string>().size();
    if (bytes == 0 || bytes > kMaxCallbackData) return std::string("Bad Request: BUTTON_DATA_INVALID");
  }
  return std::nullopt;
}

bool has_button(const json& keyboard, const std::string& data) {
  for (const json& row : keyboard) {
    for (const json& button : row) {
      if (button.value("callback_data", "") == data) return true;
    }
  }
  return false;
}

// A message as the Bot API shows it (in callback queries and edit answers).
json message_json(std::int64_t id, const FakeTelegramMessage& message, const std::string& chat_id) {
  json out = {{"message_id", id},
              {"date", message.date},
              {"chat", {{"id", fake_telegram_chat_json(chat_id)}, {"type", "supergroup"}}}};
  if (message.photo) {
    out["photo"] = json::array({{{"file_id", "fake-photo"}}});
    if (!message.text.empty()) out["caption"] = message.text;
  } else {
    out["text"] = message.text;
  }
  if (!message.inline_keyboard.empty()) out["reply_markup"] = {{"inline_keyboard", message.inline_keyboard}};
  return out;
}

}  // namespace

std::optional<std::string> FakeTelegram::read_markup(const Fields& fields, json& markup) {
  markup = json();
  const auto it = fields.find("reply_markup");
  if (it == fields.end()) return std::nullopt;
  const json parsed = json::parse(it->second, nullptr, false);
  if (!parsed.is_object()) return std::string(kBadMarkup);
  const auto rows = parsed.find("inline_keyboard");
  if (rows == parsed.end() || !rows->is_array()) return std::string(kBadMarkup);
  std::size_t count = 0;
  for (const json& row : *rows) {
    if (!row.is_array()) return std::string(kBadMarkup);
    for (const json& button : row) {
      if (auto problem = check_button(button)) return problem;
      ++count;
    }
  }
  if (count > kMaxButtons) return std::string("Bad Request: reply markup is too long");
  markup = parsed;
  return std::nullopt;
}

std::string FakeTelegram::push_callback(const std::string& chat_id, std::int64_t user_id, const std::string& username,
                                        const std::string& first_name, std::int64_t message_id,
                                        const std::string& data) {
  std::string id;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto message = messages_.find(message_id);
    if (message == messages_.end() || !has_button(message->second.inline_keyboard, data)) {
      throw std::logic_error(
          fmt::format("fake Telegram: message {} has no button with callback_data '{}'", message_id, data));
    }
    id = std::to_string(4'382'000'000'000'000'000LL + next_callback_++);
    callbacks_[id] = false;
    json from = {{"id", user_id}, {"is_bot", false}, {"first_name", first_name}};
    if (!username.empty()) from["username"] = username;
    json shown = message_json(message_id, message->second, chat_id_);
    shown["chat"]["id"] = fake_telegram_chat_json(chat_id);
    queue_update("callback_query", {{"id", id},
                                    {"from", from},
                                    {"message", shown},
                                    {"chat_instance", "-5827593625937412"},
                                    {"data", data}});
  }
  updated_.notify_all();
  return id;
}

void FakeTelegram::set_bot_username(const std::string& username) {
  std::lock_guard<std::mutex> lock(mutex_);
  bot_username_ = username;
}

std::optional<FakeTelegramMessage> FakeTelegram::message(std::int64_t message_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = messages_.find(message_id);
  if (it == messages_.end()) return std::nullopt;
  return it->second;
}

std::vector<FakeTelegramCallbackAnswer> FakeTelegram::callback_answers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return callback_answers_;
}

FakeTelegram::Reply FakeTelegram::get_me(FakeTelegramAttempt& attempt) {
  long long bot_id = 0;
  try {
    bot_id = std::stoll(token_.substr(0, token_.find(':')));
  } catch (const std::exception&) {
  }
  std::string username;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    username = bot_username_;
  }
  return accepted(attempt, {{"id", bot_id}, {"is_bot", true}, {"first_name", "vigil"}, {"username", username}});
}

FakeTelegram::Reply FakeTelegram::answer_callback(const Fields& fields, FakeTelegramAttempt& attempt) {
  FakeTelegramCallbackAnswer answer{field(fields, "callback_query_id"), field(fields, "text"),
                                    truthy(fields, "show_alert")};
  bool open = false;  // handed out and not answered yet
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto query = callbacks_.find(answer.callback_query_id);
    open = query != callbacks_.end() && !query->second;
  }
  if (!open) {
    return error(attempt, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
  }
  if (fake_telegram::utf16_units(answer.text) > kMaxCallbackText) {
    return error(attempt, 400, "Bad Request: MESSAGE_TOO_LONG");
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    callbacks_[answer.callback_query_id] = true;
    callback_answers_.push_back(std::move(answer));
  }
  return accepted(attempt, true);
}

FakeTelegram::Reply FakeTelegram::edit_message(const std::string& method, const Fields& fields, FakeTelegramCall call,
                                               FakeTelegramAttempt& attempt) {
  const std::string id_text = field(fields, "message_id");
  if (id_text.empty()) return error(attempt, 400, "Bad Request: message identifier is not specified");
  try {
    call.message_id = std::stoll(id_text);
  } catch (const std::exception&) {
    return error(attempt, 400, "Bad Request: message identifier is not specified");
  }
  if (auto problem = read_markup(fields, call.reply_markup)) return error(attempt, 400, *problem);
  std::optional<FakeTelegramMessage> now = message(call.message_id);
  if (!now) return error(attempt, 400, "Bad Request: message to edit not found");
  FakeTelegramMessage next = *now;
  if (method == "editMessageText" || method == "editMessageCaption") {
    const bool caption = method == "editMessageCaption";
    if (now->photo != caption) {
      return error(attempt, 400, caption ? "Bad Request: there is no caption in the message to edit"
                                         : "Bad Request: there is no text in the message to edit");
    }
    call.text = field(fields, caption ? "caption" : "text");
    call.parse_mode = field(fields, "parse_mode");
    if (auto problem = check_text(call.text, call.parse_mode, caption)) return error(attempt, 400, *problem);
    next.text = call.text;
    next.parse_mode = call.parse_mode;
  }
  next.inline_keyboard = call.reply_markup.is_object() ? call.reply_markup["inline_keyboard"] : json::array();
  if (next.text == now->text && next.parse_mode == now->parse_mode && next.inline_keyboard == now->inline_keyboard) {
    return error(attempt, 400,
                 "Bad Request: message is not modified: specified new message content and reply markup are exactly "
                 "the same as a current content and reply markup of the message");
  }
  const json result = message_json(call.message_id, next, chat_id_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    messages_[call.message_id] = std::move(next);
    calls_.push_back(std::move(call));
  }
  return accepted(attempt, result);
}

}  // namespace vigil
