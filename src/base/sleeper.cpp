#include "base/sleeper.h"

#include <chrono>
#include <thread>

namespace vigil {
namespace {

class RealSleeper final : public Sleeper {
 public:
  void sleep_for(double seconds) override {
    if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  }
};

}  // namespace

Sleeper& real_sleeper() {
  static RealSleeper sleeper;
  return sleeper;
}

}  // namespace vigil
