// The chat talks back, for real: the built `vigil serve --bot-only` against the
// fake Bot API. A /silence from the configured chat writes the silence and gets
// a reply; the same from another chat is ignored (no silence, no reply, one log
// line); a webhook is reported as such; a kill -9 after a command and a restart
// do not run it again (the offset in the state dir) while Telegram still holds
// it; /silences and /status reply; SIGTERM ends a long poll at once. And the
// full `vigil serve`, its alert job on simulated data in the real ClickHouse:
// /status answers from the states the job wrote, /silence beside the jobs.
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "alert/store.h"
#include "base/files.h"
#include "sim/simulator.h"
#include "support/alert_data.h"
#include "support/clickhouse_fixture.h"
#include "support/expect.h"
#include "support/fake_telegram.h"
#include "support/vigil_process.h"

namespace vigil {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::int64_t kAnn = 4242;
constexpr const char* kOtherChat = "-1009999999999";

std::string text_of(const std::string& path) {
  auto text = read_file(path);
  return text.ok() ? *text : "";
}

// Waits until `done()` or `limit`; whether it became true.
template <class Done>
bool wait_until(Done done, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

class ChatServe : public ::testing::Test {
 protected:
  void SetUp() override {
    config_path_ = dir_.path() + "/vigil.toml";
    ASSERT_TRUE(write_file(config_path_, fmt::format(R"(timezone = "Europe/Moscow"
state_dir = "{dir}/state"
out_dir = "{dir}/out"
[clickhouse]
url = "{ch}"
database = "chat_dst_{pid}"
[telegram]
api_url = "{tg}"
chat_id = "{chat}"
timeout_seconds = 5
max_attempts = 2
)",
                                                     fmt::arg("dir", dir_.path()), fmt::arg("ch", test_server().url),
                                                     fmt::arg("tg", fake_.url()), fmt::arg("chat", fake_.chat_id()),
                                                     fmt::arg("pid", ::getpid())))
                    .ok());
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  void start(int n) {
    err_path_ = fmt::format("{}/serve{}.err", dir_.path(), n);
    pid_ = spawn_vigil({"--config", config_path_, "serve", "--bot-only"},
                       {"VIGIL_TELEGRAM_TOKEN=" + fake_.token()}, err_path_);
  }

  std::vector<FakeTelegramCall> replies() const { return fake_.calls(); }

  std::vector<Silence> silences() {
    auto store = open_sqlite_alert_store(dir_.path() + "/state/alerts.sqlite");
    EXPECT_TRUE(store.ok());
    if (!store.ok()) return {};
    auto all = (*store)->silences(std::nullopt);
    EXPECT_TRUE(all.ok());
    return all.ok() ? *all : std::vector<Silence>{};
  }

  // Says `text` as @ann_ops in the configured chat and waits for reply number `n` (1-based).
  std::string ask(const std::string& text, std::size_t n) {
    fake_.push_message(fake_.chat_id(), kAnn, "ann_ops", "Ann", text);
    if (!wait_until([&] { return replies().size() >= n; }, 5s)) {
      ADD_FAILURE() << "no reply to " << text << "\n" << text_of(err_path_);
      return "";
    }
    return replies()[n - 1].text;
  }

  TempDir dir_;
  FakeTelegram fake_;
  std::string config_path_, err_path_;
  pid_t pid_ = -1;
};

TEST_F(ChatServe, ObeysTheChatIgnoresOthersAndDoesNotReplayAfterARestart) {
  fake_.set_webhook(true);
  start(1);
  ASSERT_TRUE(wait_until([&] { return text_of(err_path_).find("deleteWebhook") != std::string::npos; }, 5s))
      << text_of(err_path_);
  fake_.set_webhook(false);

  // The other chat first: ignored, in order, before the configured chat's command.
  fake_.push_message(kOtherChat, 77, "mallory", "Mallory", "/silence likes 2h release");
  // The reply waits at the fake, so serve is killed after the command and the
  // offset's write, before a poll confirms the updates to Telegram.
  fake_.set_reply_delay(1500ms, "sendMessage");
  const std::string reply = ask("/silence likes 2h release", 1);
  EXPECT_CONTAINS(reply, "Silenced: #1 likes (every slice)");
  EXPECT_CONTAINS(reply, "by @ann_ops: release");
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  EXPECT_GE(fake_.unconfirmed_updates(), 1u);  // Telegram would send the command again
  const std::string log = text_of(err_path_);
  EXPECT_CONTAINS(log, fmt::format("in chat {}, not the configured chat {}: ignored", kOtherChat, fake_.chat_id()));
  EXPECT_CONTAINS(log, "(@mallory)");
  EXPECT_LACKS(log, fake_.token());
  EXPECT_LACKS(log, "release");  // what people write is not logged

  auto saved = silences();
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0].metric, "likes");
  EXPECT_EQ(saved[0].created_by, "@ann_ops");
  EXPECT_EQ(saved[0].comment, "release");
  EXPECT_EQ(saved[0].ends - saved[0].created_at, 2 * 3600);
  EXPECT_EQ(saved[0].starts, saved[0].created_at / 900 * 900);  // the bucket under way

  // Restart: the old commands are confirmed, not run again.
  fake_.set_reply_delay(0ms);
  start(2);
  const std::string listed = ask("/silences", 2);
  EXPECT_CONTAINS(listed, "#1 likes");
  EXPECT_LACKS(listed, "#2");
  EXPECT_EQ(silences().size(), 1u);
  EXPECT_CONTAINS(ask("/status@vigil_bot", 3), "Nothing is firing (no alert run yet)");
  EXPECT_CONTAINS(ask("/unsilence 1", 4), "Ended: #1 likes");
  EXPECT_CONTAINS(ask("/nonsense", 5), "Unknown command /nonsense");
  for (const FakeTelegramCall& call : replies()) {
    EXPECT_EQ(call.chat_id, fake_.chat_id());
    EXPECT_EQ(call.parse_mode, "HTML");
  }

  // SIGTERM ends the long poll within about a second.
  const auto stopping = Clock::now();
  ASSERT_EQ(kill(pid_, SIGTERM), 0);
  EXPECT_EQ(wait_exit_within(pid_, 10s), 0) << text_of(err_path_);
  pid_ = -1;
  EXPECT_LT(Clock::now() - stopping, 3s);
  EXPECT_EQ(replies().size(), 5u);
}

TEST_F(ChatServe, AllowedUsersLimitWhoIsObeyedInTheChat) {
  ASSERT_TRUE(write_file(config_path_, text_of(config_path_) + "allowed_users = [\"@ann_ops\"]\n").ok());
  start(1);
  fake_.push_message(fake_.chat_id(), 77, "bob_dev", "Bob", "/silence all 1d");
  EXPECT_CONTAINS(ask("/silences", 1), "No silences");
  EXPECT_TRUE(silences().empty());
  EXPECT_CONTAINS(text_of(err_path_), "user 77 (@bob_dev) in chat");
  EXPECT_CONTAINS(text_of(err_path_), "not in [telegram] allowed_users: ignored");
}

TEST_F(ChatServe, TheFullServeReadsTheBotBesideItsJobs) {
  Config sim;
  sim.clickhouse = test_server().config("default");
  sim.source.database = fmt::format("chat_src_{}", ::getpid());
  auto client = make_http_clickhouse(sim.clickhouse);
  const date::time_zone* zone = *find_zone("Europe/Moscow");
  const EpochSeconds now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  SimParams params;  // small: today and the two days before
  params.from = local_date(now, zone) - date::days{2};
  params.days = 3;
  params.users = 300;
  params.feed_per_day = 10000;
  params.messages_per_day = 1000;
  auto simulated = simulate(*client, sim, zone, params, {});
  ASSERT_TRUE(simulated.ok()) << simulated.error().message;
  ASSERT_TRUE(write_file(config_path_, text_of(config_path_) + fmt::format(R"([source]
database = "{}"
[schedule]
etl = ""
report = ""
alerts = "*/5 * * * * *"
[serve]
listen = ""
)",
                                                                           sim.source.database))
                  .ok());
  err_path_ = dir_.path() + "/serve.err";
  pid_ = spawn_vigil({"--config", config_path_, "serve"}, {"VIGIL_TELEGRAM_TOKEN=" + fake_.token()}, err_path_);
  // The alert job has run once the store holds states.
  ASSERT_TRUE(wait_until(
      [&] {
        auto store = open_sqlite_alert_store(dir_.path() + "/state/alerts.sqlite");
        if (!store.ok()) return false;
        auto states = (*store)->load_states();
        return states.ok() && !states->empty();
      },
      20s))
      << text_of(err_path_);
  const std::size_t before = replies().size();  // alerts the job may have sent
  fake_.push_message(fake_.chat_id(), kAnn, "ann_ops", "Ann", "/status");
  ASSERT_TRUE(wait_until([&] { return replies().size() > before; }, 5s)) << text_of(err_path_);
  const std::string status = replies()[before].text;
  EXPECT_TRUE(status.find("last bucket checked") != std::string::npos) << status;
  fake_.push_message(fake_.chat_id(), kAnn, "ann_ops", "Ann", "/silence views 90m deploy");
  ASSERT_TRUE(wait_until([&] { return silences().size() == 1; }, 5s)) << text_of(err_path_);
  EXPECT_EQ(silences()[0].metric, "views");

  // /report: yesterday's report now, the album first, then the reply.
  const std::size_t sent = replies().size();
  fake_.push_message(fake_.chat_id(), kAnn, "ann_ops", "Ann", "/report");
  const std::string yesterday = format_date(local_date(now, zone) - date::days{1});
  ASSERT_TRUE(wait_until(
      [&] {
        const auto all = replies();
        return std::any_of(all.begin() + static_cast<long>(sent), all.end(), [&](const FakeTelegramCall& call) {
          return call.method == "sendMessage" && call.text.find("report for " + yesterday + " sent") != std::string::npos;
        });
      },
      20s))
      << text_of(err_path_);
  bool album = false;
  for (std::size_t i = sent; i < replies().size(); ++i) {
    const FakeTelegramCall call = replies()[i];
    if (call.method == "sendMediaGroup" && call.photos.size() == 2) album = true;
    if (call.method == "sendMessage" && call.text.find("📊") != std::string::npos) {
      EXPECT_TRUE(album) << "the reply came before the album";
      std::cout << "---- /report\n> /report\n" << call.text << "\n---- end\n";
    }
  }
  EXPECT_TRUE(album);
  ASSERT_EQ(kill(pid_, SIGTERM), 0);
  EXPECT_EQ(wait_exit_within(pid_, 15s), 0) << text_of(err_path_);
  pid_ = -1;
  for (const std::string& db : {sim.source.database, fmt::format("chat_dst_{}", ::getpid())}) {
    (void)client->execute("DROP DATABASE IF EXISTS " + db);
  }
}

// The loop closed: a /silence from the chat holds the likes alert of an
// injected drop while the views alert of the same drop goes out, on data
// simulated up to now in the real ClickHouse and `vigil alert` checking the
// last complete bucket. Then two presses of the views message's buttons
// (False alarm, Silence 1h): answered, the keyboard redrawn, both in the state.
TEST_F(ChatServe, ASilenceFromTheChatHoldsLikesWhileViewsFireAndViewsButtonsAct) {
  const date::time_zone* zone = *find_zone("Europe/Moscow");
  auto wall = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  if (wall() % 900 > 840) std::this_thread::sleep_for(std::chrono::seconds(900 - wall() % 900 + 1));
  const EpochSeconds now = wall();
  const EpochSeconds bucket = now / 900 * 900;  // the bucket under way
  Config sim;
  sim.clickhouse = test_server().config("default");
  sim.source.database = fmt::format("chat_dip_{}", ::getpid());
  const SimParams params = alert_data_params(local_date(now, zone) - date::days{8});  // ending today
  auto client = make_http_clickhouse(sim.clickhouse);
  auto simulated = simulate(*client, sim, zone, params,
                            {{"views", bucket - 2700, bucket + 900, 0.3, ""},
                             {"likes", bucket - 2700, bucket + 900, 0.3, ""}});
  ASSERT_TRUE(simulated.ok()) << simulated.error().message;
  ASSERT_TRUE(write_file(config_path_, text_of(config_path_) +
                                           fmt::format("[source]\ndatabase = \"{}\"\n", sim.source.database))
                  .ok());

  start(1);
  EXPECT_CONTAINS(ask("/silence likes 2h release", 1), "Silenced: #1 likes");
  // The next run: the bucket under way when the silence was set (simulated
  // in full already), checked as the run at its end will.
  const std::string next_run = format_local_time(bucket + 900, zone).substr(0, 16);
  const auto [code, err] = run_vigil({"--config", config_path_, "alert", "--at", next_run},
                                     {"VIGIL_TELEGRAM_TOKEN=" + fake_.token()}, dir_.path());
  EXPECT_EQ(code, 0) << err;
  std::string alerts;
  for (std::size_t i = 1; i < replies().size(); ++i) alerts += replies()[i].text + "\n";
  EXPECT_CONTAINS(alerts, "<b>Views</b>");
  EXPECT_LACKS(alerts, "Likes");

  auto store = open_sqlite_alert_store(dir_.path() + "/state/alerts.sqlite");
  ASSERT_TRUE(store.ok());
  HistoryFilter filter;
  filter.from = bucket;
  filter.to = bucket + 900;
  auto rows = (*store)->history(filter);
  ASSERT_TRUE(rows.ok());
  bool likes_held = false, views_sent = false;
  for (const AlertRecord& row : *rows) {
    if (row.evaluation.key == AlertKey{"likes", ""}) likes_held = row.silenced && row.evaluation.anomaly;
    if (row.evaluation.key == AlertKey{"views", ""}) views_sent = row.action == AlertAction::kFire && row.delivered;
  }
  EXPECT_TRUE(likes_held) << err;
  EXPECT_TRUE(views_sent) << err;

  // The views alert went out with its four buttons; Ann presses two of them.
  const std::size_t sent_before_press = replies().size();
  std::int64_t views_message = 0;
  for (std::size_t i = 1; i < sent_before_press; ++i) {
    if (replies()[i].text.find("<b>Views</b>") != std::string::npos) views_message = replies()[i].message_id;
  }
  ASSERT_GT(views_message, 0);
  const auto message = fake_.message(views_message);
  ASSERT_TRUE(message.has_value());
  ASSERT_EQ(message->inline_keyboard.size(), 2u) << message->inline_keyboard.dump();
  const std::string false_alarm = message->inline_keyboard[1][1]["callback_data"];
  const std::string silence_hour = message->inline_keyboard[0][0]["callback_data"];
  EXPECT_EQ(message->inline_keyboard[1][1]["text"], "False alarm");
  fake_.push_callback(fake_.chat_id(), kAnn, "ann_ops", "Ann", views_message, false_alarm);
  ASSERT_TRUE(wait_until([&] { return fake_.message(views_message)->inline_keyboard[1][1]["text"] ==
                                      "✅ False alarm · @ann_ops"; },
                         5s))
      << fake_.message(views_message)->inline_keyboard.dump() << text_of(err_path_);
  fake_.push_callback(fake_.chat_id(), kAnn, "ann_ops", "Ann", views_message, silence_hour);
  ASSERT_TRUE(wait_until([&] { return fake_.callback_answers().size() == 2; }, 5s)) << text_of(err_path_);
  EXPECT_CONTAINS(fake_.callback_answers()[0].text, "false alarm");
  EXPECT_CONTAINS(fake_.callback_answers()[1].text, "Silenced ");
  EXPECT_CONTAINS(fake_.callback_answers()[1].text, "views");
  ASSERT_TRUE(wait_until([&] { return fake_.message(views_message)->inline_keyboard[0].size() == 1; }, 5s));
  EXPECT_CONTAINS(fake_.message(views_message)->inline_keyboard[0][0]["text"].get<std::string>(),
                  "by @ann_ops");
  // For the README: the presses as the chat sees them.
  auto labels = [](const nlohmann::json& keyboard) {
    std::string out;
    for (const auto& row : keyboard) {
      for (const auto& button : row) out += "[" + button["text"].get<std::string>() + "] ";
      out += "\n";
    }
    return out;
  };
  std::cout << "---- buttons\n" << message->text << "\n" << labels(message->inline_keyboard)
            << "@ann_ops presses [False alarm] → toast: " << fake_.callback_answers()[0].text
            << "\n@ann_ops presses [Silence 1h] → toast: " << fake_.callback_answers()[1].text << "\n"
            << labels(fake_.message(views_message)->inline_keyboard) << "---- end\n";
  // In the state: the verdict on the views alert, by Ann, and a silence on views.
  auto judged = (*store)->feedback(bucket, bucket + 900);
  ASSERT_TRUE(judged.ok());
  ASSERT_FALSE(judged->empty());
  EXPECT_EQ(judged->back().verdict, FeedbackVerdict::kFalseAlarm);
  EXPECT_EQ(judged->back().by, "@ann_ops");
  // (The message may carry other metrics of the drop, feed_users: each gets its own.)
  const auto all = silences();
  const auto views = std::find_if(all.begin(), all.end(), [](const Silence& s) { return s.metric == "views"; });
  ASSERT_NE(views, all.end());
  EXPECT_EQ(views->created_by, "@ann_ops");
  EXPECT_FALSE(views->slice.has_value());
  (void)client->execute("DROP DATABASE IF EXISTS " + sim.source.database);
}

// A whole session, printed as the README's transcript: an alert firing in the
// store (as a run left it), then the commands a team would type.
TEST_F(ChatServe, ASessionTranscript) {
  const EpochSeconds now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  const EpochSeconds bucket = now / 900 * 900 - 900;
  {
    auto store = open_sqlite_alert_store(dir_.path() + "/state/alerts.sqlite");
    ASSERT_TRUE(store.ok());
    AlertState firing;
    firing.firing = true;
    firing.streak = 3;
    firing.fired_at = bucket - 1800;
    firing.last_sent = firing.fired_at;
    firing.last_bucket = bucket;
    AlertState calm;
    calm.last_bucket = bucket;
    AlertRecord record;
    record.evaluation = {{"likes", ""}, bucket, 212, 540, 910, 720, -6.1, true, true};
    ASSERT_TRUE((*store)->commit({{{"likes", ""}, firing}, {{"views", ""}, calm}}, {record}).ok());
  }
  start(1);
  std::string transcript;
  std::size_t n = 0;
  for (const char* command : {"/help", "/status", "/silence likes 2h release 4.2", "/status@vigil_bot",
                              "/silence views 90m os=iOS", "/silences", "/unsilence 2", "/silence clicks 1h",
                              "/stats"}) {
    const std::string reply = ask(command, ++n);
    transcript += fmt::format("> {}\n{}\n\n", command, reply);
  }
  fake_.push_message(kOtherChat, 77, "mallory", "Mallory", "/unsilence 1");
  EXPECT_CONTAINS(ask("/silences", ++n), "#1 likes");  // Mallory's /unsilence did nothing
  transcript += fmt::format("(from chat {}) > /unsilence 1\n(no reply)\n\n> /silences\n{}\n", kOtherChat,
                            replies().back().text);
  std::cout << "---- transcript\n" << transcript << "---- end\n";
  EXPECT_CONTAINS(replies()[1].text, "<b>Likes</b> (all users) since");
  EXPECT_CONTAINS(replies()[1].text, "/metric?metric=likes&amp;date=");
  EXPECT_CONTAINS(replies()[3].text, "(silenced by #1)");
  EXPECT_CONTAINS(replies()[7].text, "unknown metric 'clicks'");
  EXPECT_CONTAINS(replies()[8].text, "Unknown command /stats");
}

TEST_F(ChatServe, BotOnlyWithoutATokenIsAUsageError) {
  const auto [code, err] = run_vigil({"--config", config_path_, "serve", "--bot-only"}, {}, dir_.path());
  EXPECT_EQ(code, 2);
  EXPECT_CONTAINS(err, "--bot-only needs the bot token");
}

}  // namespace
}  // namespace vigil
