// getUpdates answers read into TelegramUpdate. See updates.h.
#include "telegram/updates.h"

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

TelegramUpdate read_update(const json& item) {
  TelegramUpdate update;
  update.update_id = item["update_id"].get<std::int64_t>();
  const auto message = item.find("message");
  if (message == item.end() || !message->is_object()) return update;
  const auto chat = message->find("chat");
  const auto text = message->find("text");
  if (chat == message->end() || !chat->is_object() || text == message->end() || !text->is_string()) {
    return update;
  }
  update.chat_id = id_text(*chat);
  if (update.chat_id.empty()) return update;
  update.chat_username = string_field(*chat, "username");
  update.text = text->get<std::string>();
  if (const auto date = message->find("date"); date != message->end() && date->is_number_integer()) {
    update.date = date->get<EpochSeconds>();
  }
  const auto from = message->find("from");
  if (from != message->end() && from->is_object()) {
    const std::string user = id_text(*from);
    update.user_id = user.empty() ? 0 : std::stoll(user);
    update.username = string_field(*from, "username");
    update.first_name = string_field(*from, "first_name");
  }
  update.is_text = true;
  return update;
}

}  // namespace

Result<std::vector<TelegramUpdate>> parse_updates(const std::string& answer_json) {
  const json answer = json::parse(answer_json, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object()) return Error::failure("Telegram getUpdates: the answer is not a JSON object");
  const auto ok = answer.find("ok");
  if (ok == answer.end() || !ok->is_boolean() || !ok->get<bool>()) {
    return Error::failure("Telegram getUpdates: the answer is not ok");
  }
  const auto result = answer.find("result");
  if (result == answer.end() || !result->is_array()) {
    return Error::failure("Telegram getUpdates: the answer has no result array");
  }
  std::vector<TelegramUpdate> updates;
  for (const json& item : *result) {
    if (!item.is_object() || !item.contains("update_id") || !item["update_id"].is_number_integer()) {
      return Error::failure("Telegram getUpdates: an update without an integer update_id");
    }
    updates.push_back(read_update(item));
  }
  return updates;
}

bool update_from_chat(const TelegramUpdate& update, const std::string& chat_id) {
  if (!update.is_text || chat_id.empty()) return false;
  if (chat_id.front() == '@') return !update.chat_username.empty() && chat_id.substr(1) == update.chat_username;
  return chat_id == update.chat_id;
}

}  // namespace vigil
