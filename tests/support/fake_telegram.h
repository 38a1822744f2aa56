// A fake Telegram Bot API server for tests, on a free loopback port, served by
// a background thread. It checks requests the way the real one does and
// records what arrived, so tests see exactly what Telegram would have seen.
//
// Built on plain POSIX sockets, not cpp-httplib: Debian's cpp-httplib 0.11 is
// a compiled library (libcpp-httplib.so, built with OpenSSL/zlib/brotli
// defines), not header-only, and the build does not link it.
//
// Checked, with the real API's answers:
//   POST (or GET) /bot<TOKEN>/<method>; a wrong token -> 401 "Unauthorized";
//   another path or method -> 404 "Not Found".
//   Bodies as JSON, x-www-form-urlencoded or multipart/form-data (+ query string).
//   chat_id required and equal to the configured chat, else 400 "Bad Request: chat not found".
//   sendMessage: text non-empty and at most 4096 UTF-16 units after entity parsing
//   ("message text is empty" / "message is too long").
//   sendPhoto: `photo` an uploaded file part (or attach://part); caption ≤ 1024
//   ("message caption is too long").
//   sendMediaGroup: `media` a JSON array of 2..10 {"type":"photo","media":"attach://part"}
//   whose parts were uploaded; captions ≤ 1024 each.
//   parse_mode HTML: only Telegram's tags (b strong i em u ins s strike del a code pre
//   span class="tg-spoiler" tg-spoiler blockquote tg-emoji), properly nested and closed,
//   else 400 "Bad Request: can't parse entities: ..."; other parse modes -> 400.
//   Every uploaded file must start with the PNG signature, else 400 "Bad Request: IMAGE_PROCESS_FAILED".
//   getUpdates (no chat_id): the text messages queued by push_message, as "message"
//   updates with increasing update_id; `offset` confirms, dropping every update with
//   a lower id for good; with none left, `timeout` seconds of long polling (capped at
//   kMaxLongPollSeconds so tests stay fast) end early when one is pushed; a newer
//   getUpdates ends a waiting one with 409 "Conflict: terminated by other getUpdates
//   request"; while a webhook is set (set_webhook), 409 "Conflict: can't use getUpdates
//   method while webhook is active". getUpdates requests are answered on their own
//   threads, so a long poll never holds up a sendMessage; they are attempts, not calls.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "telegram/telegram.h"

namespace vigil {

struct FakeTelegramPhoto {
  std::string part_name;     // multipart field name ("photo", "photo0", ...)
  std::string filename;      // from Content-Disposition
  std::string content_type;  // of the part ("image/png")
  std::string bytes;
};

// One accepted call.
struct FakeTelegramCall {
  std::string method;      // "sendMessage", "sendPhoto", "sendMediaGroup"
  std::string chat_id;
  std::string text;        // sendMessage: the text as sent; else the caption (album: of the first item)
  std::string parse_mode;  // of `text`, as sent ("" if none)
  bool disable_web_page_preview = false;
  std::vector<std::string> media_captions;  // sendMediaGroup: each item's caption, in media order
  std::vector<FakeTelegramPhoto> photos;    // sendPhoto: one; sendMediaGroup: in media order
  nlohmann::json reply_markup;  // the reply_markup as sent, parsed; null if none
  std::int64_t message_id = 0;  // the message sent (an album: its first) or edited
  std::chrono::steady_clock::time_point arrived;
};

// A message the bot sent, as it is now (after edits).
struct FakeTelegramMessage {
  bool photo = false;      // sendPhoto or an album item: `text` is the caption
  std::string text;        // the text or caption, as sent (HTML source)
  std::string parse_mode;  // as sent
  nlohmann::json inline_keyboard = nlohmann::json::array();  // rows of buttons as sent; [] = none
  long long date = 0;      // when it was sent (Unix time)
};

// One accepted answerCallbackQuery.
struct FakeTelegramCallbackAnswer {
  std::string callback_query_id;
  std::string text;
  bool show_alert = false;
};

// One request, accepted or not.
struct FakeTelegramAttempt {
  std::string method;       // the last path segment ("sendMessage"), whatever it was
  int status = 0;           // HTTP status answered; 0 if the connection was dropped
  std::string description;  // the error description answered; empty when accepted
  std::chrono::steady_clock::time_point arrived;
};

// A chat id as Telegram writes it in JSON: a number when it is one, else the text.
nlohmann::json fake_telegram_chat_json(const std::string& chat_id);

class FakeTelegram {
 public:
  static constexpr const char* kDefaultToken = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
  static constexpr const char* kDefaultChat = "-1001234567890";

  // Listens on 127.0.0.1 at a free port; throws std::runtime_error if it cannot.
  explicit FakeTelegram(std::string token = kDefaultToken, std::string chat_id = kDefaultChat);
  ~FakeTelegram();
  FakeTelegram(const FakeTelegram&) = delete;
  FakeTelegram& operator=(const FakeTelegram&) = delete;

  std::string url() const;  // http://127.0.0.1:PORT
  int port() const { return port_; }
  const std::string& token() const { return token_; }
  const std::string& chat_id() const { return chat_id_; }
  // Client settings for this server (5 s timeout, 5 attempts, 1 s backoff).
  TelegramConfig config() const;

  // Scripted faults, used in order, one per request, before any checking
  // (fail_next and disconnect_next: one per send, never a getUpdates).
  // 429 answers "Too Many Requests: retry after N" with parameters.retry_after = N
  // (none if retry_after <= 0); 500 and 4xx answer the Bot API's JSON; 502, 503
  // and 504 answer an nginx-style HTML page, as Telegram's front end does.
  void fail_next(int error_code, int retry_after = 0);
  void fail_next(int error_code, const std::string& description, int retry_after = 0);
  // Like fail_next, but the fault waits for a request to `method` ("sendMediaGroup"):
  // while it is the first fault queued, requests to other methods are served normally.
  void fail_next_on(const std::string& method, int error_code, int retry_after = 0);
  // Reads the next request and closes the connection without an answer.
  void disconnect_next();
  std::size_t pending_faults() const;
  // A slow Bot API: every request is recorded as usual, then answered only after
  // `delay` (0 = at once). Requests are served one at a time, so they queue.
  // With `method` ("sendMessage"), only that method's answers wait.
  void set_reply_delay(std::chrono::milliseconds delay, const std::string& method = "");

  // The chat's side: queues a text message from user `user_id` in chat
  // `chat_id` (another chat than the configured one is fine: the bot must
  // ignore it). Returns its update_id.
  std::int64_t push_message(const std::string& chat_id, std::int64_t user_id, const std::string& username,
                            const std::string& first_name, const std::string& text);
  // The chat's side: user `user_id` presses the button with `data` under the
  // bot's message `message_id`, in chat `chat_id` (what the update says; the
  // message itself is in the configured chat). Throws std::logic_error if that
  // message has no such button (a real client cannot send anything else).
  // Queues a "callback_query" update; returns the query's id (for answerCallbackQuery).
  std::string push_callback(const std::string& chat_id, std::int64_t user_id, const std::string& username,
                            const std::string& first_name, std::int64_t message_id, const std::string& data);
  void set_bot_username(const std::string& username);  // getMe's
  // A message the bot sent, as it is now; nullopt if it sent none with that id.
  std::optional<FakeTelegramMessage> message(std::int64_t message_id) const;
  std::vector<FakeTelegramCallbackAnswer> callback_answers() const;  // in arrival order
  // A webhook set (true) or deleted (false): getUpdates answers 409 while one is set.
  void set_webhook(bool set);
  // Updates pushed and not yet confirmed by an offset.
  std::size_t unconfirmed_updates() const;
  static constexpr int kMaxLongPollSeconds = 1;

  std::vector<FakeTelegramCall> calls() const;        // accepted calls, in arrival order
  std::vector<FakeTelegramAttempt> attempts() const;  // every request, in arrival order

 private:
  struct Fault {
    int code = 0;
    int retry_after = 0;
    std::string description;
    bool disconnect = false;
    std::string method;  // "": any request
  };
  struct Reply {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    bool disconnect = false;
  };
  struct Request;
  using Fields = std::map<std::string, std::string>;

  void serve();
  void handle_connection(int fd);
  void respond(int fd, const Request& request);
  Reply get_updates(const Fields& fields, FakeTelegramAttempt& attempt);
  bool allowed(const std::string& kind) const;  // under mutex_: may an update of `kind` be queued
  void queue_update(const std::string& kind, const nlohmann::json& body);  // under mutex_
  Reply send(const std::string& method, const Fields& fields, const std::vector<FakeTelegramPhoto>& files,
             FakeTelegramCall call, FakeTelegramAttempt& attempt);
  void remember(FakeTelegramCall& call, nlohmann::json& result);  // under mutex_: ids, messages_
  Reply get_me(FakeTelegramAttempt& attempt);
  Reply answer_callback(const Fields& fields, FakeTelegramAttempt& attempt);
  Reply edit_message(const std::string& method, const Fields& fields, FakeTelegramCall call,
                     FakeTelegramAttempt& attempt);
  Reply accepted(FakeTelegramAttempt& attempt, const nlohmann::json& result);
  // The reply_markup field read as Telegram does: its error description, or
  // nullopt with `markup` the parsed object (null when the field is absent).
  static std::optional<std::string> read_markup(const Fields& fields, nlohmann::json& markup);
  Reply answer(const Request& request);
  Reply process(const Request& request, const std::string& method, FakeTelegramAttempt& attempt);
  Reply error(FakeTelegramAttempt& attempt, int code, const std::string& description, int retry_after = 0);

  const std::string token_;
  const std::string chat_id_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<long long> reply_delay_ms_{0};
  std::thread thread_;

  mutable std::mutex mutex_;
  std::deque<Fault> faults_;
  std::string reply_delay_method_;  // "": every method
  std::vector<FakeTelegramCall> calls_;
  std::vector<FakeTelegramAttempt> attempts_;
  long next_message_id_ = 1;
  std::deque<std::string> updates_;  // unconfirmed, as JSON, in update_id order
  std::int64_t first_update_id_ = 1;  // of updates_.front()
  bool webhook_ = false;
  long long polls_ = 0;  // getUpdates requests so far: a newer one ends an older one's wait
  std::condition_variable updated_;  // an update pushed, a newer poll, or stopping
  int active_polls_ = 0;  // getUpdates answered on their own (detached) threads
  std::set<std::string> allowed_updates_;  // of the last getUpdates that said; empty: every kind
  std::map<std::int64_t, FakeTelegramMessage> messages_;  // the bot's, by message_id
  std::map<std::string, bool> callbacks_;  // query ids handed out -> answered
  std::vector<FakeTelegramCallbackAnswer> callback_answers_;
  long long next_callback_ = 1;
  std::string bot_username_ = "vigil_bot";
};

}  // namespace vigil
