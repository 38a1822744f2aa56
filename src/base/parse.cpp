#include "base/parse.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include <fmt/format.h>

#include "base/strings.h"

namespace vigil {
namespace {

constexpr std::size_t kQuoteLimit = 40;

std::string quoted(std::string_view text) {
  const std::string_view cut = utf8_prefix(text, kQuoteLimit);
  return fmt::format("'{}{}'", cut, cut.size() < text.size() ? "..." : "");
}

template <class T>
Result<T> parse_whole(std::string_view text, const char* expected) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc::result_out_of_range) {
    return Error::failure(fmt::format("{} is out of range for {}", quoted(text), expected));
  }
  if (ec != std::errc{} || ptr != end) {
    return Error::failure(fmt::format("{} is not {}", quoted(text), expected));
  }
  return value;
}

}  // namespace

Result<long long> parse_int64(std::string_view text) {
  return parse_whole<long long>(text, "an integer");
}

Result<int> parse_int(std::string_view text) {
  return parse_whole<int>(text, "an integer");
}

Result<double> parse_double(std::string_view text) {
  auto value = parse_whole<double>(text, "a number");
  if (value.ok() && !std::isfinite(*value)) {
    return Error::failure(fmt::format("{} is not a finite number", quoted(text)));
  }
  return value;
}

const std::string* CellReader::cell(std::size_t column, std::string_view name) {
  if (error_) return nullptr;
  if (column >= row_.size()) {
    fail(name, fmt::format("missing: the row has {} column{}", row_.size(),
                           row_.size() == 1 ? "" : "s"));
    return nullptr;
  }
  return &row_[column];
}

void CellReader::fail(std::string_view name, const std::string& problem) {
  if (!error_) error_ = Error::failure(fmt::format("{}: column {}: {}", source_, name, problem));
}

const std::string& CellReader::text(std::size_t column, std::string_view name) {
  static const std::string kEmpty;
  const std::string* c = cell(column, name);
  return c != nullptr ? *c : kEmpty;
}

long long CellReader::int64(std::size_t column, std::string_view name) {
  const std::string* c = cell(column, name);
  if (c == nullptr) return 0;
  auto value = parse_int64(*c);
  if (!value.ok()) {
    fail(name, value.error().message);
    return 0;
  }
  return *value;
}

double CellReader::number(std::size_t column, std::string_view name) {
  const std::string* c = cell(column, name);
  if (c == nullptr) return 0;
  auto value = parse_double(*c);
  if (!value.ok()) {
    fail(name, value.error().message);
    return 0;
  }
  return *value;
}

}  // namespace vigil
