// The statements every module that owns tables in ClickHouse sends (the ETL,
// the alert history table, the simulator): create its database if missing, and
// ask whether a table exists. Pure builders, plus the checked reading of
// EXISTS TABLE's answer, so the three say them one way.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "clickhouse/client.h"

namespace vigil {

// CREATE DATABASE IF NOT EXISTS `database`
std::string create_database_sql(std::string_view database);

// EXISTS TABLE <table>, where `table` is a `db`.`table` reference (sql_table).
std::string exists_table_sql(std::string_view table);

// EXISTS TABLE's answer: "1" true, "0" false; anything else is a failure that
// names the table (a proxy's page, an odd server), never "missing".
Result<bool> parse_exists_answer(std::string_view answer, std::string_view table);

// Runs exists_table_sql and reads its answer.
Result<bool> table_exists(ClickHouse& clickhouse, std::string_view table);

// How many columns `column` the table `database`.`table` has (0 or 1), from system.columns.
std::string column_count_sql(std::string_view database, std::string_view table,
                             std::string_view column);

// ALTER TABLE `database`.`table` ADD COLUMN `column` <type>.
std::string add_column_sql(std::string_view database, std::string_view table,
                           std::string_view column, std::string_view type);

// Adds `column` to an existing table made by an older vigil without it (the
// migration of a table vigil owns). Asks system.columns first rather than
// ADD COLUMN IF NOT EXISTS, which ClickHouse 18.16 does not parse. True when added.
Result<bool> add_column_if_missing(ClickHouse& clickhouse, std::string_view database,
                                   std::string_view table, std::string_view column,
                                   std::string_view type);

}  // namespace vigil
