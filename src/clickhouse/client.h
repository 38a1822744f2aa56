// ClickHouse over its HTTP interface (libcurl). Works with the Debian server
// (18.16) and current releases: settings go in URL parameters (database,
// default_format, wait_end_of_query=1), credentials by HTTP basic auth.
// Results are read as TabSeparated and streamed row by row, so memory does not
// grow with the result. An exception that arrives after HTTP 200 is detected.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/config.h"

namespace vigil {

// One result row: TSV fields, unescaped. A NULL arrives as the two characters \N.
using Row = std::vector<std::string>;
using RowCallback = std::function<void(const Row&)>;

// The interface modules depend on; tests of logic can use a fake.
class ClickHouse {
 public:
  virtual ~ClickHouse() = default;
  // Runs a statement that returns nothing (DDL, INSERT ... SELECT). Not retried
  // except when the connection could not be made at all.
  virtual Status execute(std::string_view sql) = 0;
  // Runs a SELECT, streaming each row to `on_row`. Retried on connection errors
  // (before any row was delivered).
  virtual Status query(std::string_view sql, const RowCallback& on_row) = 0;
  // Convenience: collects all rows (for small results only).
  Result<std::vector<Row>> query_rows(std::string_view sql);
  // Convenience: the single value of a one-row, one-column result.
  Result<std::string> query_value(std::string_view sql);
  // Where this client points, without credentials (for messages).
  virtual std::string describe() const = 0;
};

// The real client. `config.database` is sent as the default database.
std::unique_ptr<ClickHouse> make_http_clickhouse(const ClickHouseConfig& config);

// The client vigil's own modules use: their SQL qualifies every table with its
// database, so no session default is sent (the first run must be able to
// CREATE DATABASE before it exists).
std::unique_ptr<ClickHouse> make_qualified_clickhouse(ClickHouseConfig config);

// Quotes a string literal for SQL: 'it\'s'.
std::string sql_quote(std::string_view text);
// Quotes an identifier: `name` (backticks, escaped).
std::string sql_ident(std::string_view name);
// `db`.`table`
std::string sql_table(std::string_view database, std::string_view table);

}  // namespace vigil
