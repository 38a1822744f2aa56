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

}  // namespace
}  // namespace vigil
