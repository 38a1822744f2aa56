// The HTTP client's error messages. See errors.h.
#include "clickhouse/errors.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "clickhouse/text.h"

namespace vigil::ch_internal {
namespace {

// Text between `prefix` and the next occurrence of one of `ends`, or empty.
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

// `message` with every occurrence of the password (if 3+ characters) replaced by ***.
Error redacted_failure(std::string message, const ClickHouseConfig& config) {
  const std::string& pw = config.password;
  if (pw.size() >= 3) {
    for (std::size_t at = message.find(pw); at != std::string::npos; at = message.find(pw, at)) {
      message.replace(at, pw.size(), "***");
    }
  }
  return Error::failure(std::move(message));
}

std::string missing_database(const std::string& text, const ClickHouseConfig& config,
                             const std::string& base_url) {
  std::string name = extract_after(text, "Database ", {" doesn't exist", " does not exist"});
  if (name.empty()) name = config.database;
  return fmt::format(
      "ClickHouse database '{}' does not exist on {}: create it or fix the database name in the "
      "config ([clickhouse] database, [source] database)",
      name, base_url);
}

std::string missing_table(const std::string& text, const std::string& base_url) {
  std::string name = extract_after(text, "Table ", {" doesn't exist", " does not exist"});
  if (name.empty()) {
    // 24.x: "'db.t' in scope ..."; 26.x: "'db.t'. In scope ...", or "'db.t'. Maybe you meant db2.t? In scope ...".
    name = extract_after(text, "table expression identifier ", {" in scope", ". In scope", ". Maybe you meant"});
  }
  if (name.empty()) name = "(unnamed)";
  return fmt::format(
      "ClickHouse table {} does not exist on {}: create it first or fix the table name in the config",
      name, base_url);
}

// The message for a transfer that ended before an answer arrived in time.
std::string timeout_message(CURL* curl, const ClickHouseConfig& config, const std::string& base_url,
                            const std::string& hint) {
  curl_off_t connect_time = 0;
  curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connect_time);
  if (connect_time == 0) {
    return fmt::format("cannot connect to ClickHouse at {} (no answer within {} s): {}", base_url,
                       config.connect_timeout_seconds, hint);
  }
  return fmt::format(
      "ClickHouse at {} did not answer within {} s: raise [clickhouse] query_timeout_seconds or "
      "check the server load",
      base_url, config.query_timeout_seconds);
}

}  // namespace

Error server_error(const ServerError& error, long http_status, const ClickHouseConfig& config,
                   const std::string& base_url) {
  const std::string& text = error.message;
  const int code = error.code;
  std::string message;
  if (code == 192 || code == 193 || code == 194 || code == 516 ||
      (code == 0 && (http_status == 401 || http_status == 403))) {
    message = fmt::format("ClickHouse at {} rejected user '{}': wrong user or password (set VIGIL_CLICKHOUSE_PASSWORD)",
                          base_url, config.user);
  } else if (code == 195) {
    message = fmt::format("ClickHouse at {} rejected user '{}': {}", base_url, config.user, text);
  } else if (code == 81) {
    message = missing_database(text, config, base_url);
  } else if (code == 60) {
    message = missing_table(text, base_url);
  } else if (code == 47 || text.find("Missing columns") != std::string::npos) {
    message = fmt::format("ClickHouse query refers to a missing column: {}", text);
  } else if (code != 0) {
    message = fmt::format("ClickHouse error {}: {}", code, text);
  } else {
    message = fmt::format("ClickHouse at {} answered HTTP {}: {}", base_url, http_status,
                          text.empty() ? "(empty body)" : text);
  }
  return redacted_failure(std::move(message), config);
}

Error transport_error(CURL* curl, CURLcode code, const char* errbuf, const ClickHouseConfig& config,
                      const std::string& base_url) {
  long os_errno = 0;
  curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
  std::string reason = os_errno != 0 ? std::strerror(static_cast<int>(os_errno))
                       : errbuf[0] != '\0' ? std::string(errbuf)
                                           : std::string(curl_easy_strerror(code));
  reason = one_line(reason, 200);
  const std::string hint =
      "is it running? Start the local one with `vigil clickhouse start` or fix [clickhouse] url";
  std::string message;
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      message = fmt::format("cannot connect to ClickHouse at {} ({}): {}", base_url, reason, hint);
      break;
    case CURLE_OPERATION_TIMEDOUT:
      message = timeout_message(curl, config, base_url, hint);
      break;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
      message = fmt::format(
          "lost the connection to ClickHouse at {} ({}): the server may have restarted or crashed; "
          "check its log",
          base_url, reason);
      break;
    default:
      message = fmt::format("request to ClickHouse at {} failed: {}", base_url, reason);
  }
  return redacted_failure(std::move(message), config);
}

}  // namespace vigil::ch_internal
