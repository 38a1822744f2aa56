// The Bot API client against the fake Telegram server (tests/support/fake_telegram):
// what arrives, retries and waits, errors and their wording, local limits.
// The second half checks that the fake itself rejects what Telegram rejects,
// with requests made directly with libcurl.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "support/expect.h"
#include "support/fake_telegram.h"
#include "support/http_client.h"
#include "telegram/telegram.h"
#include "telegram/text.h"

namespace vigil {
namespace {

using Waits = std::vector<double>;

// Records the waits asked for; does not wait.
class RecordingSleeper final : public Sleeper {
 public:
  void sleep_for(double seconds) override { waits.push_back(seconds); }
  Waits waits;
};

// Everything logged (at every level) while it lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

const std::string kSignature("\x89PNG\r\n\x1a\n", 8);

// Bytes that start like a PNG, `size` in all, filled with a pattern from `seed`.
std::string png_bytes(std::size_t size, int seed) {
  std::string bytes = kSignature;
  for (std::size_t i = bytes.size(); i < size; ++i) bytes += static_cast<char>((i * 7 + seed * 13) % 256);
  return bytes;
}

std::string repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

// A loopback port nobody listens on (bound, then released).
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::vector<int> statuses(const std::vector<FakeTelegramAttempt>& attempts) {
  std::vector<int> out;
  for (const auto& attempt : attempts) out.push_back(attempt.status);
  return out;
}

class TelegramBotApi : public ::testing::Test {
 protected:
  std::unique_ptr<Telegram> client() { return make_bot_api_telegram(config, sleeper); }
  std::unique_ptr<Telegram> client(const TelegramConfig& c) { return make_bot_api_telegram(c, sleeper); }

  FakeTelegram fake;
  TelegramConfig config = fake.config();
  RecordingSleeper sleeper;
};

// ---------------------------------------------------------------- what arrives

TEST_F(TelegramBotApi, MessageArrivesExactlyAsSent) {
  const std::string text =
      "<b>Daily report</b> 2026-11-24\nDAU 12 345 &lt;+5%&gt; 😀 Привет\n"
      "<a href=\"https://dash.example/d?x=1&amp;y=2\">dashboard</a>";
  const auto status = client()->send_message(text, {});
  ASSERT_TRUE(status.ok()) << status.error().message;

  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "sendMessage");
  EXPECT_EQ(calls[0].chat_id, FakeTelegram::kDefaultChat);
  EXPECT_EQ(calls[0].text, text);
  EXPECT_EQ(calls[0].parse_mode, "HTML");
  EXPECT_TRUE(calls[0].disable_web_page_preview);
  EXPECT_TRUE(calls[0].photos.empty());
  EXPECT_EQ(statuses(fake.attempts()), std::vector<int>{200});
  EXPECT_EQ(sleeper.waits, Waits{});
}

TEST_F(TelegramBotApi, PhotoArrivesAsAMultipartUploadWithItsCaption) {
  const std::string png = png_bytes(12345, 1);
  const auto status = client()->send_photo(Photo{"dau.png", png}, "<i>DAU</i>, 7 days 📈", {});
  ASSERT_TRUE(status.ok()) << status.error().message;

  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "sendPhoto");
  EXPECT_EQ(calls[0].chat_id, FakeTelegram::kDefaultChat);
  EXPECT_EQ(calls[0].text, "<i>DAU</i>, 7 days 📈");
  EXPECT_EQ(calls[0].parse_mode, "HTML");
  ASSERT_EQ(calls[0].photos.size(), 1u);
  const FakeTelegramPhoto& photo = calls[0].photos[0];
  EXPECT_EQ(photo.part_name, "photo");
  EXPECT_EQ(photo.filename, "dau.png");
  EXPECT_EQ(photo.content_type, "image/png");
  EXPECT_EQ(photo.bytes.size(), 12345u);
  EXPECT_EQ(photo.bytes.substr(0, 8), kSignature);
  EXPECT_EQ(photo.bytes, png);
}

TEST_F(TelegramBotApi, PhotoWithoutCaptionSendsNoCaption) {
  ASSERT_TRUE(client()->send_photo(Photo{"", png_bytes(100, 2)}, "", {}).ok());
  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].text, "");
  EXPECT_EQ(calls[0].parse_mode, "");
  ASSERT_EQ(calls[0].photos.size(), 1u);
  EXPECT_EQ(calls[0].photos[0].filename, "photo.png");
}

TEST_F(TelegramBotApi, AlbumArrivesWithTheCaptionOnTheFirstPhoto) {
  const std::string first = png_bytes(5000, 3);
  const std::string second = png_bytes(7000, 4);
  const Status status =
      client()->send_media_group({Photo{"dau.png", first}, Photo{"ctr.png", second}}, "<b>Feed</b>, 7 days");
  ASSERT_TRUE(status.ok()) << status.error().message;

  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "sendMediaGroup");
  EXPECT_EQ(calls[0].text, "<b>Feed</b>, 7 days");
  EXPECT_EQ(calls[0].parse_mode, "HTML");
  EXPECT_EQ(calls[0].media_captions, (std::vector<std::string>{"<b>Feed</b>, 7 days", ""}));
  ASSERT_EQ(calls[0].photos.size(), 2u);
  EXPECT_EQ(calls[0].photos[0].part_name, "photo0");
  EXPECT_EQ(calls[0].photos[0].filename, "dau.png");
  EXPECT_EQ(calls[0].photos[0].bytes, first);
  EXPECT_EQ(calls[0].photos[1].part_name, "photo1");
  EXPECT_EQ(calls[0].photos[1].filename, "ctr.png");
  EXPECT_EQ(calls[0].photos[1].bytes.size(), 7000u);
  EXPECT_EQ(calls[0].photos[1].bytes, second);
}

TEST_F(TelegramBotApi, AlbumOfTenKeepsTheOrder) {
  std::vector<Photo> photos;
  for (int i = 0; i < 10; ++i) photos.push_back(Photo{fmt::format("chart{}.png", i), png_bytes(100 + i, i)});
  ASSERT_TRUE(client()->send_media_group(photos, "").ok());
  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(calls[0].photos.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(calls[0].photos[i].filename, fmt::format("chart{}.png", i));
    EXPECT_EQ(calls[0].photos[i].bytes.size(), 100u + i);
  }
  EXPECT_EQ(calls[0].media_captions, std::vector<std::string>(10, ""));
}

// A long report split with split_message: every piece is accepted by the fake's
// own length and HTML checks, and nothing is sent twice.
TEST_F(TelegramBotApi, PiecesOfASplitReportAreAllAccepted) {
  std::string report = "<b>Daily report</b>\n<pre>";
  for (int i = 0; i < 600; ++i) report += fmt::format("metric {:03} 😀 Привет &lt;{}&gt;\n", i, i * 7);
  report += "</pre>";
  ASSERT_GT(visible_length(report), 3 * kTelegramMaxText);
  const auto pieces = split_message(report);
  ASSERT_GE(pieces.size(), 4u);
  auto telegram = client();
  for (const auto& piece : pieces) {
    const auto status = telegram->send_message(piece, {});
    ASSERT_TRUE(status.ok()) << status.error().message;
  }
  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), pieces.size());
  for (std::size_t i = 0; i < pieces.size(); ++i) EXPECT_EQ(calls[i].text, pieces[i]);
  EXPECT_EQ(fake.attempts().size(), pieces.size());
}

// ---------------------------------------------------------------- retries

TEST_F(TelegramBotApi, Waits429RetryAfterThenSendsOnce) {
  fake.fail_next(429, 2);
  const auto status = client()->send_message("hello", {});
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(sleeper.waits, Waits{2.0});
  EXPECT_EQ(fake.calls().size(), 1u);
  EXPECT_EQ(statuses(fake.attempts()), (std::vector<int>{429, 200}));
}

TEST_F(TelegramBotApi, RetryAfterIsCapped) {
  config.max_retry_after_seconds = 5;
  fake.fail_next(429, 60);
  ASSERT_TRUE(client()->send_message("hello", {}).ok());
  EXPECT_EQ(sleeper.waits, Waits{5.0});
  EXPECT_EQ(fake.calls().size(), 1u);
}

TEST_F(TelegramBotApi, BacksOffExponentiallyOn5xx) {
  fake.fail_next(500);
  fake.fail_next(500);
  const auto status = client()->send_message("hello", {});
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(sleeper.waits, (Waits{1.0, 2.0}));
  EXPECT_EQ(fake.calls().size(), 1u);
  EXPECT_EQ(statuses(fake.attempts()), (std::vector<int>{500, 500, 200}));
}

TEST_F(TelegramBotApi, BackoffStartsAtTheConfiguredSeconds) {
  config.backoff_seconds = 0.25;
  for (int i = 0; i < 3; ++i) fake.fail_next(503);
  ASSERT_TRUE(client()->send_photo(Photo{"a.png", png_bytes(64, 1)}, "x", {}).ok());
  EXPECT_EQ(sleeper.waits, (Waits{0.25, 0.5, 1.0}));
  EXPECT_EQ(fake.calls().size(), 1u);
}

TEST_F(TelegramBotApi, GivesUpAfterMaxAttemptsOfServerErrors) {
  for (int i = 0; i < 10; ++i) fake.fail_next(500);
  const auto status = client()->send_message("hello", {});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "Telegram sendMessage failed after 5 attempts: 500 Internal Server Error");
  EXPECT_EQ(status.error().exit_code(), 1);
  EXPECT_EQ(fake.attempts().size(), 5u);
  EXPECT_EQ(fake.pending_faults(), 5u);
  EXPECT_EQ(sleeper.waits, (Waits{1.0, 2.0, 4.0, 8.0}));
  EXPECT_TRUE(fake.calls().empty());
}

TEST_F(TelegramBotApi, HtmlErrorPageFromTheFrontEndIsRetried) {
  fake.fail_next(502);
  ASSERT_TRUE(client()->send_media_group({Photo{"a.png", png_bytes(64, 1)}, Photo{"b.png", png_bytes(64, 2)}}, "x")
                  .ok());
  EXPECT_EQ(sleeper.waits, Waits{1.0});
  EXPECT_EQ(statuses(fake.attempts()), (std::vector<int>{502, 200}));
  EXPECT_EQ(fake.calls().size(), 1u);
}

TEST_F(TelegramBotApi, DroppedConnectionIsRetried) {
  fake.disconnect_next();
  ASSERT_TRUE(client()->send_message("hello", {}).ok());
  EXPECT_EQ(sleeper.waits, Waits{1.0});
  EXPECT_EQ(statuses(fake.attempts()), (std::vector<int>{0, 200}));
  EXPECT_EQ(fake.calls().size(), 1u);
}

TEST_F(TelegramBotApi, UnreachableServerFailsAfterMaxAttempts) {
  const int port = closed_port();
  config.api_url = fmt::format("http://127.0.0.1:{}/", port);
  config.max_attempts = 3;
  LogCapture log;
  const auto status = client()->send_message("hello", {});
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "Telegram sendMessage failed after 3 attempts: cannot reach http://127.0.0.1:" +
                                              std::to_string(port));
  EXPECT_LACKS(status.error().message, config.token);
  EXPECT_EQ(sleeper.waits, (Waits{1.0, 2.0}));
  EXPECT_LACKS(log.text(), config.token);
}

TEST_F(TelegramBotApi, RealSleeperWaitsTheRetryAfter) {
  fake.fail_next(429, 1);
  const auto start = std::chrono::steady_clock::now();
  const auto status = make_bot_api_telegram(config, real_sleeper())->send_message("hello", {});
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_GE(elapsed, 1.0);
  EXPECT_LT(elapsed, 10.0);
  const auto attempts = fake.attempts();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_GE(std::chrono::duration<double>(attempts[1].arrived - attempts[0].arrived).count(), 1.0);
  ASSERT_EQ(fake.calls().size(), 1u);
  EXPECT_EQ(fake.calls()[0].arrived, attempts[1].arrived);
}

// ---------------------------------------------------------------- errors without retry

TEST_F(TelegramBotApi, WrongTokenFailsAtOnceAndIsNeverShown) {
  config.token = "987654321:WRONG-token-abcdefghijk";
  LogCapture log;
  const auto status = client()->send_message("hello", {});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "Telegram rejected the bot token (401 Unauthorized): check VIGIL_TELEGRAM_TOKEN");
  EXPECT_EQ(statuses(fake.attempts()), std::vector<int>{401});
  EXPECT_EQ(sleeper.waits, Waits{});
  const std::string logged = log.text();
  EXPECT_LACKS(logged, config.token);
  EXPECT_LACKS(logged, "WRONG-token");
  EXPECT_CONTAINS(logged, "/bot<redacted>/sendMessage");  // the debug line with the URL was written
}

TEST_F(TelegramBotApi, Scripted401IsNotRetried) {
  fake.fail_next(401);
  fake.fail_next(401);
  const auto status = client()->send_photo(Photo{"a.png", png_bytes(64, 1)}, "", {});
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "VIGIL_TELEGRAM_TOKEN");
  EXPECT_LACKS(status.error().message, FakeTelegram::kDefaultToken);
  EXPECT_EQ(fake.attempts().size(), 1u);
  EXPECT_EQ(fake.pending_faults(), 1u);
}

TEST_F(TelegramBotApi, UnknownChatIsNamed) {
  config.chat_id = "123";
  const auto status = client()->send_message("hello", {});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "Telegram: chat 123 not found (400 Bad Request: chat not found): check [telegram] chat_id");
  EXPECT_EQ(fake.attempts().size(), 1u);
  EXPECT_TRUE(fake.calls().empty());
}

TEST_F(TelegramBotApi, ForbiddenIsNotRetried) {
  fake.fail_next(403, "Forbidden: bot is not a member of the channel chat");
  const auto status = client()->send_message("hello", {});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            fmt::format("Telegram: the bot may not post to chat {} (403 Forbidden: bot is not a member of the "
                        "channel chat): add the bot to the chat or check [telegram] chat_id",
                        FakeTelegram::kDefaultChat));
  EXPECT_EQ(fake.attempts().size(), 1u);
  EXPECT_EQ(sleeper.waits, Waits{});
}

TEST_F(TelegramBotApi, WrongApiPathIs404WithoutRetry) {
  config.api_url = fake.url() + "/not-telegram";
  const auto status = client()->send_message("hello", {});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "Telegram: sendMessage not found (404 Not Found): check VIGIL_TELEGRAM_TOKEN and [telegram] api_url");
  EXPECT_EQ(fake.attempts().size(), 1u);
}

TEST_F(TelegramBotApi, MalformedHtmlIsReportedByTelegramWithoutRetry) {
  auto status = client()->send_message("<b>unclosed", {});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "Telegram sendMessage was rejected (400 Bad Request: can't parse entities: Can't find end tag "
            "corresponding to start tag \"b\")");
  status = client()->send_message("line<br>break", {});
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "Unsupported start tag \"br\" at byte offset 4");
  EXPECT_EQ(statuses(fake.attempts()), (std::vector<int>{400, 400}));
  EXPECT_TRUE(fake.calls().empty());
}

// ---------------------------------------------------------------- local checks

TEST_F(TelegramBotApi, TooLongTextIsRejectedBeforeAnyRequest) {
  auto status = client()->send_message(std::string(4097, 'a'), {});
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "4097");
  EXPECT_CONTAINS(status.error().message, "4096");
  // 2049 emoji: 8196 bytes, 2049 characters, but 4098 UTF-16 units.
  status = client()->send_message(repeat("😀", 2049), {});
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "4098");
  EXPECT_TRUE(fake.attempts().empty());
}

TEST_F(TelegramBotApi, TextOfExactly4096UnitsIsSent) {
  const std::string bold = "<b>" + std::string(4096, 'a') + "</b>";      // markup does not count
  const std::string emoji = repeat("😀", 2047) + "&lt;&gt;";              // 4094 + 2
  ASSERT_TRUE(client()->send_message(bold, {}).ok());
  ASSERT_TRUE(client()->send_message(emoji, {}).ok());
  const auto calls = fake.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].text, bold);
  EXPECT_EQ(calls[1].text, emoji);
}

TEST_F(TelegramBotApi, TooLongCaptionIsRejectedBeforeAnyRequest) {
  const std::string caption = "<b>" + std::string(1025, 'c') + "</b>";
  auto status = client()->send_photo(Photo{"a.png", png_bytes(64, 1)}, caption, {});
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "1025");
  const Status album =
      client()->send_media_group({Photo{"a.png", png_bytes(64, 1)}, Photo{"b.png", png_bytes(64, 2)}}, caption);
  ASSERT_FALSE(album.ok());
  EXPECT_TRUE(fake.attempts().empty());

  // Trimmed, it fits and the fake's own count agrees.
  ASSERT_TRUE(client()->send_photo(Photo{"a.png", png_bytes(64, 1)}, trim_caption(caption), {}).ok());
  ASSERT_EQ(fake.calls().size(), 1u);
  EXPECT_EQ(fake.calls()[0].text, "<b>" + std::string(1023, 'c') + "</b>…");
}

TEST_F(TelegramBotApi, AlbumSizeAndPhotosAreCheckedLocally) {
  const Photo png{"a.png", png_bytes(64, 1)};
  EXPECT_FALSE(client()->send_media_group({png}, "").ok());
  EXPECT_FALSE(client()->send_media_group(std::vector<Photo>(11, png), "").ok());
  const auto gif = client()->send_photo(Photo{"a.gif", "GIF89a not a png"}, "", {});
  ASSERT_FALSE(gif.ok());
  EXPECT_EQ(gif.error().message, "Telegram photo 'a.gif' is not a PNG (no PNG signature)");
  EXPECT_FALSE(client()->send_photo(Photo{"empty.png", ""}, "", {}).ok());
  EXPECT_FALSE(client()->send_message("", {}).ok());
  EXPECT_TRUE(fake.attempts().empty());
}

TEST_F(TelegramBotApi, MissingSettingsAreUsageErrors) {
  TelegramConfig no_token = config;
  no_token.token = "";
  auto status = client(no_token)->send_message("hello", {});
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "VIGIL_TELEGRAM_TOKEN");
  EXPECT_EQ(status.error().exit_code(), 2);

  TelegramConfig no_chat = config;
  no_chat.chat_id = "";
  status = client(no_chat)->send_photo(Photo{"a.png", png_bytes(64, 1)}, "", {});
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "[telegram] chat_id");
  EXPECT_EQ(status.error().exit_code(), 2);

  TelegramConfig spaced = config;
  spaced.token = config.token + "\n";  // pasted with a line break
  status = client(spaced)->send_message("hello", {});
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "VIGIL_TELEGRAM_TOKEN is malformed");
  EXPECT_LACKS(status.error().message, config.token);

  TelegramConfig bad_url = config;
  bad_url.api_url = "api.telegram.org";
  EXPECT_FALSE(check_telegram_config(bad_url).ok());
  EXPECT_TRUE(check_telegram_config(config).ok());
  EXPECT_TRUE(fake.attempts().empty());
}

// ---------------------------------------------------------------- the fake itself

class FakeTelegramServer : public ::testing::Test {
 protected:
  std::string method_url(const std::string& method) const {
    return fake.url() + "/bot" + fake.token() + "/" + method;
  }
  std::string message(const std::string& text) const {
    return nlohmann::json{{"chat_id", fake.chat_id()}, {"text", text}, {"parse_mode", "HTML"}}.dump();
  }
  static std::string description(const PostAnswer& answer) {
    return answer.body.is_object() ? answer.body.value("description", "") : "";
  }

  FakeTelegram fake;
};

TEST_F(FakeTelegramServer, AnswersLikeTheBotApi) {
  PostAnswer ok = http_post(method_url("sendMessage"), message("<b>hi</b>"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body.value("ok", false), true);
  EXPECT_TRUE(ok.body["result"].contains("message_id"));

  PostAnswer unknown = http_post(method_url("getChat"), "{}");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, nlohmann::json::parse(R"({"ok":false,"error_code":404,"description":"Not Found"})"));

  PostAnswer bad_token = http_post(fake.url() + "/bot1:nope/sendMessage", message("hi"));
  EXPECT_EQ(bad_token.status, 401);
  EXPECT_EQ(bad_token.body, nlohmann::json::parse(R"({"ok":false,"error_code":401,"description":"Unauthorized"})"));

  fake.fail_next(429, 3);
  PostAnswer limited = http_post(method_url("sendMessage"), message("hi"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body["parameters"]["retry_after"], 3);
  EXPECT_EQ(description(limited), "Too Many Requests: retry after 3");

  EXPECT_EQ(fake.calls().size(), 1u);
  EXPECT_EQ(statuses(fake.attempts()), (std::vector<int>{200, 404, 401, 429}));
}

TEST_F(FakeTelegramServer, ChecksMessages) {
  const std::string chat = fake.chat_id();
  EXPECT_EQ(description(http_post(method_url("sendMessage"), R"({"text":"hi"})")), "Bad Request: chat_id is empty");
  EXPECT_EQ(description(http_post(method_url("sendMessage"), R"({"chat_id":"1","text":"hi"})")),
            "Bad Request: chat not found");
  EXPECT_EQ(description(http_post(method_url("sendMessage"), nlohmann::json{{"chat_id", chat}}.dump())),
            "Bad Request: message text is empty");
  EXPECT_EQ(description(http_post(method_url("sendMessage"), message("<b></b>  "))), "Bad Request: message text is empty");
  EXPECT_EQ(description(http_post(method_url("sendMessage"), message(std::string(4097, 'x')))),
            "Bad Request: message is too long");
  // 4096 after entity parsing is fine, whatever the byte count.
  EXPECT_EQ(http_post(method_url("sendMessage"), message(repeat("&amp;", 4096))).status, 200);
  EXPECT_EQ(description(http_post(method_url("sendMessage"), message(repeat("&amp;", 4097)))),
            "Bad Request: message is too long");
  EXPECT_EQ(description(http_post(method_url("sendMessage"), message("<b>x</i>"))),
            "Bad Request: can't parse entities: Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\"");
  EXPECT_EQ(description(http_post(method_url("sendMessage"), message("a <p>b</p>"))),
            "Bad Request: can't parse entities: Unsupported start tag \"p\" at byte offset 2");
  EXPECT_EQ(description(http_post(method_url("sendMessage"), message("1 < 2"))),
            "Bad Request: can't parse entities: Unsupported start tag \"\" at byte offset 2");
  EXPECT_EQ(http_post(method_url("sendMessage"), message("<a href=\"https://x.y/?a=1&amp;b=2\">x</a> 1 &lt; 2")).status,
            200);
  // Without parse_mode, markup is just text.
  EXPECT_EQ(http_post(method_url("sendMessage"), nlohmann::json{{"chat_id", chat}, {"text", "1 < 2"}}.dump()).status,
            200);
  EXPECT_EQ(fake.calls().size(), 3u);
}

TEST_F(FakeTelegramServer, ChecksUploads) {
  const std::string chat = fake.chat_id();
  const std::string png = png_bytes(64, 1);
  using Parts = FormParts;

  PostAnswer gif = http_post(method_url("sendPhoto"), "", Parts{{"chat_id", chat, ""}, {"photo", "GIF89a", "a.gif"}});
  EXPECT_EQ(description(gif), "Bad Request: IMAGE_PROCESS_FAILED");
  PostAnswer none = http_post(method_url("sendPhoto"), "", Parts{{"chat_id", chat, ""}});
  EXPECT_EQ(description(none), "Bad Request: there is no photo in the request");
  PostAnswer long_caption = http_post(
      method_url("sendPhoto"), "", Parts{{"chat_id", chat, ""}, {"photo", png, "a.png"}, {"caption", std::string(1025, 'c'), ""}});
  EXPECT_EQ(description(long_caption), "Bad Request: message caption is too long");
  PostAnswer photo = http_post(method_url("sendPhoto"), "",
                             Parts{{"chat_id", chat, ""}, {"photo", png, "a.png"}, {"caption", std::string(1024, 'c'), ""}});
  EXPECT_EQ(photo.status, 200);

  const std::string two = R"([{"type":"photo","media":"attach://p0"},{"type":"photo","media":"attach://p1"}])";
  PostAnswer missing = http_post(method_url("sendMediaGroup"), "",
                               Parts{{"chat_id", chat, ""}, {"media", two, ""}, {"p0", png, "a.png"}});
  EXPECT_EQ(description(missing), "Bad Request: wrong file identifier/HTTP URL specified");
  PostAnswer one = http_post(method_url("sendMediaGroup"), "",
                           Parts{{"chat_id", chat, ""},
                                 {"media", R"([{"type":"photo","media":"attach://p0"}])", ""},
                                 {"p0", png, "a.png"}});
  EXPECT_EQ(description(one), "Bad Request: media must contain 2-10 items");
  PostAnswer album = http_post(method_url("sendMediaGroup"), "",
                             Parts{{"chat_id", chat, ""}, {"media", two, ""}, {"p0", png, "a.png"}, {"p1", png, "b.png"}});
  EXPECT_EQ(album.status, 200);
  EXPECT_TRUE(album.body["result"].is_array());

  EXPECT_EQ(statuses(fake.attempts()), (std::vector<int>{400, 400, 400, 200, 400, 400, 200}));
  EXPECT_EQ(fake.calls().size(), 2u);
}

}  // namespace
}  // namespace vigil
