// base/sqlite against real files: what several processes opening one state file meet.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/sqlite.h"

namespace vigil {
namespace {

// `vigil serve` and a manual `vigil alert` on a fresh state dir create the same file at
// the same moment. Switching a new file to WAL needs an exclusive lock that SQLite
// does not always wait for ("database is locked"); open must wait instead.
TEST(SqliteOpen, ProcessesCreatingOneFileTogetherAllOpenIt) {
  const auto dir = std::filesystem::temp_directory_path() /
                   fmt::format("vigil-sqlite-test-{}", ::getpid());
  std::filesystem::create_directories(dir);
  int failures = 0;
  for (int round = 0; round < 150; ++round) {
    const std::string path = (dir / fmt::format("state-{}.sqlite", round)).string();
    std::vector<pid_t> children;
    for (int i = 0; i < 6; ++i) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        auto db = SqliteDb::open({path, "alert state", "state database", true});
        ::_exit(db.ok() ? 0 : 1);
      }
      children.push_back(pid);
    }
    for (pid_t pid : children) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failures;
    }
  }
  std::filesystem::remove_all(dir);
  EXPECT_EQ(failures, 0) << failures << " of 900 opens failed";
}

// ensure_schema: the one schema setup of the alert store, the run history and the sent log.
class SqliteSchemaTest : public ::testing::Test {
 protected:
  SqliteDb open() {
    auto db = SqliteDb::open({":memory:", "test store", "test store"});
    EXPECT_TRUE(db.ok());
    return std::move(*db);
  }
  static int version(const SqliteDb& db) { return db.user_version().value(); }
  static int count(const SqliteDb& db, const std::string& table) {
    auto stmt = db.prepare("SELECT count(*) FROM sqlite_master WHERE name = ?", "read");
    SqliteUse use(stmt->get());
    use.text(table);
    EXPECT_EQ(use.step(), SQLITE_ROW);
    return static_cast<int>(use.integer_at(0));
  }
};

constexpr const char* kCreateT = "CREATE TABLE t(a INTEGER); CREATE INDEX t_a ON t(a);";

TEST_F(SqliteSchemaTest, CreatesOnANewFileAndSetsTheVersion) {
  SqliteDb db = open();
  ASSERT_TRUE(db.ensure_schema(kCreateT, 4).ok());
  EXPECT_EQ(version(db), 4);
  EXPECT_EQ(count(db, "t"), 1);
  // A second call finds it done: the create (which would fail now) does not run again.
  EXPECT_TRUE(db.ensure_schema(kCreateT, 4).ok());
}

TEST_F(SqliteSchemaTest, AFailingCreateLeavesNothingBehind) {
  SqliteDb db = open();
  auto status = db.ensure_schema("CREATE TABLE t(a INTEGER); CREATE TABLE t(b INTEGER);", 1);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("cannot open test store :memory:"), std::string::npos);
  EXPECT_EQ(version(db), 0);
  EXPECT_EQ(count(db, "t"), 0);
}

TEST_F(SqliteSchemaTest, ForeignTablesAreRefusedLeftoversAccepted) {
  SqliteDb db = open();
  ASSERT_TRUE(db.exec("CREATE TABLE t(a INTEGER)", "test").ok());
  auto refused = db.ensure_schema("CREATE TABLE IF NOT EXISTS t(a INTEGER);", 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "test store :memory: is not a vigil test store (it holds other tables): move it away");
  EXPECT_EQ(version(db), 0);
  EXPECT_TRUE(db.ensure_schema("CREATE TABLE IF NOT EXISTS t(a INTEGER);", 1, {}, {"t"}).ok());
  EXPECT_EQ(version(db), 1);
}

TEST_F(SqliteSchemaTest, ANewerVersionIsRefused) {
  SqliteDb db = open();
  ASSERT_TRUE(db.exec("PRAGMA user_version = 9", "test").ok());
  auto status = db.ensure_schema(kCreateT, 2);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("schema version 9, newer than this vigil knows (2)"),
            std::string::npos);
  EXPECT_EQ(version(db), 9);
}

TEST_F(SqliteSchemaTest, AnOlderVersionIsMigratedThenSetOrLeftWithoutMigration) {
  SqliteDb db = open();
  ASSERT_TRUE(db.exec("CREATE TABLE t(a INTEGER); PRAGMA user_version = 2", "test").ok());
  ASSERT_TRUE(db.ensure_schema(kCreateT, 3).ok());  // no migration: left as it is
  EXPECT_EQ(version(db), 2);
  int migrated_from = 0;
  ASSERT_TRUE(db.ensure_schema(kCreateT, 3, [&](int found) -> Status {
                  migrated_from = found;
                  return db.exec("ALTER TABLE t ADD COLUMN b INTEGER", "open");
                }).ok());
  EXPECT_EQ(migrated_from, 2);
  EXPECT_EQ(version(db), 3);
  EXPECT_TRUE(db.prepare("SELECT b FROM t", "read").ok());
}

TEST_F(SqliteSchemaTest, AFailingMigrationIsRolledBack) {
  SqliteDb db = open();
  ASSERT_TRUE(db.exec("CREATE TABLE t(a INTEGER); PRAGMA user_version = 1", "test").ok());
  auto status = db.ensure_schema(kCreateT, 2, [&](int) -> Status {
    VIGIL_TRY(db.exec("ALTER TABLE t ADD COLUMN b INTEGER", "open"));
    return Error::failure("stop");
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(version(db), 1);
  EXPECT_FALSE(db.prepare("SELECT b FROM t", "read").ok());
}

}  // namespace
}  // namespace vigil
