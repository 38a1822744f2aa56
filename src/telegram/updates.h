// The Bot API's updates (getUpdates), pure: the answer's JSON read into plain
// structs, so the chat module never sees JSON and the parsing is tested alone.
// Only what the bot's commands need is kept: who wrote what in which chat.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"

namespace vigil {

struct TelegramUpdate {
  std::int64_t update_id = 0;  // confirmed by asking with offset = update_id + 1
  // A text message (a "message" update with text); other updates (a photo, a
  // member joining, kinds vigil did not ask for) are kept only for their id.
  bool is_text = false;
  std::string chat_id;        // the chat's numeric id as text ("-1001234567890")
  std::string chat_username;  // a public chat's @name without "@", else ""
  std::int64_t user_id = 0;   // the sender (0 if none, e.g. a channel post)
  std::string username;       // the sender's @name without "@", may be ""
  std::string first_name;
  std::string text;
  EpochSeconds date = 0;      // when it was sent (Unix time); 0 if absent
};

// The updates of a getUpdates answer ({"ok":true,"result":[...]}), in order.
// An answer that is not that shape is an error naming what is wrong; an update
// with unexpected fields is kept with is_text = false, never an error, so one
// odd update cannot stop the bot from confirming it.
Result<std::vector<TelegramUpdate>> parse_updates(const std::string& answer_json);

// Whether `update` came from the chat `chat_id` ([telegram] chat_id: a numeric
// id, or "@name" of a public chat).
bool update_from_chat(const TelegramUpdate& update, const std::string& chat_id);

}  // namespace vigil
