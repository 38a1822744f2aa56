// The Bot API's answers, pure: getUpdates' JSON read into plain structs, so
// the chat module never sees JSON and the parsing is tested alone, and the
// few values read from other answers (a sent message's id, the bot's name).
// Only what the bot needs is kept: who wrote what, or pressed which button
// under which message, in which chat.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"

namespace vigil {

struct TelegramUpdate {
  std::int64_t update_id = 0;  // confirmed by asking with offset = update_id + 1
  // A text message (a "message" update with text), or a button of an inline
  // keyboard pressed (a "callback_query" update with data, on a message in a
  // chat); other updates (a photo, a member joining, kinds vigil did not ask
  // for) are kept only for their id, with both false.
  bool is_text = false;
  bool is_callback = false;
  std::string chat_id;        // the chat's numeric id as text ("-1001234567890")
  std::string chat_username;  // a public chat's @name without "@", else ""
  std::int64_t user_id = 0;   // the sender, or who pressed (0 if none, e.g. a channel post)
  std::string username;       // their @name without "@", may be ""
  std::string first_name;
  std::string text;           // a text message's text; "" for a callback
  EpochSeconds date = 0;      // when a text message was sent (Unix time); 0 if absent and for a
                              // callback (Telegram does not say when the button was pressed)
  // Callbacks only: the query's id (to answer it), the pressed button's
  // callback_data, and the id of the message the button is under.
  std::string callback_id;
  std::string callback_data;
  std::int64_t message_id = 0;
};

// The updates of a getUpdates answer ({"ok":true,"result":[...]}), in order.
// An answer that is not that shape is an error naming what is wrong; an update
// with unexpected fields is kept with is_text = false, never an error, so one
// odd update cannot stop the bot from confirming it.
Result<std::vector<TelegramUpdate>> parse_updates(const std::string& answer_json);

// Whether `update`, a text message or a callback, came from the chat `chat_id`
// ([telegram] chat_id: a numeric id, or "@name" of a public chat).
bool update_from_chat(const TelegramUpdate& update, const std::string& chat_id);

// The message_id of the message in an accepted answer of `method` (sendMessage,
// sendPhoto: {"ok":true,"result":{"message_id":N,...}}); an error saying the
// message went out but its id is unknown if the answer has none.
Result<std::int64_t> sent_message_id(const std::string& method, const std::string& answer_json);

// The bot's username from a getMe answer ({"ok":true,"result":{"username":..}}).
Result<std::string> bot_username(const std::string& answer_json);

}  // namespace vigil
