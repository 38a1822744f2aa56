#include "config/toml_reader.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/host_port.h"
#include "base/parse.h"
#include "base/time.h"

namespace vigil::config_reader {


void Reader::fail(const toml::source_region& region, std::string_view key, std::string problem) {
  issues_.push_back({region.begin.line, fmt::format("{}:{}: {}: {}", source_name_,
                                                    region.begin.line, key, problem)});
}

std::optional<Error> Reader::first_error() const {
  if (issues_.empty()) return std::nullopt;
  auto first = std::min_element(issues_.begin(), issues_.end(),
                                [](const Issue& a, const Issue& b) { return a.line < b.line; });
  return Error::usage(first->message);
}

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

namespace {

const char* secret_env_for(std::string_view dotted_key) {
  if (dotted_key == "clickhouse.password") return kClickHousePasswordEnv;
  if (dotted_key == "telegram.token") return kTelegramTokenEnv;
  if (dotted_key == "serve.token") return kDashboardTokenEnv;
  return nullptr;
}

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

}  // namespace

void check_known_keys(Reader& r, const toml::table& table, const Schema& schema) {
  for (auto&& [key, node] : table) {
    if (contains(schema.values, key.str()) || contains(schema.tables, key.str())) continue;
    const std::string name = dotted(schema.prefix, key.str());
    if (const char* env = secret_env_for(name)) {
      r.fail(key.source(), name,
             fmt::format("secrets are not read from the config file; set the {} "
                         "environment variable instead",
                         env));
      continue;
    }
    r.fail(key.source(), name, unknown_key_problem(schema, node.is_table()));
  }
}

std::string check_any(std::string_view) { return ""; }

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

// Problem with the host[:port] part of a URL, or "".
std::string check_authority(std::string_view authority) {
  if (authority.find('@') != std::string_view::npos) {
    return fmt::format("must not contain credentials; set user here and the password in {}",
                       kClickHousePasswordEnv);
  }
  auto parsed = parse_host_port(authority);
  return parsed.ok() ? "" : parsed.error().message;
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

std::string check_optional_url(std::string_view value) {
  return value.empty() ? "" : check_url(value);
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

// The sub-table `name` of the root, or null if absent or (reported) not a table.
void read_bool(Reader& r, const toml::table& table, std::string_view prefix, std::string_view key,
               bool& out) {
  auto it = table.find(key);
  if (it == table.end()) return;
  if (!it->second.is_boolean()) {
    r.fail(where(it->first, it->second), dotted(prefix, key),
           fmt::format("expected true or false, got {}", type_name(it->second.type())));
    return;
  }
  out = it->second.as_boolean()->get();
}

void read_string_array(Reader& r, const toml::table& table, std::string_view prefix,
                       std::string_view key, std::vector<std::string>& out, StringCheck check) {
  auto it = table.find(key);
  if (it == table.end()) return;
  const std::string name = dotted(prefix, key);
  if (!it->second.is_array()) {
    r.fail(where(it->first, it->second), name,
           fmt::format("expected an array of strings, got {}", type_name(it->second.type())));
    return;
  }
  std::vector<std::string> values;
  for (const toml::node& element : *it->second.as_array()) {
    const auto& at = element.source().begin.line != 0 ? element.source() : it->first.source();
    if (!element.is_string()) {
      r.fail(at, name, fmt::format("expected an array of strings, found {}",
                                   with_article(element.type())));
      return;
    }
    std::string value = element.as_string()->get();
    if (std::string problem = check(value); !problem.empty()) {
      r.fail(at, name, problem);
      return;
    }
    values.push_back(std::move(value));
  }
  out = std::move(values);
}

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

}  // namespace vigil::config_reader
