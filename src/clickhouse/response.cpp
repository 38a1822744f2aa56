// Parsing of ClickHouse response bodies. See response.h.
//
// The body is parsed as it arrives: complete lines are split into TSV fields,
// unescaped and handed to the caller's callback. The last few lines are held
// back until the end of the stream, so a trailing exception line is never
// delivered as a row.
#include "clickhouse/response.h"

#include <cctype>
#include <utility>

#include "clickhouse/text.h"

namespace vigil::ch_internal {
namespace {

constexpr std::size_t kHeldLines = 4;    // lines kept back for exception detection
constexpr std::size_t kMaxMessage = 600;  // chars of a server message we show

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

// ---------------------------------------------------------------- exception texts

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

}  // namespace

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

// ---------------------------------------------------------------- BodyParser

void BodyParser::feed(const char* data, std::size_t size) {
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

ServerError BodyParser::finish() {
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

std::optional<ServerError> BodyParser::exception_in_tail() const {
  if (in_exception_) return tagged_error();
  for (std::size_t i = 0; i < held_.size(); ++i) {
    if (looks_like_exception_line(held_[i])) return parse_server_error(held_[i]);
  }
  if (looks_like_exception_line(partial_)) return parse_server_error(partial_);
  return std::nullopt;
}

// Moves partial_ into the held lines; false if it starts a tagged exception.
bool BodyParser::complete_line() {
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

void BodyParser::deliver_front() {
  split_row(held_.front(), row_);
  held_.pop_front();
  ++rows_;
  if (on_row_ && *on_row_) (*on_row_)(row_);
}

void BodyParser::append_exception(std::string_view text) {
  append_bounded(exception_text_, text, kMaxErrorBody);
}

ServerError BodyParser::tagged_error() const {
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

}  // namespace vigil::ch_internal
