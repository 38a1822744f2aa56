// One live alert run at a time per state directory: `vigil alert` (by hand,
// cron or Airflow) and `vigil serve`'s alert job share state_dir/alerts.sqlite,
// and two runs sending the same undelivered messages at once would send them
// twice. An exclusive flock(2) on state_dir/alerts.lock (base/file_lock), held
// while the run lives; the kernel drops it when the process dies, so a crash
// never leaves it stuck.
#pragma once

#include <chrono>
#include <string>

#include "base/file_lock.h"
#include "base/result.h"

namespace vigil {

// How long a run waits for an earlier one before giving up.
inline constexpr std::chrono::seconds kAlertLockWait{300};

using AlertRunLock = FileLock;

// Takes the lock on `state_dir`/alerts.lock (creating the directory and file),
// waiting up to `wait` for a run that holds it (logged once). Failure: the file
// cannot be opened, or the other run still holds it after `wait` (the message
// names its pid and says what to do).
Result<AlertRunLock> lock_alert_runs(const std::string& state_dir,
                                     std::chrono::milliseconds wait = kAlertLockWait);

}  // namespace vigil
