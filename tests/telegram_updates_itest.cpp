// getUpdates against the fake Bot API: the client's long polling and the
// fake's rules (offset confirms, timeout waits, 409 for a webhook or a second
// reader), and sends still answered while a long poll waits.
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "support/expect.h"
#include "support/fake_telegram.h"
#include "telegram/telegram.h"

namespace vigil {
namespace {

class NoWait final : public Sleeper {
 public:
  void sleep_for(double) override {}
};

const std::function<bool()> kNever = [] { return false; };

class TelegramUpdatesApi : public ::testing::Test {
 protected:
  FakeTelegram fake;
  NoWait sleeper;
  std::unique_ptr<TelegramBot> bot = make_bot_api_bot(fake.config(), sleeper);
};

TEST_F(TelegramUpdatesApi, QueuedMessagesArriveParsedInOrder) {
  const auto first = fake.push_message(fake.chat_id(), 4242, "ann_ops", "Ann", "/status");
  fake.push_message("555", 77, "", "Bob", "/silence likes 2h");
  const auto updates = bot->get_updates(0, 0, kNever);
  ASSERT_TRUE(updates.ok()) << updates.error().message;
  ASSERT_EQ(updates->size(), 2u);
  EXPECT_EQ((*updates)[0].update_id, first);
  EXPECT_EQ((*updates)[0].chat_id, fake.chat_id());
  EXPECT_EQ((*updates)[0].username, "ann_ops");
  EXPECT_EQ((*updates)[0].text, "/status");
  EXPECT_EQ((*updates)[1].update_id, first + 1);
  EXPECT_EQ((*updates)[1].chat_id, "555");
  EXPECT_EQ((*updates)[1].first_name, "Bob");
  EXPECT_EQ((*updates)[1].username, "");
}

TEST_F(TelegramUpdatesApi, AnOffsetConfirmsTheEarlierUpdatesForGood) {
  const auto first = fake.push_message(fake.chat_id(), 1, "ann", "Ann", "/status");
  fake.push_message(fake.chat_id(), 1, "ann", "Ann", "/silences");
  auto again = bot->get_updates(0, 0, kNever);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 2u);  // not confirmed: asked again, answered again
  auto rest = bot->get_updates(first + 1, 0, kNever);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ(rest->front().text, "/silences");
  EXPECT_EQ(fake.unconfirmed_updates(), 1u);
  auto after_all = bot->get_updates(first + 2, 0, kNever);
  ASSERT_TRUE(after_all.ok());
  EXPECT_TRUE(after_all->empty());
  auto from_zero = bot->get_updates(0, 0, kNever);  // gone, even without an offset
  ASSERT_TRUE(from_zero.ok());
  EXPECT_TRUE(from_zero->empty());
}

TEST_F(TelegramUpdatesApi, ALongPollEndsWhenAMessageArrives) {
  const auto started = std::chrono::steady_clock::now();
  auto poll = std::async(std::launch::async, [&] { return bot->get_updates(0, 30, kNever); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // A send is answered while the poll waits.
  EXPECT_TRUE(bot->send_message("while polling", {}).ok());
  fake.push_message(fake.chat_id(), 1, "ann", "Ann", "/help");
  const auto updates = poll.get();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(updates.ok()) << updates.error().message;
  ASSERT_EQ(updates->size(), 1u);
  EXPECT_EQ(updates->front().text, "/help");
  EXPECT_LT(seconds, FakeTelegram::kMaxLongPollSeconds);
  ASSERT_EQ(fake.calls().size(), 1u);  // getUpdates is no call
  EXPECT_EQ(fake.calls()[0].text, "while polling");
}

TEST_F(TelegramUpdatesApi, ALongPollWithNothingNewAnswersEmptyAfterTheWait) {
  const auto started = std::chrono::steady_clock::now();
  const auto updates = bot->get_updates(0, 30, kNever);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(updates.ok()) << updates.error().message;
  EXPECT_TRUE(updates->empty());
  EXPECT_GE(seconds, FakeTelegram::kMaxLongPollSeconds * 0.9);  // the fake's cap, not 30 s
}

TEST_F(TelegramUpdatesApi, AWebhookIsA409SayingToDeleteIt) {
  fake.set_webhook(true);
  const auto updates = bot->get_updates(0, 0, kNever);
  ASSERT_FALSE(updates.ok());
  EXPECT_CONTAINS(updates.error().message, "webhook is set");
  EXPECT_CONTAINS(updates.error().message, "deleteWebhook");
  EXPECT_LACKS(updates.error().message, fake.token());
  EXPECT_EQ(updates.error().message.find('\n'), std::string::npos);
  ASSERT_EQ(fake.attempts().size(), 1u);  // no retry
  EXPECT_EQ(fake.attempts()[0].status, 409);
  fake.set_webhook(false);
  EXPECT_TRUE(bot->get_updates(0, 0, kNever).ok());
}

TEST_F(TelegramUpdatesApi, ASecondReaderEndsTheFirstOnesPollWithA409) {
  auto first = std::async(std::launch::async, [&] { return bot->get_updates(0, 30, kNever); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto second = bot->get_updates(0, 0, kNever);
  ASSERT_TRUE(second.ok());
  const auto ended = first.get();
  ASSERT_FALSE(ended.ok());
  EXPECT_CONTAINS(ended.error().message, "another program reads this bot's updates");
}

TEST_F(TelegramUpdatesApi, ACancelledPollEndsWithAnErrorSayingSo) {
  // libcurl asks the callback about once a second while it waits; asked at
  // once, a poll that is cancelled already ends before the fake answers.
  const std::function<bool()> cancelled = [] { return true; };
  fake.push_message(fake.chat_id(), 1, "ann", "Ann", "/status");
  const auto updates = bot->get_updates(0, 30, cancelled);
  ASSERT_FALSE(updates.ok());
  EXPECT_CONTAINS(updates.error().message, "stopped");
}

TEST_F(TelegramUpdatesApi, AWrongTokenIsNamedWithoutTheToken) {
  TelegramConfig config = fake.config();
  config.token = "123:wrongwrongwrong";
  auto other = make_bot_api_bot(config, sleeper);
  const auto updates = other->get_updates(0, 0, kNever);
  ASSERT_FALSE(updates.ok());
  EXPECT_CONTAINS(updates.error().message, "VIGIL_TELEGRAM_TOKEN");
  EXPECT_LACKS(updates.error().message, "wrongwrongwrong");
}

}  // namespace
}  // namespace vigil
