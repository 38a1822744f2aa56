// ClickHouse over its HTTP interface (libcurl). Works with the Debian server
// (18.16) and current releases: settings go in URL parameters (database,
// default_format, wait_end_of_query=1), credentials by HTTP basic auth.
// Results are read as TabSeparated and streamed row by row, so memory does not
// grow with the result. An exception that arrives after HTTP 200 is detected.
//
// The contract of the ClickHouse interface (tested on the real client in
// tests/clickhouse_client_test.cpp):
// - Threads: one client may be shared by any number of threads; calls do not
//   wait for each other (the HTTP client opens a connection per call and keeps
//   no state between calls).
// - Rows before a failure: `query` streams, so `on_row` may already have seen
//   rows when the call fails (an exception the server reports mid-stream, a
//   lost connection). A failed call's rows are incomplete: callers collect them
//   and use them only once the Status is ok (query_rows does this). The last few
//   lines are held back until the end, so a trailing server exception is never
//   passed to `on_row` as a row.
// - An exception thrown by `on_row` aborts the transfer (no more rows, no
//   retry, the connection is closed) and propagates unchanged out of `query`.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/sleeper.h"
#include "config/config.h"

namespace vigil {

// One result row: TSV fields, unescaped. A NULL arrives as the two characters \N.
using Row = std::vector<std::string>;
using RowCallback = std::function<void(const Row&)>;
// Settings of one statement (name, value), sent as URL parameters: INSERT-level
// settings such as insert_quorum are not taken from a SETTINGS clause.
using QuerySettings = std::vector<std::pair<std::string, std::string>>;

// The interface modules depend on; tests of logic can use a fake.
class ClickHouse {
 public:
  virtual ~ClickHouse() = default;
  // Runs a statement that returns nothing (DDL, INSERT ... SELECT). Not retried
  // except when the connection could not be made at all.
  virtual Status execute(std::string_view sql) = 0;
  // execute() with settings for this statement only. Clients that cannot send
  // settings (test fakes) refuse non-empty ones rather than drop them.
  virtual Status execute_with(std::string_view sql, const QuerySettings& settings);
  // Runs a SELECT, streaming each row to `on_row` (see the contract above for
  // rows before a failure and exceptions from `on_row`). Retried on connection
  // errors before any row was delivered.
  virtual Status query(std::string_view sql, const RowCallback& on_row) = 0;
  // Convenience: collects all rows (for small results only).
  Result<std::vector<Row>> query_rows(std::string_view sql);
  // Convenience: the single value of a one-row, one-column result.
  Result<std::string> query_value(std::string_view sql);
  // Where this client points, without credentials (for messages).
  virtual std::string describe() const = 0;
};

// The real client. `config.database` is sent as the default database.
// `sleeper` waits between retries (tests pass one that records the waits); it
// must outlive the client.
std::unique_ptr<ClickHouse> make_http_clickhouse(const ClickHouseConfig& config,
                                                 Sleeper& sleeper = real_sleeper());

// The client vigil's own modules use: their SQL qualifies every table with its
// database, so no session default is sent (the first run must be able to
// CREATE DATABASE before it exists).
std::unique_ptr<ClickHouse> make_qualified_clickhouse(ClickHouseConfig config,
                                                      Sleeper& sleeper = real_sleeper());

// Quotes a string literal for SQL: 'it\'s'.
std::string sql_quote(std::string_view text);
// Quotes an identifier: `name` (backticks, escaped).
std::string sql_ident(std::string_view name);
// `db`.`table`
std::string sql_table(std::string_view database, std::string_view table);

}  // namespace vigil
