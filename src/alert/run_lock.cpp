#include "alert/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace vigil {
namespace {

constexpr std::chrono::milliseconds kPoll{100};

std::string holder_pid(int fd) {
  char pid[32] = {};
  const ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
  return n > 0 ? std::string(pid, static_cast<size_t>(n)) : "?";
}

}  // namespace

AlertRunLock& AlertRunLock::operator=(AlertRunLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

AlertRunLock::~AlertRunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

Result<AlertRunLock> lock_alert_runs(const std::string& state_dir,
                                     std::chrono::milliseconds wait) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  const std::string path = state_dir + "/alerts.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Error::failure(fmt::format("cannot open {}: {}: check that the state directory is "
                                      "writable",
                                      path, std::strerror(errno)));
  }
  AlertRunLock lock(fd);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  bool logged = false;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return Error::failure(fmt::format("cannot lock {}: {}", path, std::strerror(errno)));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Error::failure(fmt::format(
          "another alert run (pid {}) has held {} for {:g} s: it is still sending; let it finish "
          "(or stop it), then run this one again",
          holder_pid(fd), path, std::chrono::duration<double>(wait).count()));
    }
    if (!logged) {
      spdlog::info("alert: another alert run (pid {}) is running on {}; waiting for it",
                   holder_pid(fd), state_dir);
      logged = true;
    }
    std::this_thread::sleep_for(kPoll);
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    spdlog::warn("alert: cannot write the pid into {}", path);
  }
  return lock;
}

}  // namespace vigil
