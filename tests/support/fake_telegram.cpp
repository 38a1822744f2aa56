// Fake Telegram Bot API server. See fake_telegram.h.
//
// One background thread accepts connections and serves them one at a time:
// read one HTTP/1.1 request (Content-Length or chunked body, answering
// "Expect: 100-continue"), answer, close. The text rules are in
// fake_telegram_text.cpp, the buttons' methods in fake_telegram_buttons.cpp.
#include "support/fake_telegram.h"
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

struct FakeTelegram::Request {
  std::string http_method;  // "POST"
  std::string target;       // "/bot<TOKEN>/sendMessage?x=1"
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::chrono::steady_clock::time_point arrived;
};

namespace {

constexpr int kIoTimeoutMs = 10000;
constexpr std::size_t kMaxHead = 64 * 1024;
constexpr std::size_t kMaxBody = 64 * 1024 * 1024;
constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);

using fake_telegram::check_text;
using fake_telegram::field;
using fake_telegram::lower;
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

// ---------------------------------------------------------------- socket I/O

class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}

  std::string buffer;

  // Appends what arrives next to `buffer`; false on end of stream, error or timeout.
  bool read_more() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, kIoTimeoutMs) <= 0) return false;
    char chunk[64 * 1024];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  // Position of `what` in `buffer` at or after `from`, reading as needed; npos on failure.
  std::size_t find(std::string_view what, std::size_t from, std::size_t limit) {
    while (true) {
      const std::size_t at = buffer.find(what, from);
      if (at != std::string::npos) return at;
      if (buffer.size() > limit || !read_more()) return std::string::npos;
    }
  }

  bool need(std::size_t size) {
    while (buffer.size() < size) {
      if (!read_more()) return false;
    }
    return true;
  }

  bool send_all(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

 private:
  int fd_;
};

template <class Request>
bool read_request(Connection& c, Request& r) {
  const std::size_t head_end = c.find("\r\n\r\n", 0, kMaxHead);
  if (head_end == std::string::npos) return false;
  const std::string head = c.buffer.substr(0, head_end);
  std::size_t line_end = head.find("\r\n");
  const std::string request_line = head.substr(0, line_end);
  const std::size_t sp1 = request_line.find(' ');
  const std::size_t sp2 = request_line.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) return false;
  r.http_method = request_line.substr(0, sp1);
  r.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  while (line_end != std::string::npos) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    r.headers[lower(trim(std::string_view(line).substr(0, colon)))] = std::string(trim(std::string_view(line).substr(colon + 1)));
  }
  if (lower(r.headers["expect"]) == "100-continue") c.send_all("HTTP/1.1 100 Continue\r\n\r\n");

  std::size_t pos = head_end + 4;
  if (lower(r.headers["transfer-encoding"]).find("chunked") != std::string::npos) {
    while (true) {
      const std::size_t size_end = c.find("\r\n", pos, kMaxBody);
      if (size_end == std::string::npos) return false;
      const std::size_t size = std::stoul(c.buffer.substr(pos, size_end - pos), nullptr, 16);
      pos = size_end + 2;
      if (size == 0) {  // trailer lines up to an empty line
        while (true) {
          const std::size_t end = c.find("\r\n", pos, kMaxBody);
          if (end == std::string::npos) return false;
          const bool empty = end == pos;
          pos = end + 2;
          if (empty) return true;
        }
      }
      if (r.body.size() + size > kMaxBody || !c.need(pos + size + 2)) return false;
      r.body.append(c.buffer, pos, size);
      pos += size + 2;
    }
  }
  const auto length = r.headers.find("content-length");
  if (length == r.headers.end()) return true;
  const std::size_t size = std::stoul(length->second);
  if (size > kMaxBody || !c.need(pos + size)) return false;
  r.body = c.buffer.substr(pos, size);
  return true;
}

// ---------------------------------------------------------------- forms

using fake_telegram::Fields;

std::string url_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

void parse_urlencoded(std::string_view text, Fields& fields) {
  while (!text.empty()) {
    const std::size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (!pair.empty()) {
      fields[url_decode(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
}

// The value of parameter `name` in a header like `form-data; name="x"; filename="y"`.
std::optional<std::string> header_parameter(std::string_view header, std::string_view name) {
  std::size_t i = 0;
  while (i < header.size()) {
    const std::size_t semi = header.find(';', i);
    if (semi == std::string_view::npos) return std::nullopt;
    i = semi + 1;
    while (i < header.size() && header[i] == ' ') ++i;
    const std::size_t eq = header.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string key = lower(trim(header.substr(i, eq - i)));
    i = eq + 1;
    std::string value;
    if (i < header.size() && header[i] == '"') {
      for (++i; i < header.size() && header[i] != '"'; ++i) {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value += header[i];
      }
      ++i;
    } else {
      const std::size_t end = header.find(';', i);
      value = std::string(trim(header.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i)));
      i = end == std::string_view::npos ? header.size() : end;
    }
    if (key == name) return value;
  }
  return std::nullopt;
}

// Splits a multipart/form-data body: parts with a filename are files, the others fields.
bool parse_multipart(std::string_view body, const std::string& boundary, Fields& fields,
                     std::vector<FakeTelegramPhoto>& files) {
  const std::string delimiter = "--" + boundary;
  std::size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return false;
  pos += delimiter.size();
  while (true) {
    if (body.substr(pos, 2) == "--") return true;
    if (body.substr(pos, 2) != "\r\n") return false;
    pos += 2;
    const std::size_t head_end = body.find("\r\n\r\n", pos);
    if (head_end == std::string_view::npos) return false;
    const std::string_view head = body.substr(pos, head_end - pos);
    const std::size_t content_start = head_end + 4;
    const std::size_t next = body.find("\r\n" + delimiter, content_start);
    if (next == std::string_view::npos) return false;
    FakeTelegramPhoto part;
    part.bytes = std::string(body.substr(content_start, next - content_start));
    bool is_file = false;
    std::size_t line_start = 0;
    while (line_start <= head.size()) {
      std::size_t line_end = head.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = head.size();
      const std::string_view line = head.substr(line_start, line_end - line_start);
      const std::size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        const std::string name = lower(trim(line.substr(0, colon)));
        const std::string_view value = trim(line.substr(colon + 1));
        if (name == "content-disposition") {
          part.part_name = header_parameter(value, "name").value_or("");
          if (auto filename = header_parameter(value, "filename")) {
            part.filename = *filename;
            is_file = true;
          }
        } else if (name == "content-type") {
          part.content_type = std::string(value);
        }
      }
      line_start = line_end + 2;
    }
    if (is_file) {
      files.push_back(std::move(part));
    } else {
      fields[part.part_name] = std::move(part.bytes);
    }
    pos = next + 2 + delimiter.size();
  }
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
  // An attach://name reference: the uploaded file part of that name.
  auto attached = [&](const std::string& reference) -> const FakeTelegramPhoto* {
    if (reference.compare(0, 9, "attach://") != 0) return nullptr;
    const std::string name = reference.substr(9);
    for (const FakeTelegramPhoto& file : files) {
      if (file.part_name == name) return &file;
    }
    return nullptr;
  };
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
      photo = attached(fields.at("photo"));
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
    if (!fields.count("media")) return error(attempt, 400, "Bad Request: parameter \"media\" is required");
    const json media = json::parse(fields.at("media"), nullptr, false);
    if (!media.is_array()) return error(attempt, 400, "Bad Request: can't parse media JSON object");
    if (media.size() < 2 || media.size() > 10) {
      return error(attempt, 400, "Bad Request: media must contain 2-10 items");
    }
    result = json::array();
    for (std::size_t i = 0; i < media.size(); ++i) {
      const json& item = media[i];
      if (!item.is_object() || item.value("type", "") != "photo") {
        return error(attempt, 400, fmt::format("Bad Request: media #{} is not an InputMediaPhoto", i + 1));
      }
      const FakeTelegramPhoto* photo = item.contains("media") && item["media"].is_string()
                                           ? attached(item["media"].get<std::string>())
                                           : nullptr;
      if (!photo) return error(attempt, 400, "Bad Request: wrong file identifier/HTTP URL specified");
      const std::string caption = item.value("caption", "");
      const std::string parse_mode = item.value("parse_mode", "");
      if (auto problem = check_text(caption, parse_mode, true)) return error(attempt, 400, *problem);
      if (i == 0) {
        call.text = caption;
        call.parse_mode = parse_mode;
      }
      call.media_captions.push_back(caption);
      call.photos.push_back(*photo);
      result.push_back(message);
    }
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
