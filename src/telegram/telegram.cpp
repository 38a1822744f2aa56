// Telegram Bot API client over libcurl. See telegram.h.
//
// sendMessage goes as a JSON body; sendPhoto and sendMediaGroup as
// multipart/form-data with the PNGs as file parts. Every answer is read as the
// Bot API's JSON ({"ok":false,"error_code":429,"description":"...",
// "parameters":{"retry_after":3}}); an answer that is not JSON (a proxy's
// HTML error page) is judged by its HTTP status alone.
#include "telegram/telegram.h"

#include "base/backoff.h"
#include "base/curl_init.h"
#include "base/strings.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string_view>

#include "telegram/text.h"

namespace vigil {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxResponse = 256 * 1024;         // bytes of an answer we keep
constexpr std::size_t kMaxPhotoBytes = 10 * 1024 * 1024;  // Telegram's limit for photos
constexpr std::size_t kMaxDescription = 300;              // chars of Telegram's text we show
constexpr std::size_t kMinAlbum = 2;
constexpr std::size_t kMaxAlbum = 10;
constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);

// JSON text; invalid UTF-8 becomes U+FFFD instead of throwing.
std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string strip_slashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// One form field; with a filename it is a file upload.
struct Part {
  std::string name;
  std::string data;
  std::string filename;
  std::string content_type;
};

struct Request {
  std::string method;       // "sendMessage"
  std::string json_body;    // JSON requests
  std::vector<Part> parts;  // multipart requests
  bool multipart = false;
  std::string summary;      // for the log: what is being sent
  int max_attempts = 0;     // 0: [telegram] max_attempts
  long extra_seconds = 0;   // added to the request timeout (a long poll's wait)
  const std::function<bool()>* cancelled = nullptr;  // polled while the request runs
  bool routine = false;     // logged at debug, not info (a long poll every few seconds)
};

struct Response {
  CURLcode curl = CURLE_OK;
  std::string curl_error;
  long http = 0;
  std::string body;
};

// libcurl's progress callback: non-zero aborts the transfer.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancelled = static_cast<const std::function<bool()>*>(user);
  return (*cancelled)() ? 1 : 0;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const std::size_t n = size * count;
  const std::size_t room = kMaxResponse > body->size() ? kMaxResponse - body->size() : 0;
  body->append(data, std::min(n, room));
  return n;
}

// What to do after an answer.
struct Verdict {
  enum class Next { kDone, kRetryAfter, kBackoff, kFail };
  Next next = Next::kDone;
  double retry_after = 0;  // kRetryAfter: what Telegram asked for
  std::string reason;      // kFail: the whole error; retries: the cause, for the log and the final error
};

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

Status check_caption(const std::string& caption_html) {
  const std::size_t units = visible_length(caption_html);
  if (units > kTelegramMaxCaption) {
    return Error::failure(fmt::format(
        "Telegram caption is {} characters (UTF-16 units), more than the {} Telegram allows: trim it "
        "with trim_caption",
        units, kTelegramMaxCaption));
  }
  return {};
}

class BotApiTelegram final : public TelegramBot {
 public:
  BotApiTelegram(TelegramConfig config, Sleeper& sleeper)
      : config_(std::move(config)), base_(strip_slashes(config_.api_url)), sleeper_(sleeper) {}

  Status send_message(const std::string& html) override {
    VIGIL_TRY(check_telegram_config(config_));
    const std::size_t units = visible_length(html);
    if (units == 0) return Error::failure("Telegram message text is empty");
    if (units > kTelegramMaxText) {
      return Error::failure(fmt::format(
          "Telegram message is {} characters (UTF-16 units), more than the {} Telegram allows: split it "
          "with split_message",
          units, kTelegramMaxText));
    }
    Request request;
    request.method = "sendMessage";
    request.json_body = dump(json{{"chat_id", config_.chat_id},
                                  {"text", html},
                                  {"parse_mode", "HTML"},
                                  {"disable_web_page_preview", true}});
    request.summary = fmt::format("{} chars", units);
    return call(request);
  }

  Status send_photo(const Photo& photo, const std::string& caption_html) override {
    VIGIL_TRY(check_telegram_config(config_));
    const std::string filename = photo.filename.empty() ? "photo.png" : photo.filename;
    VIGIL_TRY(check_photo(photo, filename));
    VIGIL_TRY(check_caption(caption_html));
    Request request;
    request.method = "sendPhoto";
    request.multipart = true;
    request.parts.push_back({"chat_id", config_.chat_id, "", ""});
    request.parts.push_back({"photo", photo.png, filename, "image/png"});
    if (!caption_html.empty()) {
      request.parts.push_back({"caption", caption_html, "", ""});
      request.parts.push_back({"parse_mode", "HTML", "", ""});
    }
    request.summary = fmt::format("{} ({} bytes), caption {} chars", filename, photo.png.size(),
                                  visible_length(caption_html));
    return call(request);
  }

  Status send_media_group(const std::vector<Photo>& photos, const std::string& caption_html) override {
    VIGIL_TRY(check_telegram_config(config_));
    if (photos.size() < kMinAlbum || photos.size() > kMaxAlbum) {
      return Error::failure(fmt::format("a Telegram album needs {} to {} photos, got {}", kMinAlbum,
                                        kMaxAlbum, photos.size()));
    }
    VIGIL_TRY(check_caption(caption_html));
    Request request;
    request.method = "sendMediaGroup";
    request.multipart = true;
    json media = json::array();
    std::size_t bytes = 0;
    std::vector<Part> files;
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
    request.parts.push_back({"chat_id", config_.chat_id, "", ""});
    request.parts.push_back({"media", dump(media), "", ""});
    for (auto& file : files) request.parts.push_back(std::move(file));
    request.summary = fmt::format("{} photos ({} bytes), caption {} chars", photos.size(), bytes,
                                  visible_length(caption_html));
    return call(request);
  }

  Result<std::vector<TelegramUpdate>> get_updates(std::int64_t offset, int timeout_seconds,
                                                  const std::function<bool()>& cancelled) override {
    VIGIL_TRY(check_telegram_config(config_));
    Request request;
    request.method = "getUpdates";
    const int timeout = std::max(0, timeout_seconds);
    request.json_body = dump(json{{"offset", offset},
                                  {"timeout", timeout},
                                  {"allowed_updates", json::array({"message"})}});
    request.summary = fmt::format("offset {}, timeout {} s", offset, timeout);
    request.max_attempts = 1;
    request.extra_seconds = timeout;
    request.cancelled = &cancelled;
    request.routine = true;
    auto body = call_for_body(request);
    if (!body.ok()) {
      if (cancelled()) return Error::failure("Telegram getUpdates: stopped");
      return body.error();
    }
    return parse_updates(*body);
  }

 private:
  Status call(const Request& request) {
    auto body = call_for_body(request);
    if (!body.ok()) return body.error();
    return {};
  }

  // Sends `request` until it is accepted, fails for good, or the attempts run
  // out; the accepted answer's body.
  Result<std::string> call_for_body(const Request& request) {
    const int max_attempts = std::max(1, request.max_attempts > 0 ? request.max_attempts : config_.max_attempts);
    const double cap = std::max(0.0, config_.max_retry_after_seconds);
    int backoffs = 0;
    for (int attempt = 1;; ++attempt) {
      spdlog::log(request.routine ? spdlog::level::debug : spdlog::level::info, "telegram {}: {}, attempt {}/{}",
                  request.method, request.summary, attempt, max_attempts);
      const auto started = std::chrono::steady_clock::now();
      const Response response = perform(request);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      spdlog::debug("telegram POST {} -> {} in {:.3f} s", redacted_url(request.method),
                    response.curl == CURLE_OK ? fmt::format("HTTP {}", response.http)
                                              : redact(response.curl_error),
                    seconds);
      const Verdict verdict = judge(request.method, response);
      using Next = Verdict::Next;
      if (verdict.next == Next::kDone) return response.body;
      if (verdict.next == Next::kFail) {
        spdlog::debug("telegram {}: {}", request.method, redact(verdict.reason));
        return Error::failure(redact(verdict.reason));
      }
      if (attempt >= max_attempts) {
        return Error::failure(redact(fmt::format("Telegram {} failed after {} attempts: {}", request.method,
                                                 attempt, verdict.reason)));
      }
      const double wait = verdict.next == Next::kRetryAfter
                              ? std::clamp(verdict.retry_after, 0.0, cap)
                              : Backoff{config_.backoff_seconds, cap}.delay(backoffs++);
      spdlog::warn("telegram {}: {}; retrying in {:g} s", request.method, redact(verdict.reason), wait);
      sleeper_.sleep_for(wait);
    }
  }

  Response perform(const Request& request) const {
    global_curl_init();
    Response response;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) {
      response.curl = CURLE_FAILED_INIT;
      response.curl_error = "cannot initialise libcurl";
      return response;
    }
    CURL* h = curl.get();
    const std::string url = base_ + "/bot" + config_.token + "/" + request.method;
    char errbuf[CURL_ERROR_SIZE] = {0};
    struct curl_slist* headers = curl_slist_append(nullptr, "Expect:");
    if (!request.multipart) headers = curl_slist_append(headers, "Content-Type: application/json");
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, &curl_slist_free_all);
    std::unique_ptr<curl_mime, decltype(&curl_mime_free)> mime(nullptr, &curl_mime_free);

    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (request.multipart) {
      mime.reset(curl_mime_init(h));
      for (const Part& part : request.parts) {
        curl_mimepart* p = curl_mime_addpart(mime.get());
        curl_mime_name(p, part.name.c_str());
        curl_mime_data(p, part.data.data(), part.data.size());
        if (!part.filename.empty()) curl_mime_filename(p, part.filename.c_str());
        if (!part.content_type.empty()) curl_mime_type(p, part.content_type.c_str());
      }
      curl_easy_setopt(h, CURLOPT_MIMEPOST, mime.get());
    } else {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.json_body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.json_body.size()));
    }
    const long timeout = std::max(1, config_.timeout_seconds);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout + request.extra_seconds);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, std::min(timeout, 10L));
    if (request.cancelled != nullptr) {
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, request.cancelled);
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "vigil");
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);

    response.curl = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.http);
    if (response.curl != CURLE_OK) {
      response.curl_error = one_line(errbuf[0] ? errbuf : curl_easy_strerror(response.curl), kMaxDescription);
    }
    return response;
  }

  Verdict judge(const std::string& method, const Response& response) const {
    using Next = Verdict::Next;
    if (response.curl != CURLE_OK) {
      return {Next::kBackoff, 0, fmt::format("cannot reach {}: {}", base_, response.curl_error)};
    }
    const json answer = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (!answer.is_object() || !answer.contains("ok") || !answer["ok"].is_boolean()) {
      if (response.http >= 500 || response.http == 429) {
        return {Next::kBackoff, 0, fmt::format("HTTP {} from {}", response.http, base_)};
      }
      return {Next::kFail, 0,
              fmt::format("Telegram {}: the answer from {} (HTTP {}) is not a Bot API response: check "
                          "[telegram] api_url",
                          method, base_, response.http)};
    }
    if (answer["ok"].get<bool>()) return {Next::kDone, 0, {}};

    const long code = answer.contains("error_code") && answer["error_code"].is_number_integer()
                          ? answer["error_code"].get<long>()
                          : response.http;
    const std::string description =
        answer.contains("description") && answer["description"].is_string()
            ? one_line(answer["description"].get<std::string>(), kMaxDescription)
            : "no description";
    const json parameters = answer.contains("parameters") && answer["parameters"].is_object()
                                ? answer["parameters"]
                                : json::object();
    const std::string cause = fmt::format("{} {}", code, description);
    const std::string& chat = config_.chat_id;

    if (code == 429) {
      if (parameters.contains("retry_after") && parameters["retry_after"].is_number()) {
        return {Next::kRetryAfter, parameters["retry_after"].get<double>(), cause};
      }
      return {Next::kBackoff, 0, cause};
    }
    if (code >= 500) return {Next::kBackoff, 0, cause};
    if (code == 401) {
      return {Next::kFail, 0,
              fmt::format("Telegram rejected the bot token ({}): check VIGIL_TELEGRAM_TOKEN", cause)};
    }
    if (code == 404) {
      return {Next::kFail, 0,
              fmt::format("Telegram: {} not found ({}): check VIGIL_TELEGRAM_TOKEN and [telegram] api_url",
                          method, cause)};
    }
    std::string lower = description;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (code == 409) {
      if (lower.find("webhook") != std::string::npos) {
        return {Next::kFail, 0,
                fmt::format("Telegram {}: a webhook is set for this bot ({}): vigil reads commands by long "
                            "polling; delete the webhook with the Bot API's deleteWebhook method",
                            method, cause)};
      }
      return {Next::kFail, 0,
              fmt::format("Telegram {}: another program reads this bot's updates ({}): run one reader per "
                          "bot token (one vigil serve, or one --bot-only)",
                          method, cause)};
    }
    if (code == 403) {
      return {Next::kFail, 0,
              fmt::format("Telegram: the bot may not post to chat {} ({}): add the bot to the chat or check "
                          "[telegram] chat_id",
                          chat, cause)};
    }
    if (lower.find("chat not found") != std::string::npos) {
      return {Next::kFail, 0,
              fmt::format("Telegram: chat {} not found ({}): check [telegram] chat_id", chat, cause)};
    }
    if (parameters.contains("migrate_to_chat_id")) {
      return {Next::kFail, 0,
              fmt::format("Telegram: chat {} has moved ({}): set [telegram] chat_id = \"{}\"", chat, cause,
                          dump(parameters["migrate_to_chat_id"]))};
    }
    return {Next::kFail, 0, fmt::format("Telegram {} was rejected ({})", method, cause)};
  }

  std::string redacted_url(const std::string& method) const { return base_ + "/bot<redacted>/" + method; }

  // The token never leaves this class: removed from anything that could echo it.
  std::string redact(std::string text) const {
    const std::string& token = config_.token;
    if (token.size() < 4) return text;
    for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at)) {
      text.replace(at, token.size(), "<redacted>");
    }
    return text;
  }

  TelegramConfig config_;
  std::string base_;
  Sleeper& sleeper_;
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
