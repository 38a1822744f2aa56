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

std::string column_count_sql(std::string_view database, std::string_view table,
                             std::string_view column) {
  return fmt::format(
      "SELECT count() FROM system.columns WHERE database = {} AND table = {} AND name = {}",
      sql_quote(database), sql_quote(table), sql_quote(column));
}

std::string add_column_sql(std::string_view database, std::string_view table,
                           std::string_view column, std::string_view type) {
  return fmt::format("ALTER TABLE {} ADD COLUMN {} {}", sql_table(database, table),
                     sql_ident(column), type);
}

Result<bool> add_column_if_missing(ClickHouse& clickhouse, std::string_view database,
                                   std::string_view table, std::string_view column,
                                   std::string_view type) {
  const std::string sql = column_count_sql(database, table, column);
  auto answer = clickhouse.query_value(sql);
  if (!answer.ok()) return answer.error();
  const auto count = parse_int(*answer);
  if (!count.ok() || *count < 0 || *count > 1) {
    return Error::failure(fmt::format("column {} of {}: system.columns answered '{}'", column,
                                      sql_table(database, table), *answer));
  }
  if (*count == 1) return false;
  if (auto added = clickhouse.execute(add_column_sql(database, table, column, type)); !added.ok()) {
    return added.error();
  }
  return true;
}

}  // namespace vigil
