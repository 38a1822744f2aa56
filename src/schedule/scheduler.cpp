#include "schedule/scheduler.h"

#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "schedule/due.h"

namespace vigil {

struct Scheduler::Job {
  JobSpec spec;
  JobStatus status;  // guarded by Scheduler::mutex_
};

namespace {

EpochSeconds whole(double seconds) { return static_cast<EpochSeconds>(std::floor(seconds)); }

RunRecord new_run(const char* job, std::string target, EpochSeconds due, int attempt) {
  RunRecord run;
  run.job = job;
  run.target = std::move(target);
  run.scheduled_for = due;
  run.attempt = attempt;
  return run;
}

}  // namespace

Scheduler::Scheduler(std::vector<JobSpec> jobs, SchedulerOptions options, Clock& clock,
                     RunHistory& history, JobRunner& runner)
    : options_(options), clock_(clock), history_(history), runner_(runner) {
  for (auto& spec : jobs) {
    auto job = std::make_unique<Job>();
    job->status.name = spec.name;
    job->status.schedule = spec.schedule.text;
    job->spec = std::move(spec);
    jobs_.push_back(std::move(job));
  }
}

Scheduler::~Scheduler() { stop(); }

Status Scheduler::start() {
  started_at_ = clock_.now();
  auto abandoned = history_.abandon_running(
      started_at_, "vigil serve ended during the run (crash or kill); a later run repeats it");
  if (!abandoned.ok()) return abandoned.error();
  if (*abandoned > 0) {
    spdlog::warn("serve: {} run(s) left running by an earlier vigil serve marked abandoned",
                 *abandoned);
  }
  for (auto& job : jobs_) {
    auto last = history_.list({.job = job->spec.name, .limit = 1});
    if (!last.ok()) return last.error();
    auto ok = history_.list({.job = job->spec.name, .status = RunStatus::kOk, .limit = 1});
    if (!ok.ok()) return ok.error();
    std::lock_guard lock(mutex_);
    if (!last->empty()) job->status.last_run = last->front();
    if (!ok->empty()) job->status.last_success = ok->front().ended;
  }
  for (auto& job : jobs_) threads_.emplace_back([this, j = job.get()] { lane(*j); });
  return {};
}

void Scheduler::stop() {
  clock_.stop();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

SchedulerStatus Scheduler::status() const {
  SchedulerStatus status;
  status.started_at = started_at_;
  status.now = clock_.now();
  status.stopping = clock_.stopped();
  std::lock_guard lock(mutex_);
  status.alerts_sent = alerts_sent_;
  for (const auto& job : jobs_) status.jobs.push_back(job->status);
  return status;
}

void Scheduler::lane(Job& job) {
  const std::string& name = job.spec.name;
  EpochSeconds cursor = whole(clock_.now());
  catch_up(job);
  while (!clock_.stopped()) {
    auto due = cron_next_after(job.spec.schedule, cursor, options_.zone);
    {
      std::lock_guard lock(mutex_);
      job.status.next_due = due;
    }
    if (!due) {
      spdlog::error("serve: {}: schedule '{}' never fires again; the job stops", name,
                    job.spec.schedule.text);
      return;
    }
    if (!clock_.sleep_until(static_cast<double>(*due))) break;
    // Firings that passed while this job was busy (or the machine slept) run once, for the latest.
    auto latest = cron_last_at_or_before(job.spec.schedule, whole(clock_.now()), options_.zone);
    if (latest && *latest > *due) {
      spdlog::warn("serve: {}: firings from {} to {} passed while it was busy; running once for "
                   "the latest",
                   name, format_local_time(*due, options_.zone),
                   format_local_time(*latest, options_.zone));
      due = latest;
    }
    run_firing(job, *due, Mode::kScheduled);
    cursor = *due;
  }
  std::lock_guard lock(mutex_);
  job.status.next_due.reset();
}

void Scheduler::catch_up(Job& job) {
  const EpochSeconds now = whole(clock_.now());
  const CronSchedule& cron = job.spec.schedule;
  const auto* zone = options_.zone;
  if (job.spec.name == kEtlJob) {
    auto days = etl_catch_up(cron, now, last_etl_day(), options_.catchup_days, zone);
    if (days.empty()) return;
    spdlog::info("serve: catch-up: ETL for {} missed day(s), {} to {}", days.size(),
                 format_date(days.front()), format_date(days.back()));
    run_firing(job, *cron_last_at_or_before(cron, now, zone), Mode::kCatchUp);
  } else if (job.spec.name == kReportJob) {
    auto owed = report_owed(cron, now, zone, [&](Days day) {
      auto sent = history_.list(
          {.job = kReportJob, .status = RunStatus::kOk, .target = format_date(day), .limit = 1});
      if (!sent.ok()) spdlog::error("serve: {}", sent.error().message);
      return !sent.ok() || !sent->empty();  // unreadable history: do not risk a duplicate
    });
    if (!owed) return;
    spdlog::info("serve: catch-up: the report due at {} was not sent; sending it late",
                 format_local_time(*owed, zone));
    run_firing(job, *owed, Mode::kCatchUp);
  } else if (job.spec.name == kAlertsJob) {
    auto last = history_.list({.job = kAlertsJob, .limit = 1});
    std::optional<EpochSeconds> last_run;
    if (last.ok() && !last->empty()) last_run = last->front().scheduled_for;
    auto missed = alerts_missed(cron, now, last_run, zone);
    if (!missed) return;
    spdlog::info("serve: catch-up: alerts missed the firing at {}; checking the latest bucket only",
                 format_local_time(*missed, zone));
    run_firing(job, *missed, Mode::kCatchUp);
  }
}

void Scheduler::run_firing(Job& job, EpochSeconds due, Mode mode) {
  const std::string& name = job.spec.name;
  for (int number = 1;; ++number) {
    if (clock_.stopped()) return;
    if (attempt(job, due, mode, number) != Attempt::kFailed) return;
    const double now = clock_.now();
    auto give_up = [&](const std::string& why) {
      spdlog::error("serve: {}: giving up on the run due at {} {}", name,
                    format_local_time(due, options_.zone), why);
      std::lock_guard lock(mutex_);
      ++job.status.gave_up;
    };
    if (number > options_.retries) {
      return give_up(fmt::format("after {} attempt(s)", number));
    }
    const double retry_at = now + retry_delay(number, options_.retry_backoff_seconds);
    auto next = cron_next_after(job.spec.schedule, whole(now), options_.zone);
    if (next && retry_at >= static_cast<double>(*next)) {
      return give_up(fmt::format("(its next run at {} comes before a retry)",
                                 format_local_time(*next, options_.zone)));
    }
    spdlog::warn("serve: {}: retry {} of {} in {:.0f} s", name, number, options_.retries,
                 retry_at - now);
    if (!clock_.sleep_until(retry_at)) return;
  }
}

Scheduler::Attempt Scheduler::attempt(Job& job, EpochSeconds due, Mode mode, int number) {
  const auto* zone = options_.zone;
  if (job.spec.name == kEtlJob) return attempt_etl(job, due, mode, number);
  if (job.spec.name == kReportJob) {
    const Days day = day_before(due, zone);
    const std::string note = mode == Mode::kCatchUp ? late_note(due, zone) : "";
    return run_one(job, new_run(kReportJob, format_date(day), due, number), [&] { return runner_.report(day, note); });
  }
  const EpochSeconds at = mode == Mode::kCatchUp ? whole(clock_.now()) : due;
  return run_one(job, new_run(kAlertsJob, format_local_time(at, zone), due, number), [&] { return runner_.alerts(at); });
}

Scheduler::Attempt Scheduler::attempt_etl(Job& job, EpochSeconds due, Mode mode, int number) {
  const Days target = day_before(due, options_.zone);
  const auto days =
      etl_days_due(last_etl_day(), target, options_.catchup_days, mode == Mode::kScheduled);
  for (Days day : days) {
    if (clock_.stopped()) return Attempt::kAbandoned;
    const Attempt result = run_one(job, new_run(kEtlJob, format_date(day), due, number), [&] {
      return runner_.etl(day, [this] { return clock_.stopped(); });
    });
    if (result != Attempt::kOk) return result;
  }
  return Attempt::kOk;
}

Scheduler::Attempt Scheduler::run_one(Job& job, RunRecord run,
                                      const std::function<Result<JobOutcome>()>& body) {
  run.started = clock_.now();
  run.status = RunStatus::kRunning;
  auto id = history_.start(run);
  if (!id.ok()) spdlog::error("serve: {}", id.error().message);
  run.id = id.ok() ? *id : 0;
  {
    std::lock_guard lock(mutex_);
    job.status.running = true;
    job.status.last_run = run;
  }
  Result<JobOutcome> outcome = Error::failure("not run");
  try {
    outcome = body();
  } catch (const std::exception& e) {
    outcome = Error::failure(fmt::format("unexpected error: {}", e.what()));
  }
  run.ended = clock_.now();
  if (!outcome.ok()) {
    run.status = RunStatus::kFailed;
    run.error = outcome.error().message;
  } else if (!outcome->error.empty()) {  // failed after part of its work
    run.status = RunStatus::kFailed;
    run.error = outcome->error;
    run.detail = outcome->detail;
  } else {
    run.detail = outcome->detail;
    run.status = outcome->abandoned ? RunStatus::kAbandoned : RunStatus::kOk;
    if (outcome->abandoned) run.error = "stopped by shutdown; the next start runs it again";
  }
  if (run.id != 0) {
    auto saved = history_.finish(run.id, run.status, run.ended, run.error, run.detail);
    if (!saved.ok()) spdlog::error("serve: {}", saved.error().message);
  }
  record_end(job, run, outcome.ok() ? outcome->alerts_sent : 0);
  const std::string what = fmt::format("{} {} (attempt {})", run.job, run.target, run.attempt);
  if (run.status == RunStatus::kFailed) {
    spdlog::error("serve: {} failed: {}", what, run.error);
    return Attempt::kFailed;
  }
  spdlog::info("serve: {} {} in {:.1f} s{}{}", what, run_status_name(run.status),
               run.ended - run.started, run.detail.empty() ? "" : ": ", run.detail);
  return run.status == RunStatus::kOk ? Attempt::kOk : Attempt::kAbandoned;
}

void Scheduler::record_end(Job& job, const RunRecord& run, int alerts_sent) {
  std::lock_guard lock(mutex_);
  JobStatus& s = job.status;
  s.running = false;
  s.last_run = run;
  ++s.runs[run_status_name(run.status)];
  s.last_duration = run.ended - run.started;
  s.duration_sum += s.last_duration;
  ++s.duration_count;
  if (run.status == RunStatus::kOk) s.last_success = run.ended;
  alerts_sent_ += alerts_sent;
}

std::optional<Days> Scheduler::last_etl_day() {
  auto latest = history_.latest_target(kEtlJob, RunStatus::kOk);
  if (!latest.ok()) {
    spdlog::error("serve: {}", latest.error().message);
    return std::nullopt;
  }
  if (latest->empty()) return std::nullopt;
  auto day = parse_date(*latest);
  if (!day.ok()) return std::nullopt;
  return *day;
}

}  // namespace vigil
