// The managed local clickhouse-server: start, status, stop, and the refusals.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "clickhouse/client.h"
#include "clickhouse/server.h"
#include "support/clickhouse_fixture.h"
#include "support/expect.h"

extern char** environ;

namespace vigil {
namespace {

namespace fs = std::filesystem;

bool alive(int pid) {
  ::waitpid(pid, nullptr, WNOHANG);
  return ::kill(pid, 0) == 0;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

ManagedServerOptions options_in(const TempDir& tmp) {
  ManagedServerOptions options;
  options.dir = tmp.path() + "/ch";
  auto port = find_free_port();
  EXPECT_TRUE(port.ok());
  options.http_port = port.ok() ? *port : 0;
  return options;
}

// A child process that is not a clickhouse-server: `sleep 30`.
class SleepChild {
 public:
  SleepChild() {
    char arg0[] = "sleep";
    char arg1[] = "30";
    char* argv[] = {arg0, arg1, nullptr};
    if (::posix_spawnp(&pid_, "sleep", nullptr, nullptr, argv, environ) != 0) pid_ = -1;
  }
  ~SleepChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  int pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

TEST(ManagedServer, StartStatusStop) {
  TempDir tmp;
  auto options = options_in(tmp);
  ASSERT_FALSE(managed_server_status(options.dir).running);

  auto started = start_managed_server(options);
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_TRUE(started->running);
  EXPECT_FALSE(started->already_running);
  EXPECT_GT(started->pid, 0);
  EXPECT_EQ(started->http_port, options.http_port);
  EXPECT_GT(started->tcp_port, 0);
  EXPECT_NE(started->tcp_port, started->http_port);
  EXPECT_EQ(started->dir, fs::weakly_canonical(options.dir).string());

  // It answers queries.
  ClickHouseConfig config;
  config.url = fmt::format("http://127.0.0.1:{}", started->http_port);
  config.database = "default";
  auto one = make_http_clickhouse(config)->query_value("SELECT 1");
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_EQ(*one, "1");

  // Generated files.
  struct stat st {};
  ASSERT_EQ(::stat((options.dir + "/users.xml").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_CONTAINS(read_text(options.dir + "/users.xml"), "<password></password>");
  EXPECT_CONTAINS(read_text(options.dir + "/config.xml"), "<listen_host>127.0.0.1</listen_host>");
  EXPECT_TRUE(fs::is_directory(options.dir + "/data"));
  EXPECT_EQ(read_text(options.dir + "/clickhouse.pid"), fmt::format("{}\n", started->pid));

  auto status = managed_server_status(options.dir);
  EXPECT_TRUE(status.running);
  EXPECT_EQ(status.pid, started->pid);
  EXPECT_EQ(status.http_port, started->http_port);
  EXPECT_EQ(status.tcp_port, started->tcp_port);

  auto stopped = stop_managed_server(options.dir);
  ASSERT_TRUE(stopped.ok()) << stopped.error().message;
  EXPECT_FALSE(alive(started->pid));
  EXPECT_FALSE(managed_server_status(options.dir).running);
  EXPECT_FALSE(fs::exists(options.dir + "/clickhouse.pid"));
  // Stopping again is fine.
  EXPECT_TRUE(stop_managed_server(options.dir).ok());

  // Data survives a restart.
  auto again = start_managed_server(options);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_NE(again->pid, started->pid);
  EXPECT_TRUE(stop_managed_server(options.dir).ok());
}

TEST(ManagedServer, StartTwiceReportsTheRunningServer) {
  TempDir tmp;
  auto options = options_in(tmp);
  auto first = start_managed_server(options);
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = start_managed_server(options);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->running);
  EXPECT_TRUE(second->already_running);
  EXPECT_EQ(second->pid, first->pid);
  EXPECT_EQ(second->http_port, first->http_port);
  EXPECT_TRUE(stop_managed_server(options.dir).ok());
}

TEST(ManagedServer, PortTakenByAnotherListener) {
  TempDir tmp;
  auto options = options_in(tmp);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(options.http_port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);

  auto started = start_managed_server(options);
  ::close(fd);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message,
            fmt::format("port {} on 127.0.0.1 is already in use by another process: stop it or choose another "
                        "port in [clickhouse] url",
                        options.http_port));
  EXPECT_FALSE(fs::exists(options.dir + "/clickhouse.pid"));
}

TEST(ManagedServer, StopRefusesAPidThatIsNotOurs) {
  TempDir tmp;
  SleepChild sleeper;
  ASSERT_GT(sleeper.pid(), 0);
  const std::string dir = tmp.path() + "/ch";
  fs::create_directories(dir);
  write_text(dir + "/clickhouse.pid", fmt::format("{}\n", sleeper.pid()));

  auto stopped = stop_managed_server(dir);
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().message.rfind(fmt::format("pid {} is not the clickhouse-server started from {}; not "
                                                      "stopping it",
                                                      sleeper.pid(), fs::weakly_canonical(dir).string()),
                                          0),
            0u)
      << stopped.error().message;
  EXPECT_TRUE(alive(sleeper.pid()));
  EXPECT_FALSE(managed_server_status(dir).running);
}

TEST(ManagedServer, StalePidFileIsCleanedUp) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/ch";
  fs::create_directories(dir);
  pid_t dead = ::fork();
  if (dead == 0) _exit(0);
  ASSERT_GT(dead, 0);
  ::waitpid(dead, nullptr, 0);
  write_text(dir + "/clickhouse.pid", fmt::format("{}\n", dead));
  EXPECT_FALSE(managed_server_status(dir).running);
  auto stopped = stop_managed_server(dir);
  EXPECT_TRUE(stopped.ok()) << stopped.error().message;
  EXPECT_FALSE(fs::exists(dir + "/clickhouse.pid"));
}

TEST(ManagedServer, MissingBinaryGivesTheInstallHint) {
  TempDir tmp;
  auto options = options_in(tmp);
  options.binary = tmp.path() + "/no/such/clickhouse-server";
  auto started = start_managed_server(options);
  ASSERT_FALSE(started.ok());
  EXPECT_CONTAINS(started.error().message,
                  "clickhouse-server not found: install it with `sudo apt-get install clickhouse-server` or run "
                  "`make setup`");
}

TEST(ManagedServer, ServerThatDiesDuringStartupReportsItsLastLogLine) {
  TempDir tmp;
  auto options = options_in(tmp);
  options.binary = tmp.path() + "/fake-clickhouse-server";
  write_text(options.binary, "#!/bin/sh\necho 'starting'\necho 'Exception: cannot parse config: boom' >&2\nexit 3\n");
  ::chmod(options.binary.c_str(), 0755);
  auto started = start_managed_server(options);
  ASSERT_FALSE(started.ok());
  EXPECT_CONTAINS(started.error().message, "clickhouse-server exited during start-up (exit code 3)");
  EXPECT_CONTAINS(started.error().message, "Exception: cannot parse config: boom");
  EXPECT_FALSE(fs::exists(options.dir + "/clickhouse.pid"));
  EXPECT_FALSE(managed_server_status(options.dir).running);
}

TEST(ManagedServer, RefusesNonLoopbackHosts) {
  TempDir tmp;
  auto options = options_in(tmp);
  options.host = "0.0.0.0";
  auto started = start_managed_server(options);
  ASSERT_FALSE(started.ok());
  EXPECT_CONTAINS(started.error().message, "loopback");
  EXPECT_EQ(started.error().kind, Error::Kind::kUsage);
}

TEST(ManagedServer, PasswordIsStoredAsSha256) {
  TempDir tmp;
  auto options = options_in(tmp);
  options.password = "pa55word";
  options.binary = tmp.path() + "/fake";  // does not matter: files are written before the spawn
  write_text(options.binary, "#!/bin/sh\nexit 1\n");
  ::chmod(options.binary.c_str(), 0755);
  (void)start_managed_server(options);
  const std::string users = read_text(options.dir + "/users.xml");
  // sha256("pa55word"), computed with `printf pa55word | sha256sum`.
  EXPECT_CONTAINS(users,
                  "<password_sha256_hex>4c1b9bb3405f53cf46731af89f07b01d1ffe974f944d81085cb962abc45ee9c3"
                  "</password_sha256_hex>")
      << "update the expected hash if the test password changes";
  EXPECT_EQ(users.find("pa55word"), std::string::npos);
}

TEST(ManagedServer, FindFreePort) {
  auto a = find_free_port();
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_GT(*a, 0);
  EXPECT_LT(*a, 65536);
}

TEST(ManagedServer, ParseHttpHostPort) {
  auto a = parse_http_host_port("http://127.0.0.1:8123");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first, "127.0.0.1");
  EXPECT_EQ(a->second, 8123);
  auto b = parse_http_host_port("http://localhost/some/path");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->first, "localhost");
  EXPECT_EQ(b->second, 8123);
  auto c = parse_http_host_port("http://user:pw@clickhouse.example:18123/?x=1");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->first, "clickhouse.example");
  EXPECT_EQ(c->second, 18123);
  auto d = parse_http_host_port("http://[::1]:9000");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->first, "::1");
  EXPECT_EQ(d->second, 9000);
  EXPECT_FALSE(parse_http_host_port("ftp://x").ok());
  EXPECT_FALSE(parse_http_host_port("http://:80").ok());
  EXPECT_FALSE(parse_http_host_port("http://host:99999").ok());
  EXPECT_FALSE(parse_http_host_port("http://host:12ab").ok());
}

}  // namespace
}  // namespace vigil
