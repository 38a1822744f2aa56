// clickhouse/ddl: the CREATE DATABASE and EXISTS TABLE statements the ETL, the
// alert history table and the simulator share, and EXISTS TABLE's checked answer.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "clickhouse/ddl.h"

namespace vigil {
namespace {

// Answers every query with one scripted value and records the SQL.
class OneValueClickHouse final : public ClickHouse {
 public:
  explicit OneValueClickHouse(std::string value) : value_(std::move(value)) {}
  Status execute(std::string_view sql) override {
    sent.emplace_back(sql);
    return {};
  }
  Status query(std::string_view sql, const RowCallback& on_row) override {
    sent.emplace_back(sql);
    on_row(Row{value_});
    return {};
  }
  std::string describe() const override { return "fake"; }
  std::vector<std::string> sent;

 private:
  std::string value_;
};

TEST(ClickHouseDdl, StatementsQuoteTheirNames) {
  EXPECT_EQ(create_database_sql("vigil"), "CREATE DATABASE IF NOT EXISTS `vigil`");
  EXPECT_EQ(create_database_sql("my`db"), "CREATE DATABASE IF NOT EXISTS `my\\`db`");
  EXPECT_EQ(exists_table_sql(sql_table("vigil", "t")), "EXISTS TABLE `vigil`.`t`");
}

TEST(ClickHouseDdl, ExistsAnswerIsZeroOrOne) {
  EXPECT_TRUE(*parse_exists_answer("1", "`d`.`t`"));
  EXPECT_FALSE(*parse_exists_answer("0", "`d`.`t`"));
  auto two = parse_exists_answer("2", "`d`.`t`");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().message, "EXISTS TABLE `d`.`t`: 2 is not 0 or 1");
  auto page = parse_exists_answer("<html>", "`d`.`t`");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().message, "EXISTS TABLE `d`.`t`: '<html>' is not an integer");
}

TEST(ClickHouseDdl, TableExistsAsksAndReads) {
  OneValueClickHouse yes("1");
  auto found = table_exists(yes, "`d`.`t`");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_TRUE(*found);
  EXPECT_EQ(yes.sent, std::vector<std::string>{"EXISTS TABLE `d`.`t`"});
  OneValueClickHouse no("0");
  EXPECT_FALSE(*table_exists(no, "`d`.`t`"));
  OneValueClickHouse odd("yes");
  EXPECT_FALSE(table_exists(odd, "`d`.`t`").ok());
}

TEST(ClickHouseDdl, MissingColumnIsAddedOnlyWhenSystemColumnsLacksIt) {
  const std::string count =
      "SELECT count() FROM system.columns WHERE database = 'src' AND table = 'labels' AND "
      "name = 'slice'";
  OneValueClickHouse missing("0");
  auto added = add_column_if_missing(missing, "src", "labels", "slice", "String");
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_TRUE(*added);
  EXPECT_EQ(missing.sent, (std::vector<std::string>{
                              count, "ALTER TABLE `src`.`labels` ADD COLUMN `slice` String"}));
  OneValueClickHouse present("1");
  auto kept = add_column_if_missing(present, "src", "labels", "slice", "String");
  ASSERT_TRUE(kept.ok());
  EXPECT_FALSE(*kept);
  EXPECT_EQ(present.sent, std::vector<std::string>{count});
  OneValueClickHouse odd("<html>");
  auto failed = add_column_if_missing(odd, "src", "labels", "slice", "String");
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("slice"), std::string::npos) << failed.error().message;
  EXPECT_EQ(odd.sent.size(), 1u);  // no ALTER on an answer it cannot read
}

}  // namespace
}  // namespace vigil
