// A press of a button under an alert message (alert/buttons.h), from the chat
// the bot obeys. The press acts on every alert the message carried (the store
// knows them by Telegram's message id; failing that, on the main alert the
// button names):
//   Silence 1h / Silence until 09:00 tomorrow: a silence per metric of those
//     alerts, from the bucket under way, by who pressed (a metric already
//     silenced to within a bucket of that end is left as it is: a double press);
//   Real / False alarm: that verdict on each that fired or repeated, by who pressed (the
//     latest press counts: people change their minds);
//   the silence mark: says until when and how to end it.
// The outcome is a short toast for answerCallbackQuery and the keyboard
// redrawn from the state, so the message shows who did what.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "alert/store.h"
#include "chat/commands.h"  // ChatContext
#include "telegram/telegram.h"

namespace vigil {

struct PressOutcome {
  std::string toast;                       // at most 200 characters, plain text
  std::optional<InlineKeyboard> keyboard;  // the message's new keyboard; unset: leave it
};

PressOutcome act_on_press(const TelegramUpdate& press, AlertStore& store, const ChatContext& context);

// Pure: the silences a silence button adds for `records` (the alerts of one
// message) over [starts, ends): one per metric, for that metric's one slice
// when the message carried only that slice of it, else for every slice.
std::vector<Silence> press_silences(const std::vector<AlertRecord>& records, EpochSeconds starts,
                                    EpochSeconds ends, const std::string& by, EpochSeconds now);

}  // namespace vigil
