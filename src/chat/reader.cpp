// The bot's reader. See reader.h.
#include "chat/reader.h"

#include <cctype>
#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/backoff.h"
#include "base/files.h"
#include "base/parse.h"
#include "base/strings.h"
#include "chat/buttons.h"
#include "chat/commands.h"

namespace vigil {
namespace {

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool allowed_user(const TelegramUpdate& update, const std::vector<std::string>& allowed) {
  if (allowed.empty()) return true;
  for (const std::string& user : allowed) {
    if (!user.empty() && user.front() == '@') {
      if (!update.username.empty() && lowercase(user.substr(1)) == lowercase(update.username)) return true;
    } else if (update.user_id != 0 && user == std::to_string(update.user_id)) {
      return true;
    }
  }
  return false;
}

// Why the bot ignores `update`, for the log (no text, no token).
std::string ignored_line(const TelegramUpdate& update, const TelegramConfig& config) {
  if (!update.is_text && !update.is_callback) {
    return fmt::format("chat: update {} is neither a text message nor a button press: ignored", update.update_id);
  }
  const std::string who = update.username.empty() ? fmt::format("user {}", update.user_id)
                                                  : fmt::format("user {} (@{})", update.user_id, update.username);
  if (!update_from_chat(update, config.chat_id)) {
    return fmt::format("chat: {} from {} in chat {}, not the configured chat {}: ignored",
                       update.is_callback ? "button press" : "message", who, update.chat_id, config.chat_id);
  }
  return fmt::format("chat: {} from {} in chat {}, not in [telegram] allowed_users: ignored",
                     update.is_callback ? "button press" : "message", who,
                     update.chat_id);
}

}  // namespace

bool obeys(const TelegramUpdate& update, const TelegramConfig& config) {
  return update_from_chat(update, config.chat_id) && allowed_user(update, config.allowed_users);
}

Result<std::optional<std::int64_t>> read_chat_offset(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<std::int64_t>();
  auto text = read_file(path);
  if (!text.ok()) return text.error();
  std::string number = *text;
  while (!number.empty() && std::isspace(static_cast<unsigned char>(number.back()))) number.pop_back();
  auto offset = parse_int64(number);
  if (!offset.ok()) {
    return Error::failure(fmt::format("{}: {}: remove the file to read the bot's messages from the oldest one "
                                      "Telegram keeps",
                                      path, offset.error().message));
  }
  return std::optional<std::int64_t>(*offset);
}

Status write_chat_offset(const std::string& path, std::int64_t offset) {
  return write_file(path, fmt::format("{}\n", offset));
}

namespace {

bool stale(const TelegramUpdate& update, EpochSeconds now) {
  return update.date > 0 && now - update.date > kStaleCommandSeconds && !update.text.empty() &&
         update.text[0] == '/';
}

std::string stale_reply(const TelegramUpdate& update, const ChatContext& context) {
  const std::string command = update.text.substr(0, update.text.find(' '));
  spdlog::info("chat: a command from user {} sent {} min ago is not run", update.user_id,
               (context.now - update.date) / 60);
  return fmt::format("⏳ Not run: {} from {} came while the bot was not reading ({} min ago). "
                     "Send it again if it still holds.",
                     html_escape(command), format_local_time(update.date, context.zone).substr(0, 16),
                     (context.now - update.date) / 60);
}

// A button press: acted on when the bot obeys its sender, then answered (the
// client shows a spinner until then) and the message's keyboard redrawn.
Status handle_press(const TelegramUpdate& press, TelegramBot& bot, AlertStore& store,
                    const ChatReaderOptions& options) {
  PressOutcome outcome;
  if (obeys(press, options.config.telegram)) {
    const ChatContext context{options.config, options.zone, options.now(), options.bot_username,
                              options.send_report};
    outcome = act_on_press(press, store, context);
  } else {
    spdlog::info("{}", ignored_line(press, options.config.telegram));
    outcome.toast = "Not for you: this bot takes buttons only from its team ([telegram] allowed_users)";
  }
  VIGIL_TRY(write_chat_offset(options.offset_path, press.update_id + 1));
  if (auto answered = bot.answer_callback_query(press.callback_id, outcome.toast); !answered.ok()) {
    spdlog::warn("chat: button press not answered: {}", answered.error().message);
  }
  if (outcome.keyboard) {
    if (auto edited = bot.edit_message_reply_markup(press.message_id, *outcome.keyboard); !edited.ok()) {
      spdlog::warn("chat: the pressed message's buttons not redrawn: {}", edited.error().message);
    }
  }
  return {};
}

}  // namespace

Result<std::int64_t> handle_updates(const std::vector<TelegramUpdate>& updates, std::int64_t offset,
                                    TelegramBot& bot, AlertStore& store, const ChatReaderOptions& options) {
  for (const TelegramUpdate& update : updates) {
    if (update.update_id < offset) continue;  // confirmed already (Telegram does not send these)
    if (update.is_callback) {
      VIGIL_TRY(handle_press(update, bot, store, options));
      offset = update.update_id + 1;
      continue;
    }
    std::optional<std::string> reply;
    if (obeys(update, options.config.telegram)) {
      const ChatContext context{options.config, options.zone, options.now(), options.bot_username,
                                options.send_report};
      reply = stale(update, context.now) ? stale_reply(update, context)
                                         : answer_command(update, store, context);
      if (reply) spdlog::info("chat: command from user {} answered", update.user_id);
    } else {
      spdlog::info("{}", ignored_line(update, options.config.telegram));
    }
    offset = update.update_id + 1;
    VIGIL_TRY(write_chat_offset(options.offset_path, offset));
    if (reply) {
      if (auto sent = bot.send_message(*reply, {}); !sent.ok()) {
        spdlog::error("chat: reply not sent: {}", sent.error().message);
      }
    }
  }
  return offset;
}

void run_chat_reader(TelegramBot& bot, AlertStore& store, const ChatReaderOptions& given) {
  ChatReaderOptions options = given;
  if (options.bot_username.empty()) {
    if (auto me = bot.get_me(); me.ok()) {
      options.bot_username = *me;
    } else {
      spdlog::warn("chat: {}; answering /command@anybot", me.error().message);
    }
  }
  auto saved = read_chat_offset(options.offset_path);
  if (!saved.ok()) return spdlog::error("chat: {}; the bot reads no commands", saved.error().message);
  std::int64_t offset = saved->value_or(0);
  spdlog::info("chat: reading the bot's messages (offset {})", offset);
  const Backoff backoff{1, 60};
  int failures = 0;
  while (!options.stopping()) {
    auto updates = bot.get_updates(offset, options.poll_seconds, options.stopping);
    if (options.stopping()) break;
    Result<std::int64_t> next = updates.ok() ? handle_updates(*updates, offset, bot, store, options)
                                             : Result<std::int64_t>(updates.error());
    if (next.ok()) {
      offset = *next;
      failures = 0;
      continue;
    }
    const double wait = backoff.delay(failures++);
    spdlog::error("chat: {}; asking again in {:g} s", next.error().message, wait);
    if (!options.wait(wait)) break;
  }
  spdlog::info("chat: stopped reading the bot's messages");
}

}  // namespace vigil
