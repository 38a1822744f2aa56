// Fake Telegram Bot API server. See fake_telegram.h.
//
// One background thread accepts connections and serves them one at a time:
// read one HTTP/1.1 request (Content-Length or chunked body, answering
// "Expect: 100-continue"), answer, close. The HTTP reading is in
// fake_telegram_http.cpp, the text rules in fake_telegram_text.cpp, the
// buttons' methods in fake_telegram_buttons.cpp.
#include "support/fake_telegram.h"
#include "support/fake_telegram_http.h"
#include "support/fake_telegram_text.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace vigil {

using nlohmann::json;

struct FakeTelegram::Request : fake_telegram::HttpRequest {};

namespace {

constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);

using fake_telegram::check_text;
using fake_telegram::Connection;
using fake_telegram::Fields;
using fake_telegram::field;
using fake_telegram::header_parameter;
using fake_telegram::lower;
using fake_telegram::parse_multipart;
using fake_telegram::parse_urlencoded;
using fake_telegram::read_request;
using fake_telegram::trim;
using fake_telegram::truthy;

const char* reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 413: return "Request Entity Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}

std::string default_description(int code, int retry_after) {
  switch (code) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden: bot was blocked by the user";
    case 404: return "Not Found";
    case 429: return fmt::format("Too Many Requests: retry after {}", retry_after);
    case 500: return "Internal Server Error";
    default: return reason_phrase(code);
  }
}

// An attach://name reference: the uploaded file part of that name, or null.
const FakeTelegramPhoto* attached(const std::vector<FakeTelegramPhoto>& files, const std::string& reference) {
  if (reference.compare(0, 9, "attach://") != 0) return nullptr;
  const std::string name = reference.substr(9);
  for (const FakeTelegramPhoto& file : files) {
    if (file.part_name == name) return &file;
  }
  return nullptr;
}

// sendMediaGroup's `media` read into `call` and `result` (one `message` per
// item); the error description, or nullopt.
std::optional<std::string> read_album(const Fields& fields, const std::vector<FakeTelegramPhoto>& files,
                                      const json& message, FakeTelegramCall& call, json& result) {
  if (!fields.count("media")) return "Bad Request: parameter \"media\" is required";
  const json media = json::parse(fields.at("media"), nullptr, false);
  if (!media.is_array()) return "Bad Request: can't parse media JSON object";
  if (media.size() < 2 || media.size() > 10) return "Bad Request: media must contain 2-10 items";
  result = json::array();
  for (std::size_t i = 0; i < media.size(); ++i) {
    const json& item = media[i];
    if (!item.is_object() || item.value("type", "") != "photo") {
      return fmt::format("Bad Request: media #{} is not an InputMediaPhoto", i + 1);
    }
    const FakeTelegramPhoto* photo =
        item.contains("media") && item["media"].is_string() ? attached(files, item["media"].get<std::string>()) : nullptr;
    if (!photo) return "Bad Request: wrong file identifier/HTTP URL specified";
    const std::string caption = item.value("caption", "");
    const std::string parse_mode = item.value("parse_mode", "");
    if (auto problem = check_text(caption, parse_mode, true)) return problem;
    if (i == 0) {
      call.text = caption;
      call.parse_mode = parse_mode;
    }
    call.media_captions.push_back(caption);
    call.photos.push_back(*photo);
    result.push_back(message);
  }
  return std::nullopt;
}

}  // namespace

// ---------------------------------------------------------------- server

json fake_telegram_chat_json(const std::string& chat_id) {
  try {
    std::size_t used = 0;
    const long long id = std::stoll(chat_id, &used);
    if (used == chat_id.size()) return id;
  } catch (const std::exception&) {
  }
  return chat_id;
}

FakeTelegram::FakeTelegram(std::string token, std::string chat_id)
    : token_(std::move(token)), chat_id_(std::move(chat_id)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof addr;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    if (listen_fd_ >= 0) ::close(listen_fd_);
    throw std::runtime_error("fake Telegram: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

FakeTelegram::~FakeTelegram() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  updated_.notify_all();
  thread_.join();
  std::unique_lock<std::mutex> lock(mutex_);
  updated_.wait(lock, [this] { return active_polls_ == 0; });  // the pollers use `this`
  lock.unlock();
  ::close(listen_fd_);
}

std::string FakeTelegram::url() const { return fmt::format("http://127.0.0.1:{}", port_); }

TelegramConfig FakeTelegram::config() const {
  TelegramConfig config;
  config.api_url = url();
  config.token = token_;
  config.chat_id = chat_id_;
  config.timeout_seconds = 5;
  config.max_attempts = 5;
  config.backoff_seconds = 1.0;
  config.max_retry_after_seconds = 120;
  return config;
}

void FakeTelegram::fail_next(int error_code, int retry_after) {
  fail_next(error_code, default_description(error_code, retry_after), retry_after);
}

void FakeTelegram::fail_next(int error_code, const std::string& description, int retry_after) {
  std::lock_guard<std::mutex> lock(mutex_);
  faults_.push_back(Fault{error_code, retry_after, description, false, {}});
}

void FakeTelegram::fail_next_on(const std::string& method, int error_code, int retry_after) {
  std::lock_guard<std::mutex> lock(mutex_);
  faults_.push_back(
      Fault{error_code, retry_after, default_description(error_code, retry_after), false, method});
}

void FakeTelegram::disconnect_next() {
  std::lock_guard<std::mutex> lock(mutex_);
  faults_.push_back(Fault{0, 0, {}, true, {}});
}

std::size_t FakeTelegram::pending_faults() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return faults_.size();
}

void FakeTelegram::set_reply_delay(std::chrono::milliseconds delay, const std::string& method) {
  std::lock_guard<std::mutex> lock(mutex_);
  reply_delay_method_ = method;
  reply_delay_ms_ = delay.count();
}

std::vector<FakeTelegramCall> FakeTelegram::calls() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return calls_;
}

std::vector<FakeTelegramAttempt> FakeTelegram::attempts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return attempts_;
}

void FakeTelegram::serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    handle_connection(fd);
    ::close(fd);
  }
}

void FakeTelegram::handle_connection(int fd) {
  Connection connection(fd);
  Request request;
  try {
    if (!read_request(connection, request)) return;
  } catch (const std::exception&) {  // a malformed length: drop the connection
    return;
  }
  request.arrived = std::chrono::steady_clock::now();
  const std::string path = request.target.substr(0, request.target.find('?'));
  if (path.size() > 11 && path.compare(path.size() - 11, 11, "/getUpdates") == 0) {
    // A long poll waits on its own thread, so sends are not held up behind it.
    const int own = ::dup(fd);
    if (own >= 0) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ++active_polls_;
      }
      // Detached, so a long-running fake keeps no finished threads; the destructor waits for them.
      std::thread([this, own, request] {
        respond(own, request);
        ::close(own);
        std::lock_guard<std::mutex> lock(mutex_);  // notified under the lock: `this` may go once it is released
        --active_polls_;
        updated_.notify_all();
      }).detach();
      return;
    }
  }
  respond(fd, request);
}

void FakeTelegram::respond(int fd, const Request& request) {
  Connection connection(fd);
  Reply reply;
  try {
    reply = answer(request);
  } catch (const std::exception& e) {  // a bug in the fake: say so, as a non-retryable answer
    reply.status = 400;
    reply.body = json{{"ok", false}, {"error_code", 400}, {"description", std::string("fake Telegram failed: ") + e.what()}}.dump();
  }
  if (reply.disconnect) return;
  const std::string path = request.target.substr(0, request.target.find('?'));
  bool delayed = true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    delayed = reply_delay_method_.empty() || path.substr(path.rfind('/') + 1) == reply_delay_method_;
  }
  if (const long long delay = reply_delay_ms_.load(); delay > 0 && delayed) {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  }
  const std::string response = fmt::format(
      "HTTP/1.1 {} {}\r\nServer: fake-telegram\r\nContent-Type: {}\r\nContent-Length: {}\r\n"
      "Connection: close\r\n\r\n",
      reply.status, reason_phrase(reply.status), reply.content_type, reply.body.size());
  connection.send_all(response + reply.body);
  ::shutdown(fd, SHUT_WR);
}

FakeTelegram::Reply FakeTelegram::error(FakeTelegramAttempt& attempt, int code, const std::string& description,
                                        int retry_after) {
  Reply reply;
  reply.status = code;
  if (code == 502 || code == 503 || code == 504) {
    reply.content_type = "text/html";
    reply.body = fmt::format("<html>\r\n<head><title>{0} {1}</title></head>\r\n<body>\r\n<center><h1>{0} {1}</h1>"
                             "</center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n",
                             code, reason_phrase(code));
  } else {
    json body = {{"ok", false}, {"error_code", code}, {"description", description}};
    if (code == 429 && retry_after > 0) body["parameters"] = {{"retry_after", retry_after}};
    reply.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  attempt.status = code;
  attempt.description = description;
  std::lock_guard<std::mutex> lock(mutex_);
  attempts_.push_back(attempt);
  return reply;
}

FakeTelegram::Reply FakeTelegram::answer(const Request& request) {
  FakeTelegramAttempt attempt;
  attempt.arrived = request.arrived;
  const std::string path = request.target.substr(0, request.target.find('?'));
  attempt.method = path.substr(path.rfind('/') + 1);

  std::optional<Fault> fault;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // A fault for any method waits for a send: a reader's long polls do not take it.
    if (!faults_.empty() && (faults_.front().method.empty() ? attempt.method != "getUpdates"
                                                            : faults_.front().method == attempt.method)) {
      fault = faults_.front();
      faults_.pop_front();
    }
  }
  if (fault && fault->disconnect) {
    attempt.description = "connection dropped";
    std::lock_guard<std::mutex> lock(mutex_);
    attempts_.push_back(attempt);
    Reply reply;
    reply.disconnect = true;
    return reply;
  }
  if (fault) return error(attempt, fault->code, fault->description, fault->retry_after);

  if (request.http_method != "POST" && request.http_method != "GET") return error(attempt, 404, "Not Found");
  if (path.compare(0, 4, "/bot") != 0) return error(attempt, 404, "Not Found");
  const std::size_t slash = path.find('/', 4);
  if (slash == std::string::npos) return error(attempt, 404, "Not Found");
  if (path.substr(4, slash - 4) != token_) return error(attempt, 401, "Unauthorized");
  const std::string method = path.substr(slash + 1);
  static const std::set<std::string> kMethods = {
      "sendMessage",         "sendPhoto",       "sendMediaGroup",     "getUpdates",
      "answerCallbackQuery", "editMessageText", "editMessageCaption", "editMessageReplyMarkup",
      "getMe"};
  if (kMethods.count(method) == 0) return error(attempt, 404, "Not Found");
  return process(request, method, attempt);
}

FakeTelegram::Reply FakeTelegram::process(const Request& request, const std::string& method,
                                          FakeTelegramAttempt& attempt) {
  Fields fields;
  std::vector<FakeTelegramPhoto> files;
  const std::size_t query = request.target.find('?');
  if (query != std::string::npos) parse_urlencoded(std::string_view(request.target).substr(query + 1), fields);

  const auto content_type_it = request.headers.find("content-type");
  const std::string content_type = content_type_it == request.headers.end() ? "" : content_type_it->second;
  const std::string type = lower(trim(std::string_view(content_type).substr(0, content_type.find(';'))));
  if (type == "application/json") {
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object()) return error(attempt, 400, "Bad Request: can't parse JSON object");
    for (const auto& [key, value] : body.items()) {
      fields[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  } else if (type == "application/x-www-form-urlencoded") {
    parse_urlencoded(request.body, fields);
  } else if (type == "multipart/form-data") {
    const auto boundary = header_parameter(content_type, "boundary");
    if (!boundary || !parse_multipart(request.body, *boundary, fields, files)) {
      return error(attempt, 400, "Bad Request: can't parse multipart/form-data body");
    }
  } else if (!request.body.empty()) {
    return error(attempt, 400, "Bad Request: unsupported Content-Type " + content_type);
  }

  for (const FakeTelegramPhoto& file : files) {
    if (file.bytes.compare(0, kPngSignature.size(), kPngSignature) != 0) {
      return error(attempt, 400, "Bad Request: IMAGE_PROCESS_FAILED");
    }
  }
  if (method == "getUpdates") return get_updates(fields, attempt);
  if (method == "getMe") return get_me(attempt);
  if (method == "answerCallbackQuery") return answer_callback(fields, attempt);
  const std::string chat = field(fields, "chat_id");
  if (chat.empty()) return error(attempt, 400, "Bad Request: chat_id is empty");
  if (chat != chat_id_) return error(attempt, 400, "Bad Request: chat not found");

  FakeTelegramCall call;
  call.method = method;
  call.chat_id = chat;
  call.arrived = request.arrived;
  call.disable_web_page_preview = truthy(fields, "disable_web_page_preview");
  if (fields.count("link_preview_options")) {
    const json options = json::parse(fields.at("link_preview_options"), nullptr, false);
    if (options.is_object() && options.value("is_disabled", false)) call.disable_web_page_preview = true;
  }
  if (method.compare(0, 11, "editMessage") == 0) return edit_message(method, fields, std::move(call), attempt);
  return send(method, fields, files, std::move(call), attempt);
}

FakeTelegram::Reply FakeTelegram::send(const std::string& method, const Fields& fields,
                                       const std::vector<FakeTelegramPhoto>& files, FakeTelegramCall call,
                                       FakeTelegramAttempt& attempt) {
  if (method != "sendMediaGroup") {
    if (auto problem = read_markup(fields, call.reply_markup)) return error(attempt, 400, *problem);
  }
  json result;
  const json message = {{"date", static_cast<long long>(std::time(nullptr))},
                        {"chat", {{"id", fake_telegram_chat_json(call.chat_id)}, {"type", "supergroup"}}}};
  if (method == "sendMessage") {
    call.text = field(fields, "text");
    call.parse_mode = field(fields, "parse_mode");
    if (auto problem = check_text(call.text, call.parse_mode, false)) return error(attempt, 400, *problem);
    result = message;
    result["text"] = call.text;
  } else if (method == "sendPhoto") {
    const FakeTelegramPhoto* photo = nullptr;
    for (const FakeTelegramPhoto& file : files) {
      if (file.part_name == "photo") photo = &file;
    }
    if (!photo && fields.count("photo")) {
      photo = attached(files, fields.at("photo"));
      if (!photo) return error(attempt, 400, "Bad Request: wrong file identifier/HTTP URL specified");
    }
    if (!photo) return error(attempt, 400, "Bad Request: there is no photo in the request");
    call.text = field(fields, "caption");
    call.parse_mode = field(fields, "parse_mode");
    if (auto problem = check_text(call.text, call.parse_mode, true)) return error(attempt, 400, *problem);
    call.photos.push_back(*photo);
    result = message;
    result["photo"] = json::array({{{"file_id", "fake-photo"}, {"file_size", photo->bytes.size()}}});
    if (!call.text.empty()) result["caption"] = call.text;
  } else {  // sendMediaGroup
    if (auto problem = read_album(fields, files, message, call, result)) return error(attempt, 400, *problem);
  }
  if (call.reply_markup.is_object()) result["reply_markup"] = call.reply_markup;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    remember(call, result);
    calls_.push_back(std::move(call));
  }
  return accepted(attempt, result);
}

// Gives the sent messages their ids and keeps them as they are now.
void FakeTelegram::remember(FakeTelegramCall& call, json& result) {
  const bool album = result.is_array();
  for (std::size_t i = 0; i < (album ? result.size() : 1); ++i) {
    json& item = album ? result[i] : result;
    const std::int64_t id = next_message_id_++;
    item["message_id"] = id;
    FakeTelegramMessage kept;
    kept.photo = call.method != "sendMessage";
    kept.text = album ? call.media_captions[i] : call.text;
    kept.parse_mode = call.parse_mode;  // an album's: its first item's
    if (call.reply_markup.is_object()) kept.inline_keyboard = call.reply_markup["inline_keyboard"];
    kept.date = item.value("date", 0LL);
    messages_[id] = std::move(kept);
    if (i == 0) call.message_id = id;
  }
}

FakeTelegram::Reply FakeTelegram::accepted(FakeTelegramAttempt& attempt, const json& result) {
  attempt.status = 200;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    attempts_.push_back(attempt);
  }
  Reply reply;
  reply.body = json{{"ok", true}, {"result", result}}.dump(-1, ' ', false, json::error_handler_t::replace);
  return reply;
}

}  // namespace vigil
