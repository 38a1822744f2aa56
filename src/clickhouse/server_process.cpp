// The clickhouse-server process of a managed server. See server_process.h.
#include "clickhouse/server_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sstream>
#include <thread>

#include "base/files.h"
#include "base/parse.h"
#include "base/strings.h"
#include "clickhouse/server_files.h"

extern char** environ;

namespace vigil::ch_internal {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kInstallHint =
    "clickhouse-server not found: install it with `sudo apt-get install clickhouse-server` or run "
    "`make setup`";

bool executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::optional<std::string> search_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::istringstream in(path);
  std::string dir;
  while (std::getline(in, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (executable(candidate)) return candidate;
  }
  return std::nullopt;
}

std::vector<std::string> process_args(int pid) {
  std::vector<std::string> args;
  auto text = read_file(fmt::format("/proc/{}/cmdline", pid));
  if (!text) return args;
  std::size_t start = 0;
  while (start < text->size()) {
    std::size_t end = text->find('\0', start);
    if (end == std::string::npos) end = text->size();
    args.emplace_back(text->substr(start, end - start));
    start = end + 1;
  }
  return args;
}

// Sends `sig`, then waits up to `seconds` for the process to go away.
bool signal_and_wait(int pid, int sig, double seconds) {
  if (::kill(pid, sig) != 0 && errno == ESRCH) return true;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < deadline) {
    if (!process_alive(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return !process_alive(pid);
}

// Our environment without the ClickHouse watchdog (so our pid is the server itself).
std::vector<std::string> server_environment() {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    if (std::strncmp(*e, "CLICKHOUSE_WATCHDOG_ENABLE=", 27) != 0) env.emplace_back(*e);
  }
  env.emplace_back("CLICKHOUSE_WATCHDOG_ENABLE=0");
  return env;
}

// Null-terminated pointers into `strings` (which must outlive them), for execve.
std::vector<char*> c_pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// In the forked child: detaches, redirects output, closes other descriptors and
// execs. Only async-signal-safe calls; never returns.
[[noreturn]] void exec_child(char* const* argv, char* const* envp, const std::string& abs_dir,
                             const std::string& stdout_log, const std::string& exec_failed, long max_fd) {
  ::setsid();
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) ::signal(sig, SIG_DFL);
  int in = ::open("/dev/null", O_RDONLY);
  int out = ::open(stdout_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (in >= 0) ::dup2(in, 0);
  if (out >= 0) {
    ::dup2(out, 1);
    ::dup2(out, 2);
  }
  if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
    for (long fd = 3; fd < max_fd; ++fd) ::close(static_cast<int>(fd));
  }
  if (::chdir(abs_dir.c_str()) != 0) _exit(126);
  ::execve(argv[0], argv, envp);
  ssize_t ignored = ::write(2, exec_failed.data(), exec_failed.size());
  (void)ignored;
  _exit(127);
}

}  // namespace

Result<std::vector<std::string>> find_server_command(const std::string& configured) {
  if (!configured.empty()) {
    if (!executable(configured)) {
      return Error::failure(fmt::format("{} (no executable at {})", kInstallHint, configured));
    }
    const bool multi = std::filesystem::path(configured).filename() == "clickhouse";
    if (multi) return std::vector<std::string>{configured, "server"};
    return std::vector<std::string>{configured};
  }
  if (auto found = search_path("clickhouse-server")) return std::vector<std::string>{*found};
  if (executable("/usr/sbin/clickhouse-server")) return std::vector<std::string>{"/usr/sbin/clickhouse-server"};
  if (executable("/usr/bin/clickhouse")) return std::vector<std::string>{"/usr/bin/clickhouse", "server"};
  if (auto found = search_path("clickhouse")) return std::vector<std::string>{*found, "server"};
  return Error::failure(kInstallHint);
}

Result<int> spawn(const std::vector<std::string>& command, const std::string& abs_dir) {
  // Everything the child needs is prepared before fork: it may not allocate.
  const std::string stdout_log = abs_dir + "/log/stdout.log";
  std::vector<std::string> args = command;
  args.push_back("--config-file=" + config_path(abs_dir));
  const std::vector<char*> argv = c_pointers(args);
  std::vector<std::string> env_strings = server_environment();
  const std::vector<char*> envp = c_pointers(env_strings);
  const std::string exec_failed = "vigil: cannot execute " + command[0] + "\n";
  const long max_fd = std::min<long>(::sysconf(_SC_OPEN_MAX) > 0 ? ::sysconf(_SC_OPEN_MAX) : 1024, 65536);

  const pid_t pid = ::fork();
  if (pid < 0) return Error::failure(fmt::format("cannot start clickhouse-server: fork failed: {}", std::strerror(errno)));
  if (pid == 0) exec_child(argv.data(), envp.data(), abs_dir, stdout_log, exec_failed, max_fd);
  return static_cast<int>(pid);
}

// Threads of `pid` per /proc/PID/status; 0 if unknown.
long long thread_count(int pid) {
  auto status = read_file(fmt::format("/proc/{}/status", pid));
  const auto at = status ? status->find("\nThreads:") : std::string::npos;
  if (at == std::string::npos) return 0;
  std::string_view rest(*status);
  rest.remove_prefix(at + std::string_view("\nThreads:").size());
  auto threads = parse_int64(trim(rest.substr(0, rest.find('\n'))));
  return threads.ok() ? *threads : 0;
}

bool process_alive(int pid) {
  ::waitpid(pid, nullptr, WNOHANG);
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  auto stat = read_file(fmt::format("/proc/{}/stat", pid));
  if (stat) {
    auto paren = stat->rfind(')');
    if (paren != std::string::npos && paren + 2 < stat->size() && (*stat)[paren + 2] == 'Z') {
      // An exited main thread shows Z while the other threads still run (and hold
      // the listening sockets): dead only once it is the last one.
      return thread_count(pid) > 1;
    }
  }
  return true;
}

bool runs_config(int pid, const std::string& config) {
  auto args = process_args(pid);
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config-file=" + config || args[i] == "--config=" + config) return true;
    if ((args[i] == "--config-file" || args[i] == "--config" || args[i] == "-C") && i + 1 < args.size() &&
        args[i + 1] == config) {
      return true;
    }
  }
  return false;
}

bool terminate(int pid, double grace) {
  if (signal_and_wait(pid, SIGTERM, grace)) return true;
  spdlog::warn("clickhouse-server pid {} did not stop within {} s; killing it", pid, grace);
  return signal_and_wait(pid, SIGKILL, 10);
}

}  // namespace vigil::ch_internal
