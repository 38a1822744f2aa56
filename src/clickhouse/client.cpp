// ClickHouse HTTP client over libcurl. See client.h.
//
// This file holds the transport: the request (URL parameters, basic auth,
// timeouts), the curl callbacks, retries and the ClickHouse interface helpers.
// The body is parsed by BodyParser (response.h); failures are worded by
// errors.h.
#include "clickhouse/client.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <exception>

#include "base/backoff.h"
#include "base/curl_init.h"
#include "base/parse.h"
#include "clickhouse/errors.h"
#include "clickhouse/response.h"
#include "clickhouse/text.h"

namespace vigil {

using namespace ch_internal;

namespace {

// Waits between attempts: 0.5 s, 1, 2, 4, then 8 s.
constexpr Backoff kRetryBackoff{0.5, 8.0};

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
    const auto code = parse_int(space == std::string_view::npos ? "" : line.substr(space + 1, 3));
    t->status = code.ok() ? *code : 0;
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
    const auto code = parse_int(value);
    t->header_exception_code = code.ok() ? *code : 0;
  } else if (name == "x-clickhouse-exception-tag" && !value.empty()) {
    t->parser.set_exception_tag(value);
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (t->status != 200 || t->header_exception_code != 0) {
    append_bounded(t->error_body, std::string_view(data, n), kMaxErrorBody);
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

// Wraps `text` in `quote`, backslash-escaping the quote, backslashes and the
// control characters ClickHouse would misread. `escape_cr`: also \r.
std::string quoted(std::string_view text, char quote, bool escape_cr) {
  std::string out;
  out.reserve(text.size() + 2);
  out += quote;
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\0': out += "\\0"; break;
      case '\r': out += escape_cr ? "\\r" : "\r"; break;
      default:
        if (c == quote) out += '\\';
        out += c;
    }
  }
  out += quote;
  return out;
}

struct Attempt {
  Status status;
  CURLcode curl_code = CURLE_OK;
  std::size_t rows = 0;
};

using CurlHandle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using HeaderList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

class HttpClickHouse final : public ClickHouse {
 public:
  HttpClickHouse(ClickHouseConfig config, Sleeper& sleeper)
      : config_(std::move(config)), base_url_(strip_credentials(config_.url)), sleeper_(sleeper) {}

  Status execute(std::string_view sql) override { return run(sql, nullptr, false); }

  Status execute_with(std::string_view sql, const QuerySettings& settings) override {
    return run(sql, nullptr, false, settings);
  }

  Status query(std::string_view sql, const RowCallback& on_row) override {
    return run(sql, &on_row, true);
  }

  std::string describe() const override { return base_url_; }

 private:
  Status run(std::string_view sql, const RowCallback* on_row, bool is_read,
             const QuerySettings& settings = {}) {
    const auto started = std::chrono::steady_clock::now();
    const int retries = std::max(0, config_.read_retries);
    Attempt attempt;
    for (int n = 0;; ++n) {
      attempt = perform(sql, on_row, settings);
      if (attempt.status.ok() || n >= retries) break;
      const bool retry = is_read ? (is_connection_error(attempt.curl_code) && attempt.rows == 0)
                                 : attempt.curl_code == CURLE_COULDNT_CONNECT;
      if (!retry) break;
      const double delay = kRetryBackoff.delay(n);
      spdlog::debug("clickhouse: {}; retrying in {:.0f} ms", attempt.status.error().message,
                    delay * 1000);
      sleeper_.sleep_for(delay);
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

  // One HTTP exchange: POSTs `sql`, streams the rows, words any failure.
  Attempt perform(std::string_view sql, const RowCallback* on_row, const QuerySettings& settings) {
    global_curl_init();
    Attempt attempt;
    CurlHandle curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) {
      attempt.status = Error::failure("cannot initialise libcurl");
      attempt.curl_code = CURLE_FAILED_INIT;
      return attempt;
    }
    CURL* h = curl.get();
    const std::string url = request_url(h, settings);
    Transfer transfer(on_row);
    char errbuf[CURL_ERROR_SIZE] = {0};
    struct curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: text/plain; charset=UTF-8");
    headers = curl_slist_append(headers, "Expect:");
    HeaderList header_guard(headers, &curl_slist_free_all);
    set_options(h, url, sql, headers, transfer, errbuf);

    const CURLcode code = curl_easy_perform(h);
    if (transfer.callback_exception) std::rethrow_exception(transfer.callback_exception);
    attempt.curl_code = code;
    attempt.status = outcome(h, code, transfer, errbuf);
    attempt.rows = transfer.parser.rows_delivered();
    return attempt;
  }

  // The server's URL with the settings as parameters.
  std::string request_url(CURL* h, const QuerySettings& settings) const {
    std::string url = base_url_ + "/?";
    if (!config_.database.empty()) url += "database=" + url_escape(h, config_.database) + "&";
    for (const auto& [name, value] : settings) {
      url += url_escape(h, name) + "=" + url_escape(h, value) + "&";
    }
    url += "default_format=TabSeparated&wait_end_of_query=1";
    return url;
  }

  void set_options(CURL* h, const std::string& url, std::string_view sql, curl_slist* headers,
                   Transfer& transfer, char* errbuf) const {
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
  }

  // The result of a finished exchange; on success, delivers the held rows.
  Status outcome(CURL* h, CURLcode code, Transfer& transfer, const char* errbuf) const {
    if (code != CURLE_OK) {
      // A server exception that came before the connection broke explains more.
      if (transfer.status == 200) {
        if (auto server = transfer.parser.exception_in_tail()) {
          return server_error(*server, transfer.status, config_, base_url_);
        }
      } else if (transfer.status != 0 && !transfer.error_body.empty() &&
                 code != CURLE_OPERATION_TIMEDOUT) {
        return server_error(parse_server_error(transfer.error_body), transfer.status, config_, base_url_);
      }
      return transport_error(h, code, errbuf, config_, base_url_);
    }
    if (transfer.status != 200 || transfer.header_exception_code != 0) {
      ServerError error = parse_server_error(transfer.error_body);
      if (error.code == 0) error.code = transfer.header_exception_code;
      return server_error(error, transfer.status, config_, base_url_);
    }
    const ServerError tail = transfer.parser.finish();
    if (tail.code != 0 || !tail.message.empty()) return server_error(tail, 200, config_, base_url_);
    return {};
  }

  ClickHouseConfig config_;
  std::string base_url_;
  Sleeper& sleeper_;
};

}  // namespace

Status ClickHouse::execute_with(std::string_view sql, const QuerySettings& settings) {
  if (settings.empty()) return execute(sql);
  return Error::failure(fmt::format("{} cannot send settings ({} first): {}", describe(),
                                    settings.front().first, one_line(sql, 80)));
}

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

std::unique_ptr<ClickHouse> make_http_clickhouse(const ClickHouseConfig& config, Sleeper& sleeper) {
  global_curl_init();
  return std::make_unique<HttpClickHouse>(config, sleeper);
}

std::unique_ptr<ClickHouse> make_qualified_clickhouse(ClickHouseConfig config, Sleeper& sleeper) {
  config.database.clear();
  return make_http_clickhouse(config, sleeper);
}

std::string sql_quote(std::string_view text) { return quoted(text, '\'', true); }

// Identifiers keep \r as it is (ClickHouse reads it either way).
std::string sql_ident(std::string_view name) { return quoted(name, '`', false); }

std::string sql_table(std::string_view database, std::string_view table) {
  return sql_ident(database) + "." + sql_ident(table);
}

}  // namespace vigil
