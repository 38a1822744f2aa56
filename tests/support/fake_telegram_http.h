// The fake Bot API's HTTP side (internal to tests/support/fake_telegram*):
// reading one HTTP/1.1 request from a socket (Content-Length or chunked body,
// answering "Expect: 100-continue") and its parameters (query string,
// x-www-form-urlencoded, multipart/form-data with file parts).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/fake_telegram.h"       // FakeTelegramPhoto
#include "support/fake_telegram_text.h"  // Fields

namespace vigil::fake_telegram {

struct HttpRequest {
  std::string http_method;  // "POST"
  std::string target;       // "/bot<TOKEN>/sendMessage?x=1"
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::chrono::steady_clock::time_point arrived;
};

// A connected socket (not owned) with what was read from it so far.
class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}

  std::string buffer;

  // Appends what arrives next to `buffer`; false on end of stream, error or timeout.
  bool read_more();
  // Position of `what` in `buffer` at or after `from`, reading as needed; npos on failure.
  std::size_t find(std::string_view what, std::size_t from, std::size_t limit);
  bool need(std::size_t size);  // reads until `buffer` holds `size` bytes; false if it cannot
  bool send_all(std::string_view data);

 private:
  int fd_;
};

// Reads one request; false if the connection ends or the request is malformed.
bool read_request(Connection& c, HttpRequest& r);

// Adds the pairs of `a=1&b=x%20y` to `fields`.
void parse_urlencoded(std::string_view text, Fields& fields);

// The value of parameter `name` in a header like `form-data; name="x"; filename="y"`.
std::optional<std::string> header_parameter(std::string_view header, std::string_view name);

// Splits a multipart/form-data body: parts with a filename are files, the others fields.
bool parse_multipart(std::string_view body, const std::string& boundary, Fields& fields,
                     std::vector<FakeTelegramPhoto>& files);

}  // namespace vigil::fake_telegram
