// ClickHouse HTTP client over libcurl. See client.h.
//
// The response body is parsed as it arrives: complete lines are split into
// TSV fields, unescaped and handed to the caller's callback. The last few
// lines are held back until the end of the stream, because ClickHouse reports
// an exception that happens after the HTTP 200 header as a trailing text line
// ("Code: 395, e.displayText() = DB::Exception: ..." on 18.16, "Code: 395.
// DB::Exception: ..." later, or a "__exception__<tag>" block on 25.11+), and
// such a line must never reach the caller as a row.
#include "clickhouse/client.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

namespace vigil {
namespace {

constexpr std::size_t kHeldLines = 4;             // lines kept back for exception detection
constexpr std::size_t kMaxErrorBody = 64 * 1024;  // bytes of an error body we keep
constexpr std::size_t kMaxMessage = 600;          // chars of a server message we show

void global_curl_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

// Collapses all whitespace runs (including newlines) into single spaces.
std::string one_line(std::string_view text, std::size_t limit) {
  std::string out;
  bool space = false;
  for (char c : trim(text)) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
    if (out.size() >= limit) {
      out += "...";
      break;
    }
  }
  return out;
}

// ---------------------------------------------------------------- TSV

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Unescapes one TabSeparated field into `out`. A NULL (\N as the whole field)
// is kept as the two characters "\N".
void unescape_field(std::string_view field, std::string& out) {
  out.clear();
  if (field == "\\N") {
    out.assign(field);
    return;
  }
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    char c = field[i];
    if (c != '\\' || i + 1 == field.size()) {
      out += c;
      continue;
    }
    char e = field[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '0': out += '\0'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'a': out += '\a'; break;
      case 'v': out += '\v'; break;
      case 'x':
        if (i + 2 < field.size() && hex_value(field[i + 1]) >= 0 && hex_value(field[i + 2]) >= 0) {
          out += static_cast<char>(hex_value(field[i + 1]) * 16 + hex_value(field[i + 2]));
          i += 2;
        } else {
          out += 'x';
        }
        break;
      default: out += e; break;  // \\ \' \" \/ and anything else: the character itself
    }
  }
}

void split_row(std::string_view line, Row& row) {
  std::size_t n = 0;
  std::size_t start = 0;
  while (true) {
    std::size_t tab = line.find('\t', start);
    std::string_view field =
        line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start);
    if (n == row.size()) row.emplace_back();
    unescape_field(field, row[n++]);
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  row.resize(n);
}

// ---------------------------------------------------------------- server errors

struct ServerError {
  int code = 0;          // ClickHouse error code, 0 if unknown
  std::string message;   // the server's text, one line, without decorations
};

// "Code: 60" at the start of `line` followed by "." or "," and an exception text.
bool looks_like_exception_line(std::string_view line) {
  line = trim(line);
  if (!starts_with(line, "Code: ")) return false;
  std::size_t i = 6;
  std::size_t digits = 0;
  while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i, ++digits;
  if (digits == 0 || i >= line.size() || (line[i] != '.' && line[i] != ',')) return false;
  return line.find("Exception") != std::string_view::npos;
}

ServerError parse_server_error(std::string_view body) {
  ServerError error;
  std::string_view text = trim(body);
  std::size_t code_pos = text.find("Code: ");
  if (code_pos != std::string_view::npos) {
    std::size_t i = code_pos + 6;
    int code = 0;
    bool any = false;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && code < 100000) {
      code = code * 10 + (text[i] - '0');
      ++i;
      any = true;
    }
    if (any) error.code = code;
  }
  std::size_t exc = text.find("DB::Exception: ");
  std::string_view message = text;
  if (exc != std::string_view::npos) {
    message = text.substr(exc + 15);
    std::size_t what = message.find(", e.what() = ");
    if (what != std::string_view::npos) message = message.substr(0, what);
  } else if (code_pos != std::string_view::npos) {
    message = text.substr(code_pos);
  }
  message = trim(message);
  // Newer servers end with " (version 23.8.1.1)"; the version is noise here.
  std::size_t version = message.rfind(" (version ");
  if (version != std::string_view::npos && message.back() == ')') message = message.substr(0, version);
  error.message = one_line(message, kMaxMessage);
  return error;
}

// Text between `prefix` and the next occurrence of one of `ends`, or npos.
std::string extract_after(std::string_view text, std::string_view prefix,
                          std::initializer_list<std::string_view> ends) {
  std::size_t start = text.find(prefix);
  if (start == std::string_view::npos) return {};
  start += prefix.size();
  std::size_t best = std::string_view::npos;
  for (auto end : ends) best = std::min(best, text.find(end, start));
  if (best == std::string_view::npos) return {};
  std::string name(trim(text.substr(start, best - start)));
  // `db`.`t` or 'db.t' -> db.t
  name.erase(std::remove_if(name.begin(), name.end(), [](char c) { return c == '`' || c == '\''; }),
             name.end());
  while (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

// ---------------------------------------------------------------- response parsing

// Splits the body of an HTTP 200 response into rows, holding back the last
// lines until the end so a trailing exception is recognised.
class BodyParser {
 public:
  explicit BodyParser(const RowCallback* on_row) : on_row_(on_row) {}

  void set_exception_tag(std::string tag) { marker_ = "__exception__" + tag; }

  void feed(const char* data, std::size_t size) {
    if (in_exception_) {
      append_exception(std::string_view(data, size));
      return;
    }
    std::string_view chunk(data, size);
    while (!chunk.empty()) {
      std::size_t newline = chunk.find('\n');
      if (newline == std::string_view::npos) {
        partial_.append(chunk);
        return;
      }
      partial_.append(chunk.substr(0, newline));
      chunk.remove_prefix(newline + 1);
      if (!complete_line()) {
        append_exception(chunk);
        return;
      }
    }
  }

  // At the end of a complete transfer: delivers the held lines or reports the
  // trailing exception.
  ServerError finish() {
    // A successful TSV body ends with a newline; a tail without one is either an
    // exception text or a final row: treat it as a line.
    if (!in_exception_ && !partial_.empty()) complete_line();
    if (in_exception_) return tagged_error();
    for (std::size_t i = 0; i < held_.size(); ++i) {
      if (looks_like_exception_line(held_[i])) {
        std::string text;
        for (std::size_t j = i; j < held_.size(); ++j) text += held_[j] + "\n";
        held_.clear();
        return parse_server_error(text);
      }
    }
    while (!held_.empty()) deliver_front();
    return ServerError{};  // code 0: no exception
  }

  // After a failed transfer: the server's exception text if one is among the held lines.
  std::optional<ServerError> exception_in_tail() const {
    if (in_exception_) return tagged_error();
    for (std::size_t i = 0; i < held_.size(); ++i) {
      if (looks_like_exception_line(held_[i])) return parse_server_error(held_[i]);
    }
    if (looks_like_exception_line(partial_)) return parse_server_error(partial_);
    return std::nullopt;
  }

  std::size_t rows_delivered() const { return rows_; }

 private:
  // Moves partial_ into the held lines; false if it starts a tagged exception.
  bool complete_line() {
    if (!marker_.empty()) {
      std::size_t at = partial_.find(marker_);
      if (at != std::string::npos) {
        in_exception_ = true;
        exception_text_ = partial_.substr(at + marker_.size());
        exception_text_ += '\n';
        partial_.clear();
        return false;
      }
    }
    held_.push_back(std::move(partial_));
    partial_.clear();
    if (held_.size() > kHeldLines) deliver_front();
    return true;
  }

  void deliver_front() {
    split_row(held_.front(), row_);
    held_.pop_front();
    ++rows_;
    if (on_row_ && *on_row_) (*on_row_)(row_);
  }

  void append_exception(std::string_view text) {
    std::size_t room = kMaxErrorBody > exception_text_.size() ? kMaxErrorBody - exception_text_.size() : 0;
    exception_text_.append(text.substr(0, room));
  }

  ServerError tagged_error() const {
    // Body after the marker: "\r\n<message>\r\n<size> <tag>__exception__\r\n".
    std::string_view text = exception_text_;
    const std::string closing = marker_.substr(13) + "__exception__";  // "<tag>__exception__"
    std::size_t end = text.rfind(closing);
    if (end != std::string_view::npos) {
      // drop the closing "<size> <tag>__exception__" line
      text = trim(text.substr(0, end));
      std::size_t newline = text.find_last_of('\n');
      text = newline == std::string_view::npos ? std::string_view{} : text.substr(0, newline);
    }
    ServerError error = parse_server_error(text);
    if (error.message.empty()) error.message = "the server reported an error mid-stream";
    return error;
  }

  const RowCallback* on_row_;
  std::string marker_;
  std::string partial_;
  std::deque<std::string> held_;
  Row row_;
  std::size_t rows_ = 0;
  bool in_exception_ = false;
  std::string exception_text_;
};

// State of one HTTP exchange, shared with the curl callbacks.
struct Transfer {
  explicit Transfer(const RowCallback* on_row) : parser(on_row) {}
  long status = 0;
  int header_exception_code = 0;
  std::string error_body;  // body of a non-200 response (bounded)
  BodyParser parser;
  std::exception_ptr callback_exception;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  line = trim(line);
  if (starts_with(line, "HTTP/")) {
    std::size_t space = line.find(' ');
    t->status = space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1, 3)).c_str());
    t->header_exception_code = 0;
    return size * count;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string value(trim(line.substr(colon + 1)));
  if (name == "x-clickhouse-exception-code") {
    t->header_exception_code = std::atoi(value.c_str());
  } else if (name == "x-clickhouse-exception-tag" && !value.empty()) {
    t->parser.set_exception_tag(value);
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (t->status != 200 || t->header_exception_code != 0) {
    std::size_t room = kMaxErrorBody > t->error_body.size() ? kMaxErrorBody - t->error_body.size() : 0;
    t->error_body.append(data, std::min(n, room));
    return n;
  }
  try {
    t->parser.feed(data, n);
  } catch (...) {
    t->callback_exception = std::current_exception();
    return 0;  // aborts the transfer
  }
  return n;
}

std::string url_escape(CURL* curl, std::string_view text) {
  char* escaped = curl_easy_escape(curl, text.data(), static_cast<int>(text.size()));
  std::string out = escaped ? escaped : "";
  curl_free(escaped);
  return out;
}

// "http://user:pw@host:8123/path/" -> "http://host:8123/path"
std::string strip_credentials(std::string url) {
  std::size_t scheme = url.find("://");
  std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  std::size_t end = url.find_first_of("/?#", start);
  std::size_t at = url.rfind('@', end == std::string::npos ? std::string::npos : end);
  if (at != std::string::npos && at >= start) url.erase(start, at + 1 - start);
  std::size_t query = url.find_first_of("?#");
  if (query != std::string::npos) url.erase(query);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

bool is_connection_error(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR ||
         code == CURLE_GOT_NOTHING || code == CURLE_PARTIAL_FILE;
}

struct Attempt {
  Status status;
  CURLcode curl_code = CURLE_OK;
  std::size_t rows = 0;
};

class HttpClickHouse final : public ClickHouse {
 public:
  explicit HttpClickHouse(ClickHouseConfig config)
      : config_(std::move(config)), base_url_(strip_credentials(config_.url)) {}

  Status execute(std::string_view sql) override { return run(sql, nullptr, false); }

  Status query(std::string_view sql, const RowCallback& on_row) override {
    return run(sql, &on_row, true);
  }

  std::string describe() const override { return base_url_; }

 private:
  Status run(std::string_view sql, const RowCallback* on_row, bool is_read) {
    const auto started = std::chrono::steady_clock::now();
    const int retries = std::max(0, config_.read_retries);
    Attempt attempt;
    for (int n = 0;; ++n) {
      attempt = perform(sql, on_row);
      if (attempt.status.ok() || n >= retries) break;
      const bool retry = is_read ? (is_connection_error(attempt.curl_code) && attempt.rows == 0)
                                 : attempt.curl_code == CURLE_COULDNT_CONNECT;
      if (!retry) break;
      const auto delay = std::chrono::milliseconds(std::min(500 << std::min(n, 6), 8000));
      spdlog::debug("clickhouse: {}; retrying in {} ms", attempt.status.error().message, delay.count());
      std::this_thread::sleep_for(delay);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (attempt.status.ok()) {
      spdlog::debug("clickhouse {:.3f} s, {} rows: {}", seconds, attempt.rows, one_line(sql, 200));
    } else {
      spdlog::debug("clickhouse failed after {:.3f} s: {}: {}", seconds, one_line(sql, 200),
                    attempt.status.error().message);
    }
    return attempt.status;
  }

  Attempt perform(std::string_view sql, const RowCallback* on_row) {
    global_curl_init();
    Attempt attempt;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) {
      attempt.status = Error::failure("cannot initialise libcurl");
      attempt.curl_code = CURLE_FAILED_INIT;
      return attempt;
    }
    CURL* h = curl.get();
    std::string url = base_url_ + "/?";
    if (!config_.database.empty()) url += "database=" + url_escape(h, config_.database) + "&";
    url += "default_format=TabSeparated&wait_end_of_query=1";

    Transfer transfer(on_row);
    char errbuf[CURL_ERROR_SIZE] = {0};
    struct curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: text/plain; charset=UTF-8");
    headers = curl_slist_append(headers, "Expect:");
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, &curl_slist_free_all);

    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, sql.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(sql.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_USERNAME, config_.user.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, config_.password.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(std::max(1, config_.connect_timeout_seconds)));
    if (config_.query_timeout_seconds > 0) {
      curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(config_.query_timeout_seconds));
    }
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "vigil");
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);

    const CURLcode code = curl_easy_perform(h);
    if (transfer.callback_exception) std::rethrow_exception(transfer.callback_exception);
    attempt.curl_code = code;
    attempt.rows = transfer.parser.rows_delivered();

    if (code != CURLE_OK) {
      // A server exception that came before the connection broke explains more.
      if (transfer.status == 200) {
        if (auto server = transfer.parser.exception_in_tail()) {
          attempt.status = server_error(*server, transfer.status);
          return attempt;
        }
      } else if (transfer.status != 0 && !transfer.error_body.empty() &&
                 code != CURLE_OPERATION_TIMEDOUT) {
        attempt.status = server_error(parse_server_error(transfer.error_body), transfer.status);
        return attempt;
      }
      attempt.status = transport_error(h, code, errbuf);
      return attempt;
    }
    if (transfer.status != 200 || transfer.header_exception_code != 0) {
      ServerError error = parse_server_error(transfer.error_body);
      if (error.code == 0) error.code = transfer.header_exception_code;
      attempt.status = server_error(error, transfer.status);
      return attempt;
    }
    const ServerError tail = transfer.parser.finish();
    attempt.rows = transfer.parser.rows_delivered();
    if (tail.code != 0 || !tail.message.empty()) attempt.status = server_error(tail, 200);
    return attempt;
  }

  std::string redact(std::string message) const {
    const std::string& pw = config_.password;
    if (pw.size() >= 3) {
      for (std::size_t at = message.find(pw); at != std::string::npos; at = message.find(pw, at)) {
        message.replace(at, pw.size(), "***");
      }
    }
    return message;
  }

  Error transport_error(CURL* h, CURLcode code, const char* errbuf) const {
    long os_errno = 0;
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
    std::string reason = os_errno != 0 ? std::strerror(static_cast<int>(os_errno))
                         : errbuf[0] != '\0' ? std::string(errbuf)
                                             : std::string(curl_easy_strerror(code));
    reason = one_line(reason, 200);
    const std::string hint =
        "is it running? Start the local one with `vigil clickhouse start` or fix [clickhouse] url";
    switch (code) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        return Error::failure(redact(fmt::format("cannot connect to ClickHouse at {} ({}): {}", base_url_, reason, hint)));
      case CURLE_OPERATION_TIMEDOUT: {
        curl_off_t connect_time = 0;
        curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_time);
        if (connect_time == 0) {
          return Error::failure(redact(fmt::format("cannot connect to ClickHouse at {} (no answer within {} s): {}",
                                                   base_url_, config_.connect_timeout_seconds, hint)));
        }
        return Error::failure(redact(fmt::format(
            "ClickHouse at {} did not answer within {} s: raise [clickhouse] query_timeout_seconds or "
            "check the server load",
            base_url_, config_.query_timeout_seconds)));
      }
      case CURLE_GOT_NOTHING:
      case CURLE_RECV_ERROR:
      case CURLE_SEND_ERROR:
      case CURLE_PARTIAL_FILE:
        return Error::failure(redact(fmt::format(
            "lost the connection to ClickHouse at {} ({}): the server may have restarted or crashed; "
            "check its log",
            base_url_, reason)));
      default:
        return Error::failure(redact(fmt::format("request to ClickHouse at {} failed: {}", base_url_, reason)));
    }
  }

  Error server_error(const ServerError& error, long http_status) const {
    const std::string& text = error.message;
    const int code = error.code;
    std::string message;
    if (code == 192 || code == 193 || code == 194 || code == 516 ||
        (code == 0 && (http_status == 401 || http_status == 403))) {
      message = fmt::format("ClickHouse at {} rejected user '{}': wrong user or password (set VIGIL_CLICKHOUSE_PASSWORD)",
                            base_url_, config_.user);
    } else if (code == 195) {
      message = fmt::format("ClickHouse at {} rejected user '{}': {}", base_url_, config_.user, text);
    } else if (code == 81) {
      std::string name = extract_after(text, "Database ", {" doesn't exist", " does not exist"});
      if (name.empty()) name = config_.database;
      message = fmt::format(
          "ClickHouse database '{}' does not exist on {}: create it or fix the database name in the "
          "config ([clickhouse] database, [source] database)",
          name, base_url_);
    } else if (code == 60) {
      std::string name = extract_after(text, "Table ", {" doesn't exist", " does not exist"});
      if (name.empty()) name = extract_after(text, "table expression identifier ", {" in scope"});
      if (name.empty()) name = "(unnamed)";
      message = fmt::format(
          "ClickHouse table {} does not exist on {}: create it first or fix the table name in the config",
          name, base_url_);
    } else if (code == 47 || text.find("Missing columns") != std::string::npos) {
      message = fmt::format("ClickHouse query refers to a missing column: {}", text);
    } else if (code != 0) {
      message = fmt::format("ClickHouse error {}: {}", code, text);
    } else {
      message = fmt::format("ClickHouse at {} answered HTTP {}: {}", base_url_, http_status,
                            text.empty() ? "(empty body)" : text);
    }
    return Error::failure(redact(std::move(message)));
  }

  ClickHouseConfig config_;
  std::string base_url_;
};

}  // namespace

Result<std::vector<Row>> ClickHouse::query_rows(std::string_view sql) {
  std::vector<Row> rows;
  Status status = query(sql, [&rows](const Row& row) { rows.push_back(row); });
  if (!status.ok()) return status.error();
  return rows;
}

Result<std::string> ClickHouse::query_value(std::string_view sql) {
  auto rows = query_rows(sql);
  if (!rows.ok()) return rows.error();
  if (rows->size() != 1 || rows->front().size() != 1) {
    return Error::failure(fmt::format(
        "ClickHouse query returned {} rows of {} columns where one value was expected: {}", rows->size(),
        rows->empty() ? 0 : rows->front().size(), one_line(sql, 200)));
  }
  return std::move(rows->front().front());
}

std::unique_ptr<ClickHouse> make_http_clickhouse(const ClickHouseConfig& config) {
  global_curl_init();
  return std::make_unique<HttpClickHouse>(config);
}

std::string sql_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\0': out += "\\0"; break;
      default: out += c;
    }
  }
  out += '\'';
  return out;
}

std::string sql_ident(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '`';
  for (char c : name) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '`': out += "\\`"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\0': out += "\\0"; break;
      default: out += c;
    }
  }
  out += '`';
  return out;
}

std::string sql_table(std::string_view database, std::string_view table) {
  return sql_ident(database) + "." + sql_ident(table);
}

}  // namespace vigil
