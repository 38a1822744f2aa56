#include "web/status_text.h"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace vigil {
namespace {

constexpr const char* kRunStatuses[] = {"ok", "failed", "abandoned"};

// A sample value: integers without a fraction, others in the shortest exact form.
std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

std::string job_label(const JobStatus& job) {
  return fmt::format("job=\"{}\"", prometheus_label_value(job.name));
}

// One line per job: name{job="..."} value.
template <class ValueFn>
void per_job(std::string& out, const SchedulerStatus& status, const char* name, const char* type,
             const char* help, ValueFn value) {
  family(out, name, type, help);
  for (const JobStatus& job : status.jobs) {
    out += fmt::format("{}{{{}}} {}\n", name, job_label(job), number(value(job)));
  }
}

std::string local_time(double epoch, const date::time_zone* zone) {
  return format_local_time(static_cast<EpochSeconds>(std::floor(epoch)), zone);
}

nlohmann::json run_json(const RunRecord& run, const date::time_zone* zone) {
  nlohmann::json j = {{"status", run_status_name(run.status)},
                      {"for", run.target},
                      {"scheduled_for", format_local_time(run.scheduled_for, zone)},
                      {"started", local_time(run.started, zone)},
                      {"attempt", run.attempt},
                      {"detail", run.detail},
                      {"error", run.error}};
  j["ended"] = run.ended > 0 ? nlohmann::json(local_time(run.ended, zone)) : nlohmann::json();
  return j;
}

nlohmann::json job_json(const JobStatus& job, const date::time_zone* zone) {
  nlohmann::json j = {{"schedule", job.schedule}, {"running", job.running}};
  j["next_due"] = job.next_due ? nlohmann::json(format_local_time(*job.next_due, zone))
                               : nlohmann::json();
  j["last_run"] = job.last_run ? run_json(*job.last_run, zone) : nlohmann::json();
  j["last_success"] = job.last_success > 0 ? nlohmann::json(local_time(job.last_success, zone))
                                           : nlohmann::json();
  nlohmann::json runs = nlohmann::json::object();
  for (const char* s : kRunStatuses) {
    auto it = job.runs.find(s);
    runs[s] = it == job.runs.end() ? 0 : it->second;
  }
  j["runs"] = runs;
  j["gave_up"] = job.gave_up;
  return j;
}

}  // namespace

std::string prometheus_label_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string metrics_text(const SchedulerStatus& status, const ClickHouseHealth* clickhouse) {
  std::string out;
  family(out, "vigil_up", "gauge", "1 while vigil serve runs.");
  out += "vigil_up 1\n";
  family(out, "vigil_start_time_seconds", "gauge", "When vigil serve started (Unix time).");
  out += fmt::format("vigil_start_time_seconds {}\n", number(status.started_at));
  family(out, "vigil_job_runs_total", "counter",
         "Finished job runs (each attempt) since start, by final status.");
  for (const JobStatus& job : status.jobs) {
    for (const char* s : kRunStatuses) {
      auto it = job.runs.find(s);
      out += fmt::format("vigil_job_runs_total{{{},status=\"{}\"}} {}\n", job_label(job), s,
                         it == job.runs.end() ? 0 : it->second);
    }
  }
  per_job(out, status, "vigil_job_failures_total", "counter",
          "Job runs that still failed after all retries, since start.",
          [](const JobStatus& j) { return static_cast<double>(j.gave_up); });
  family(out, "vigil_job_duration_seconds", "summary", "Duration of finished job runs.");
  for (const JobStatus& job : status.jobs) {
    out += fmt::format("vigil_job_duration_seconds_sum{{{}}} {}\n", job_label(job),
                       number(job.duration_sum));
    out += fmt::format("vigil_job_duration_seconds_count{{{}}} {}\n", job_label(job),
                       job.duration_count);
  }
  per_job(out, status, "vigil_job_last_duration_seconds", "gauge",
          "Duration of the latest finished run.", [](const JobStatus& j) { return j.last_duration; });
  per_job(out, status, "vigil_job_last_success_timestamp_seconds", "gauge",
          "End of the latest successful run (Unix time; 0 = never).",
          [](const JobStatus& j) { return j.last_success; });
  per_job(out, status, "vigil_job_running", "gauge", "1 while a run of the job is in progress.",
          [](const JobStatus& j) { return j.running ? 1.0 : 0.0; });
  family(out, "vigil_job_next_run_timestamp_seconds", "gauge",
         "When the job runs next (Unix time).");
  for (const JobStatus& job : status.jobs) {
    if (!job.next_due) continue;
    out += fmt::format("vigil_job_next_run_timestamp_seconds{{{}}} {}\n", job_label(job),
                       *job.next_due);
  }
  family(out, "vigil_alerts_sent_total", "counter", "Alert messages delivered since start.");
  out += fmt::format("vigil_alerts_sent_total {}\n", status.alerts_sent);
  if (clickhouse != nullptr) {
    family(out, "vigil_clickhouse_up", "gauge",
           "1 while ClickHouse answers SELECT 1 (the check behind /health).");
    out += fmt::format("vigil_clickhouse_up {}\n", clickhouse->ok ? 1 : 0);
  }
  return out;
}

int health_http_status(const SchedulerStatus& status, const ClickHouseHealth* clickhouse) {
  const bool clickhouse_down = clickhouse != nullptr && !clickhouse->ok;
  return status.stopping || clickhouse_down ? 503 : 200;
}

std::string health_json(const SchedulerStatus& status, const date::time_zone* zone,
                        const ClickHouseHealth* clickhouse) {
  nlohmann::json jobs = nlohmann::json::object();
  for (const JobStatus& job : status.jobs) jobs[job.name] = job_json(job, zone);
  const char* state = status.stopping                           ? "stopping"
                      : clickhouse != nullptr && !clickhouse->ok ? "unhealthy"
                                                                 : "ok";
  nlohmann::json health = {
      {"status", state},
      {"uptime_seconds", std::round((status.now - status.started_at) * 10) / 10},
      {"started", local_time(status.started_at, zone)},
      {"time_zone", zone->name()},
      {"alerts_sent", status.alerts_sent},
      {"jobs", jobs}};
  if (clickhouse != nullptr) {
    health["clickhouse"] = {{"ok", clickhouse->ok}, {"url", clickhouse->url}};
    health["clickhouse"]["error"] =
        clickhouse->ok ? nlohmann::json() : nlohmann::json(clickhouse->error);
  }
  return health.dump(2) + "\n";
}

}  // namespace vigil
