// The exponential backoff shared by everything that retries: the ClickHouse
// client (reads and unreachable servers), the Telegram client (5xx and network
// errors) and the scheduler (failed jobs). One rule, each caller's own numbers;
// no jitter (vigil's retries come from one process, not from a crowd of clients).
#pragma once

namespace vigil {

struct Backoff {
  double first_seconds = 1;  // the wait before the first retry
  double max_seconds = 60;   // no wait is longer

  // The wait before retry `retry` (0 = the first; a negative one counts as 0):
  // first_seconds * 2^retry, at most max_seconds; 0 when first_seconds ≤ 0.
  double delay(int retry) const;
};

}  // namespace vigil
