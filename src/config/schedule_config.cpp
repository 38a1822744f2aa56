#include "config/schedule_config.h"

#include <fmt/format.h>

#include "base/host_port.h"
#include "base/cron.h"

namespace vigil {

Result<ListenAddress> parse_listen_address(std::string_view text) {
  auto parsed = parse_host_port(text);
  if (!parsed.ok()) return Error::usage(fmt::format("'{}' {}", text, parsed.error().message));
  if (!parsed->port) {
    return Error::usage(fmt::format("'{}' is not HOST:PORT: expected for example 127.0.0.1:8765",
                                    text));
  }
  const bool loopback = is_loopback_host(parsed->host);
  return ListenAddress{std::move(parsed->host), *parsed->port, loopback};
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
