// The bot's reader: long-polls the Bot API for messages and button presses,
// obeys the commands and presses from the configured chat (and, when
// `[telegram] allowed_users` is set, only from those users), ignores and logs
// anything else in one line (chat and user ids, never the text or the token),
// and replies in the chat; every press is answered (a toast: "Not for you"
// when it is not obeyed) and its message's buttons redrawn (chat/buttons.h).
//
// The offset (the next update_id wanted) lives in a small file in the state
// directory, written atomically after each command and before its reply, so a
// restart neither runs a command again nor loses one still queued at Telegram
// (unconfirmed updates wait there for 24 hours). A crash between a command's
// change to the store and the offset's write re-runs that one command.
// A command older than kStaleCommandSeconds (sent while no reader ran: a
// first start, serve down) is not run; the reply says so, so nobody finds a
// day-old "/silence all 1d" acted on.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "alert/store.h"
#include "base/result.h"
#include "chat/commands.h"  // ReportSender
#include "config/config.h"
#include "telegram/telegram.h"

namespace vigil {

constexpr EpochSeconds kStaleCommandSeconds = 600;

// Whether the bot obeys `update`: a text message from `config.chat_id`, and
// from one of `config.allowed_users` when the list is not empty (by numeric
// id, or by @username, case-insensitively). Pure.
bool obeys(const TelegramUpdate& update, const TelegramConfig& config);

// The offset file: the next update_id to ask for; nullopt when missing (the
// first start); an unreadable file is an error naming it.
Result<std::optional<std::int64_t>> read_chat_offset(const std::string& path);
Status write_chat_offset(const std::string& path, std::int64_t offset);

struct ChatReaderOptions {
  const Config& config;
  const date::time_zone* zone;
  std::string offset_path;                     // state_dir/telegram.offset
  std::function<EpochSeconds()> now;           // the clock for the commands
  std::function<bool()> stopping;              // true once the reader is to end
  std::function<bool(double)> wait;            // sleeps (seconds); false if stopped meanwhile
  int poll_seconds = 25;                       // getUpdates long-poll timeout
  std::string bot_username;                    // "" = ask getMe
  ReportSender send_report = nullptr;          // /report; unset: it says what to run
};

// Handles one batch of updates in order: obeys or ignores each, writes the
// offset after it, replies (or answers the press). Returns the next offset.
Result<std::int64_t> handle_updates(const std::vector<TelegramUpdate>& updates, std::int64_t offset,
                                    TelegramBot& bot, AlertStore& store, const ChatReaderOptions& options);

// Asks Telegram the bot's name (getMe) unless `options.bot_username` is set,
// so that in a group /status@other_bot is left to that bot. Then polls and
// handles until `options.stopping()`; errors (Telegram down, a
// webhook set) are logged and retried with a backoff of 1 s doubling to 60 s.
void run_chat_reader(TelegramBot& bot, AlertStore& store, const ChatReaderOptions& options);

}  // namespace vigil
