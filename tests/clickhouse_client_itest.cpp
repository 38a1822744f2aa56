// The ClickHouse HTTP client against the real server: streaming, escaping,
// DDL, and the errors a real server gives (password, unknown database, table or
// column, syntax, an exception mid-result, timeouts). The failure modes a real
// 18.16 cannot be made to produce on demand (exceptions after HTTP 200 in the
// formats of newer releases, dropped connections, retries) are unit tests
// against a scripted fake server: tests/clickhouse_client_test.cpp.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "clickhouse/client.h"
#include "support/clickhouse_fixture.h"
#include "support/expect.h"

namespace vigil {
namespace {

std::unique_ptr<ClickHouse> client(const std::string& database = "default") {
  return make_http_clickhouse(test_server().config(database));
}

// ---------------------------------------------------------------- real server

TEST(ClickHouseClient, StreamsAMillionRows) {
  auto ch = client();
  long long count = 0;
  unsigned long long sum = 0;
  unsigned long long sum_tripled = 0;
  auto status = ch->query("SELECT number, number * 3, toString(number) FROM numbers(1000000)", [&](const Row& row) {
    ASSERT_EQ(row.size(), 3u);
    ++count;
    sum += std::stoull(row[0]);
    sum_tripled += std::stoull(row[1]);
    ASSERT_EQ(row[2], row[0]);
  });
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(count, 1000000);
  // 0 + 1 + ... + 999999, worked out here, not by the server.
  EXPECT_EQ(sum, 999999ULL * 1000000ULL / 2);
  EXPECT_EQ(sum_tripled, 3 * (999999ULL * 1000000ULL / 2));
  auto server_sum = ch->query_value("SELECT sum(number * 3) FROM numbers(1000000)");
  ASSERT_TRUE(server_sum.ok()) << server_sum.error().message;
  EXPECT_EQ(*server_sum, std::to_string(sum_tripled));
}

TEST(ClickHouseClient, TsvEscapingRoundTrips) {
  auto ch = client();
  const std::vector<std::string> values = {
      "plain",
      "tab\there",
      "new\nline",
      "back\\slash",
      "trailing backslash\\",
      "quote ' and \" and `",
      "carriage\rreturn",
      std::string("nul\0byte", 8),
      "unicode: \xC3\xBC \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x8E\x89",
      "",
      "\\N",
      "\\t literal backslash-t",
      "Code: 60, e.displayText() = DB::Exception: looks like an error",
  };
  ASSERT_TRUE(ch->execute("DROP TABLE IF EXISTS default.tsv_escapes").ok());
  auto created = ch->execute("CREATE TABLE default.tsv_escapes (id UInt32, s String, t String) ENGINE = Memory");
  ASSERT_TRUE(created.ok()) << created.error().message;
  std::string insert = "INSERT INTO default.tsv_escapes VALUES ";
  for (std::size_t i = 0; i < values.size(); ++i) {
    insert += fmt::format("{}({}, {}, 'x')", i ? ", " : "", i, sql_quote(values[i]));
  }
  auto inserted = ch->execute(insert);
  ASSERT_TRUE(inserted.ok()) << inserted.error().message;

  auto rows = ch->query_rows("SELECT id, s, t FROM default.tsv_escapes ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ((*rows)[i].size(), 3u) << i;
    EXPECT_EQ((*rows)[i][0], std::to_string(i));
    EXPECT_EQ((*rows)[i][1], values[i]) << "value " << i;
    EXPECT_EQ((*rows)[i][2], "x");
  }
  // The server sees the same bytes we sent (length in bytes, tabs counted).
  auto length = ch->query_value("SELECT length(s) FROM default.tsv_escapes WHERE id = 7");
  ASSERT_TRUE(length.ok()) << length.error().message;
  EXPECT_EQ(*length, "8");
  // The "Code: ..." value is a row, not an error, when it is not the stream's tail.
  auto last = ch->query_value("SELECT count() FROM default.tsv_escapes WHERE s LIKE 'Code:%'");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, "1");
  EXPECT_TRUE(ch->execute("DROP TABLE default.tsv_escapes").ok());
}

TEST(ClickHouseClient, NullIsKeptAsBackslashN) {
  auto rows = client()->query_rows("SELECT NULL, toNullable('a'), ''");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0], (Row{"\\N", "a", ""}));
}

TEST(ClickHouseClient, QuotedIdentifiersWork) {
  auto ch = client();
  const std::string db = "itest weird`db";
  const std::string table = "tab\tle 'x'";
  ASSERT_TRUE(ch->execute("CREATE DATABASE IF NOT EXISTS " + sql_ident(db)).ok());
  auto created = ch->execute("CREATE TABLE " + sql_table(db, table) + " (v String) ENGINE = Memory");
  ASSERT_TRUE(created.ok()) << created.error().message;
  ASSERT_TRUE(ch->execute("INSERT INTO " + sql_table(db, table) + " VALUES (" + sql_quote("it's") + ")").ok());
  auto value = ch->query_value("SELECT v FROM " + sql_table(db, table));
  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(*value, "it's");
  auto names = ch->query_value("SELECT name FROM system.tables WHERE database = " + sql_quote(db));
  ASSERT_TRUE(names.ok()) << names.error().message;
  EXPECT_EQ(*names, table);
  EXPECT_TRUE(ch->execute("DROP DATABASE " + sql_ident(db)).ok());
}

TEST(ClickHouseClient, ExecutesDdlAndInsertSelect) {
  auto ch = client();
  ASSERT_TRUE(ch->execute("DROP DATABASE IF EXISTS itest_ddl").ok());
  auto status = ch->execute("CREATE DATABASE itest_ddl");
  ASSERT_TRUE(status.ok()) << status.error().message;
  status = ch->execute("CREATE TABLE itest_ddl.t (d Date, n UInt64) ENGINE = MergeTree PARTITION BY d ORDER BY n");
  ASSERT_TRUE(status.ok()) << status.error().message;
  status = ch->execute("INSERT INTO itest_ddl.t SELECT toDate('2026-03-10'), number FROM numbers(1000)");
  ASSERT_TRUE(status.ok()) << status.error().message;
  // The client's default database is used for unqualified names.
  auto in_db = make_http_clickhouse(test_server().config("itest_ddl"));
  auto count = in_db->query_value("SELECT count() FROM t");
  ASSERT_TRUE(count.ok()) << count.error().message;
  EXPECT_EQ(*count, "1000");
  auto empty = in_db->query_rows("SELECT n FROM t WHERE n > 5000");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto none = in_db->query_value("SELECT n FROM t WHERE n > 5000");
  ASSERT_FALSE(none.ok());
  EXPECT_CONTAINS(none.error().message, "returned 0 rows");
  EXPECT_TRUE(ch->execute("DROP DATABASE itest_ddl").ok());
}

TEST(ClickHouseClient, UnresolvableHostIsAConnectError) {
  ClickHouseConfig config = test_server().config();
  config.url = "http://no-such-host.invalid:8123";
  config.read_retries = 0;
  auto status = make_http_clickhouse(config)->execute("SELECT 1");
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "cannot connect to ClickHouse at http://no-such-host.invalid:8123");
}

TEST(ClickHouseClient, WrongPasswordIsExplainedWithoutLeakingIt) {
  ScopedTestServer secured("correct-horse-battery");
  ClickHouseConfig config = secured.server().config();
  auto good = make_http_clickhouse(config)->query_value("SELECT 1");
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_EQ(*good, "1");

  config.password = "wrong-staple-42";
  auto start = std::chrono::steady_clock::now();
  auto status = make_http_clickhouse(config)->query("SELECT 1", [](const Row&) {});
  ASSERT_FALSE(status.ok());
  EXPECT_LT(seconds_since(start), 1.0);  // not retried
  const std::string& message = status.error().message;
  EXPECT_CONTAINS(message, "rejected user 'default': wrong user or password");
  EXPECT_CONTAINS(message, secured.server().url);
  EXPECT_CONTAINS(message, "VIGIL_CLICKHOUSE_PASSWORD");
  EXPECT_LACKS(message, "wrong-staple-42");
  EXPECT_LACKS(message, "correct-horse-battery");

  config.user = "nobody";
  auto unknown = make_http_clickhouse(config)->execute("SELECT 1");
  ASSERT_FALSE(unknown.ok());
  EXPECT_CONTAINS(unknown.error().message, "rejected user 'nobody': wrong user or password");

  // The users file holds only the hash.
  auto users = secured.server().dir + "/users.xml";
  FILE* f = std::fopen(users.c_str(), "r");
  ASSERT_NE(f, nullptr);
  std::string text(4096, '\0');
  text.resize(std::fread(text.data(), 1, text.size(), f));
  std::fclose(f);
  EXPECT_LACKS(text, "correct-horse-battery");
  EXPECT_CONTAINS(text, "<password_sha256_hex>");
}

TEST(ClickHouseClient, UnknownDatabase) {
  auto status = client("no_such_db")->execute("SELECT 1");
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "ClickHouse database 'no_such_db' does not exist");
  EXPECT_CONTAINS(status.error().message, test_server().url);

  auto qualified = client()->query_rows("SELECT * FROM other_missing_db.t");
  ASSERT_FALSE(qualified.ok());
  EXPECT_CONTAINS(qualified.error().message, "'other_missing_db' does not exist");
}

TEST(ClickHouseClient, UnknownTableIsNamed) {
  auto rows = client()->query_rows("SELECT count() FROM default.no_such_table");
  ASSERT_FALSE(rows.ok());
  EXPECT_CONTAINS(rows.error().message, "ClickHouse table default.no_such_table does not exist");
}

TEST(ClickHouseClient, MissingColumnIsExplained) {
  auto rows = client()->query_rows("SELECT no_such_column FROM system.one");
  ASSERT_FALSE(rows.ok());
  EXPECT_CONTAINS(rows.error().message, "missing column");
  EXPECT_CONTAINS(rows.error().message, "no_such_column");
}

TEST(ClickHouseClient, OtherServerErrorsCarryTheCode) {
  auto status = client()->execute("SELEC 1");
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "ClickHouse error 62: Syntax error");
  EXPECT_EQ(status.error().message.find('\n'), std::string::npos);
}

TEST(ClickHouseClient, ExceptionDuringTheResultIsAnError) {
  long long rows = 0;
  bool saw_exception_row = false;
  auto status = client()->query(
      "SELECT number, throwIf(number = 900000) FROM numbers(1000000) SETTINGS max_block_size = 1000",
      [&](const Row& row) {
        ++rows;
        if (!row.empty() && row[0].rfind("Code:", 0) == 0) saw_exception_row = true;
      });
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "ClickHouse error 395");
  EXPECT_FALSE(saw_exception_row);
  EXPECT_LT(rows, 1000000);
}

TEST(ClickHouseClient, SlowQueryTimesOut) {
  ClickHouseConfig config = test_server().config();
  config.query_timeout_seconds = 1;
  auto start = std::chrono::steady_clock::now();
  auto status = make_http_clickhouse(config)->query("SELECT sleep(3)", [](const Row&) {});
  const double elapsed = seconds_since(start);
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "ClickHouse at " + config.url + " did not answer within 1 s");
  EXPECT_LT(elapsed, 2.5);  // not retried
}

}  // namespace
}  // namespace vigil
