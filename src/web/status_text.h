// What `vigil serve` tells monitoring, as text (pure): /metrics in the
// Prometheus text exposition format and /health as JSON, both from a
// SchedulerStatus snapshot.
#pragma once

#include <string>
#include <string_view>

#include "base/time.h"
#include "schedule/scheduler.h"

namespace vigil {

// What /health and /metrics say about ClickHouse.
struct ClickHouseHealth {
  bool ok = true;
  std::string url;    // without credentials
  std::string error;  // one line, when not ok
};

// Prometheus text format 0.0.4: vigil_up, vigil_start_time_seconds,
// vigil_job_runs_total{job,status}, vigil_job_failures_total{job} (runs that
// failed after all retries), vigil_job_duration_seconds{job} (summary: _sum and
// _count), vigil_job_last_duration_seconds{job},
// vigil_job_last_success_timestamp_seconds{job} (0 = never),
// vigil_job_running{job}, vigil_job_next_run_timestamp_seconds{job},
// vigil_alerts_sent_total, and vigil_clickhouse_up (1/0) when `clickhouse`
// was checked.
std::string metrics_text(const SchedulerStatus& status,
                         const ClickHouseHealth* clickhouse = nullptr);

// {"status": "ok"|"unhealthy"|"stopping", "uptime_seconds", "time_zone", "alerts_sent",
//  "clickhouse": {ok, url, error} (when checked),
//  "jobs": {name: {schedule, running, next_due, last_run{...}, last_success, runs{...}}}};
// times as local "YYYY-MM-DD HH:MM:SS" in `zone`. "unhealthy" while ClickHouse
// does not answer.
std::string health_json(const SchedulerStatus& status, const date::time_zone* zone,
                        const ClickHouseHealth* clickhouse = nullptr);
// 503 while serve stops or ClickHouse does not answer (a readiness probe then
// sends no traffic), else 200.
int health_http_status(const SchedulerStatus& status, const ClickHouseHealth* clickhouse);

// A Prometheus label value with \, " and newlines escaped.
std::string prometheus_label_value(std::string_view value);

}  // namespace vigil
