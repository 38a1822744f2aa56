// Telegram Bot API client: each method's local checks and request, over the
// transport in bot_api.h. See telegram.h.
//
// sendMessage, the edits, answerCallbackQuery, getMe and getUpdates go as JSON
// bodies; sendPhoto and sendMediaGroup as multipart/form-data with the PNGs as
// file parts. A keyboard goes as reply_markup, the JSON text of the markup
// (a string field in both kinds of body, which the Bot API reads alike).
#include "telegram/telegram.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>

#include "telegram/bot_api.h"
#include "telegram/text.h"

namespace vigil {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxPhotoBytes = 10 * 1024 * 1024;  // Telegram's limit for photos
constexpr std::size_t kMinAlbum = 2;
constexpr std::size_t kMaxAlbum = 10;
constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);

// JSON text; invalid UTF-8 becomes U+FFFD instead of throwing.
std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

Status status_of(const Result<std::string>& answer) {
  if (!answer.ok()) return answer.error();
  return {};
}

Status check_photo(const Photo& photo, const std::string& name) {
  if (photo.png.empty()) return Error::failure(fmt::format("Telegram photo '{}' is empty", name));
  if (photo.png.compare(0, kPngSignature.size(), kPngSignature) != 0) {
    return Error::failure(fmt::format("Telegram photo '{}' is not a PNG (no PNG signature)", name));
  }
  if (photo.png.size() > kMaxPhotoBytes) {
    return Error::failure(fmt::format("Telegram photo '{}' has {} bytes, more than the {} Telegram accepts",
                                      name, photo.png.size(), kMaxPhotoBytes));
  }
  return {};
}

// `html` within `limit` visible units, else an error naming the text.h
// function (`cut`: "split it with split_message") that makes it fit.
Status check_length(const std::string& html, const char* what, std::size_t limit, const char* cut) {
  const std::size_t units = visible_length(html);
  if (units > limit) {
    return Error::failure(fmt::format(
        "Telegram {} is {} characters (UTF-16 units), more than the {} Telegram allows: {}", what, units, limit, cut));
  }
  return {};
}

Status check_caption(const std::string& caption_html) {
  return check_length(caption_html, "caption", kTelegramMaxCaption, "trim it with trim_caption");
}

Status check_text(const std::string& html) {
  if (visible_length(html) == 0) return Error::failure("Telegram message text is empty");
  return check_length(html, "message", kTelegramMaxText, "split it with split_message");
}

// For the log: ", 3 buttons", or "" without a keyboard.
std::string buttons_summary(const InlineKeyboard& buttons) {
  std::size_t count = 0;
  for (const auto& row : buttons) count += row.size();
  return count == 0 ? std::string() : fmt::format(", {} button{}", count, count == 1 ? "" : "s");
}

class BotApiTelegram final : public TelegramBot {
 public:
  BotApiTelegram(TelegramConfig config, Sleeper& sleeper) : transport_(std::move(config), sleeper) {}

  Result<std::int64_t> send_message(const std::string& html, const InlineKeyboard& buttons) override {
    VIGIL_TRY(check_telegram_config(config()));
    VIGIL_TRY(check_text(html));
    VIGIL_TRY(check_inline_keyboard(buttons));
    json body = {{"chat_id", config().chat_id},
                 {"text", html},
                 {"parse_mode", "HTML"},
                 {"disable_web_page_preview", true}};
    if (!buttons.empty()) body["reply_markup"] = inline_keyboard_json(buttons);
    BotApiRequest request;
    request.method = "sendMessage";
    request.json_body = dump(body);
    request.summary = fmt::format("{} chars{}", visible_length(html), buttons_summary(buttons));
    VIGIL_ASSIGN_OR_RETURN(const std::string answer, transport_.call(request));
    return sent_message_id(request.method, answer);
  }

  Result<std::int64_t> send_photo(const Photo& photo, const std::string& caption_html,
                                  const InlineKeyboard& buttons) override {
    VIGIL_TRY(check_telegram_config(config()));
    const std::string filename = photo.filename.empty() ? "photo.png" : photo.filename;
    VIGIL_TRY(check_photo(photo, filename));
    VIGIL_TRY(check_caption(caption_html));
    VIGIL_TRY(check_inline_keyboard(buttons));
    BotApiRequest request;
    request.method = "sendPhoto";
    request.multipart = true;
    request.parts.push_back({"chat_id", config().chat_id, "", ""});
    request.parts.push_back({"photo", photo.png, filename, "image/png"});
    if (!caption_html.empty()) {
      request.parts.push_back({"caption", caption_html, "", ""});
      request.parts.push_back({"parse_mode", "HTML", "", ""});
    }
    if (!buttons.empty()) request.parts.push_back({"reply_markup", inline_keyboard_json(buttons), "", ""});
    request.summary = fmt::format("{} ({} bytes), caption {} chars{}", filename, photo.png.size(),
                                  visible_length(caption_html), buttons_summary(buttons));
    VIGIL_ASSIGN_OR_RETURN(const std::string answer, transport_.call(request));
    return sent_message_id(request.method, answer);
  }

  Status send_media_group(const std::vector<Photo>& photos, const std::string& caption_html) override {
    VIGIL_TRY(check_telegram_config(config()));
    if (photos.size() < kMinAlbum || photos.size() > kMaxAlbum) {
      return Error::failure(fmt::format("a Telegram album needs {} to {} photos, got {}", kMinAlbum,
                                        kMaxAlbum, photos.size()));
    }
    VIGIL_TRY(check_caption(caption_html));
    BotApiRequest request;
    request.method = "sendMediaGroup";
    request.multipart = true;
    json media = json::array();
    std::size_t bytes = 0;
    std::vector<BotApiPart> files;
    for (std::size_t i = 0; i < photos.size(); ++i) {
      const std::string part = fmt::format("photo{}", i);
      const std::string filename = photos[i].filename.empty() ? part + ".png" : photos[i].filename;
      VIGIL_TRY(check_photo(photos[i], filename));
      json item = {{"type", "photo"}, {"media", "attach://" + part}};
      if (i == 0 && !caption_html.empty()) {
        item["caption"] = caption_html;
        item["parse_mode"] = "HTML";
      }
      media.push_back(std::move(item));
      files.push_back({part, photos[i].png, filename, "image/png"});
      bytes += photos[i].png.size();
    }
    request.parts.push_back({"chat_id", config().chat_id, "", ""});
    request.parts.push_back({"media", dump(media), "", ""});
    for (auto& file : files) request.parts.push_back(std::move(file));
    request.summary = fmt::format("{} photos ({} bytes), caption {} chars", photos.size(), bytes,
                                  visible_length(caption_html));
    return status_of(transport_.call(request));
  }

  Result<std::vector<TelegramUpdate>> get_updates(std::int64_t offset, int timeout_seconds,
                                                  const std::function<bool()>& cancelled) override {
    VIGIL_TRY(check_telegram_config(config()));
    BotApiRequest request;
    request.method = "getUpdates";
    const int timeout = std::max(0, timeout_seconds);
    request.json_body = dump(json{{"offset", offset},
                                  {"timeout", timeout},
                                  {"allowed_updates", json::array({"message", "callback_query"})}});
    request.summary = fmt::format("offset {}, timeout {} s", offset, timeout);
    request.max_attempts = 1;
    request.extra_seconds = timeout;
    request.cancelled = &cancelled;
    request.routine = true;
    auto body = transport_.call(request);
    if (!body.ok()) {
      if (cancelled()) return Error::failure("Telegram getUpdates: stopped");
      return body.error();
    }
    return parse_updates(*body);
  }

  Status answer_callback_query(const std::string& callback_query_id, const std::string& text) override {
    VIGIL_TRY(check_telegram_config(config()));
    if (callback_query_id.empty()) return Error::failure("Telegram answerCallbackQuery: the query id is empty");
    const std::size_t units = utf16_length(text);
    if (units > kTelegramMaxCallbackText) {
      return Error::failure(fmt::format(
          "Telegram callback answer is {} characters (UTF-16 units), more than the {} Telegram shows: shorten it",
          units, kTelegramMaxCallbackText));
    }
    json body = {{"callback_query_id", callback_query_id}};
    if (!text.empty()) body["text"] = text;
    BotApiRequest request;
    request.method = "answerCallbackQuery";
    request.json_body = dump(body);
    request.summary = fmt::format("notice {} chars", units);
    return status_of(transport_.call(request));
  }

  Status edit_message_reply_markup(std::int64_t message_id, const InlineKeyboard& buttons) override {
    VIGIL_TRY(check_telegram_config(config()));
    return edit("editMessageReplyMarkup", message_id, json::object(), buttons, "");
  }

  Status edit_message_text(std::int64_t message_id, const std::string& html, const InlineKeyboard& buttons) override {
    VIGIL_TRY(check_telegram_config(config()));
    VIGIL_TRY(check_text(html));
    const json fields = {{"text", html}, {"parse_mode", "HTML"}, {"disable_web_page_preview", true}};
    return edit("editMessageText", message_id, fields, buttons, fmt::format(", {} chars", visible_length(html)));
  }

  Status edit_message_caption(std::int64_t message_id, const std::string& caption_html,
                              const InlineKeyboard& buttons) override {
    VIGIL_TRY(check_telegram_config(config()));
    VIGIL_TRY(check_caption(caption_html));
    json fields = json::object();
    if (!caption_html.empty()) fields = {{"caption", caption_html}, {"parse_mode", "HTML"}};
    return edit("editMessageCaption", message_id, fields, buttons,
                fmt::format(", caption {} chars", visible_length(caption_html)));
  }

  Result<std::string> get_me() override {
    VIGIL_TRY(check_telegram_config(config()));
    BotApiRequest request;
    request.method = "getMe";
    request.json_body = "{}";
    request.summary = "the bot's name";
    VIGIL_ASSIGN_OR_RETURN(const std::string answer, transport_.call(request));
    return bot_username(answer);
  }

 private:
  const TelegramConfig& config() const { return transport_.config(); }

  // An edit of message `message_id` in the chat: `fields` and the keyboard
  // (none: removed); "message is not modified" is success.
  Status edit(const std::string& method, std::int64_t message_id, json fields, const InlineKeyboard& buttons,
              const std::string& summary) {
    VIGIL_TRY(check_inline_keyboard(buttons));
    fields["chat_id"] = config().chat_id;
    fields["message_id"] = message_id;
    if (!buttons.empty()) fields["reply_markup"] = inline_keyboard_json(buttons);
    BotApiRequest request;
    request.method = method;
    request.json_body = dump(fields);
    request.summary = fmt::format("message {}{}{}", message_id, summary, buttons_summary(buttons));
    request.unmodified_ok = true;
    return status_of(transport_.call(request));
  }

  BotApiTransport transport_;
};

}  // namespace

Status check_telegram_config(const TelegramConfig& config) {
  if (config.token.empty()) {
    return Error::usage("the Telegram bot token is not set: set VIGIL_TELEGRAM_TOKEN in the environment");
  }
  for (char c : config.token) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '/' || c == '?' || c == '#' || c == '%' || c == '@') {
      return Error::usage(
          "VIGIL_TELEGRAM_TOKEN is malformed (it contains spaces, line breaks or URL characters): copy the "
          "token from @BotFather again");
    }
  }
  if (config.chat_id.empty()) return Error::usage("the Telegram chat is not set: set [telegram] chat_id");
  const std::string_view url = config.api_url;
  if (url.substr(0, 8) != "https://" && url.substr(0, 7) != "http://") {
    return Error::usage(
        fmt::format("[telegram] api_url must start with https:// (or http://): got '{}'", config.api_url));
  }
  return {};
}

std::unique_ptr<Telegram> make_bot_api_telegram(const TelegramConfig& config, Sleeper& sleeper) {
  return std::make_unique<BotApiTelegram>(config, sleeper);
}

std::unique_ptr<TelegramBot> make_bot_api_bot(const TelegramConfig& config, Sleeper& sleeper) {
  return std::make_unique<BotApiTelegram>(config, sleeper);
}

}  // namespace vigil
