// The ClickHouse HTTP client without a real server: against a scripted fake
// HTTP server on a loopback port (the failure modes a real 18.16 cannot be made
// to produce on demand: exceptions after HTTP 200 in the formats of newer
// releases, dropped connections, retries) or a closed port. Its body parser
// fed strings: tests/clickhouse_response_test.cpp; the client against a real
// clickhouse-server: tests/clickhouse_client_itest.cpp.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "clickhouse/client.h"
#include "clickhouse/server.h"
#include "support/expect.h"

namespace vigil {
namespace {

// ---------------------------------------------------------------- fake HTTP server

// Accepts connections on a loopback port; for the n-th connection (0-based) it
// reads the whole request and writes respond(n) verbatim, then closes. An empty
// answer closes the connection without a response.
class FakeServer {
 public:
  explicit FakeServer(std::function<std::string(int)> respond, int port = 0) : respond_(std::move(respond)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    socklen_t length = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
      throw std::runtime_error("fake server: cannot listen");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~FakeServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  int connections() const { return connections_; }
  std::string url() const { return fmt::format("http://127.0.0.1:{}", port_); }
  std::string last_request() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_request_;
  }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      std::string request = read_request(conn);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        last_request_ = request;
      }
      std::string answer = respond_(connections_++);
      std::size_t done = 0;
      while (done < answer.size()) {
        ssize_t n = ::send(conn, answer.data() + done, answer.size() - done, MSG_NOSIGNAL);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
      }
      ::shutdown(conn, SHUT_WR);
      ::close(conn);
    }
  }

  static std::string read_request(int conn) {
    std::string data;
    char buffer[65536];
    std::size_t expected = std::string::npos;
    while (data.size() < expected) {
      pollfd p{conn, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) break;
      ssize_t n = ::recv(conn, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      data.append(buffer, static_cast<std::size_t>(n));
      auto end = data.find("\r\n\r\n");
      if (end != std::string::npos && expected == std::string::npos) {
        std::size_t length = 0;
        auto cl = data.find("Content-Length: ");
        if (cl != std::string::npos && cl < end) length = std::stoul(data.substr(cl + 16));
        expected = end + 4 + length;
      }
    }
    return data;
  }

  std::function<std::string(int)> respond_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::string last_request_;
};

std::string http_response(int status, const std::string& body, const std::string& extra_headers = "") {
  return fmt::format("HTTP/1.1 {} X\r\nContent-Type: text/tab-separated-values; charset=UTF-8\r\n{}"
                     "Connection: close\r\n\r\n{}",
                     status, extra_headers, body);
}

// Settings for a port where nothing listens (yet): the client's usual ones.
ClickHouseConfig closed_port_config(int port) {
  ClickHouseConfig config;
  config.url = fmt::format("http://127.0.0.1:{}", port);
  config.user = "default";
  config.database = "default";
  config.connect_timeout_seconds = 5;
  config.query_timeout_seconds = 300;
  config.read_retries = 2;
  return config;
}

// Records the client's waits between retries instead of waiting; `on_sleep`
// runs at each (a server can appear while the client backs off).
class RecordingSleeper final : public Sleeper {
 public:
  void sleep_for(double seconds) override {
    std::lock_guard<std::mutex> lock(mutex_);
    waits.push_back(seconds);
    if (on_sleep) on_sleep();
  }
  std::vector<double> waits;
  std::function<void()> on_sleep;

 private:
  std::mutex mutex_;
};
using Waits = std::vector<double>;

ClickHouseConfig fake_config(const FakeServer& server, int retries = 0) {
  ClickHouseConfig config;
  config.url = server.url();
  config.database = "default";
  config.read_retries = retries;
  config.connect_timeout_seconds = 2;
  config.query_timeout_seconds = 10;
  return config;
}

TEST(ClickHouseClient, ServerDownNamesTheUrl) {
  auto port = find_free_port();
  ASSERT_TRUE(port.ok());
  ClickHouseConfig config = closed_port_config(*port);
  config.password = "do-not-print-me";
  config.read_retries = 0;
  auto status = make_http_clickhouse(config)->query("SELECT 1", [](const Row&) {});
  ASSERT_FALSE(status.ok());
  const std::string& message = status.error().message;
  EXPECT_CONTAINS(message, "cannot connect to ClickHouse at " + config.url);
  EXPECT_CONTAINS(message, "Connection refused");
  EXPECT_CONTAINS(message, "vigil clickhouse start");
  EXPECT_LACKS(message, "do-not-print-me");
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(ClickHouseClient, RefusedConnectionIsRetriedWithBackoff) {
  auto port = find_free_port();
  ASSERT_TRUE(port.ok());
  ClickHouseConfig config = closed_port_config(*port);
  config.read_retries = 2;
  RecordingSleeper sleeper;
  auto ch = make_http_clickhouse(config, sleeper);
  auto start = std::chrono::steady_clock::now();
  auto status = ch->query("SELECT 1", [](const Row&) {});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(sleeper.waits, (Waits{0.5, 1.0}));
  // execute() also retries when the connection could not be made at all.
  EXPECT_FALSE(ch->execute("SELECT 1").ok());
  EXPECT_EQ(sleeper.waits, (Waits{0.5, 1.0, 0.5, 1.0}));
  EXPECT_LT(seconds_since(start), 1.0);  // the waits went to the sleeper
}

TEST(ClickHouseClient, BackoffDoublesUpToEightSeconds) {
  auto port = find_free_port();
  ASSERT_TRUE(port.ok());
  ClickHouseConfig config = closed_port_config(*port);
  config.read_retries = 7;
  RecordingSleeper sleeper;
  EXPECT_FALSE(make_http_clickhouse(config, sleeper)->query("SELECT 1", [](const Row&) {}).ok());
  EXPECT_EQ(sleeper.waits, (Waits{0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0}));
}

TEST(ClickHouseClient, QueryRetriesUntilTheServerAppears) {
  auto port = find_free_port();
  ASSERT_TRUE(port.ok());
  ClickHouseConfig config = closed_port_config(*port);
  config.read_retries = 3;
  // A server starts listening on the port while the client backs off the second time.
  std::unique_ptr<FakeServer> late;
  RecordingSleeper sleeper;
  sleeper.on_sleep = [&] {
    if (sleeper.waits.size() == 2) {
      late = std::make_unique<FakeServer>([](int) { return http_response(200, "7\n"); }, *port);
    }
  };
  auto value = make_http_clickhouse(config, sleeper)->query_value("SELECT 7");
  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(*value, "7");
  EXPECT_EQ(sleeper.waits, (Waits{0.5, 1.0}));
  ASSERT_NE(late, nullptr);
  EXPECT_EQ(late->connections(), 1);
}

TEST(ClickHouseClient, DescribeHasNoCredentials) {
  ClickHouseConfig config;
  config.url = "http://user:secret@127.0.0.1:8123/";
  EXPECT_EQ(make_http_clickhouse(config)->describe(), "http://127.0.0.1:8123");
}

TEST(ClickHouseClient, SqlQuoting) {
  EXPECT_EQ(sql_quote("it's"), "'it\\'s'");
  EXPECT_EQ(sql_quote("a\\b"), "'a\\\\b'");
  EXPECT_EQ(sql_ident("na`me"), "`na\\`me`");
  EXPECT_EQ(sql_table("db", "t"), "`db`.`t`");
}

// ---------------------------------------------------------------- scripted answers

TEST(ClickHouseClientFake, SendsSqlAsPostWithSettingsAndBasicAuth) {
  FakeServer server([](int) { return http_response(200, "1\n"); });
  ClickHouseConfig config = fake_config(server);
  config.database = "my db";
  config.user = "alice";
  config.password = "pw";
  auto value = make_http_clickhouse(config)->query_value("SELECT 1");
  ASSERT_TRUE(value.ok()) << value.error().message;
  const std::string request = server.last_request();
  EXPECT_CONTAINS(request, "POST /?database=my%20db&default_format=TabSeparated&wait_end_of_query=1 ");
  EXPECT_CONTAINS(request, "Authorization: Basic YWxpY2U6cHc=");  // alice:pw
  EXPECT_CONTAINS(request, "\r\n\r\nSELECT 1");
}

TEST(ClickHouseClientFake, StatementSettingsGoInTheUrlOfThatStatementOnly) {
  FakeServer server([](int) { return http_response(200, ""); });
  auto client = make_http_clickhouse(fake_config(server));
  ASSERT_TRUE(client->execute_with("INSERT INTO t SELECT 1", {{"insert_quorum", "2"},
                                                              {"insert_deduplicate", "0"}}).ok());
  EXPECT_CONTAINS(server.last_request(), "&insert_quorum=2&insert_deduplicate=0&");
  ASSERT_TRUE(client->execute("INSERT INTO t SELECT 1").ok());
  EXPECT_EQ(server.last_request().find("insert_quorum"), std::string::npos);
}

TEST(ClickHouseClientFake, LegacyExceptionAfter200IsNotARow) {
  FakeServer server([](int) {
    std::string body;
    for (int i = 0; i < 20; ++i) body += fmt::format("{}\t0\n", i);
    body += "Code: 395, e.displayText() = DB::Exception: Value passed to 'throwIf' function is non zero, "
            "e.what() = DB::Exception\n";
    return http_response(200, body);
  });
  std::vector<Row> rows;
  auto status = make_http_clickhouse(fake_config(server))->query("SELECT", [&](const Row& r) { rows.push_back(r); });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "ClickHouse error 395: Value passed to 'throwIf' function is non zero");
  for (const auto& row : rows) EXPECT_NE(row[0].rfind("Code:", 0), 0u);
}

TEST(ClickHouseClientFake, NewStyleExceptionAfter200NamesTheTable) {
  FakeServer server([](int) {
    return http_response(200, "a\nb\nCode: 60. DB::Exception: Table simulator.feed_actions does not exist. "
                              "(UNKNOWN_TABLE) (version 24.3.1.1)\n");
  });
  std::vector<Row> rows;
  auto status = make_http_clickhouse(fake_config(server))->query("SELECT", [&](const Row& r) { rows.push_back(r); });
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "ClickHouse table simulator.feed_actions does not exist");
  EXPECT_TRUE(rows.empty());  // held back: the whole result was shorter than the hold-back window
}

TEST(ClickHouseClientFake, TaggedExceptionAfter200) {
  FakeServer server([](int) {
    std::string body;
    for (int i = 0; i < 10; ++i) body += fmt::format("{}\n", i);
    body += "__exception__Xy12Ab\r\nCode: 241. DB::Exception: Memory limit (for query) exceeded. "
            "(MEMORY_LIMIT_EXCEEDED) (version 25.11.1.1)\r\n98 Xy12Ab__exception__\r\n";
    return http_response(200, body, "X-ClickHouse-Exception-Tag: Xy12Ab\r\n");
  });
  std::vector<Row> rows;
  auto status = make_http_clickhouse(fake_config(server))->query("SELECT", [&](const Row& r) { rows.push_back(r); });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "ClickHouse error 241: Memory limit (for query) exceeded. (MEMORY_LIMIT_EXCEEDED)");
  for (const auto& row : rows) EXPECT_EQ(row[0].find("__exception__"), std::string::npos);
}

TEST(ClickHouseClientFake, NewStyleErrorsBeforeData) {
  FakeServer server([](int n) {
    switch (n) {
      case 0:
        return http_response(404, "Code: 60. DB::Exception: Table default.x does not exist. (UNKNOWN_TABLE) "
                                  "(version 23.8.1.1)\n",
                             "X-ClickHouse-Exception-Code: 60\r\n");
      case 1:
        return http_response(516, "Code: 516. DB::Exception: default: Authentication failed: password is incorrect, "
                                  "or there is no user with such name. (AUTHENTICATION_FAILED) (version 23.8.1.1)\n",
                             "X-ClickHouse-Exception-Code: 516\r\n");
      case 2:
        return http_response(404, "Code: 47. DB::Exception: Missing columns: 'nope' while processing query: "
                                  "'SELECT nope', required columns: 'nope'. (UNKNOWN_IDENTIFIER)\n");
      case 3:
        return http_response(502, "<html><body>Bad Gateway</body></html>\n");
      default:
        return http_response(401, "");
    }
  });
  auto ch = make_http_clickhouse(fake_config(server));
  EXPECT_CONTAINS(ch->execute("q").error().message, "ClickHouse table default.x does not exist");
  EXPECT_CONTAINS(ch->execute("q").error().message, "wrong user or password");
  EXPECT_CONTAINS(ch->execute("q").error().message, "ClickHouse query refers to a missing column: Missing columns: 'nope'");
  EXPECT_CONTAINS(ch->execute("q").error().message, "answered HTTP 502: <html><body>Bad Gateway");
  EXPECT_CONTAINS(ch->execute("q").error().message, "wrong user or password");
}

// The analyzer's wording (24.x: "... 'db.t' in scope ...", 26.9: "... 'db.t'. In scope ...",
// and with a similar table elsewhere "... 'db.t'. Maybe you meant other.t? In scope ...").
TEST(ClickHouseClientFake, AnalyzerUnknownTableIsNamed) {
  FakeServer server([](int n) {
    const std::string text =
        n == 0   ? "Code: 60. DB::Exception: Unknown table expression identifier 'src.message_actions' in scope "
                   "SELECT count() FROM src.message_actions. (UNKNOWN_TABLE) (version 24.8.4.13 (official build))\n"
        : n == 1 ? "Code: 60. DB::Exception: Unknown table expression identifier 'src.message_actions'. In scope "
                   "SELECT count() FROM src.message_actions. (UNKNOWN_TABLE) (version 26.9.2.1)\n"
                 : "Code: 60. DB::Exception: Unknown table expression identifier 'src.message_actions'. Maybe you "
                   "meant demo.message_actions? In scope SELECT count() FROM src.message_actions. (UNKNOWN_TABLE) "
                   "(version 26.9.2.1)\n";
    return http_response(404, text, "X-ClickHouse-Exception-Code: 60\r\n");
  });
  auto ch = make_http_clickhouse(fake_config(server));
  for (int i = 0; i < 3; ++i) {
    const std::string message = ch->execute("q").error().message;
    EXPECT_CONTAINS(message, "ClickHouse table src.message_actions does not exist on ");
  }
}

TEST(ClickHouseClientFake, HeldBackRowsAreDeliveredAtTheEnd) {
  FakeServer server([](int) {
    std::string body;
    for (int i = 0; i < 100; ++i) body += fmt::format("{}\tv\\t{}\n", i, i);
    return http_response(200, body);
  });
  auto rows = make_http_clickhouse(fake_config(server))->query_rows("SELECT");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 100u);
  EXPECT_EQ((*rows)[99], (Row{"99", "v\t99"}));
  EXPECT_EQ((*rows)[0], (Row{"0", "v\t0"}));
}

TEST(ClickHouseClientFake, LastRowWithoutNewlineIsARow) {
  FakeServer server([](int) { return http_response(200, "1\n2"); });
  auto rows = make_http_clickhouse(fake_config(server))->query_rows("SELECT");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ(rows->size(), 2u);
}

TEST(ClickHouseClientFake, DroppedConnectionsAreRetriedBeforeAnyRow) {
  FakeServer server([](int n) { return n < 2 ? std::string() : http_response(200, "42\n"); });
  RecordingSleeper sleeper;
  auto value = make_http_clickhouse(fake_config(server, 3), sleeper)->query_value("SELECT 42");
  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(*value, "42");
  EXPECT_EQ(server.connections(), 3);
  EXPECT_EQ(sleeper.waits, (Waits{0.5, 1.0}));
}

TEST(ClickHouseClientFake, RetriesGiveUpAfterReadRetries) {
  FakeServer server([](int) { return std::string(); });
  RecordingSleeper sleeper;
  auto status =
      make_http_clickhouse(fake_config(server, 1), sleeper)->query("SELECT", [](const Row&) {});
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "lost the connection to ClickHouse at " + server.url());
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(sleeper.waits, Waits{0.5});
}

TEST(ClickHouseClientFake, ExecuteIsNotRetriedOnceConnected) {
  FakeServer server([](int) { return std::string(); });
  auto status = make_http_clickhouse(fake_config(server, 3))->execute("INSERT INTO t SELECT 1");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(server.connections(), 1);
}

TEST(ClickHouseClientFake, NoRetryAfterRowsWereDelivered) {
  FakeServer server([](int) {
    std::string body;
    for (int i = 0; i < 50; ++i) body += fmt::format("{}\n", i);
    return "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n" + body;
  });
  int rows = 0;
  auto status = make_http_clickhouse(fake_config(server, 3))->query("SELECT", [&](const Row&) { ++rows; });
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "lost the connection");
  EXPECT_GT(rows, 0);
  EXPECT_EQ(server.connections(), 1);
}

TEST(ClickHouseClientFake, CallbackExceptionPropagates) {
  FakeServer server([](int) {
    std::string body;
    for (int i = 0; i < 50; ++i) body += fmt::format("{}\n", i);
    return http_response(200, body);
  });
  auto ch = make_http_clickhouse(fake_config(server));
  EXPECT_THROW((void)ch->query("SELECT", [](const Row&) { throw std::runtime_error("stop"); }), std::runtime_error);
}

// ---------------------------------------------------------------- the contract (client.h)

std::string numbered_rows(int count) {
  std::string body;
  for (int i = 0; i < count; ++i) body += fmt::format("{}\trow {}\n", i, i);
  return body;
}

TEST(ClickHouseClientContract, OneClientServesManyThreadsAtOnce) {
  FakeServer server([](int) { return http_response(200, numbered_rows(200)); });
  auto ch = make_http_clickhouse(fake_config(server));
  constexpr int kThreads = 8, kQueries = 5;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int q = 0; q < kQueries; ++q) {
        auto rows = ch->query_rows("SELECT");
        bool whole = rows.ok() && rows->size() == 200u;
        for (int i = 0; whole && i < 200; ++i) {
          whole = (*rows)[i] == Row{std::to_string(i), fmt::format("row {}", i)};
        }
        if (whole) ++good;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(good.load(), kThreads * kQueries);
  EXPECT_EQ(server.connections(), kThreads * kQueries);
}

TEST(ClickHouseClientContract, RowsCanArriveBeforeTheFailure) {
  FakeServer server([](int) {
    return http_response(200, numbered_rows(20) +
                                  "Code: 395. DB::Exception: Value passed to 'throwIf' function "
                                  "is non zero. (FUNCTION_THROW_IF_VALUE_IS_NON_ZERO)\n");
  });
  std::vector<Row> seen;
  auto status = make_http_clickhouse(fake_config(server))->query("SELECT", [&](const Row& row) {
    seen.push_back(row);
  });
  ASSERT_FALSE(status.ok());
  EXPECT_CONTAINS(status.error().message, "ClickHouse error 395");
  // All but the rows held back with the exception line went out first.
  EXPECT_EQ(seen.size(), 17u);
  // query_rows hands out nothing of a failed query.
  auto rows = make_http_clickhouse(fake_config(server))->query_rows("SELECT");
  EXPECT_FALSE(rows.ok());
}

TEST(ClickHouseClientContract, ACallbackExceptionAbortsTheTransferAndPropagates) {
  // The second answer is short: its rows are held back to the end of the body.
  FakeServer server([](int n) { return http_response(200, numbered_rows(n == 1 ? 2 : 5000)); });
  auto ch = make_http_clickhouse(fake_config(server, 3));
  int calls = 0;
  try {
    (void)ch->query("SELECT", [&](const Row& row) {
      ++calls;
      throw std::invalid_argument("odd row " + row[0]);
    });
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "odd row 0");  // unchanged, from the first row
  }
  EXPECT_EQ(calls, 1);                 // no row after the throw
  EXPECT_EQ(server.connections(), 1);  // not retried
  // A row delivered at the end of the body throws out of query() too.
  EXPECT_THROW((void)ch->query("SELECT", [](const Row&) { throw std::invalid_argument("x"); }),
               std::invalid_argument);
  // The client is usable afterwards.
  auto rows = ch->query_rows("SELECT");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ(rows->size(), 5000u);
}

}  // namespace
}  // namespace vigil
