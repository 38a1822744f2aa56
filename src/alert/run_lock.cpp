#include "alert/run_lock.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace vigil {

Result<AlertRunLock> lock_alert_runs(const std::string& state_dir,
                                     std::chrono::milliseconds wait) {
  const std::string path = state_dir + "/alerts.lock";
  auto lock = FileLock::lock_within(path, wait, [&](const std::string& holder) {
    spdlog::info("alert: another alert run (pid {}) is running on {}; waiting for it", holder,
                 state_dir);
  });
  if (!lock.ok() || lock->acquired()) return lock;
  return Error::failure(fmt::format(
      "another alert run (pid {}) has held {} for {:g} s: it is still sending; let it finish "
      "(or stop it), then run this one again",
      lock->holder(), path, std::chrono::duration<double>(wait).count()));
}

}  // namespace vigil
