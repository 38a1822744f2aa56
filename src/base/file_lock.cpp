#include "base/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>
#include <utility>

#include <fmt/format.h>

namespace vigil {
namespace {

std::string read_holder(int fd) {
  char text[32] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  return n > 0 ? std::string(text, static_cast<std::size_t>(n)) : "?";
}

// True if `fd` is still the file at `path` (not unlinked by a releasing holder).
bool still_linked(int fd, const std::string& path) {
  struct stat by_fd {}, by_path {};
  if (::fstat(fd, &by_fd) != 0 || ::stat(path.c_str(), &by_path) != 0) return false;
  return by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

}  // namespace

Result<FileLock> FileLock::try_lock(const std::string& path, bool remove_when_released) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  FileLock lock;
  lock.path_ = path;
  lock.remove_ = remove_when_released;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      return Error::failure(fmt::format("cannot open the lock file {}: {}: check that the state "
                                        "directory is writable",
                                        path, std::strerror(errno)));
    }
    int locked = -1;
    while ((locked = ::flock(fd, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
    }
    if (locked != 0) {
      lock.holder_ = read_holder(fd);
      ::close(fd);
      return lock;
    }
    if (!still_linked(fd, path)) {  // the previous holder removed it: lock the new file
      ::close(fd);
      continue;
    }
    const std::string pid = std::to_string(::getpid());
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
      // The lock holds without the pid; a refusal then names "?".
    }
    lock.fd_ = fd;
    return lock;
  }
  return Error::failure(fmt::format("cannot lock {}: it keeps being replaced", path));
}

Result<FileLock> FileLock::lock_within(const std::string& path, std::chrono::milliseconds wait,
                                       const std::function<void(const std::string&)>& on_wait,
                                       bool remove_when_released) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (bool first = true;; first = false) {
    auto lock = try_lock(path, remove_when_released);
    if (!lock.ok() || lock->acquired() || std::chrono::steady_clock::now() >= deadline) {
      return lock;
    }
    if (first && on_wait) on_wait(lock->holder());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

FileLock::FileLock(FileLock&& other) noexcept { *this = std::move(other); }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    holder_ = std::move(other.holder_);
    fd_ = std::exchange(other.fd_, -1);
    remove_ = other.remove_;
  }
  return *this;
}

FileLock::~FileLock() { release(); }

void FileLock::release() {
  if (fd_ < 0) return;
  if (remove_) ::unlink(path_.c_str());  // while still locked: a waiter then retries
  ::close(fd_);
  fd_ = -1;
}

}  // namespace vigil
