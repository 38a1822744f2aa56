#include "config/config.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "base/time.h"

namespace vigil {
namespace {

constexpr std::string_view kPasswordEnv = "VIGIL_CLICKHOUSE_PASSWORD";
constexpr int kMaxInt = std::numeric_limits<int>::max();

using KeyList = std::vector<std::string_view>;

// Collects problems while the whole document is checked; the one nearest the top
// of the file is reported, so the user fixes errors in reading order.
class Reader {
 public:
  explicit Reader(std::string_view source_name) : source_name_(source_name) {}

  void fail(const toml::source_region& region, std::string_view key, std::string problem) {
    issues_.push_back({region.begin.line, fmt::format("{}:{}: {}: {}", source_name_,
                                                      region.begin.line, key, problem)});
  }

  std::optional<Error> first_error() const {
    if (issues_.empty()) return std::nullopt;
    auto first = std::min_element(issues_.begin(), issues_.end(),
                                  [](const Issue& a, const Issue& b) { return a.line < b.line; });
    return Error::usage(first->message);
  }

 private:
  struct Issue {
    toml::source_index line;
    std::string message;
  };
  std::string_view source_name_;
  std::vector<Issue> issues_;
};

std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::array: return "array";
    case toml::node_type::table: return "table";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    default: return "nothing";
  }
}

// "an integer", "a string".
std::string with_article(toml::node_type type) {
  std::string_view name = type_name(type);
  bool vowel = std::string_view("aeiou").find(name.front()) != std::string_view::npos;
  return fmt::format("{} {}", vowel ? "an" : "a", name);
}

std::string dotted(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
}

// The node's own region, or the key's when the node has none (implicit tables).
const toml::source_region& where(const toml::key& key, const toml::node& node) {
  return node.source().begin.line != 0 ? node.source() : key.source();
}

// The keys a table accepts: plain values and sub-tables.
struct Schema {
  std::string_view prefix;  // dotted name of the table, "" for the top level
  KeyList values;
  KeyList tables = {};
};

bool contains(const KeyList& list, std::string_view key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

std::string unknown_key_problem(const Schema& schema, bool is_table) {
  std::string place =
      schema.prefix.empty() ? "at top level" : fmt::format("in [{}]", schema.prefix);
  if (is_table && !schema.tables.empty()) {
    return fmt::format("unknown table (valid tables: {})", fmt::join(schema.tables, ", "));
  }
  std::string problem = fmt::format("unknown {} (valid keys {}: {}", is_table ? "table" : "key",
                                    place, fmt::join(schema.values, ", "));
  if (!schema.tables.empty()) {
    problem += fmt::format("; tables: {}", fmt::join(schema.tables, ", "));
  }
  return problem + ")";
}

// Reports every key of `table` that the schema does not know.
void check_known_keys(Reader& r, const toml::table& table, const Schema& schema) {
  for (auto&& [key, node] : table) {
    if (contains(schema.values, key.str()) || contains(schema.tables, key.str())) continue;
    const std::string name = dotted(schema.prefix, key.str());
    if (schema.prefix == "clickhouse" && key.str() == "password") {
      r.fail(key.source(), name,
             fmt::format("passwords are not read from the config file; set the {} "
                         "environment variable instead",
                         kPasswordEnv));
      continue;
    }
    r.fail(key.source(), name, unknown_key_problem(schema, node.is_table()));
  }
}

// A value check: returns the problem with `value`, or an empty string if it is fine.
using StringCheck = std::string (*)(std::string_view value);

std::string check_non_empty(std::string_view value) {
  return value.empty() ? "expected a non-empty string" : "";
}

std::string check_zone(std::string_view value) {
  auto zone = find_zone(value);
  return zone.ok() ? "" : zone.error().message;
}

std::string check_identifier(std::string_view value) {
  auto is_start = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  };
  auto is_rest = [&](char c) { return is_start(c) || (c >= '0' && c <= '9'); };
  bool ok = !value.empty() && is_start(value.front()) &&
            std::all_of(value.begin() + 1, value.end(), is_rest);
  if (ok) return "";
  return fmt::format(
      "'{}' is not a valid name: expected an identifier of letters, digits and '_' "
      "that does not start with a digit",
      value);
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Problem with the host[:port] part of a URL, or "".
std::string check_authority(std::string_view authority) {
  if (authority.find('@') != std::string_view::npos) {
    return fmt::format("must not contain credentials; set user here and the password in {}",
                       kPasswordEnv);
  }
  std::string_view host = authority;
  std::string_view port;
  size_t colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    bool valid = all_digits(port) && port.size() <= 5 && std::stoi(std::string(port)) >= 1 &&
                 std::stoi(std::string(port)) <= 65535;
    if (!valid) {
      return fmt::format("has an invalid port '{}': expected a number from 1 to 65535", port);
    }
  }
  if (host.empty() || host == "[]") return "has no host: expected http://HOST[:PORT]";
  return "";
}

std::string check_url(std::string_view value) {
  std::optional<std::string_view> rest;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (value.substr(0, scheme.size()) == scheme) rest = value.substr(scheme.size());
  }
  if (!rest) {
    return fmt::format("'{}' is not a ClickHouse HTTP URL: expected http://HOST[:PORT] or "
                       "https://HOST[:PORT]",
                       value);
  }
  if (value.find_first_of(" \t\r\n") != std::string_view::npos) {
    return fmt::format("'{}' contains whitespace: expected http://HOST[:PORT]", value);
  }
  std::string problem = check_authority(rest->substr(0, rest->find_first_of("/?#")));
  return problem.empty() ? "" : fmt::format("'{}' {}", value, problem);
}

void read_string(Reader& r, const toml::table& table, std::string_view prefix,
                 std::string_view key, std::string& out, StringCheck check) {
  auto it = table.find(key);
  if (it == table.end()) return;
  const toml::node& node = it->second;
  const std::string name = dotted(prefix, key);
  if (!node.is_string()) {
    r.fail(where(it->first, node), name,
           fmt::format("expected a string, got {}", type_name(node.type())));
    return;
  }
  std::string value = node.as_string()->get();
  if (std::string problem = check(value); !problem.empty()) {
    r.fail(where(it->first, node), name, problem);
    return;
  }
  out = std::move(value);
}

std::string range_problem(std::int64_t value, int lo, int hi) {
  if (hi == kMaxInt) return fmt::format("must be at least {}, got {}", lo, value);
  return fmt::format("must be between {} and {}, got {}", lo, hi, value);
}

void read_int(Reader& r, const toml::table& table, std::string_view prefix, std::string_view key,
              int& out, int lo, int hi) {
  auto it = table.find(key);
  if (it == table.end()) return;
  const toml::node& node = it->second;
  const std::string name = dotted(prefix, key);
  if (!node.is_integer()) {
    r.fail(where(it->first, node), name,
           fmt::format("expected an integer, got {}", type_name(node.type())));
    return;
  }
  std::int64_t value = node.as_integer()->get();
  if (value < lo || value > hi) {
    r.fail(where(it->first, node), name, range_problem(value, lo, hi));
    return;
  }
  out = static_cast<int>(value);
}

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

// The sub-table `name` of the root, or null if absent or (reported) not a table.
const toml::table* section(Reader& r, const toml::table& root, std::string_view name) {
  auto it = root.find(name);
  if (it == root.end()) return nullptr;
  if (!it->second.is_table()) {
    r.fail(where(it->first, it->second), name,
           fmt::format("expected a table, got {}", type_name(it->second.type())));
    return nullptr;
  }
  return it->second.as_table();
}

void read_clickhouse(Reader& r, const toml::table& root, ClickHouseConfig& c) {
  const toml::table* t = section(r, root, "clickhouse");
  if (t == nullptr) return;
  check_known_keys(r, *t,
                   {"clickhouse",
                    {"url", "user", "database", "connect_timeout_seconds",
                     "query_timeout_seconds", "read_retries"}});
  read_string(r, *t, "clickhouse", "url", c.url, check_url);
  read_string(r, *t, "clickhouse", "user", c.user, check_non_empty);
  read_string(r, *t, "clickhouse", "database", c.database, check_identifier);
  read_int(r, *t, "clickhouse", "connect_timeout_seconds", c.connect_timeout_seconds, 1, kMaxInt);
  read_int(r, *t, "clickhouse", "query_timeout_seconds", c.query_timeout_seconds, 1, kMaxInt);
  read_int(r, *t, "clickhouse", "read_retries", c.read_retries, 0, 10);
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

void read_root(Reader& r, const toml::table& root, Config& c) {
  check_known_keys(r, root,
                   {"", {"timezone", "state_dir", "out_dir"}, {"clickhouse", "source", "etl"}});
  read_string(r, root, "", "timezone", c.timezone, check_zone);
  read_string(r, root, "", "state_dir", c.state_dir, check_non_empty);
  read_string(r, root, "", "out_dir", c.out_dir, check_non_empty);
  read_clickhouse(r, root, c.clickhouse);
  read_source(r, root, c.source);
  read_etl(r, root, c.etl);
}

// A TOML basic string literal.
std::string toml_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error::usage(fmt::format("cannot read config file {}: {}", path, std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return Error::usage(fmt::format("cannot read config file {}: {}", path, std::strerror(errno)));
  }
  return text.str();
}

}  // namespace

Result<Config> parse_config(std::string_view toml_text, std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    return Error::usage(
        fmt::format("{}:{}: {}", source_name, e.source().begin.line, e.description()));
  }
  Reader reader(source_name);
  Config config;
  read_root(reader, root, config);
  if (auto error = reader.first_error()) return *error;
  return config;
}

Result<Config> load_config(const std::string& path, bool must_exist,
                           const std::map<std::string, std::string>& env) {
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
  } else if (fs::is_directory(status)) {
    return Error::usage(fmt::format("config file {} is a directory: expected a TOML file", path));
  } else {
    auto text = read_file(path);
    if (!text.ok()) return text.error();
    auto parsed = parse_config(*text, path);
    if (!parsed.ok()) return parsed.error();
    config = std::move(parsed).value();
  }
  if (auto it = env.find(std::string(kPasswordEnv)); it != env.end()) {
    config.clickhouse.password = it->second;
  }
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

std::string default_config_text() {
  const Config d;
  return fmt::format(
      R"(# vigil configuration. Every key is optional; the values below are the defaults.
# Secrets are never read from this file: set VIGIL_CLICKHOUSE_PASSWORD (and
# VIGIL_TELEGRAM_TOKEN) in the environment.

# Business time zone (IANA name). A "day" is a calendar day in this zone, and the
# source tables' `time` columns are wall-clock times in it.
timezone = {}
# Managed local ClickHouse, job run history and alert state.
state_dir = {}
# `vigil demo` output, --dry-run files and simulator labels.
out_dir = {}

[clickhouse]
# HTTP interface of the server: http://HOST[:PORT] or https://HOST[:PORT].
url = {}
user = {}
# The password comes only from the VIGIL_CLICKHOUSE_PASSWORD environment variable.
# Database where vigil writes its staging tables and the ETL target table.
database = {}
connect_timeout_seconds = {}
query_timeout_seconds = {}
# Extra attempts for read queries after a connection error (0..10).
read_retries = {}

[source]
# Where the app writes its raw events.
database = {}
feed_table = {}
message_table = {}

[etl]
# Table in clickhouse.database that receives the daily slices.
target_table = {}
# Ascending lower bounds of the age buckets (1..150); the defaults give the
# buckets {}.
age_buckets = [{}]
# How many days back to look for the os/gender/age of a user who only received
# messages that day (0..366).
demographics_lookback_days = {}
)",
      toml_string(d.timezone), toml_string(d.state_dir), toml_string(d.out_dir),
      toml_string(d.clickhouse.url), toml_string(d.clickhouse.user),
      toml_string(d.clickhouse.database), d.clickhouse.connect_timeout_seconds,
      d.clickhouse.query_timeout_seconds, d.clickhouse.read_retries,
      toml_string(d.source.database), toml_string(d.source.feed_table),
      toml_string(d.source.message_table), toml_string(d.etl.target_table),
      fmt::join(age_bucket_labels(d.etl.age_buckets), ", "), fmt::join(d.etl.age_buckets, ", "),
      d.etl.demographics_lookback_days);
}

}  // namespace vigil
