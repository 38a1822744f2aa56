#include "base/host_port.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/parse.h"

namespace vigil {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A decimal number of 1 to `digits` digits, at most `max`.
std::optional<int> small_number(std::string_view text, std::size_t digits, int max) {
  if (text.size() > digits || !all_digits(text)) return std::nullopt;
  const auto number = parse_int(text);
  if (!number.ok() || *number > max) return std::nullopt;
  return *number;
}

}  // namespace

Result<HostPort> parse_host_port(std::string_view text) {
  std::string_view host = text;
  std::optional<std::string_view> port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return Error::usage("has an unclosed '['");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Error::usage("is malformed after ']': expected ':PORT'");
      port = rest.substr(1);
    }
  } else if (const std::size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return Error::usage("has no host");
  if (host.find_first_of(" /?#@[]") != std::string_view::npos) {
    return Error::usage(fmt::format(
        "has an invalid host '{}': expected an address or a host name, e.g. 127.0.0.1 or [::1]",
        host));
  }
  if (text.front() != '[' && host.find(':') != std::string_view::npos) {
    return Error::usage(
        fmt::format("has an IPv6 host without brackets: expected e.g. [{}]:PORT", host));
  }
  HostPort parsed{std::string(host), std::nullopt};
  if (port) {
    parsed.port = small_number(*port, 5, 65535);
    if (!parsed.port || *parsed.port < 1) {
      return Error::usage(
          fmt::format("has an invalid port '{}': expected a number from 1 to 65535", *port));
    }
  }
  return parsed;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  if (host.substr(0, 4) != "127.") return false;
  int parts = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = host.find('.', start);
    const std::string_view part =
        host.substr(start, dot == std::string_view::npos ? dot : dot - start);
    // No leading zeros: resolvers read "010" as octal, and then it is not what it says.
    if (!small_number(part, 3, 255) || (part.size() > 1 && part.front() == '0')) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

}  // namespace vigil
