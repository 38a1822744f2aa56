// The run history of `vigil serve` in SQLite (a file in a temporary directory).
#include "schedule/history.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

namespace vigil {
namespace {

namespace fs = std::filesystem;

constexpr double kT0 = 1'795'000'000;  // 2026-11-18 10:06:40 UTC

::testing::AssertionResult HasSubstr(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\n  text: " << text << "\n  does not contain: " << part;
}

class RunHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("vigil_run_history_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    path_ = (dir_ / "state" / "runs.sqlite").string();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<RunHistory> open() {
    auto history = open_run_history(path_);
    EXPECT_TRUE(history.ok()) << (history.ok() ? "" : history.error().message);
    return history.ok() ? std::move(*history) : nullptr;
  }

  static RunRecord run(const std::string& job, const std::string& target, double started,
                       int attempt = 1) {
    RunRecord r;
    r.job = job;
    r.target = target;
    r.scheduled_for = static_cast<EpochSeconds>(started);
    r.started = started;
    r.attempt = attempt;
    return r;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(RunHistoryTest, StartFinishAndListNewestFirst) {
  auto history = open();
  ASSERT_NE(history, nullptr);
  auto first = history->start(run("etl", "2026-11-17", kT0));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(history->finish(*first, RunStatus::kOk, kT0 + 12.5, "", "120 rows").ok());
  auto second = history->start(run("report", "2026-11-17", kT0 + 100, 2));
  ASSERT_TRUE(second.ok());
  EXPECT_GT(*second, *first);

  auto all = history->list({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  const RunRecord& report = (*all)[0];
  EXPECT_EQ(report.job, "report");
  EXPECT_EQ(report.status, RunStatus::kRunning);
  EXPECT_EQ(report.ended, 0);
  EXPECT_EQ(report.attempt, 2);
  const RunRecord& etl = (*all)[1];
  EXPECT_EQ(etl.job, "etl");
  EXPECT_EQ(etl.target, "2026-11-17");
  EXPECT_EQ(etl.scheduled_for, 1'795'000'000);
  EXPECT_DOUBLE_EQ(etl.started, kT0);
  EXPECT_DOUBLE_EQ(etl.ended, kT0 + 12.5);
  EXPECT_EQ(etl.status, RunStatus::kOk);
  EXPECT_EQ(etl.detail, "120 rows");
}

TEST_F(RunHistoryTest, FiltersAndLimit) {
  auto history = open();
  ASSERT_NE(history, nullptr);
  for (int i = 0; i < 5; ++i) {
    auto id = history->start(run("alerts", "t" + std::to_string(i), kT0 + i));
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE(history->finish(*id, i % 2 ? RunStatus::kFailed : RunStatus::kOk, kT0 + i + 1,
                                i % 2 ? "boom" : "", "")
                    .ok());
  }
  ASSERT_TRUE(history->start(run("etl", "2026-11-17", kT0)).ok());
  auto alerts = history->list({.job = "alerts", .limit = 3});
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 3u);
  EXPECT_EQ((*alerts)[0].target, "t4");
  EXPECT_EQ((*alerts)[2].target, "t2");
  auto failed = history->list({.job = "alerts", .status = RunStatus::kFailed, .limit = 0});
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->size(), 2u);
  EXPECT_EQ((*failed)[0].error, "boom");
  auto one = history->list({.target = "t2"});
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].status, RunStatus::kOk);
}

TEST_F(RunHistoryTest, LatestTargetIsTheLargestNotTheNewest) {
  auto history = open();
  ASSERT_NE(history, nullptr);
  auto latest = history->latest_target("etl", RunStatus::kOk);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(*latest, "");
  for (const char* day : {"2026-11-10", "2026-11-12", "2026-11-11"}) {
    auto id = history->start(run("etl", day, kT0));
    ASSERT_TRUE(history->finish(*id, RunStatus::kOk, kT0 + 1, "", "").ok());
  }
  auto failed = history->start(run("etl", "2026-11-13", kT0));
  ASSERT_TRUE(history->finish(*failed, RunStatus::kFailed, kT0 + 1, "x", "").ok());
  EXPECT_EQ(*history->latest_target("etl", RunStatus::kOk), "2026-11-12");
  EXPECT_EQ(*history->latest_target("etl", RunStatus::kFailed), "2026-11-13");
  EXPECT_EQ(*history->latest_target("report", RunStatus::kOk), "");
}

TEST_F(RunHistoryTest, RunsLeftRunningByACrashAreAbandonedOnReopen) {
  {
    auto history = open();
    ASSERT_NE(history, nullptr);
    auto done = history->start(run("etl", "2026-11-16", kT0));
    ASSERT_TRUE(history->finish(*done, RunStatus::kOk, kT0 + 5, "", "").ok());
    ASSERT_TRUE(history->start(run("etl", "2026-11-17", kT0 + 10)).ok());
  }  // the process "dies" here with a run in progress
  auto history = open();
  ASSERT_NE(history, nullptr);
  auto abandoned = history->abandon_running(kT0 + 60, "vigil serve ended during the run");
  ASSERT_TRUE(abandoned.ok());
  EXPECT_EQ(*abandoned, 1);
  auto runs = history->list({});
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].status, RunStatus::kAbandoned);
  EXPECT_EQ((*runs)[0].error, "vigil serve ended during the run");
  EXPECT_DOUBLE_EQ((*runs)[0].ended, kT0 + 60);
  EXPECT_EQ((*runs)[1].status, RunStatus::kOk);
  EXPECT_EQ(*history->abandon_running(kT0 + 70, "again"), 0);
}

TEST_F(RunHistoryTest, ErrorsAreOneLineAndUnknownIdsFail) {
  auto history = open();
  ASSERT_NE(history, nullptr);
  auto id = history->start(run("alerts", "x", kT0));
  ASSERT_TRUE(history->finish(*id, RunStatus::kFailed, kT0 + 1, "line one\nline two", "").ok());
  EXPECT_EQ(history->list({})->front().error, "line one line two");
  auto missing = history->finish(9999, RunStatus::kOk, kT0, "", "");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(HasSubstr(missing.error().message, "has no run 9999"));
}

TEST_F(RunHistoryTest, TwoHandlesShareTheFile) {
  auto writer = open();
  auto reader = open();
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  auto id = writer->start(run("report", "2026-11-17", kT0));
  ASSERT_TRUE(writer->finish(*id, RunStatus::kOk, kT0 + 3, "", "sent").ok());
  auto seen = reader->list({.job = "report"});
  ASSERT_TRUE(seen.ok());
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ(seen->front().detail, "sent");
}

TEST_F(RunHistoryTest, ThreadsWriteConcurrently) {
  auto history = open();
  ASSERT_NE(history, nullptr);
  std::vector<std::thread> threads;
  for (const char* job : {"etl", "report", "alerts"}) {
    threads.emplace_back([&, job] {
      for (int i = 0; i < 20; ++i) {
        auto id = history->start(run(job, std::to_string(i), kT0 + i));
        ASSERT_TRUE(id.ok());
        ASSERT_TRUE(history->finish(*id, RunStatus::kOk, kT0 + i + 1, "", "").ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(history->list({.status = RunStatus::kOk, .limit = 0})->size(), 60u);
}

TEST_F(RunHistoryTest, AFileThatIsNotAHistoryIsRefused) {
  fs::create_directories(fs::path(path_).parent_path());
  std::ofstream(path_) << "this is not a database, just text that is long enough to be a header";
  auto history = open_run_history(path_);
  ASSERT_FALSE(history.ok());
  EXPECT_TRUE(HasSubstr(history.error().message, "is not a vigil run history"));
  EXPECT_TRUE(HasSubstr(history.error().message, "move it away"));
}

TEST_F(RunHistoryTest, InMemoryForTests) {
  auto history = open_run_history(":memory:");
  ASSERT_TRUE(history.ok()) << history.error().message;
  ASSERT_TRUE((*history)->start(run("etl", "2026-11-17", kT0)).ok());
  EXPECT_EQ((*history)->list({})->size(), 1u);
  EXPECT_FALSE(fs::exists(":memory:"));
}

TEST(RunsTable, ShowsLocalTimesDurationAndWhatHappened) {
  const auto* moscow = *find_zone("Europe/Moscow");
  RunRecord ok;
  ok.id = 7;
  ok.job = "etl";
  ok.target = "2026-11-17";
  ok.scheduled_for = *parse_local_time("2026-11-18 02:00", moscow);
  ok.started = static_cast<double>(ok.scheduled_for) + 1;
  ok.ended = ok.started + 12.34;
  ok.status = RunStatus::kOk;
  ok.detail = "120 rows";
  RunRecord failed = ok;
  failed.id = 8;
  failed.ended = 0;
  failed.status = RunStatus::kRunning;
  failed.attempt = 2;
  failed.detail = "";
  const std::string table = runs_table({failed, ok}, moscow);
  EXPECT_EQ(table,
            "   id  job     for                  scheduled            started                  "
            "took  status    try  detail\n"
            "    8  etl     2026-11-17           2026-11-18 02:00:00  2026-11-18 02:00:01         "
            "-  running     2  \n"
            "    7  etl     2026-11-17           2026-11-18 02:00:00  2026-11-18 02:00:01    12.3 "
            "s  ok          1  120 rows\n");
}

}  // namespace
}  // namespace vigil
