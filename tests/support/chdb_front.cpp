#include "support/chdb_front.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace vigil {
namespace {

namespace fs = std::filesystem;

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

std::string read_file_tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

// Reads one line from `fd` within `limit`; empty if none came (EOF or timeout).
std::string read_line(int fd, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string line;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char c = 0;
    const ssize_t n = ::read(fd, &c, 1);
    if (n <= 0) return {};
    if (c == '\n') return line;
    line += c;
  }
  return {};
}

// Waits up to `limit` for `pid` to exit; SIGKILLs it after that.
void reap(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

bool chdb_front_requested() { return env_or("VIGIL_TEST_CLICKHOUSE", "") == "chdb"; }

ChdbFront::ChdbFront(const std::string& dir, const std::string& password) {
  const std::string python = env_or("VIGIL_CHDB_PYTHON", std::string(VIGIL_SOURCE_DIR) + "/.venv-chdb/bin/python");
  const std::string script = std::string(VIGIL_SOURCE_DIR) + "/tests/chdb_front/front.py";
  if (::access(python.c_str(), X_OK) != 0) {
    throw std::runtime_error(fmt::format(
        "no Python for the chdb front at {}: run scripts/setup_chdb.sh or set VIGIL_CHDB_PYTHON", python));
  }
  fs::create_directories(dir);
  const std::string log = dir + "/front.log";
  std::vector<std::string> args = {python, script, "--data", dir + "/data"};
  if (!password.empty()) {
    args.push_back("--password");
    args.push_back(password);
  }
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err >= 0) ::dup2(err, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(python.c_str(), argv.data());
    _exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  stdin_pipe_ = in[1];
  const std::string line = pid_ > 0 ? read_line(out[0], std::chrono::seconds(60)) : "";
  ::close(out[0]);
  try {
    port_ = std::stoi(line);
  } catch (const std::exception&) {
    port_ = 0;
  }
  if (port_ <= 0) {
    stop();
    throw std::runtime_error(fmt::format("the chdb front did not start (log {}): {}", log, read_file_tail(log)));
  }
}

ChdbFront::~ChdbFront() { stop(); }

void ChdbFront::stop() {
  if (stdin_pipe_ >= 0) ::close(stdin_pipe_);  // the front's signal to stop
  stdin_pipe_ = -1;
  if (pid_ > 0) reap(pid_, std::chrono::seconds(20));
  pid_ = -1;
}

}  // namespace vigil
