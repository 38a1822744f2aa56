// An exclusive advisory lock (flock) on a file, held for the lifetime of the
// object, so that two vigil processes sharing a state directory do not do the
// same work at once (one `serve` per state dir, one load of a date at a time).
// The holder writes its pid into the file so that a refusal can name it.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "base/result.h"

namespace vigil {

class FileLock {
 public:
  // Opens `path` (creating it and its directory) and tries to lock it without
  // waiting. Fails only if the file cannot be opened; whether the lock was taken
  // is acquired(). With `remove_when_released`, the file is deleted on release
  // (safe against a process that opened the old file meanwhile: it retries).
  static Result<FileLock> try_lock(const std::string& path, bool remove_when_released = false);
  // Like try_lock, but retries for up to `wait`; `on_wait(holder)` is called once
  // when the lock is first found held (for a log line).
  static Result<FileLock> lock_within(const std::string& path, std::chrono::milliseconds wait,
                                      const std::function<void(const std::string&)>& on_wait,
                                      bool remove_when_released = false);

  FileLock() = default;  // holds nothing
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  bool acquired() const { return fd_ >= 0; }
  // When not acquired: the pid the holder wrote ("?" if unknown).
  const std::string& holder() const { return holder_; }
  const std::string& path() const { return path_; }

 private:
  void release();

  std::string path_;
  std::string holder_;
  int fd_ = -1;
  bool remove_ = false;
};

}  // namespace vigil
