// The managed local clickhouse-server. See server.h.
//
// Layout of the directory:
//   config.xml, users.xml (0600)   generated on every start
//   data/ tmp/ user_files/ format_schemas/ log/
//   clickhouse.pid                 pid of the server we started
//   ports                          "http_port=N\ntcp_port=M\n"
//   .lock                          serialises start/stop of this directory
#include "clickhouse/server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace vigil {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kPidFile = "clickhouse.pid";
constexpr const char* kPortsFile = "ports";
constexpr const char* kInstallHint =
    "clickhouse-server not found: install it with `sudo apt-get install clickhouse-server` or run "
    "`make setup`";

std::string absolute_dir(const std::string& dir) {
  std::error_code ec;
  fs::path path = fs::absolute(dir, ec);
  if (ec) path = fs::path(dir);
  fs::path canonical = fs::weakly_canonical(path, ec);
  if (!ec) path = canonical;
  std::string text = path.lexically_normal().string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  return text;
}

std::string config_path(const std::string& abs_dir) { return abs_dir + "/config.xml"; }

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool write_file(const std::string& path, const std::string& text, mode_t mode) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return false;
  ::fchmod(fd, mode);
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return false;
  return ::rename(tmp.c_str(), path.c_str()) == 0;
}

std::optional<int> read_pid(const std::string& abs_dir) {
  auto text = read_file(abs_dir + "/" + kPidFile);
  if (!text) return std::nullopt;
  char* end = nullptr;
  long pid = std::strtol(text->c_str(), &end, 10);
  if (pid <= 1 || pid > 1 << 22) return std::nullopt;
  return static_cast<int>(pid);
}

std::pair<int, int> read_ports(const std::string& abs_dir) {
  std::pair<int, int> ports{0, 0};
  auto text = read_file(abs_dir + "/" + kPortsFile);
  if (!text) return ports;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    int value = std::atoi(line.c_str() + eq + 1);
    if (line.compare(0, eq, "http_port") == 0) ports.first = value;
    if (line.compare(0, eq, "tcp_port") == 0) ports.second = value;
  }
  return ports;
}

void remove_pid_files(const std::string& abs_dir) {
  std::error_code ec;
  fs::remove(abs_dir + "/" + kPidFile, ec);
  fs::remove(abs_dir + "/" + kPortsFile, ec);
}

// True while `pid` exists and is not a zombie. Reaps it if it is our exited child.
bool process_alive(int pid) {
  ::waitpid(pid, nullptr, WNOHANG);
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  auto stat = read_file(fmt::format("/proc/{}/stat", pid));
  if (stat) {
    auto paren = stat->rfind(')');
    if (paren != std::string::npos && paren + 2 < stat->size() && (*stat)[paren + 2] == 'Z') return false;
  }
  return true;
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

// True if `pid` runs with `config` as its --config-file.
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

// Holds an exclusive flock on DIR/.lock for the lifetime of the object.
class DirLock {
 public:
  explicit DirLock(const std::string& abs_dir) {
    fd_ = ::open((abs_dir + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0) {
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_ = -1;
};

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::string listen_address(const std::string& host) { return host == "localhost" ? "127.0.0.1" : host; }

std::string url_host(const std::string& address) {
  return address.find(':') != std::string::npos ? "[" + address + "]" : address;
}

// Tries to bind `port` on `address`; true if nothing else listens there.
bool port_free(const std::string& address, int port) {
  const bool v6 = address.find(':') != std::string::npos;
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc;
  if (v6) {
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET6, address.c_str(), &addr.sin6_addr);
    rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } else {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
    rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  if (rc == 0) rc = ::listen(fd, 1);
  ::close(fd);
  return rc == 0;
}

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

// The command that runs the server: {binary, maybe "server"}.
Result<std::vector<std::string>> find_server_command(const std::string& configured) {
  if (!configured.empty()) {
    if (!executable(configured)) {
      return Error::failure(fmt::format("{} (no executable at {})", kInstallHint, configured));
    }
    const bool multi = fs::path(configured).filename() == "clickhouse";
    if (multi) return std::vector<std::string>{configured, "server"};
    return std::vector<std::string>{configured};
  }
  if (auto found = search_path("clickhouse-server")) return std::vector<std::string>{*found};
  if (executable("/usr/sbin/clickhouse-server")) return std::vector<std::string>{"/usr/sbin/clickhouse-server"};
  if (executable("/usr/bin/clickhouse")) return std::vector<std::string>{"/usr/bin/clickhouse", "server"};
  if (auto found = search_path("clickhouse")) return std::vector<std::string>{*found, "server"};
  return Error::failure(kInstallHint);
}

std::string sha256_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string make_config_xml(const std::string& dir, const std::string& address, int http_port, int tcp_port,
                            const std::string& timezone) {
  const std::string d = xml_escape(dir);
  return fmt::format(
      R"(<?xml version="1.0"?>
<!-- Generated by vigil (`vigil clickhouse start`); rewritten on every start. -->
<yandex>
  <logger>
    <level>warning</level>
    <log>{0}/log/server.log</log>
    <errorlog>{0}/log/err.log</errorlog>
    <size>10M</size>
    <count>2</count>
  </logger>
  <listen_host>{1}</listen_host>
  <http_port>{2}</http_port>
  <tcp_port>{3}</tcp_port>
  <path>{0}/data/</path>
  <tmp_path>{0}/tmp/</tmp_path>
  <user_files_path>{0}/user_files/</user_files_path>
  <format_schema_path>{0}/format_schemas/</format_schema_path>
  <users_config>{0}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>{4}</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
</yandex>
)",
      d, xml_escape(address), http_port, tcp_port, xml_escape(timezone));
}

std::string make_users_xml(const std::string& password) {
  const std::string secret = password.empty()
                                 ? std::string("<password></password>")
                                 : "<password_sha256_hex>" + sha256_hex(password) + "</password_sha256_hex>";
  return fmt::format(
      R"(<?xml version="1.0"?>
<!-- Generated by vigil; the password is stored only as its SHA-256. -->
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
    </default>
  </profiles>
  <users>
    <default>
      {}
      <networks>
        <ip>127.0.0.1</ip>
        <ip>::1</ip>
      </networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default></default>
  </quotas>
</yandex>
)",
      secret);
}

// The last non-empty line of `path` after byte `offset`.
std::string last_line(const std::string& path, std::uintmax_t offset) {
  auto text = read_file(path);
  if (!text || text->size() <= offset) return {};
  std::string_view rest(*text);
  rest.remove_prefix(static_cast<std::size_t>(offset));
  while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r' || rest.back() == ' ')) rest.remove_suffix(1);
  auto newline = rest.find_last_of('\n');
  std::string line(newline == std::string_view::npos ? rest : rest.substr(newline + 1));
  if (line.size() > 400) line = line.substr(0, 400) + "...";
  return line;
}

std::uintmax_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  return ec ? 0 : size;
}

size_t collect_body(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() < 4096) body->append(data, std::min<std::size_t>(size * count, 4096));
  return size * count;
}

// GET /ping; true if the answer is "Ok.".
bool ping(const std::string& address, int port) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return false;
  std::string body;
  const std::string url = fmt::format("http://{}:{}/ping", url_host(address), port);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 2000L);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, 1000L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &collect_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  if (curl_easy_perform(curl.get()) != CURLE_OK) return false;
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  return status == 200 && body.rfind("Ok.", 0) == 0;
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

// Ends a process we know is ours: SIGTERM, up to `grace` seconds, then SIGKILL.
bool terminate(int pid, double grace) {
  if (signal_and_wait(pid, SIGTERM, grace)) return true;
  spdlog::warn("clickhouse-server pid {} did not stop within {} s; killing it", pid, grace);
  return signal_and_wait(pid, SIGKILL, 10);
}

// Forks and execs the server detached (own session, output to log/stdout.log).
Result<int> spawn(const std::vector<std::string>& command, const std::string& abs_dir) {
  const std::string config_arg = "--config-file=" + config_path(abs_dir);
  const std::string stdout_log = abs_dir + "/log/stdout.log";
  std::vector<std::string> args = command;
  args.push_back(config_arg);
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  // Environment: ours, plus no ClickHouse watchdog (so our pid is the server itself).
  std::vector<std::string> env_strings;
  for (char** e = environ; e && *e; ++e) {
    if (std::strncmp(*e, "CLICKHOUSE_WATCHDOG_ENABLE=", 27) != 0) env_strings.emplace_back(*e);
  }
  env_strings.emplace_back("CLICKHOUSE_WATCHDOG_ENABLE=0");
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string exec_failed = "vigil: cannot execute " + command[0] + "\n";
  const long max_fd = std::min<long>(::sysconf(_SC_OPEN_MAX) > 0 ? ::sysconf(_SC_OPEN_MAX) : 1024, 65536);

  const pid_t pid = ::fork();
  if (pid < 0) return Error::failure(fmt::format("cannot start clickhouse-server: fork failed: {}", std::strerror(errno)));
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
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
    ::execve(argv[0], argv.data(), envp.data());
    ssize_t ignored = ::write(2, exec_failed.data(), exec_failed.size());
    (void)ignored;
    _exit(127);
  }
  return static_cast<int>(pid);
}

}  // namespace

Result<int> find_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error::failure(fmt::format("cannot create a socket: {}", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    const int err = errno;
    ::close(fd);
    return Error::failure(fmt::format("cannot find a free port on 127.0.0.1: {}", std::strerror(err)));
  }
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

Result<std::pair<std::string, int>> parse_http_host_port(const std::string& url) {
  std::string rest;
  int default_port = 8123;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
    default_port = 8443;
  } else {
    return Error::usage(fmt::format("ClickHouse url '{}' must start with http:// (e.g. http://127.0.0.1:8123)", url));
  }
  rest = rest.substr(0, rest.find_first_of("/?#"));
  auto at = rest.rfind('@');
  if (at != std::string::npos) rest = rest.substr(at + 1);
  std::string host;
  std::string port_text;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) return Error::usage(fmt::format("ClickHouse url '{}' has an unclosed '['", url));
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return Error::usage(fmt::format("ClickHouse url '{}' is malformed after ']'", url));
      port_text = rest.substr(close + 2);
    }
  } else {
    auto colon = rest.find(':');
    host = rest.substr(0, colon);
    if (colon != std::string::npos) port_text = rest.substr(colon + 1);
  }
  if (host.empty()) return Error::usage(fmt::format("ClickHouse url '{}' has no host", url));
  int port = default_port;
  if (!port_text.empty()) {
    char* end = nullptr;
    long value = std::strtol(port_text.c_str(), &end, 10);
    if (*end != '\0' || value < 1 || value > 65535) {
      return Error::usage(fmt::format("ClickHouse url '{}' has an invalid port '{}'", url, port_text));
    }
    port = static_cast<int>(value);
  }
  return std::make_pair(host, port);
}

ManagedServerStatus managed_server_status(const std::string& dir) {
  ManagedServerStatus status;
  const std::string abs_dir = absolute_dir(dir);
  status.dir = abs_dir;
  auto pid = read_pid(abs_dir);
  if (!pid || !process_alive(*pid) || !runs_config(*pid, config_path(abs_dir))) return status;
  status.running = true;
  status.pid = *pid;
  std::tie(status.http_port, status.tcp_port) = read_ports(abs_dir);
  return status;
}

Result<ManagedServerStatus> start_managed_server(const ManagedServerOptions& options) {
  if (options.dir.empty()) return Error::usage("managed ClickHouse needs a directory (state_dir)");
  if (!is_loopback(options.host)) {
    return Error::usage(fmt::format(
        "the managed ClickHouse listens on loopback only, not on '{}': use 127.0.0.1 in [clickhouse] url, "
        "or run your own server for other hosts",
        options.host));
  }
  const std::string abs_dir = absolute_dir(options.dir);
  std::error_code ec;
  for (const char* sub : {"", "/data", "/tmp", "/log", "/user_files", "/format_schemas"}) {
    fs::create_directories(abs_dir + sub, ec);
    if (ec) {
      return Error::failure(fmt::format("cannot create {}{}: {}", abs_dir, sub, ec.message()));
    }
  }
  DirLock lock(abs_dir);

  // Ours already running?
  if (auto pid = read_pid(abs_dir)) {
    if (process_alive(*pid) && runs_config(*pid, config_path(abs_dir))) {
      ManagedServerStatus status = managed_server_status(abs_dir);
      status.already_running = true;
      return status;
    }
    spdlog::debug("removing stale pid file of {} (pid {})", abs_dir, *pid);
    remove_pid_files(abs_dir);
  }

  auto command = find_server_command(options.binary);
  if (!command.ok()) return command.error();

  const std::string address = listen_address(options.host);
  int http_port = options.http_port;
  int tcp_port = options.tcp_port;
  if (http_port == 0) {
    auto port = find_free_port();
    if (!port.ok()) return port.error();
    http_port = *port;
  }
  while (tcp_port == 0 || tcp_port == http_port) {
    if (options.tcp_port != 0) {
      return Error::usage(fmt::format("the managed ClickHouse needs different http and tcp ports (both are {})", http_port));
    }
    auto port = find_free_port();
    if (!port.ok()) return port.error();
    tcp_port = *port;
  }
  if (!port_free(address, http_port)) {
    return Error::failure(fmt::format(
        "port {} on {} is already in use by another process: stop it or choose another port in [clickhouse] url",
        http_port, address));
  }
  if (!port_free(address, tcp_port)) {
    return Error::failure(fmt::format(
        "port {} on {} is already in use by another process: stop it or choose another tcp port", tcp_port, address));
  }

  if (!write_file(config_path(abs_dir), make_config_xml(abs_dir, address, http_port, tcp_port, options.timezone), 0644) ||
      !write_file(abs_dir + "/users.xml", make_users_xml(options.password), 0600)) {
    return Error::failure(fmt::format("cannot write the ClickHouse config in {}: {}", abs_dir, std::strerror(errno)));
  }

  const std::string err_log = abs_dir + "/log/err.log";
  const std::string stdout_log = abs_dir + "/log/stdout.log";
  const auto err_offset = file_size_or_zero(err_log);
  const auto stdout_offset = file_size_or_zero(stdout_log);

  auto spawned = spawn(*command, abs_dir);
  if (!spawned.ok()) return spawned.error();
  const int pid = *spawned;
  if (!write_file(abs_dir + "/" + kPidFile, fmt::format("{}\n", pid), 0644) ||
      !write_file(abs_dir + "/" + kPortsFile, fmt::format("http_port={}\ntcp_port={}\n", http_port, tcp_port), 0644)) {
    const int err = errno;
    terminate(pid, 10);
    return Error::failure(fmt::format("cannot write the pid file in {}: {}", abs_dir, std::strerror(err)));
  }
  spdlog::debug("started {} (pid {}) in {}, http port {}, tcp port {}", (*command)[0], pid, abs_dir, http_port,
                tcp_port);

  const auto deadline = Clock::now() + std::chrono::seconds(std::max(1, options.start_timeout_seconds));
  while (true) {
    int wstatus = 0;
    const int waited = ::waitpid(pid, &wstatus, WNOHANG);
    // ECHILD: someone else reaps our children (SIGCHLD ignored); fall back to kill(0).
    const bool reaped = waited == pid;
    if (reaped || (waited < 0 && errno == ECHILD && !process_alive(pid))) {
      remove_pid_files(abs_dir);
      std::string line = last_line(err_log, err_offset);
      if (line.empty()) line = last_line(stdout_log, stdout_offset);
      if (line.empty()) line = "no message";
      const std::string how = !reaped                ? std::string("exited")
                              : WIFEXITED(wstatus) ? fmt::format("exit code {}", WEXITSTATUS(wstatus))
                                                   : fmt::format("signal {}", WTERMSIG(wstatus));
      return Error::failure(fmt::format("clickhouse-server exited during start-up ({}): {} (logs in {}/log)", how,
                                        line, abs_dir));
    }
    if (ping(address, http_port)) break;
    if (Clock::now() >= deadline) {
      terminate(pid, 10);
      remove_pid_files(abs_dir);
      return Error::failure(fmt::format(
          "clickhouse-server did not answer http://{}:{}/ping within {} s; stopped it (logs in {}/log)",
          url_host(address), http_port, options.start_timeout_seconds, abs_dir));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  ManagedServerStatus status;
  status.running = true;
  status.pid = pid;
  status.http_port = http_port;
  status.tcp_port = tcp_port;
  status.dir = abs_dir;
  return status;
}

Status stop_managed_server(const std::string& dir) {
  const std::string abs_dir = absolute_dir(dir);
  std::error_code ec;
  if (!fs::is_directory(abs_dir, ec)) return {};
  DirLock lock(abs_dir);
  auto pid = read_pid(abs_dir);
  if (!pid) return {};
  if (!process_alive(*pid)) {
    remove_pid_files(abs_dir);
    return {};
  }
  if (!runs_config(*pid, config_path(abs_dir))) {
    return Error::failure(fmt::format(
        "pid {} is not the clickhouse-server started from {}; not stopping it (remove {}/{} if it is stale)", *pid,
        abs_dir, abs_dir, kPidFile));
  }
  if (!terminate(*pid, 30)) {
    return Error::failure(fmt::format("clickhouse-server pid {} (from {}) did not exit even after SIGKILL", *pid, abs_dir));
  }
  remove_pid_files(abs_dir);
  return {};
}

}  // namespace vigil
