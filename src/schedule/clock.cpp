#include "schedule/clock.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace vigil {
namespace {

constexpr double kMaxWaitSeconds = 30;

double system_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class SystemClock final : public Clock {
 public:
  double now() override { return system_now(); }

  bool sleep_until(double until) override {
    std::unique_lock lock(mutex_);
    while (!stopped_) {
      const double left = until - system_now();
      if (left <= 0) return true;
      // A steady-clock wait of bounded length, then the wall clock is read again.
      const auto wait = std::chrono::duration<double>(std::min(left, kMaxWaitSeconds));
      cv_.wait_for(lock, std::chrono::duration_cast<std::chrono::microseconds>(wait) +
                             std::chrono::microseconds{1});
    }
    return false;
  }

  void stop() override {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    cv_.notify_all();
  }

  bool stopped() const override {
    std::lock_guard lock(mutex_);
    return stopped_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

}  // namespace

std::unique_ptr<Clock> make_system_clock() { return std::make_unique<SystemClock>(); }

}  // namespace vigil
