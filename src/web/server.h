// The HTTP endpoint of `vigil serve` ([serve] listen): the dashboard (see
// web/dashboard.h), GET /health (JSON; 503 while ClickHouse does not answer or
// serve stops) and GET /metrics (Prometheus text), the last two rendered from
// the scheduler's status at request time and one ClickHouse probe (web/health.h). Served by
// cpp-httplib on its own threads. Off loopback every request must carry the
// dashboard token (web/auth.h).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "config/config.h"
#include "schedule/scheduler.h"
#include "web/dashboard.h"

namespace vigil {

class HttpServer {
 public:
  virtual ~HttpServer() = default;  // stops serving
  virtual void stop() = 0;
};

struct HttpServerOptions {
  ListenAddress address;
  std::function<SchedulerStatus()> status;
  const date::time_zone* zone = nullptr;
  const Dashboard* dashboard = nullptr;  // null: /health and /metrics only
  std::string token;                     // checked when the address is not loopback
  // Asked by /health and /metrics (one probe, web/health.h); none: not asked.
  std::optional<ClickHouseConfig> clickhouse;
};

// Binds the address (an error names it and the setting to change if the port
// is taken; off loopback without a good token it refuses) and serves until
// stop() or destruction.
Result<std::unique_ptr<HttpServer>> start_http_server(HttpServerOptions options);

}  // namespace vigil
