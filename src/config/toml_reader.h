// The generic part of reading vigil.toml with toml++: problems collected with
// file:line and the dotted key, unknown-key checks, typed reads with value
// checks. config.cpp lists the keys; this file knows how to read them.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "base/result.h"

namespace vigil::config_reader {

inline constexpr int kMaxInt = std::numeric_limits<int>::max();
inline constexpr const char* kClickHousePasswordEnv = "VIGIL_CLICKHOUSE_PASSWORD";
inline constexpr const char* kTelegramTokenEnv = "VIGIL_TELEGRAM_TOKEN";
inline constexpr const char* kDashboardTokenEnv = "VIGIL_DASHBOARD_TOKEN";

// Collects problems while the whole document is checked; the one nearest the top
// of the file is reported, so the user fixes errors in reading order.
class Reader {
 public:
  explicit Reader(std::string_view source_name) : source_name_(source_name) {}
  void fail(const toml::source_region& region, std::string_view key, std::string problem);
  std::optional<Error> first_error() const;

 private:
  struct Issue {
    toml::source_index line;
    std::string message;
  };
  std::string_view source_name_;
  std::vector<Issue> issues_;
};

using KeyList = std::vector<std::string_view>;

// The keys a table accepts: plain values and sub-tables.
struct Schema {
  std::string_view prefix;  // dotted name of the table, "" for the top level
  KeyList values;
  KeyList tables = {};
};

// Reports every key of `table` that the schema does not know; secret keys
// (clickhouse.password, telegram.token) get a pointer to their environment variable.
void check_known_keys(Reader& r, const toml::table& table, const Schema& schema);

// A value check: returns the problem with `value`, or an empty string if it is fine.
using StringCheck = std::string (*)(std::string_view value);
std::string check_any(std::string_view value);
std::string check_non_empty(std::string_view value);
std::string check_zone(std::string_view value);
std::string check_identifier(std::string_view value);
std::string check_url(std::string_view value);           // http(s)://HOST[:PORT][/path]
std::string check_optional_url(std::string_view value);  // "" or a URL

void read_string(Reader& r, const toml::table& table, std::string_view prefix,
                 std::string_view key, std::string& out, StringCheck check);
void read_int(Reader& r, const toml::table& table, std::string_view prefix, std::string_view key,
              int& out, int lo, int hi);
void read_bool(Reader& r, const toml::table& table, std::string_view prefix, std::string_view key,
               bool& out);
// An array of strings, each passing `check`.
void read_string_array(Reader& r, const toml::table& table, std::string_view prefix,
                       std::string_view key, std::vector<std::string>& out, StringCheck check);
// The sub-table `name` of `root`, or null if absent or (reported) not a table.
const toml::table* section(Reader& r, const toml::table& root, std::string_view name);

// Helpers shared with config.cpp.
std::string_view type_name(toml::node_type type);
std::string with_article(toml::node_type type);
std::string dotted(std::string_view prefix, std::string_view key);
const toml::source_region& where(const toml::key& key, const toml::node& node);

}  // namespace vigil::config_reader
