#include "config/config.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "config/alerts_config.h"
#include "config/schedule_config.h"
#include "config/toml_reader.h"

#include "base/files.h"
#include "base/time.h"

namespace vigil {
namespace {

using namespace config_reader;

// Checks the array of age bucket lower bounds; returns them if they are all valid.
std::optional<std::vector<int>> age_bounds(Reader& r, const toml::array& array,
                                           const toml::source_region& region,
                                           const std::string& name) {
  if (array.empty()) {
    r.fail(region, name, "expected at least one bucket lower bound, got an empty array");
    return std::nullopt;
  }
  std::vector<int> bounds;
  for (size_t i = 0; i < array.size(); ++i) {
    const toml::node& element = array[i];
    const auto& at = element.source().begin.line != 0 ? element.source() : region;
    if (!element.is_integer()) {
      r.fail(at, name, fmt::format("expected an array of integers, element {} is {}", i + 1,
                                   with_article(element.type())));
      return std::nullopt;
    }
    std::int64_t value = element.as_integer()->get();
    if (value < 1 || value > 150) {
      r.fail(at, name, fmt::format("each bound must be between 1 and 150, got {}", value));
      return std::nullopt;
    }
    if (!bounds.empty() && value <= bounds.back()) {
      r.fail(at, name, fmt::format("bounds must be strictly ascending, got {} after {}", value,
                                   bounds.back()));
      return std::nullopt;
    }
    bounds.push_back(static_cast<int>(value));
  }
  return bounds;
}

void read_age_buckets(Reader& r, const toml::table& table, std::vector<int>& out) {
  auto it = table.find("age_buckets");
  if (it == table.end()) return;
  const toml::node& node = it->second;
  const std::string name = "etl.age_buckets";
  if (!node.is_array()) {
    r.fail(where(it->first, node), name,
           fmt::format("expected an array of integers, got {}", type_name(node.type())));
    return;
  }
  if (auto bounds = age_bounds(r, *node.as_array(), where(it->first, node), name)) {
    out = std::move(*bounds);
  }
}

void read_clickhouse(Reader& r, const toml::table& root, ClickHouseConfig& c) {
  const toml::table* t = section(r, root, "clickhouse");
  if (t == nullptr) return;
  check_known_keys(r, *t,
                   {"clickhouse",
                    {"url", "user", "database", "connect_timeout_seconds",
                     "query_timeout_seconds", "read_retries", "cluster"}});
  read_string(r, *t, "clickhouse", "url", c.url, check_url);
  read_string(r, *t, "clickhouse", "user", c.user, check_non_empty);
  read_string(r, *t, "clickhouse", "database", c.database, check_identifier);
  read_int(r, *t, "clickhouse", "connect_timeout_seconds", c.connect_timeout_seconds, 1, kMaxInt);
  read_int(r, *t, "clickhouse", "query_timeout_seconds", c.query_timeout_seconds, 1, kMaxInt);
  read_int(r, *t, "clickhouse", "read_retries", c.read_retries, 0, 10);
  read_string(r, *t, "clickhouse", "cluster", c.cluster, [](std::string_view value) {
    return value.empty() ? std::string() : check_identifier(value);  // empty: one server
  });
}

void read_source(Reader& r, const toml::table& root, SourceConfig& c) {
  const toml::table* t = section(r, root, "source");
  if (t == nullptr) return;
  check_known_keys(r, *t, {"source", {"database", "feed_table", "message_table"}});
  read_string(r, *t, "source", "database", c.database, check_identifier);
  read_string(r, *t, "source", "feed_table", c.feed_table, check_identifier);
  read_string(r, *t, "source", "message_table", c.message_table, check_identifier);
}

void read_etl(Reader& r, const toml::table& root, EtlConfig& c) {
  const toml::table* t = section(r, root, "etl");
  if (t == nullptr) return;
  check_known_keys(r, *t,
                   {"etl", {"target_table", "age_buckets", "demographics_lookback_days"}});
  read_string(r, *t, "etl", "target_table", c.target_table, check_identifier);
  read_age_buckets(r, *t, c.age_buckets);
  read_int(r, *t, "etl", "demographics_lookback_days", c.demographics_lookback_days, 0, 366);
}

void read_report(Reader& r, const toml::table& root, ReportConfig& c) {
  const toml::table* t = section(r, root, "report");
  if (t == nullptr) return;
  check_known_keys(r, *t, {"report", {"dashboard_url"}});
  read_string(r, *t, "report", "dashboard_url", c.dashboard_url, check_optional_url);
}

// A Telegram user: a numeric id, or a username (5..32 of A-Z a-z 0-9 _) with its "@".
std::string check_telegram_user(std::string_view value) {
  const bool id = !value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos;
  if (id) return "";
  const std::string_view name = value.empty() || value.front() != '@' ? std::string_view() : value.substr(1);
  const bool username =
      name.size() >= 5 && name.size() <= 32 &&
      name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
          std::string_view::npos;
  return username ? "" : "expected a numeric user id (\"123456789\") or a @username (\"@ann_ops\")";
}

void read_telegram(Reader& r, const toml::table& root, TelegramConfig& c) {
  const toml::table* t = section(r, root, "telegram");
  if (t == nullptr) return;
  check_known_keys(r, *t,
                   {"telegram", {"api_url", "chat_id", "timeout_seconds", "max_attempts", "allowed_users"}});
  read_string(r, *t, "telegram", "api_url", c.api_url, check_url);
  read_string(r, *t, "telegram", "chat_id", c.chat_id, check_any);
  read_int(r, *t, "telegram", "timeout_seconds", c.timeout_seconds, 1, 600);
  read_int(r, *t, "telegram", "max_attempts", c.max_attempts, 1, 20);
  read_string_array(r, *t, "telegram", "allowed_users", c.allowed_users, check_telegram_user);
}

void read_root(Reader& r, const toml::table& root, Config& c, const DetectorCheck& check_detector) {
  check_known_keys(r, root,
                   {"",
                    {"timezone", "state_dir", "out_dir"},
                    {"clickhouse", "source", "etl", "report", "telegram", "alerts", "schedule",
                     "serve"}});
  read_string(r, root, "", "timezone", c.timezone, check_zone);
  read_string(r, root, "", "state_dir", c.state_dir, check_non_empty);
  read_string(r, root, "", "out_dir", c.out_dir, check_non_empty);
  read_clickhouse(r, root, c.clickhouse);
  read_source(r, root, c.source);
  read_etl(r, root, c.etl);
  read_report(r, root, c.report);
  read_telegram(r, root, c.telegram);
  read_alerts(r, root, c.alerts, check_detector);
  read_schedule(r, root, c.schedule);
  read_serve(r, root, c.serve);
}

// Links go to the built-in dashboard unless the team points them elsewhere;
// with or without a config file (the dashboard is on by default).
void default_dashboard_links(Config& config) {
  const std::string base = dashboard_base_url(config.serve);
  if (base.empty()) return;
  if (config.report.dashboard_url.empty()) {
    config.report.dashboard_url = base + "/overview?date={date}";
  }
  if (config.alerts.dashboard_url.empty()) {
    config.alerts.dashboard_url =
        base + "/metric?metric={metric}&date={date}&time={time}&slice={slice}";
  }
}

}  // namespace

Result<Config> parse_config(std::string_view toml_text, std::string_view source_name,
                            const DetectorCheck& check_detector) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    return Error::usage(
        fmt::format("{}:{}: {}", source_name, e.source().begin.line, e.description()));
  }
  Reader reader(source_name);
  Config config;
  read_root(reader, root, config, check_detector);
  if (auto error = reader.first_error()) return *error;
  default_dashboard_links(config);
  return config;
}

const std::string& source_table(const SourceConfig& config, MetricSource source) {
  return source == MetricSource::kFeed ? config.feed_table : config.message_table;
}

std::string dashboard_base_url(const ServeConfig& serve) {
  if (!serve.public_url.empty()) {
    std::string url = serve.public_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  }
  auto address = parse_listen_address(serve.listen);
  if (!address.ok() || address->host == "0.0.0.0" || address->host == "::") return "";
  return "http://" + host_port(*address);
}

std::string host_port(const ListenAddress& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return fmt::format("{}{}{}:{}", v6 ? "[" : "", address.host, v6 ? "]" : "", address.port);
}

Result<Config> load_config(const std::string& path, bool must_exist,
                           const std::map<std::string, std::string>& env,
                           const DetectorCheck& check_detector) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  Config config;
  if (!fs::exists(status)) {
    if (must_exist) {
      return Error::usage(fmt::format(
          "config file {} not found: check the --config path (`vigil check-config "
          "--print-defaults` prints a template)",
          path));
    }
    default_dashboard_links(config);
  } else if (fs::is_directory(status)) {
    return Error::usage(fmt::format("config file {} is a directory: expected a TOML file", path));
  } else {
    auto text = read_file(path);
    if (!text.ok()) return Error::usage("config: " + text.error().message);
    auto parsed = parse_config(*text, path, check_detector);
    if (!parsed.ok()) return parsed.error();
    config = std::move(parsed).value();
  }
  auto from_env = [&](const char* name, std::string& out) {
    if (auto it = env.find(name); it != env.end()) out = it->second;
  };
  from_env(kClickHousePasswordEnv, config.clickhouse.password);
  from_env(kTelegramTokenEnv, config.telegram.token);
  from_env("VIGIL_TELEGRAM_CHAT_ID", config.telegram.chat_id);
  from_env(kDashboardTokenEnv, config.serve.token);
  return config;
}

std::vector<std::string> age_bucket_labels(const std::vector<int>& bounds) {
  std::vector<std::string> labels;
  int lower = 0;
  for (int bound : bounds) {
    labels.push_back(fmt::format("{}-{}", lower, bound - 1));
    lower = bound;
  }
  labels.push_back(fmt::format("{}+", lower));
  return labels;
}

}  // namespace vigil
