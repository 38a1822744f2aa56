// Job run history of `vigil serve` in SQLite (state_dir/runs.sqlite): one row
// per attempt, written when it starts ("running") and when it ends, so a crash
// leaves a "running" row that the next start marks "abandoned". The scheduler
// reads it back for catch-up (last ETL day loaded, report sent today?) and
// `vigil runs` prints it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"

namespace vigil {

enum class RunStatus { kRunning, kOk, kFailed, kAbandoned };

// "running", "ok", "failed", "abandoned".
std::string run_status_name(RunStatus status);

struct RunRecord {
  std::int64_t id = 0;            // assigned by the history
  std::string job;                // "etl", "report", "alerts"
  std::string target;             // what it was for: a day "YYYY-MM-DD" or a bucket "YYYY-MM-DD HH:MM"
  EpochSeconds scheduled_for = 0; // the schedule's firing it belongs to
  double started = 0;             // epoch seconds
  double ended = 0;               // 0 while running
  RunStatus status = RunStatus::kRunning;
  int attempt = 1;                // 1 = first try, 2.. = retries
  std::string error;              // one line, when failed or abandoned
  std::string detail;             // what it did ("1 234 rows", "sent late", ...)
};

struct RunFilter {
  std::optional<std::string> job = std::nullopt;
  std::optional<RunStatus> status = std::nullopt;
  std::optional<std::string> target = std::nullopt;
  int limit = 50;  // <= 0: all
};

// Thread-safe: the scheduler's job threads share one object.
class RunHistory {
 public:
  virtual ~RunHistory() = default;
  // Appends `run` (status as given, normally running); returns its id.
  virtual Result<std::int64_t> start(const RunRecord& run) = 0;
  // Sets the end of run `id` (unknown id: error).
  virtual Status finish(std::int64_t id, RunStatus status, double ended, const std::string& error,
                        const std::string& detail) = 0;
  // Marks every "running" row abandoned (ended = now, error = reason); returns how many.
  virtual Result<int> abandon_running(double now, const std::string& reason) = 0;
  // Newest first (by id).
  virtual Result<std::vector<RunRecord>> list(const RunFilter& filter) = 0;
  // The largest target among runs of `job` with `status` ("" if none). Days
  // and bucket times sort as text.
  virtual Result<std::string> latest_target(const std::string& job, RunStatus status) = 0;
};

// SQLite file at `path` (created with its directory and schema if missing; WAL,
// busy timeout). ":memory:" gives a private in-memory history (tests).
Result<std::unique_ptr<RunHistory>> open_run_history(const std::string& path);

// The `vigil runs` table (pure): times in `zone`, newest first as given.
std::string runs_table(const std::vector<RunRecord>& runs, const date::time_zone* zone);

}  // namespace vigil
