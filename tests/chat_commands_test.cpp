// The bot's commands (chat/commands.h) over a real SQLite alert store in a
// temporary directory: what each command does to the state and replies.
#include "chat/commands.h"

#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/expect.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

// 2026-11-18 11:15 UTC = 14:15 in Moscow, a bucket start.
constexpr EpochSeconds kNow = 1'795'000'500;

class ChatCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("vigil_chat_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    auto opened = open_sqlite_alert_store((dir_ / "alerts.sqlite").string());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    config_.alerts.dashboard_url = "http://dash.example/metric/{metric}?slice={slice}&date={date}&time={time}";
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // The reply to `text` from @ann (Ann), at kNow + `later` seconds.
  std::optional<std::string> say(const std::string& text, EpochSeconds later = 0,
                                 const std::string& username = "ann", ReportSender sender = nullptr) {
    TelegramUpdate message;
    message.update_id = 1;
    message.is_text = true;
    message.chat_id = "-100";
    message.user_id = 4242;
    message.username = username;
    message.first_name = "Ann";
    message.text = text;
    const ChatContext context{config_, zone_, kNow + later, "vigil_bot", std::move(sender)};
    return answer_command(message, *store_, context);
  }

  std::vector<Silence> silences() {
    auto all = store_->silences(std::nullopt);
    EXPECT_TRUE(all.ok());
    return all.ok() ? *all : std::vector<Silence>{};
  }

  fs::path dir_;
  Config config_;
  const date::time_zone* zone_ = *find_zone("Europe/Moscow");
  std::unique_ptr<AlertStore> store_;
};

TEST_F(ChatCommands, SilenceWritesTheSilenceAndSaysWhoAndUntilWhen) {
  const auto reply = say("/silence likes 2h release 4.2");
  ASSERT_TRUE(reply);
  const auto saved = silences();
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0].metric, "likes");
  EXPECT_FALSE(saved[0].slice.has_value());
  EXPECT_EQ(saved[0].starts, kNow);
  EXPECT_EQ(saved[0].ends, kNow + 2 * 3600);
  EXPECT_EQ(saved[0].comment, "release 4.2");
  EXPECT_EQ(saved[0].created_by, "@ann");
  EXPECT_EQ(saved[0].created_at, kNow);
  EXPECT_CONTAINS(*reply, "Silenced: #1 likes");
  EXPECT_CONTAINS(*reply, "14:15 → 16:15");
  EXPECT_CONTAINS(*reply, "by @ann: release 4.2");
}

TEST_F(ChatCommands, ASilenceCoversTheBucketUnderWayWhichTheNextRunChecks) {
  ASSERT_TRUE(say("/silence likes 2h", 5 * 60 + 7));  // 14:20:07, in the 14:15 bucket
  const auto saved = silences();
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0].starts, kNow);                      // 14:15
  EXPECT_EQ(saved[0].ends, kNow + 5 * 60 + 7 + 2 * 3600);  // two hours from the command
  EXPECT_TRUE(silence_covers(saved[0], {"likes", ""}, kNow));
  EXPECT_FALSE(silence_covers(saved[0], {"likes", ""}, kNow - 900));
}

TEST_F(ChatCommands, SilenceTakesASliceAndAllMetricsAndTheBotsName) {
  ASSERT_TRUE(say("/silence@vigil_bot views 90m os=iOS", 0, ""));
  ASSERT_TRUE(say("/silence ALL 1d"));
  const auto saved = silences();
  ASSERT_EQ(saved.size(), 2u);
  EXPECT_EQ(saved[0].metric, "views");
  EXPECT_EQ(saved[0].slice, std::optional<std::string>("os=iOS"));
  EXPECT_EQ(saved[0].ends, kNow + 90 * 60);
  EXPECT_EQ(saved[0].comment, "");
  EXPECT_EQ(saved[0].created_by, "Ann");  // no @username: the first name
  EXPECT_EQ(saved[1].metric, "all");
  EXPECT_EQ(saved[1].ends, kNow + 86400);
}

TEST_F(ChatCommands, ACommandForAnotherBotOrPlainTextGetsNoReply) {
  EXPECT_FALSE(say("/silence@other_bot likes 2h"));
  EXPECT_FALSE(say("we are releasing now, /silence later"));
  EXPECT_FALSE(say("/"));
  EXPECT_TRUE(silences().empty());
}

TEST_F(ChatCommands, BadSilencesAreExplainedAndNotSaved) {
  const auto metric = say("/silence bogus 2h");
  ASSERT_TRUE(metric);
  EXPECT_CONTAINS(*metric, "unknown metric 'bogus'");
  EXPECT_CONTAINS(*metric, "likes");
  const auto duration = say("/silence likes 2x");
  ASSERT_TRUE(duration);
  EXPECT_CONTAINS(*duration, "bad duration '2x'");
  const auto missing = say("/silence likes");
  ASSERT_TRUE(missing);
  EXPECT_CONTAINS(*missing, "usage: /silence METRIC DURATION");
  EXPECT_TRUE(silences().empty());
}

TEST_F(ChatCommands, RepliesEscapeWhatPeopleWrote) {
  const auto reply = say("/silence likes 1h <b>fix</b> & deploy");
  ASSERT_TRUE(reply);
  EXPECT_CONTAINS(*reply, "&lt;b&gt;fix&lt;/b&gt; &amp; deploy");
  EXPECT_LACKS(*reply, "<b>fix");
  const auto unknown = say("/<i>");
  ASSERT_TRUE(unknown);
  EXPECT_CONTAINS(*unknown, "Unknown command /&lt;i&gt;");
  EXPECT_CONTAINS(*unknown, "/help");
}

TEST_F(ChatCommands, SilencesListsWhatIsNotOverAndUnsilenceEndsOne) {
  const auto none = say("/silences");
  ASSERT_TRUE(none);
  EXPECT_CONTAINS(*none, "No silences");
  ASSERT_TRUE(say("/silence likes 2h release"));
  ASSERT_TRUE(say("/silence views 30m"));
  const auto two = say("/silences", 60);
  ASSERT_TRUE(two);
  EXPECT_CONTAINS(*two, "#1 likes");
  EXPECT_CONTAINS(*two, "#2 views");
  const auto ended = say("/unsilence #1", 120);
  ASSERT_TRUE(ended);
  EXPECT_CONTAINS(*ended, "Ended: #1 likes");
  EXPECT_EQ(silences()[0].ends, kNow + 120);
  const auto one = say("/silences", 180);
  ASSERT_TRUE(one);
  EXPECT_LACKS(*one, "#1");
  EXPECT_CONTAINS(*one, "#2 views");
  const auto after = say("/silences", 31 * 60);  // views' 30 minutes are over
  ASSERT_TRUE(after);
  EXPECT_CONTAINS(*after, "No silences");
}

TEST_F(ChatCommands, UnsilenceOfAnUnknownIdOrNoIdIsExplained) {
  const auto unknown = say("/unsilence 99");
  ASSERT_TRUE(unknown);
  EXPECT_CONTAINS(*unknown, "99");
  EXPECT_CONTAINS(*unknown, "⚠️");
  const auto bad = say("/unsilence likes");
  ASSERT_TRUE(bad);
  EXPECT_CONTAINS(*bad, "usage: /unsilence ID");
}

TEST_F(ChatCommands, StatusSaysNothingIsFiringWithoutAFiringAlert) {
  const auto empty = say("/status");
  ASSERT_TRUE(empty);
  EXPECT_CONTAINS(*empty, "Nothing is firing (no alert run yet)");
  AlertState calm;
  calm.last_bucket = kNow - 900;
  ASSERT_TRUE(store_->commit({{{"views", ""}, calm}}, {}).ok());
  const auto after_run = say("/status@VIGIL_BOT");
  ASSERT_TRUE(after_run);
  EXPECT_CONTAINS(*after_run, "Nothing is firing (last bucket checked 2026-11-18 14:00)");
}

TEST_F(ChatCommands, StatusListsFiringAlertsWithValueLinkAndSilence) {
  const EpochSeconds bucket = kNow - 900;  // 14:00
  AlertState firing;
  firing.firing = true;
  firing.streak = 3;
  firing.fired_at = bucket - 1800;  // 13:30
  firing.last_sent = firing.fired_at;
  firing.last_bucket = bucket;
  AlertState calm;
  calm.last_bucket = bucket;
  AlertRecord record;
  record.evaluation.key = {"likes", "os=iOS"};
  record.evaluation.bucket = bucket;
  record.evaluation.value = 12;
  record.evaluation.lower = 40;
  record.evaluation.upper = 90;
  record.evaluation.anomaly = true;
  record.evaluation.ready = true;
  ASSERT_TRUE(store_->commit({{{"likes", "os=iOS"}, firing}, {{"views", ""}, calm}}, {record}).ok());
  ASSERT_TRUE(say("/silence likes 1h"));
  const auto reply = say("/status", 60);
  ASSERT_TRUE(reply);
  EXPECT_CONTAINS(*reply, "Firing now (1,");
  EXPECT_CONTAINS(*reply, "<b>Likes</b> (os=iOS) since 13:30: <b>12</b>, expected 40 – 90");
  EXPECT_CONTAINS(*reply, "(silenced by #1)");
  EXPECT_CONTAINS(*reply,
                  "<a href=\"http://dash.example/metric/likes?slice=os%3DiOS&amp;date=2026-11-18&amp;time=14:00\">");
  EXPECT_LACKS(*reply, "Views");
}

TEST_F(ChatCommands, HelpAndReportAnswer) {
  const auto help = say("/help");
  ASSERT_TRUE(help);
  for (const char* command : {"/status", "/silence", "/silences", "/unsilence", "/report", "/help"}) {
    EXPECT_CONTAINS(*help, command);
  }
  const auto report = say("/report 2026-11-17");
  ASSERT_TRUE(report);
  EXPECT_CONTAINS(*report, "vigil report --date 2026-11-17");
}

TEST_F(ChatCommands, ReportSendsTheDayAskedOrYesterday) {
  std::vector<Days> asked;
  ReportSender sender = [&](Days day) -> Result<std::string> {
    asked.push_back(day);
    if (day == Days{date::year{2026} / 11 / 1}) return Error::failure("no data for <that> day");
    return fmt::format("report for {} sent to Telegram chat -100", format_date(day));
  };
  const auto yesterday = say("/report", 0, "ann", sender);  // kNow is 2026-11-18 in Moscow
  ASSERT_TRUE(yesterday);
  EXPECT_EQ(*yesterday, "📊 report for 2026-11-17 sent to Telegram chat -100");
  const auto named = say("/report 2026-11-10", 0, "ann", sender);
  ASSERT_TRUE(named);
  EXPECT_CONTAINS(*named, "report for 2026-11-10 sent");
  const auto failed = say("/report 2026-11-01", 0, "ann", sender);
  ASSERT_TRUE(failed);
  EXPECT_CONTAINS(*failed, "report for 2026-11-01 not sent: no data for &lt;that&gt; day");
  ASSERT_EQ(asked.size(), 3u);
  EXPECT_EQ(asked[0], Days{date::year{2026} / 11 / 17});
  EXPECT_EQ(asked[1], Days{date::year{2026} / 11 / 10});

  // Refused before asking: a day not begun, a bad date, too many words.
  const auto future = say("/report 2026-11-19", 0, "ann", sender);
  ASSERT_TRUE(future);
  EXPECT_CONTAINS(*future, "2026-11-19 has not begun yet");
  const auto bad = say("/report 17.11.2026", 0, "ann", sender);
  ASSERT_TRUE(bad);
  EXPECT_CONTAINS(*bad, "⚠️");
  EXPECT_CONTAINS(*bad, "17.11.2026");
  const auto usage = say("/report 2026-11-10 2026-11-11", 0, "ann", sender);
  ASSERT_TRUE(usage);
  EXPECT_CONTAINS(*usage, "usage: /report");
  EXPECT_EQ(asked.size(), 3u);
  EXPECT_CONTAINS(*say("/report 2026-11-18", 0, "ann", sender), "report for 2026-11-18 sent");  // today, so far
}

}  // namespace
}  // namespace vigil
