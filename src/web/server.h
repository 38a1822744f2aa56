// The HTTP endpoint of `vigil serve` on a loopback address ([serve] listen):
// GET /health (JSON) and GET /metrics (Prometheus text), both rendered from the
// scheduler's status at request time. Served by cpp-httplib on its own threads.
#pragma once

#include <functional>
#include <memory>

#include "base/result.h"
#include "config/config.h"
#include "schedule/scheduler.h"

namespace vigil {

class StatusServer {
 public:
  virtual ~StatusServer() = default;  // stops serving
  virtual void stop() = 0;
};

// Binds `address` (an error names it and the setting to change if the port is
// taken) and serves until stop() or destruction.
Result<std::unique_ptr<StatusServer>> start_status_server(
    const ListenAddress& address, std::function<SchedulerStatus()> status,
    const date::time_zone* zone);

}  // namespace vigil
