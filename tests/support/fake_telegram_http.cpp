// The fake Bot API's HTTP side. See fake_telegram_http.h.
#include "support/fake_telegram_http.h"

#include <poll.h>
#include <sys/socket.h>

#include <cctype>

namespace vigil::fake_telegram {
namespace {

constexpr int kIoTimeoutMs = 10000;
constexpr std::size_t kMaxHead = 64 * 1024;
constexpr std::size_t kMaxBody = 64 * 1024 * 1024;

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

}  // namespace

bool Connection::read_more() {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, kIoTimeoutMs) <= 0) return false;
  char chunk[64 * 1024];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) return false;
  buffer.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::size_t Connection::find(std::string_view what, std::size_t from, std::size_t limit) {
  while (true) {
    const std::size_t at = buffer.find(what, from);
    if (at != std::string::npos) return at;
    if (buffer.size() > limit || !read_more()) return std::string::npos;
  }
}

bool Connection::need(std::size_t size) {
  while (buffer.size() < size) {
    if (!read_more()) return false;
  }
  return true;
}

bool Connection::send_all(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool read_request(Connection& c, HttpRequest& r) {
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

}  // namespace vigil::fake_telegram
