// What the scheduler owes, decided purely from the schedule, the run history's
// facts and the time: which ETL days to run, whether a report is owed late,
// whether the alerts missed a firing, how long to wait before a retry.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/cron.h"
#include "base/time.h"

namespace vigil {

// The days an ETL run covers, oldest first: the days after `last_ok` up to
// `target`, at most `max_days` of them (the most recent). Without `last_ok`
// (nothing loaded yet) only `target`. A scheduled firing always runs its own
// day (`always_target`: re-runs are idempotent); a catch-up only missing days.
std::vector<Days> etl_days_due(std::optional<Days> last_ok, Days target, int max_days,
                               bool always_target);

// The day a daily job firing at `at` works on: the day before, in `zone`.
Days day_before(EpochSeconds at, const date::time_zone* zone);

// Catch-up on start for the ETL: the days missed since `last_ok` (at most
// `catchup_days`, 0 = none), judged by the schedule's last firing before `now`.
std::vector<Days> etl_catch_up(const CronSchedule& cron, EpochSeconds now,
                               std::optional<Days> last_ok, int catchup_days,
                               const date::time_zone* zone);

// Catch-up on start for the report: the firing whose report is owed, if the
// schedule's last firing before `now` was today (in `zone`) and its report
// (for the day before it) has not been sent (`sent(day)` is false).
template <class SentFn>
std::optional<EpochSeconds> report_owed(const CronSchedule& cron, EpochSeconds now,
                                        const date::time_zone* zone, SentFn sent) {
  auto last = cron_last_at_or_before(cron, now, zone);
  if (!last || local_date(*last, zone) != local_date(now, zone)) return std::nullopt;
  if (sent(day_before(*last, zone))) return std::nullopt;
  return last;
}

// Catch-up on start for the alerts: the last firing before `now` if no run
// happened for it (`last_run`: the scheduled time of the latest alerts run).
std::optional<EpochSeconds> alerts_missed(const CronSchedule& cron, EpochSeconds now,
                                          std::optional<EpochSeconds> last_run,
                                          const date::time_zone* zone);

// Wait before retry `retry` (1 = the first retry): base * 2^(retry-1), at most a day
// (base/backoff.h with the scheduler's numbers).
double retry_delay(int retry, int base_seconds);

// The note on a report sent after its time: "Sent late: this report was due at 11:00."
std::string late_note(EpochSeconds due, const date::time_zone* zone);

}  // namespace vigil
