// The `vigil serve` scheduler: one thread per job ("etl", "report", "alerts"),
// each sleeping until its cron schedule fires, running the job through a
// JobRunner and recording every attempt in the RunHistory.
//
// - No overlap: a job's firings run one after another on its own thread; firings
//   that pass while a run is still going collapse into one run of the latest.
// - Retries: a failed attempt is retried after retry_backoff_seconds, doubling,
//   up to `retries` times, but never past the job's next firing.
// - Catch-up on start (from the history): the ETL days missed since the last
//   loaded day (at most catchup_days), a report owed today (sent with a late
//   note), and one alerts run at the current time if a firing was missed (only
//   the latest bucket: no flood of old alerts).
// - Stop: Clock::stop() wakes every thread; a running step finishes (the ETL
//   stops between its steps, which are atomic) and the attempt is recorded.
//
// The clock, the history and the runner are injected; tests use fakes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/cron.h"
#include "base/result.h"
#include "base/time.h"
#include "schedule/clock.h"
#include "schedule/history.h"

namespace vigil {

// What a run did. A run that fails before doing anything returns an Error
// instead; one that fails after doing part of its work (some alert messages
// went out, one did not) returns its outcome with `error` set: it is recorded
// and retried as failed, and what it did still counts.
struct JobOutcome {
  std::string detail;       // one line for the history ("1 234 rows")
  int alerts_sent = 0;      // alert messages delivered, also by a failed run
  bool abandoned = false;   // stopped between steps; `detail` says where
  std::string error{};      // not empty: the run failed (one line)
};

// Runs the real work. Each method is called from its job's thread only, but the
// three may run at the same time.
class JobRunner {
 public:
  virtual ~JobRunner() = default;
  // The ETL (all steps) for one business day; `stopping` is polled between
  // steps, and when it is true the rest is skipped and the outcome abandoned.
  virtual Result<JobOutcome> etl(Days day, const std::function<bool()>& stopping) = 0;
  // The daily report for `day`, with a note on top when it is sent late.
  virtual Result<JobOutcome> report(Days day, const std::string& late_note) = 0;
  // The alerts for the last complete bucket before `at`.
  virtual Result<JobOutcome> alerts(EpochSeconds at) = 0;
};

inline constexpr const char* kEtlJob = "etl";
inline constexpr const char* kReportJob = "report";
inline constexpr const char* kAlertsJob = "alerts";

struct JobSpec {
  std::string name;        // kEtlJob, kReportJob or kAlertsJob
  CronSchedule schedule;
};

struct SchedulerOptions {
  const date::time_zone* zone = nullptr;
  int retries = 3;
  int retry_backoff_seconds = 60;
  int catchup_days = 7;
};

// What /health and /metrics show about one job (counters since start).
struct JobStatus {
  std::string name;
  std::string schedule;
  bool running = false;
  std::optional<EpochSeconds> next_due;
  std::optional<RunRecord> last_run;     // the latest attempt (from the history at start)
  double last_success = 0;               // end of the latest ok attempt; 0 = never
  std::map<std::string, long> runs;      // attempts by final status: ok, failed, abandoned
  long gave_up = 0;                      // firings that failed after all retries
  double last_duration = 0;              // seconds, of the latest finished attempt
  double duration_sum = 0;
  long duration_count = 0;
};

struct SchedulerStatus {
  double started_at = 0;
  double now = 0;
  bool stopping = false;
  long alerts_sent = 0;
  std::vector<JobStatus> jobs;
};

class Scheduler {
 public:
  Scheduler(std::vector<JobSpec> jobs, SchedulerOptions options, Clock& clock,
            RunHistory& history, JobRunner& runner);
  ~Scheduler();  // stops and joins
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Marks runs a crash left "running" as abandoned, reads the last runs, and
  // starts the job threads (each catches up first).
  Status start();
  // Asks every thread to stop (Clock::stop) and waits for them.
  void stop();
  SchedulerStatus status() const;

 private:
  struct Job;
  enum class Mode { kScheduled, kCatchUp };
  enum class Attempt { kOk, kFailed, kAbandoned };

  void lane(Job& job);
  void catch_up(Job& job);
  void run_firing(Job& job, EpochSeconds due, Mode mode);
  Attempt attempt(Job& job, EpochSeconds due, Mode mode, int number);
  Attempt attempt_etl(Job& job, EpochSeconds due, Mode mode, int number);
  Attempt run_one(Job& job, RunRecord run, const std::function<Result<JobOutcome>()>& body);
  void record_end(Job& job, const RunRecord& run, int alerts_sent);
  std::optional<Days> last_etl_day();

  std::vector<std::unique_ptr<Job>> jobs_;
  SchedulerOptions options_;
  Clock& clock_;
  RunHistory& history_;
  JobRunner& runner_;
  mutable std::mutex mutex_;  // guards the JobStatus of every job and alerts_sent_
  long alerts_sent_ = 0;
  double started_at_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace vigil
