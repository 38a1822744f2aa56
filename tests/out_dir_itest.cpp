// Writing into out_dir from the command line: `simulate` and `report --dry-run`
// check that they can write before doing anything, and a report's files are
// replaced as a set or not at all. Tests run as root too, where permissions do
// not stop writes, so the faults are paths that cannot be written by anyone: a
// regular file where a directory is expected, a directory where a file is.
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "clickhouse/client.h"
#include "support/clickhouse_fixture.h"
#include "support/vigil_process.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

int line_count(const std::string& text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

class OutDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    src_ = "outdir_src_" + std::to_string(++counter_);
    client_ = make_http_clickhouse(test_server().config("default"));
    // A regular file: nothing can create a directory below it.
    ASSERT_TRUE(write_file(blocker(), "not a directory\n").ok());
  }

  std::string blocker() const { return dir_.path() + "/blocker"; }

  std::string write_config(const std::string& out_dir) {
    const std::string path = dir_.path() + "/vigil.toml";
    EXPECT_TRUE(write_file(path, fmt::format("out_dir = \"{}\"\nstate_dir = \"{}/state\"\n"
                                             "[clickhouse]\nurl = \"{}\"\n[source]\n"
                                             "database = \"{}\"\n",
                                             out_dir, dir_.path(), test_server().url, src_))
                    .ok());
    return path;
  }

  // A small simulated day 2026-03-10 in src_ (labels into a writable out_dir).
  void simulate_day(const std::string& config) {
    auto [code, err] = run_vigil({"--config", config, "simulate", "--from", "2026-03-10",
                                  "--days", "1", "--users", "50", "--feed-per-day", "2000",
                                  "--messages-per-day", "200"},
                                 {}, dir_.path());
    ASSERT_EQ(code, 0) << err;
  }

  static inline int counter_ = 0;
  TempDir dir_;
  std::string src_;
  std::unique_ptr<ClickHouse> client_;
};

TEST_F(OutDirTest, SimulateRefusesAnUnwritableOutDirBeforeInserting) {
  const std::string out_dir = blocker() + "/out";
  const std::string config = write_config(out_dir);
  auto [code, err] = run_vigil({"--config", config, "simulate", "--days", "1", "--users", "50",
                                "--feed-per-day", "2000", "--messages-per-day", "200"},
                               {}, dir_.path());
  EXPECT_EQ(code, 1) << err;
  EXPECT_EQ(line_count(err), 1) << err;
  EXPECT_TRUE(contains(err, out_dir)) << err;
  // Nothing inserted: the source database holds no events (nor tables).
  auto tables = client_->query_value(
      fmt::format("SELECT count() FROM system.tables WHERE database = '{}'", src_));
  ASSERT_TRUE(tables.ok()) << tables.error().message;
  if (*tables != "0") {
    auto rows = client_->query_value(fmt::format("SELECT count() FROM {}.feed_actions", src_));
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    EXPECT_EQ(*rows, "0");
  }
}

TEST_F(OutDirTest, DryRunReportRefusesAnUnwritableOutDir) {
  const std::string config = write_config(dir_.path() + "/out");
  const std::string out_dir = blocker() + "/report";
  auto [code, err] = run_vigil(
      {"--config", config, "report", "--date", "2026-03-10", "--dry-run", "--out", out_dir}, {},
      dir_.path());
  EXPECT_EQ(code, 1) << err;
  EXPECT_EQ(line_count(err), 1) << err;
  EXPECT_TRUE(contains(err, out_dir)) << err;
}

// A write that fails half-way (here: feed.png's temporary name is taken by a
// directory, as ENOSPC would fail it) leaves the previous report whole: no new
// text beside old charts, no temporary files.
TEST_F(OutDirTest, DryRunReportReplacesTheFilesAsASetOrNotAtAll) {
  const std::string config = write_config(dir_.path() + "/out");
  simulate_day(config);
  const std::string out = dir_.path() + "/report";
  for (const char* name : {"report.html", "feed.png", "messenger.png"}) {
    ASSERT_TRUE(write_file(out + "/" + name, std::string("old ") + name).ok());
  }
  fs::create_directories(out + "/feed.png.tmp");
  auto [code, err] = run_vigil(
      {"--config", config, "report", "--date", "2026-03-10", "--dry-run", "--out", out}, {},
      dir_.path());
  EXPECT_EQ(code, 1) << err;
  EXPECT_TRUE(contains(err, "feed.png")) << err;
  for (const char* name : {"report.html", "feed.png", "messenger.png"}) {
    auto text = read_file(out + "/" + name);
    ASSERT_TRUE(text.ok()) << text.error().message;
    EXPECT_EQ(*text, std::string("old ") + name);
  }
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(out)) left.push_back(entry.path().filename());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"feed.png", "feed.png.tmp", "messenger.png",
                                            "report.html"}));
  // Once the obstacle is gone the whole new set replaces the old one.
  fs::remove(out + "/feed.png.tmp");
  auto [code2, err2] = run_vigil(
      {"--config", config, "report", "--date", "2026-03-10", "--dry-run", "--out", out}, {},
      dir_.path());
  EXPECT_EQ(code2, 0) << err2;
  for (const char* name : {"report.html", "feed.png", "messenger.png"}) {
    auto text = read_file(out + "/" + name);
    ASSERT_TRUE(text.ok()) << text.error().message;
    EXPECT_NE(*text, std::string("old ") + name);
  }
}

}  // namespace
}  // namespace vigil
