// The managed local clickhouse-server. See server.h.
//
// Layout of the directory:
//   config.xml, users.xml (0600)   generated on every start
//   data/ tmp/ user_files/ format_schemas/ log/
//   clickhouse.pid                 pid of the server we started
//   ports                          "http_port=N\ntcp_port=M\n"
//   .lock                          serialises start/stop of this directory
//
// This file orders the steps of start, stop and status; the files of the
// directory are in server_files, the process in server_process and the
// networking in server_net.
#include "clickhouse/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>
#include <tuple>
#include <vector>

#include "base/host_port.h"
#include "clickhouse/server_files.h"
#include "clickhouse/server_net.h"
#include "clickhouse/server_process.h"

namespace vigil {

using namespace ch_internal;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Checks the options and creates the directory tree; the absolute directory.
Result<std::string> prepare_dir(const ManagedServerOptions& options) {
  if (options.dir.empty()) return Error::usage("managed ClickHouse needs a directory (state_dir)");
  if (!is_loopback_host(options.host)) {
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
  return abs_dir;
}

// Ours already running there? Otherwise removes a stale pid file.
std::optional<ManagedServerStatus> find_running(const std::string& abs_dir) {
  ManagedServerStatus status = managed_server_status(abs_dir);
  if (status.running) {
    status.already_running = true;
    return status;
  }
  if (auto pid = read_pid(abs_dir)) {
    spdlog::debug("removing stale pid file of {} (pid {})", abs_dir, *pid);
    remove_pid_files(abs_dir);
  }
  return std::nullopt;
}

// The http and tcp ports to use (0 in the options: a free one), checked to be free.
Result<std::pair<int, int>> choose_ports(const ManagedServerOptions& options, const std::string& address) {
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
  return std::make_pair(http_port, tcp_port);
}

// What a start-up failure shows: the server's logs from before the start on.
struct StartLogs {
  explicit StartLogs(const std::string& abs_dir)
      : err_log(abs_dir + "/log/err.log"),
        stdout_log(abs_dir + "/log/stdout.log"),
        err_offset(file_size_or_zero(err_log)),
        stdout_offset(file_size_or_zero(stdout_log)) {}

  // The last line the server wrote since, or "no message".
  std::string last_message() const {
    std::string line = last_line(err_log, err_offset);
    if (line.empty()) line = last_line(stdout_log, stdout_offset);
    if (line.empty()) line = "no message";
    return line;
  }

  std::string err_log;
  std::string stdout_log;
  std::uintmax_t err_offset;
  std::uintmax_t stdout_offset;
};

// Waits until the started server answers /ping; stops it if it does not in time.
Status wait_until_ready(int pid, const std::string& abs_dir, const std::string& address, int http_port,
                        int timeout_seconds, const StartLogs& logs) {
  const auto deadline = Clock::now() + std::chrono::seconds(std::max(1, timeout_seconds));
  while (true) {
    int wstatus = 0;
    const int waited = ::waitpid(pid, &wstatus, WNOHANG);
    // ECHILD: someone else reaps our children (SIGCHLD ignored); fall back to kill(0).
    const bool reaped = waited == pid;
    if (reaped || (waited < 0 && errno == ECHILD && !process_alive(pid))) {
      remove_pid_files(abs_dir);
      const std::string line = logs.last_message();
      const std::string how = !reaped                ? std::string("exited")
                              : WIFEXITED(wstatus) ? fmt::format("exit code {}", WEXITSTATUS(wstatus))
                                                   : fmt::format("signal {}", WTERMSIG(wstatus));
      return Error::failure(fmt::format("clickhouse-server exited during start-up ({}): {} (logs in {}/log)", how,
                                        line, abs_dir));
    }
    if (ping(address, http_port)) return {};
    if (Clock::now() >= deadline) {
      terminate(pid, 10);
      remove_pid_files(abs_dir);
      return Error::failure(fmt::format(
          "clickhouse-server did not answer http://{}:{}/ping within {} s; stopped it (logs in {}/log)",
          url_host(address), http_port, timeout_seconds, abs_dir));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// Spawns the server, records its pid and ports, and waits for it to answer.
Result<int> launch(const std::vector<std::string>& command, const std::string& abs_dir, const std::string& address,
                   int http_port, int tcp_port, int timeout_seconds) {
  const StartLogs logs(abs_dir);
  auto spawned = spawn(command, abs_dir);
  if (!spawned.ok()) return spawned.error();
  const int pid = *spawned;
  if (auto written = write_pid_files(abs_dir, pid, http_port, tcp_port); !written.ok()) {
    terminate(pid, 10);
    return Error::failure(
        fmt::format("cannot write the pid file in {}: {}", abs_dir, written.error().message));
  }
  spdlog::debug("started {} (pid {}) in {}, http port {}, tcp port {}", command[0], pid, abs_dir, http_port,
                tcp_port);
  Status ready = wait_until_ready(pid, abs_dir, address, http_port, timeout_seconds, logs);
  if (!ready.ok()) return ready.error();
  return pid;
}

}  // namespace

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
  auto abs_dir = prepare_dir(options);
  if (!abs_dir.ok()) return abs_dir.error();
  DirLock lock(*abs_dir);
  if (auto running = find_running(*abs_dir)) return *running;

  auto command = find_server_command(options.binary);
  if (!command.ok()) return command.error();
  const std::string address = listen_address(options.host);
  auto ports = choose_ports(options, address);
  if (!ports.ok()) return ports.error();
  const auto [http_port, tcp_port] = *ports;
  if (auto written =
          write_server_config(*abs_dir, {address, http_port, tcp_port, options.timezone, options.password,
                                         options.extra_config});
      !written.ok()) {
    return Error::failure(
        fmt::format("cannot write the ClickHouse config in {}: {}", *abs_dir, written.error().message));
  }

  auto pid = launch(*command, *abs_dir, address, http_port, tcp_port, options.start_timeout_seconds);
  if (!pid.ok()) return pid.error();
  ManagedServerStatus status;
  status.running = true;
  status.pid = *pid;
  status.http_port = http_port;
  status.tcp_port = tcp_port;
  status.dir = *abs_dir;
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
