// The Bot API's transport over libcurl. See bot_api.h.
//
// Every answer is read as the Bot API's JSON ({"ok":false,"error_code":429,
// "description":"...","parameters":{"retry_after":3}}); an answer that is not
// JSON (a proxy's HTML error page) is judged by its HTTP status alone.
#include "telegram/bot_api.h"

#include "base/backoff.h"
#include "base/curl_init.h"
#include "base/strings.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

namespace vigil {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxResponse = 256 * 1024;  // bytes of an answer we keep
constexpr std::size_t kMaxDescription = 300;      // chars of Telegram's text we show

std::string strip_slashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

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

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

struct BotApiTransport::Response {
  CURLcode curl = CURLE_OK;
  std::string curl_error;
  long http = 0;
  std::string body;
};

// What to do after an answer.
struct BotApiTransport::Verdict {
  // kUnchanged: an edit Telegram refused as "message is not modified", which is success.
  enum class Next { kDone, kUnchanged, kRetryAfter, kBackoff, kFail };
  Next next = Next::kDone;
  double retry_after = 0;  // kRetryAfter: what Telegram asked for
  std::string reason;      // kFail: the whole error; retries: the cause, for the log and the final error
};

BotApiTransport::BotApiTransport(TelegramConfig config, Sleeper& sleeper)
    : config_(std::move(config)), base_(strip_slashes(config_.api_url)), sleeper_(sleeper) {}

Result<std::string> BotApiTransport::call(const BotApiRequest& request) {
  using Next = Verdict::Next;
  const int max_attempts = std::max(1, request.max_attempts > 0 ? request.max_attempts : config_.max_attempts);
  const double cap = std::max(0.0, config_.max_retry_after_seconds);
  int backoffs = 0;
  for (int attempt = 1;; ++attempt) {
    spdlog::log(request.routine ? spdlog::level::debug : spdlog::level::info, "telegram {}: {}, attempt {}/{}",
                request.method, request.summary, attempt, max_attempts);
    const auto started = std::chrono::steady_clock::now();
    const Response response = perform(request);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    spdlog::debug("telegram POST {} -> {} in {:.3f} s", redacted_url(request.method),
                  response.curl == CURLE_OK ? fmt::format("HTTP {}", response.http) : redact(response.curl_error),
                  seconds);
    const Verdict verdict = judge(request, response);
    if (verdict.next == Next::kDone) return response.body;
    if (verdict.next == Next::kUnchanged) return std::string();
    if (verdict.next == Next::kFail) {
      spdlog::debug("telegram {}: {}", request.method, redact(verdict.reason));
      return Error::failure(redact(verdict.reason));
    }
    if (attempt >= max_attempts) {
      return Error::failure(redact(
          fmt::format("Telegram {} failed after {} attempts: {}", request.method, attempt, verdict.reason)));
    }
    const double wait = verdict.next == Next::kRetryAfter ? std::clamp(verdict.retry_after, 0.0, cap)
                                                          : Backoff{config_.backoff_seconds, cap}.delay(backoffs++);
    spdlog::warn("telegram {}: {}; retrying in {:g} s", request.method, redact(verdict.reason), wait);
    sleeper_.sleep_for(wait);
  }
}

BotApiTransport::Response BotApiTransport::perform(const BotApiRequest& request) const {
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
    for (const BotApiPart& part : request.parts) {
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

namespace {

// The verdict on a Bot API refusal other than 429 and 5xx: what the cause is
// and which setting to check.
std::string refusal(const std::string& method, long code, const std::string& description,
                    const json& parameters, const std::string& chat) {
  const std::string cause = fmt::format("{} {}", code, description);
  if (code == 401) return fmt::format("Telegram rejected the bot token ({}): check VIGIL_TELEGRAM_TOKEN", cause);
  if (code == 404) {
    return fmt::format("Telegram: {} not found ({}): check VIGIL_TELEGRAM_TOKEN and [telegram] api_url", method,
                       cause);
  }
  const std::string lower = lowercase(description);
  if (code == 409) {
    if (lower.find("webhook") != std::string::npos) {
      return fmt::format("Telegram {}: a webhook is set for this bot ({}): vigil reads commands by long polling; "
                         "delete the webhook with the Bot API's deleteWebhook method",
                         method, cause);
    }
    return fmt::format("Telegram {}: another program reads this bot's updates ({}): run one reader per bot token "
                       "(one vigil serve, or one --bot-only)",
                       method, cause);
  }
  if (code == 403) {
    return fmt::format("Telegram: the bot may not post to chat {} ({}): add the bot to the chat or check "
                       "[telegram] chat_id",
                       chat, cause);
  }
  if (lower.find("chat not found") != std::string::npos) {
    return fmt::format("Telegram: chat {} not found ({}): check [telegram] chat_id", chat, cause);
  }
  if (parameters.contains("migrate_to_chat_id")) {
    return fmt::format("Telegram: chat {} has moved ({}): set [telegram] chat_id = \"{}\"", chat, cause,
                       parameters["migrate_to_chat_id"].dump());
  }
  return fmt::format("Telegram {} was rejected ({})", method, cause);
}

}  // namespace

BotApiTransport::Verdict BotApiTransport::judge(const BotApiRequest& request, const Response& response) const {
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
                        request.method, base_, response.http)};
  }
  if (answer["ok"].get<bool>()) return {Next::kDone, 0, {}};

  const long code = answer.contains("error_code") && answer["error_code"].is_number_integer()
                        ? answer["error_code"].get<long>()
                        : response.http;
  const std::string description = answer.contains("description") && answer["description"].is_string()
                                      ? one_line(answer["description"].get<std::string>(), kMaxDescription)
                                      : "no description";
  const json parameters =
      answer.contains("parameters") && answer["parameters"].is_object() ? answer["parameters"] : json::object();
  const std::string cause = fmt::format("{} {}", code, description);
  if (code == 429) {
    if (parameters.contains("retry_after") && parameters["retry_after"].is_number()) {
      return {Next::kRetryAfter, parameters["retry_after"].get<double>(), cause};
    }
    return {Next::kBackoff, 0, cause};
  }
  if (code >= 500) return {Next::kBackoff, 0, cause};
  if (request.unmodified_ok && code == 400 &&
      lowercase(description).find("message is not modified") != std::string::npos) {
    spdlog::debug("telegram {}: unchanged ({}): nothing to do", request.method, cause);
    return {Next::kUnchanged, 0, cause};
  }
  return {Next::kFail, 0, refusal(request.method, code, description, parameters, config_.chat_id)};
}

std::string BotApiTransport::redacted_url(const std::string& method) const {
  return base_ + "/bot<redacted>/" + method;
}

// The token never leaves this class: removed from anything that could echo it.
std::string BotApiTransport::redact(std::string text) const {
  const std::string& token = config_.token;
  if (token.size() < 4) return text;
  for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at)) {
    text.replace(at, token.size(), "<redacted>");
  }
  return text;
}

}  // namespace vigil
