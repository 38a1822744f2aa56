// Time for the scheduler, behind an interface so tests run days of schedule in
// milliseconds with a fake. The clock also carries the stop request: stop()
// wakes every sleeper at once, which is how SIGTERM reaches the job threads.
#pragma once

#include <memory>

namespace vigil {

class Clock {
 public:
  virtual ~Clock() = default;
  // Epoch seconds (fractional).
  virtual double now() = 0;
  // Blocks until `until` (epoch seconds) or until stop(); false if stopped.
  virtual bool sleep_until(double until) = 0;
  // Interrupts every sleep, now and later. Thread-safe.
  virtual void stop() = 0;
  virtual bool stopped() const = 0;
};

// The system clock; sleeps re-check the wall clock at least every 30 s, so a
// suspended machine or a clock change does not oversleep by long.
std::unique_ptr<Clock> make_system_clock();

}  // namespace vigil
