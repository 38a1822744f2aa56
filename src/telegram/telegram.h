// Telegram Bot API client (libcurl): the daily report and alerts go out as
// HTML messages, single photos and albums, a message or photo possibly with an
// inline keyboard; the bot reads commands and button presses with getUpdates,
// answers the presses and edits its messages' text, caption and buttons.
//
// Retries: 429 waits the `retry_after` Telegram asks for (capped) and retries;
// 5xx answers and network errors retry with exponential backoff; every other
// answer (400 bad request, 401 bad token, 403 forbidden, 404) fails at once
// with a one-line error naming the cause and the setting to check. At most
// `max_attempts` requests per call in all. A timeout after the request went
// out is retried too, so in that rare case a message can arrive twice (better
// than an alert lost). The bot token is never part of an error or a log line
// (URLs are logged as .../bot<redacted>/sendMessage). Logs: info per attempt
// (method, size, attempt n/max; getUpdates at debug), warn per retry, debug per answer.
//
// An edit Telegram refuses as "message is not modified" (the same text and
// buttons as now: a button pressed twice) succeeds.
//
// Limits are checked before anything is sent (callers split and trim with
// telegram/text.h): text ≤ 4096 and caption ≤ 1024 visible UTF-16 units,
// 2..10 photos per album, PNG photos ≤ 10 MB, keyboards as keyboard.h says,
// a callback answer's text ≤ 200 characters (UTF-16 units).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/sleeper.h"  // Sleeper: the waits between retries, injected
#include "config/config.h"  // TelegramConfig
#include "telegram/keyboard.h"  // InlineButton, InlineKeyboard
#include "telegram/updates.h"  // TelegramUpdate

namespace vigil {

struct Photo {
  std::string filename;  // shown by Telegram clients on download ("dau.png")
  std::string png;       // the PNG bytes
};

// What the report and alert modules depend on; their tests can use a fake.
class Telegram {
 public:
  virtual ~Telegram() = default;
  // parse_mode=HTML, link previews off; `buttons` under it (empty: none).
  // The message's id in the chat (for edits and to match button presses).
  virtual Result<std::int64_t> send_message(const std::string& html, const InlineKeyboard& buttons) = 0;
  // One photo (multipart upload); an empty caption sends none. The message's id.
  virtual Result<std::int64_t> send_photo(const Photo& photo, const std::string& caption_html,
                                          const InlineKeyboard& buttons) = 0;
  // An album of 2..10 photos, uploaded as parts photo0, photo1, ... and
  // referenced as attach://photoN; the caption goes on the first item.
  virtual Status send_media_group(const std::vector<Photo>& photos, const std::string& caption_html) = 0;
};

// A bot that also reads what is written to it (`vigil serve`'s chat reader)
// and edits its own messages in the configured chat.
class TelegramBot : public Telegram {
 public:
  // getUpdates by long polling: the updates after `offset` (asking with
  // offset = last update_id + 1 confirms, so Telegram drops, the earlier ones),
  // waiting up to `timeout_seconds` for one to arrive; only "message" and
  // "callback_query" (a button pressed) updates.
  // One request, no retries (the reader asks again anyway); `cancelled` is
  // polled during the wait and ends it early with an error saying so. A 409
  // (a webhook is set, or another reader polls with this token) is a one-line
  // error saying which and what to do.
  virtual Result<std::vector<TelegramUpdate>> get_updates(std::int64_t offset, int timeout_seconds,
                                                          const std::function<bool()>& cancelled) = 0;
  // Ends the press's progress bar in the user's client, showing `text` (plain,
  // ≤ 200 characters; "" shows nothing) as a short notice. Telegram takes the
  // answer only for a short while after the press, and only once.
  virtual Status answer_callback_query(const std::string& callback_query_id, const std::string& text) = 0;
  // Replaces the buttons of message `message_id` (empty: removes them).
  virtual Status edit_message_reply_markup(std::int64_t message_id, const InlineKeyboard& buttons) = 0;
  // Replaces the text (HTML, as send_message) and the buttons of a text message.
  virtual Status edit_message_text(std::int64_t message_id, const std::string& html,
                                   const InlineKeyboard& buttons) = 0;
  // Replaces the caption (HTML, ≤ 1024; "" removes it) and the buttons of a photo.
  virtual Status edit_message_caption(std::int64_t message_id, const std::string& caption_html,
                                      const InlineKeyboard& buttons) = 0;
  // The bot's @username without "@" (getMe), to tell its /cmd@bot from another bot's.
  virtual Result<std::string> get_me() = 0;
};

// Local checks of the settings (token and chat set, token without spaces or
// URL characters, api_url http(s)); usage errors (exit 2). Each send runs them.
Status check_telegram_config(const TelegramConfig& config);

// The Bot API client. `sleeper` must outlive it.
std::unique_ptr<Telegram> make_bot_api_telegram(const TelegramConfig& config, Sleeper& sleeper);
std::unique_ptr<TelegramBot> make_bot_api_bot(const TelegramConfig& config, Sleeper& sleeper);

}  // namespace vigil
