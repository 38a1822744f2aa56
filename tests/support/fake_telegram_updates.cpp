// The fake Bot API's getUpdates side: messages the test queues, confirmed by
// offsets, long polls that end when one arrives, the kinds asked for, and the
// 409s. See fake_telegram.h.
#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "support/fake_telegram.h"

namespace vigil {

using nlohmann::json;

bool FakeTelegram::allowed(const std::string& kind) const {
  return allowed_updates_.empty() || allowed_updates_.count(kind) > 0;
}

void FakeTelegram::queue_update(const std::string& kind, const json& body) {
  if (!allowed(kind)) return;  // Telegram makes no update the bot did not ask for
  const std::int64_t id = first_update_id_ + static_cast<std::int64_t>(updates_.size());
  updates_.push_back(json{{"update_id", id}, {kind, body}}.dump());
}

std::int64_t FakeTelegram::push_message(const std::string& chat_id, std::int64_t user_id,
                                        const std::string& username, const std::string& first_name,
                                        const std::string& text) {
  std::int64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    id = first_update_id_ + static_cast<std::int64_t>(updates_.size());
    json from = {{"id", user_id}, {"is_bot", false}, {"first_name", first_name}};
    if (!username.empty()) from["username"] = username;
    const json message = {{"message_id", next_message_id_++},
                          {"date", static_cast<long long>(std::time(nullptr))},
                          {"chat", {{"id", fake_telegram_chat_json(chat_id)}, {"type", "supergroup"}}},
                          {"from", from},
                          {"text", text}};
    queue_update("message", message);
  }
  updated_.notify_all();
  return id;
}

void FakeTelegram::set_webhook(bool set) {
  std::lock_guard<std::mutex> lock(mutex_);
  webhook_ = set;
}

std::size_t FakeTelegram::unconfirmed_updates() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return updates_.size();
}

FakeTelegram::Reply FakeTelegram::get_updates(const std::map<std::string, std::string>& fields, FakeTelegramAttempt& attempt) {
  long long offset = 0;
  long long timeout = 0;
  try {
    if (fields.count("offset")) offset = std::stoll(fields.at("offset"));
    if (fields.count("timeout")) timeout = std::stoll(fields.at("timeout"));
  } catch (const std::exception&) {
    return error(attempt, 400, "Bad Request: wrong parameter value");
  }
  const json allowed_updates =
      fields.count("allowed_updates") ? json::parse(fields.at("allowed_updates"), nullptr, false) : json();
  if (!allowed_updates.is_null() && !allowed_updates.is_array()) {
    return error(attempt, 400, "Bad Request: can't parse allowed_updates JSON array");
  }
  std::unique_lock<std::mutex> lock(mutex_);
  if (allowed_updates.is_array()) {
    allowed_updates_.clear();
    for (const json& kind : allowed_updates) {
      if (kind.is_string()) allowed_updates_.insert(kind.get<std::string>());
    }
  }
  if (webhook_) {
    lock.unlock();
    return error(attempt, 409,
                 "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                 "the webhook first");
  }
  const long long poll = ++polls_;
  updated_.notify_all();
  // offset confirms: every update below it is gone for good.
  while (!updates_.empty() && first_update_id_ < offset) {
    updates_.pop_front();
    ++first_update_id_;
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::seconds(std::clamp<long long>(timeout, 0, kMaxLongPollSeconds));
  updated_.wait_until(lock, deadline, [&] { return stop_ || !updates_.empty() || polls_ != poll; });
  if (polls_ != poll) {
    lock.unlock();
    return error(attempt, 409,
                 "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
                 "running");
  }
  json result = json::array();
  for (const std::string& update : updates_) result.push_back(json::parse(update));
  attempt.status = 200;
  attempts_.push_back(attempt);
  Reply reply;
  reply.body = json{{"ok", true}, {"result", result}}.dump(-1, ' ', false, json::error_handler_t::replace);
  return reply;
}

}  // namespace vigil
