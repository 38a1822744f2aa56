// Waiting between retries, behind an interface so tests of the retrying clients
// (ClickHouse, Telegram) check the waits without waiting.
#pragma once

namespace vigil {

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  // Waits `seconds` (nothing for 0 or less). Called by several threads at once
  // when a client is shared, so an implementation must be thread-safe.
  virtual void sleep_for(double seconds) = 0;
};

// std::this_thread::sleep_for. Thread-safe.
Sleeper& real_sleeper();

}  // namespace vigil
