#include "clickhouse/ddl.h"

#include <fmt/format.h>

#include "base/parse.h"

namespace vigil {

std::string create_database_sql(std::string_view database) {
  return "CREATE DATABASE IF NOT EXISTS " + sql_ident(database);
}

std::string exists_table_sql(std::string_view table) {
  return fmt::format("EXISTS TABLE {}", table);
}

Result<bool> parse_exists_answer(std::string_view answer, std::string_view table) {
  const auto value = parse_int(answer);
  if (value.ok() && (*value == 0 || *value == 1)) return *value == 1;
  return Error::failure(fmt::format("EXISTS TABLE {}: {}", table,
                                    value.ok() ? fmt::format("{} is not 0 or 1", *value)
                                               : value.error().message));
}

Result<bool> table_exists(ClickHouse& clickhouse, std::string_view table) {
  auto answer = clickhouse.query_value(exists_table_sql(table));
  if (!answer.ok()) return answer.error();
  return parse_exists_answer(*answer, table);
}

}  // namespace vigil
