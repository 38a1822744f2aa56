// Parsing of ClickHouse HTTP response bodies for the client (client.cpp):
// TabSeparated rows, unescaped and streamed to the caller, and the server's
// exception texts. Kept apart from the transport because ClickHouse can report
// an exception after the HTTP 200 header, as a trailing text line ("Code: 395,
// e.displayText() = DB::Exception: ..." on 18.16, "Code: 395. DB::Exception: ..."
// later, or a "__exception__<tag>" block on 25.11+), and such a line must never
// reach the caller as a row. Internal to src/clickhouse.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "clickhouse/client.h"

namespace vigil::ch_internal {

inline constexpr std::size_t kMaxErrorBody = 64 * 1024;  // bytes of an error body we keep

struct ServerError {
  int code = 0;          // ClickHouse error code, 0 if unknown
  std::string message;   // the server's text, one line, without decorations
};

// The code and message of a server exception text (an error body or a trailing line).
ServerError parse_server_error(std::string_view body);

// Splits the body of an HTTP 200 response into rows, holding back the last
// lines until the end so a trailing exception is recognised.
class BodyParser {
 public:
  explicit BodyParser(const RowCallback* on_row) : on_row_(on_row) {}

  // The X-ClickHouse-Exception-Tag header (25.11+): marks a tagged exception block.
  void set_exception_tag(std::string tag) { marker_ = "__exception__" + tag; }

  // A chunk of the body as it arrives. Rethrows what the row callback throws.
  void feed(const char* data, std::size_t size);

  // At the end of a complete transfer: delivers the held lines or reports the
  // trailing exception (code 0 and no message: none).
  ServerError finish();

  // After a failed transfer: the server's exception text if one is among the held lines.
  std::optional<ServerError> exception_in_tail() const;

  std::size_t rows_delivered() const { return rows_; }

 private:
  bool complete_line();
  void deliver_front();
  void append_exception(std::string_view text);
  ServerError tagged_error() const;

  const RowCallback* on_row_;
  std::string marker_;
  std::string partial_;
  std::deque<std::string> held_;
  Row row_;
  std::size_t rows_ = 0;
  bool in_exception_ = false;
  std::string exception_text_;
};

}  // namespace vigil::ch_internal
