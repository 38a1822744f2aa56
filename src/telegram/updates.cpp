// getUpdates answers read into TelegramUpdate. See updates.h.
#include "telegram/updates.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace vigil {
namespace {

using nlohmann::json;

std::string string_field(const json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A chat or user id: an integer in the JSON; "" if absent or not one.
std::string id_text(const json& object) {
  const auto it = object.find("id");
  return it != object.end() && it->is_number_integer() ? std::to_string(it->get<std::int64_t>())
                                                        : std::string();
}

// The chat of `message` into `update`; false if it has none with an integer id.
bool read_chat(const json& message, TelegramUpdate& update) {
  const auto chat = message.find("chat");
  if (chat == message.end() || !chat->is_object()) return false;
  update.chat_id = id_text(*chat);
  update.chat_username = string_field(*chat, "username");
  return !update.chat_id.empty();
}

// The sender (or presser) `from`, if present, into `update`.
void read_from(const json& object, TelegramUpdate& update) {
  const auto from = object.find("from");
  if (from == object.end() || !from->is_object()) return;
  const std::string user = id_text(*from);
  update.user_id = user.empty() ? 0 : std::stoll(user);
  update.username = string_field(*from, "username");
  update.first_name = string_field(*from, "first_name");
}

void read_message(const json& message, TelegramUpdate& update) {
  const auto text = message.find("text");
  if (text == message.end() || !text->is_string() || !read_chat(message, update)) return;
  update.text = text->get<std::string>();
  if (const auto date = message.find("date"); date != message.end() && date->is_number_integer()) {
    update.date = date->get<EpochSeconds>();
  }
  read_from(message, update);
  update.is_text = true;
}

// A button pressed under a message the bot sent (not an inline-mode message,
// not a game: those have no message or no data).
void read_callback(const json& query, TelegramUpdate& update) {
  const auto id = query.find("id");
  const auto data = query.find("data");
  const auto message = query.find("message");
  if (id == query.end() || !id->is_string() || data == query.end() || !data->is_string() ||
      message == query.end() || !message->is_object()) {
    return;
  }
  const auto message_id = message->find("message_id");
  if (message_id == message->end() || !message_id->is_number_integer() || !read_chat(*message, update)) return;
  update.callback_id = id->get<std::string>();
  update.callback_data = data->get<std::string>();
  update.message_id = message_id->get<std::int64_t>();
  read_from(query, update);
  update.is_callback = true;
}

TelegramUpdate read_update(const json& item) {
  TelegramUpdate update;
  update.update_id = item["update_id"].get<std::int64_t>();
  if (const auto message = item.find("message"); message != item.end() && message->is_object()) {
    read_message(*message, update);
  } else if (const auto query = item.find("callback_query"); query != item.end() && query->is_object()) {
    read_callback(*query, update);
  }
  if (!update.is_text && !update.is_callback) {  // kept for its id only
    const std::int64_t id = update.update_id;
    update = TelegramUpdate{};
    update.update_id = id;
  }
  return update;
}

// The "result" of an accepted answer, or an error naming `method`.
Result<json> answer_result(const std::string& method, const std::string& answer_json) {
  const json answer = json::parse(answer_json, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object()) return Error::failure(fmt::format("Telegram {}: the answer is not a JSON object", method));
  const auto ok = answer.find("ok");
  if (ok == answer.end() || !ok->is_boolean() || !ok->get<bool>()) {
    return Error::failure(fmt::format("Telegram {}: the answer is not ok", method));
  }
  const auto result = answer.find("result");
  if (result == answer.end()) return Error::failure(fmt::format("Telegram {}: the answer has no result", method));
  return *result;
}

}  // namespace

Result<std::vector<TelegramUpdate>> parse_updates(const std::string& answer_json) {
  VIGIL_ASSIGN_OR_RETURN(const json result, answer_result("getUpdates", answer_json));
  if (!result.is_array()) return Error::failure("Telegram getUpdates: the answer has no result array");
  std::vector<TelegramUpdate> updates;
  for (const json& item : result) {
    if (!item.is_object() || !item.contains("update_id") || !item["update_id"].is_number_integer()) {
      return Error::failure("Telegram getUpdates: an update without an integer update_id");
    }
    updates.push_back(read_update(item));
  }
  return updates;
}

bool update_from_chat(const TelegramUpdate& update, const std::string& chat_id) {
  if ((!update.is_text && !update.is_callback) || chat_id.empty()) return false;
  if (chat_id.front() == '@') return !update.chat_username.empty() && chat_id.substr(1) == update.chat_username;
  return chat_id == update.chat_id;
}

Result<std::int64_t> sent_message_id(const std::string& method, const std::string& answer_json) {
  VIGIL_ASSIGN_OR_RETURN(const json result, answer_result(method, answer_json));
  const auto id = result.is_object() ? result.find("message_id") : result.end();
  if (!result.is_object() || id == result.end() || !id->is_number_integer()) {
    return Error::failure(fmt::format(
        "Telegram {}: the message was sent, but the answer has no message_id to edit it by", method));
  }
  return id->get<std::int64_t>();
}

Result<std::string> bot_username(const std::string& answer_json) {
  VIGIL_ASSIGN_OR_RETURN(const json result, answer_result("getMe", answer_json));
  const std::string username = result.is_object() ? string_field(result, "username") : std::string();
  if (username.empty()) return Error::failure("Telegram getMe: the answer has no username");
  return username;
}

}  // namespace vigil
