// What a report send (or its retry) puts on the wire, from what already went
// out (pure), and the SQLite log that remembers it between runs.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "base/files.h"
#include "report/report.h"
#include "report/sent_log.h"

namespace vigil {
namespace {

using Kind = ReportSend::Kind;
using Parts = std::vector<std::string>;

ReportArtifacts artifacts(std::size_t text_length, bool feed = true, bool messenger = true) {
  ReportArtifacts report;
  report.day = *parse_date("2026-03-10");
  report.html = "<b>Daily report</b>";
  while (report.html.size() < text_length) report.html += "\nViews: 1 000, up 2.0% d/d";
  if (feed) report.feed_chart = Photo{"feed.png", "feed bytes"};
  if (messenger) report.messenger_chart = Photo{"messenger.png", "messenger bytes"};
  return report;
}

TEST(ReportPlan, ShortTextIsTheAlbumCaption) {
  const auto report = artifacts(100);
  const auto sends = plan_report_sends(report, {});
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].kind, Kind::kAlbum);
  EXPECT_EQ(sends[0].text, report.html);
  ASSERT_EQ(sends[0].photos.size(), 2u);
  EXPECT_EQ(sends[0].photos[1].png, "messenger bytes");
  EXPECT_EQ(sends[0].parts, (Parts{"feed.png", "messenger.png", "text"}));
}

TEST(ReportPlan, LongTextGoesFirstThenTheAlbum) {
  const auto report = artifacts(1100);
  const auto sends = plan_report_sends(report, {});
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_EQ(sends[0].kind, Kind::kMessage);
  EXPECT_EQ(sends[0].text, report.html);
  EXPECT_EQ(sends[0].parts, (Parts{"text 1/1", "text"}));
  EXPECT_EQ(sends[1].kind, Kind::kAlbum);
  EXPECT_EQ(sends[1].text, "");
  EXPECT_EQ(sends[1].parts, (Parts{"feed.png", "messenger.png"}));
}

TEST(ReportPlan, TextAlreadyOutIsNotRepeated) {
  // Also when the text would now fit as a caption (e.g. no late note on the retry).
  for (std::size_t length : {100, 1100}) {
    const auto sends = plan_report_sends(artifacts(length), {"text 1/1", "text"});
    ASSERT_EQ(sends.size(), 1u) << length;
    EXPECT_EQ(sends[0].kind, Kind::kAlbum);
    EXPECT_EQ(sends[0].text, "");
    EXPECT_EQ(sends[0].parts, (Parts{"feed.png", "messenger.png"}));
  }
}

TEST(ReportPlan, EverythingOutSendsNothing) {
  EXPECT_TRUE(plan_report_sends(artifacts(100), {"text", "feed.png", "messenger.png"}).empty());
  EXPECT_TRUE(plan_report_sends(artifacts(100, false, false), {"text"}).empty());
}

TEST(ReportPlan, SplitTextResumesAtTheMissingMessage) {
  const auto report = artifacts(5000);
  const auto sends = plan_report_sends(report, {"text 1/2"});
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_EQ(sends[0].kind, Kind::kMessage);
  EXPECT_EQ(sends[0].parts, (Parts{"text 2/2", "text"}));
  EXPECT_NE(report.html.find(sends[0].text), std::string::npos);
  EXPECT_LT(sends[0].text.size(), report.html.size());
  EXPECT_EQ(sends[1].kind, Kind::kAlbum);
}

TEST(ReportPlan, OnlyTheMissingChartGoes) {
  // An earlier run sent the text and the feed chart (messenger failed to render then).
  const auto sends = plan_report_sends(artifacts(100), {"text", "feed.png"});
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].kind, Kind::kPhoto);
  EXPECT_EQ(sends[0].text, "");
  ASSERT_EQ(sends[0].photos.size(), 1u);
  EXPECT_EQ(sends[0].photos[0].filename, "messenger.png");
  EXPECT_EQ(sends[0].parts, (Parts{"messenger.png"}));
}

TEST(ReportPlan, NoChartsSendsTheTextAlone) {
  const auto sends = plan_report_sends(artifacts(100, false, false), {});
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].kind, Kind::kMessage);
  EXPECT_EQ(sends[0].parts, (Parts{"text 1/1", "text"}));
}

class ReportSentLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil-sent-log-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path() const { return (dir_ / "state" / "reports.sqlite").string(); }
  std::filesystem::path dir_;
};

TEST_F(ReportSentLogTest, RemembersPerDayAndChatAcrossOpens) {
  const Days day = *parse_date("2026-03-10");
  {
    auto log = ReportSentLog::open(path());
    ASSERT_TRUE(log.ok()) << log.error().message;
    ASSERT_TRUE(log->record(day, "-100", {"text 1/1", "text"}).ok());
    ASSERT_TRUE(log->record(day, "-100", {"feed.png"}).ok());
    ASSERT_TRUE(log->record(day + date::days{1}, "-100", {"text"}).ok());
  }
  auto log = ReportSentLog::open(path());
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_EQ(*log->parts(day, "-100"), (std::set<std::string>{"feed.png", "text", "text 1/1"}));
  EXPECT_TRUE(log->parts(day, "@other")->empty());
  ASSERT_TRUE(log->forget(day, "-100").ok());
  EXPECT_TRUE(log->parts(day, "-100")->empty());
  EXPECT_EQ(*log->parts(day + date::days{1}, "-100"), (std::set<std::string>{"text"}));
}

TEST_F(ReportSentLogTest, RefusesAFileThatIsNotItsOwn) {
  ASSERT_TRUE(write_file(path(), "not a database, some text that is long enough").ok());
  auto log = ReportSentLog::open(path());
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.error().message.find(path()), std::string::npos) << log.error().message;
  EXPECT_NE(log.error().message.find("move it away"), std::string::npos) << log.error().message;
}

}  // namespace
}  // namespace vigil
