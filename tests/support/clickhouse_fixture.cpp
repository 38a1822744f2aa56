#include "support/clickhouse_fixture.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "clickhouse/server.h"
#include "support/chdb_front.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

// Runs in the watchdog (exec'd right after fork): waits until the test process
// closes the pipe on fd 3 (it exited or died), then stops every managed server
// (and the test cluster's ZooKeeper) under $1 whose command line names a path
// under $1, and removes $1.
constexpr const char* kWatchdogScript = R"sh(
cat <&3 >/dev/null 2>&1
exec 3<&-
for f in $(find "$1" -name clickhouse.pid -o -name zookeeper.pid 2>/dev/null); do
  p=$(cat "$f" 2>/dev/null)
  case "$p" in ''|*[!0-9]*) continue ;; esac
  if tr '\0' '\n' < "/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$1/"; then
    kill -TERM "$p" 2>/dev/null
    i=0
    while kill -0 "$p" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
    kill -KILL "$p" 2>/dev/null
  fi
done
rm -rf -- "$1"
)sh";

void stop_servers_under(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return;
  std::vector<std::string> dirs;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename() == "clickhouse.pid") dirs.push_back(it->path().parent_path().string());
  }
  for (const auto& dir : dirs) {
    auto status = stop_managed_server(dir);
    if (!status.ok()) std::fprintf(stderr, "test fixture: %s\n", status.error().message.c_str());
  }
}

TestServer start_server(const std::string& dir, const std::string& password) {
  auto http_port = find_free_port();
  if (!http_port.ok()) throw std::runtime_error(http_port.error().message);
  ManagedServerOptions options;
  options.dir = dir;
  options.http_port = *http_port;
  options.tcp_port = 0;
  options.password = password;
  options.start_timeout_seconds = 90;
  auto status = start_managed_server(options);
  if (!status.ok()) throw std::runtime_error("cannot start the test clickhouse-server: " + status.error().message);
  TestServer server;
  server.http_port = status->http_port;
  server.tcp_port = status->tcp_port;
  server.url = fmt::format("http://127.0.0.1:{}", status->http_port);
  server.dir = status->dir;
  server.password = password;
  return server;
}

// The chdb front on `dir`, described as a TestServer (no TCP port, no server dir).
TestServer front_server(const ChdbFront& front, const std::string& password) {
  TestServer server;
  server.http_port = front.port();
  server.url = fmt::format("http://127.0.0.1:{}", front.port());
  server.password = password;
  return server;
}

// clickhouse-server, or the chdb front when VIGIL_TEST_CLICKHOUSE=chdb.
struct AnyServer {
  AnyServer(const std::string& dir, const std::string& password) {
    if (chdb_front_requested()) {
      front = std::make_unique<ChdbFront>(dir, password);
      server = front_server(*front, password);
    } else {
      server = start_server(dir, password);
    }
  }
  std::unique_ptr<ChdbFront> front;
  TestServer server;
};

struct SharedServer {
  TempDir dir{"vigil-itest-shared-"};
  AnyServer any{dir.path() + "/clickhouse", ""};
  const TestServer& server = any.server;
  // `any` stops a front first; TempDir's destructor then stops a server and removes the directory.
};

}  // namespace

ClickHouseConfig TestServer::config(const std::string& database) const {
  ClickHouseConfig config;
  config.url = url;
  config.user = "default";
  config.password = password;
  config.database = database;
  config.connect_timeout_seconds = 5;
  config.query_timeout_seconds = 300;
  config.read_retries = 2;
  return config;
}

const TestServer& test_server() {
  static std::optional<std::string> failure;
  if (failure) throw std::runtime_error(*failure);
  try {
    static SharedServer shared;
    return shared.server;
  } catch (const std::exception& e) {
    failure = e.what();
    throw;
  }
}

TempDir::TempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    throw std::runtime_error(fmt::format("mkdtemp {}: {}", pattern, std::strerror(errno)));
  }
  path_ = fs::weakly_canonical(buffer.data()).string();

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return;  // no watchdog; the destructor still cleans up
  const std::string script = kWatchdogScript;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();  // survive a Ctrl-C to the test's process group
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    if (fds[0] == 3) {
      ::fcntl(3, F_SETFD, 0);  // dup2(3, 3) would leave close-on-exec set
    } else {
      ::dup2(fds[0], 3);
    }
    if (::syscall(SYS_close_range, 4U, ~0U, 0U) != 0) {
      for (int fd = 4; fd < 1024; ++fd) ::close(fd);
    }
    ::execl("/bin/sh", "sh", "-c", script.c_str(), "vigil-test-watchdog", path_.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(fds[0]);
  if (pid < 0) {
    ::close(fds[1]);
    return;
  }
  watchdog_pid_ = pid;
  watchdog_pipe_ = fds[1];
}

TempDir::~TempDir() {
  stop_servers_under(path_);
  std::error_code ec;
  fs::remove_all(path_, ec);
  if (watchdog_pipe_ >= 0) ::close(watchdog_pipe_);
  if (watchdog_pid_ > 0) {
    int status = 0;
    while (::waitpid(watchdog_pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

ScopedTestServer::ScopedTestServer(const std::string& password)
    : dir_("vigil-itest-private-"), server_(start_server(dir_.path() + "/clickhouse", password)) {}

ScopedTestServer::~ScopedTestServer() = default;  // dir_ stops the server

}  // namespace vigil
