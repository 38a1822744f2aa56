// Checked number parsing for text that comes from outside the program (ClickHouse
// cells, files, the command line, config values): std::from_chars over the whole
// text, never an exception, so an odd value is an error line instead of
// std::terminate. Errors quote the text (cut to 40 bytes) and say what was expected;
// callers prefix what it was (column and table, file:line). `CellReader` does that
// for the cells of one query result row.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace vigil {

// A whole decimal integer ("-12"; no sign '+', no spaces, no fraction).
Result<long long> parse_int64(std::string_view text);
// As parse_int64, within the range of int.
Result<int> parse_int(std::string_view text);
// A finite decimal number ("1.5", "-2e3"); nan and inf are refused.
Result<double> parse_double(std::string_view text);

// Reads the cells of one result row (a ClickHouse row: TSV fields) by column
// number. The first problem (a missing column, an odd cell) is kept as a failure
// "<source>: column <name>: <problem>" and later reads return 0 / "", so a row
// callback, which cannot return an error, reads all its cells and then checks error().
class CellReader {
 public:
  // `source` names the query, e.g. "daily feed metrics from simulator.feed_actions".
  CellReader(const std::vector<std::string>& row, std::string_view source)
      : row_(row), source_(source) {}

  const std::string& text(std::size_t column, std::string_view name);
  long long int64(std::size_t column, std::string_view name);
  double number(std::size_t column, std::string_view name);

  const std::optional<Error>& error() const { return error_; }

 private:
  const std::string* cell(std::size_t column, std::string_view name);
  void fail(std::string_view name, const std::string& problem);

  const std::vector<std::string>& row_;
  std::string_view source_;
  std::optional<Error> error_;
};

}  // namespace vigil
