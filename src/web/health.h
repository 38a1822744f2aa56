// Whether the ClickHouse behind `vigil serve` answers, for GET /health and
// /metrics (vigil_clickhouse_up): a `SELECT 1` with short timeouts (1 s to
// connect, 2 s in all, no retries), its answer kept for a moment so frequent
// probes do not hammer the server; probes that arrive during a check share it
// (web/cache.h). One probe per server serves both endpoints.
#pragma once

#include <chrono>
#include <functional>

#include "config/config.h"
#include "web/cache.h"
#include "web/status_text.h"

namespace vigil {

class ClickHouseProbe {
 public:
  static constexpr std::chrono::seconds kKeep{2};

  ClickHouseProbe(std::function<ClickHouseHealth()> check,
                  std::chrono::steady_clock::duration keep = kKeep);
  // The latest answer, checking again when it is older than `keep`.
  ClickHouseHealth get();

 private:
  std::function<ClickHouseHealth()> check_;
  TtlCache<int, ClickHouseHealth> cache_;
};

// The real check against `config` (the URL reported without credentials).
std::function<ClickHouseHealth()> clickhouse_check(const ClickHouseConfig& config);

}  // namespace vigil
