// The bot's commands, pure apart from the alert store and the report sender
// it is handed: a chat message in, the reply out (Telegram HTML, every outside
// text escaped). The chat and the command line are two doors to the same alert
// state, so /silence writes the silence `vigil silence add` writes.
//
//   /status                          what is firing now, with dashboard links
//   /silence METRIC DURATION [dimension=value] [comment]
//                                    METRIC may be "all"; DURATION 90m, 2h, 1d;
//                                    from the start of the current bucket (the
//                                    one the next alert run checks) to now + DURATION
//   /silences                        the silences not over yet
//   /unsilence ID                    ends a silence now
//   /report [YYYY-MM-DD]             sends that day's report now (default
//                                    yesterday), when the caller can
//   /help                            the list
//
// A command may carry the bot's name (/status@vigil_bot, as Telegram writes
// it in groups); one addressed to another bot gets no reply. Text that is not
// a command gets no reply either (people talk in the chat); an unknown
// command gets a short hint. Who set a silence: the sender's @username, else
// the first name.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "alert/store.h"
#include "base/time.h"
#include "config/config.h"
#include "telegram/updates.h"

namespace vigil {

// Sends the report of `day` to the chat now, even if it went out before;
// returns where it went in one line (serve wires the report job's code).
using ReportSender = std::function<Result<std::string>(Days day)>;

struct ChatContext {
  const Config& config;             // [alerts] dashboard_url for the links
  const date::time_zone* zone;      // the business zone: the times in replies
  EpochSeconds now = 0;             // the clock, read by the caller
  std::string bot_username;         // without "@"; "" = answer /cmd@anything
  ReportSender send_report = nullptr;  // unset: /report says which command to run
};

// Who sent `message`, as silences and feedback record it: "@ann", else the
// first name, else "user 42".
std::string sender_name(const TelegramUpdate& message);

// The reply to `message` (a text update from the allowed chat), or nullopt
// when it wants none. Failures of the store are replies too, in one line.
std::optional<std::string> answer_command(const TelegramUpdate& message, AlertStore& store,
                                          const ChatContext& context);

}  // namespace vigil
