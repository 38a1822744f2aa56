#include "config/schedule_config.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/parse.h"
#include "schedule/cron.h"

namespace vigil {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() && text.size() <= 5 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// 127.0.0.0/8 written as a dotted quad.
bool is_ipv4_loopback(std::string_view host) {
  if (host.substr(0, 4) != "127.") return false;
  int parts = 0;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    std::string_view part = host.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty() || part.size() > 3 || !all_digits(part) || *parse_int(part) > 255) {
      return false;
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Error::usage(fmt::format("'{}' is not HOST:PORT: expected for example 127.0.0.1:8765",
                                    text));
  }
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const auto number = parse_int(port);
  if (!all_digits(port) || !number.ok() || *number < 1 || *number > 65535) {
    return Error::usage(fmt::format("'{}' has an invalid port '{}': expected a number from 1 to 65535",
                                    text, port));
  }
  if (host.empty() || host.find_first_of(" /?#@[]") != std::string_view::npos) {
    return Error::usage(fmt::format("'{}' has an invalid host '{}': expected an address or a "
                                    "host name, e.g. 127.0.0.1, [::1] or 0.0.0.0",
                                    text, host));
  }
  const bool loopback = host == "localhost" || host == "::1" || is_ipv4_loopback(host);
  return ListenAddress{std::string(host), *number, loopback};
}

namespace config_reader {
namespace {

std::string check_optional_cron(std::string_view value) {
  if (value.empty()) return "";
  auto cron = parse_cron(value);
  return cron.ok() ? "" : cron.error().message;
}

std::string check_listen(std::string_view value) {
  if (value.empty()) return "";
  auto address = parse_listen_address(value);
  return address.ok() ? "" : address.error().message;
}

}  // namespace

void read_schedule(Reader& r, const toml::table& root, ScheduleConfig& c) {
  const toml::table* t = section(r, root, "schedule");
  if (t == nullptr) return;
  check_known_keys(r, *t,
                   {"schedule",
                    {"etl", "report", "alerts", "retries", "retry_backoff_seconds",
                     "catchup_days"}});
  read_string(r, *t, "schedule", "etl", c.etl, check_optional_cron);
  read_string(r, *t, "schedule", "report", c.report, check_optional_cron);
  read_string(r, *t, "schedule", "alerts", c.alerts, check_optional_cron);
  read_int(r, *t, "schedule", "retries", c.retries, 0, 20);
  read_int(r, *t, "schedule", "retry_backoff_seconds", c.retry_backoff_seconds, 1, 86400);
  read_int(r, *t, "schedule", "catchup_days", c.catchup_days, 0, 366);
}

void read_serve(Reader& r, const toml::table& root, ServeConfig& c) {
  const toml::table* t = section(r, root, "serve");
  if (t == nullptr) return;
  check_known_keys(r, *t, {"serve", {"listen", "public_url"}});
  read_string(r, *t, "serve", "listen", c.listen, check_listen);
  read_string(r, *t, "serve", "public_url", c.public_url, check_optional_url);
}

}  // namespace config_reader
}  // namespace vigil
