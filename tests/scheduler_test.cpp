// The scheduler with a fake clock and fake jobs: due times across a day,
// retries with backoff, no overlap, catch-up on start, stopping; plus the pure
// catch-up rules and the /metrics and /health texts. Times are Moscow (UTC+3,
// no DST); the history is a real SQLite database in memory.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "schedule/due.h"
#include "schedule/scheduler.h"
#include "web/status_text.h"

namespace vigil {
namespace {

const date::time_zone* moscow() { return *find_zone("Europe/Moscow"); }
EpochSeconds local(const char* text) { return *parse_local_time(text, moscow()); }
std::string local_text(double t) {
  return format_local_time(static_cast<EpochSeconds>(t), moscow()).substr(0, 16);
}
Days day(const char* text) { return *parse_date(text); }

// Virtual time: when every job thread sleeps, time jumps to the earliest wake-up.
class FakeClock final : public Clock {
 public:
  FakeClock(double start, size_t threads) : now_(start), threads_(threads) {}

  double now() override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  bool sleep_until(double until) override {
    std::unique_lock lock(mutex_);
    if (stopped_) return false;
    auto entry = wakes_.insert(until);
    changed_.notify_all();
    woken_.wait(lock, [&] { return stopped_ || now_ >= until; });
    wakes_.erase(entry);
    changed_.notify_all();
    return !stopped_;
  }
  void stop() override {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    woken_.notify_all();
  }
  bool stopped() const override {
    std::lock_guard lock(mutex_);
    return stopped_;
  }

  // Lets the threads run until virtual time `until`.
  void run_until(double until) {
    std::unique_lock lock(mutex_);
    while (true) {
      const bool settled = changed_.wait_for(lock, std::chrono::seconds(10), [&] {
        return wakes_.size() == threads_ && *wakes_.begin() > now_;
      });
      if (!settled) {
        ADD_FAILURE() << "job threads did not settle at " << local_text(now_);
        return;
      }
      if (*wakes_.begin() > until) {
        now_ = until;
        return;
      }
      now_ = *wakes_.begin();
      woken_.notify_all();
    }
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable woken_, changed_;
  std::multiset<double> wakes_;
  double now_;
  size_t threads_;
  bool stopped_ = false;
};

struct Call {
  std::string job;
  double clock = 0;        // when it started
  Days day{};              // etl, report
  std::string note;        // report
  EpochSeconds at = 0;     // alerts
};

// Records calls; each job's behaviour can be replaced (default: ok at once).
class FakeRunner final : public JobRunner {
 public:
  using Behaviour = std::function<Result<JobOutcome>(int index, const std::function<bool()>&)>;
  explicit FakeRunner(FakeClock& clock) : clock_(clock) {}

  Result<JobOutcome> etl(Days d, const std::function<bool()>& stopping) override {
    return call({kEtlJob, clock_.now(), d, "", 0}, stopping);
  }
  Result<JobOutcome> report(Days d, const std::string& note) override {
    return call({kReportJob, clock_.now(), d, note, 0}, [] { return false; });
  }
  Result<JobOutcome> alerts(EpochSeconds at) override {
    return call({kAlertsJob, clock_.now(), {}, "", at}, [] { return false; });
  }

  std::vector<Call> calls(const std::string& job) const {
    std::lock_guard lock(mutex_);
    std::vector<Call> out;
    for (const Call& c : calls_) {
      if (c.job == job) out.push_back(c);
    }
    return out;
  }
  int max_in_progress(const std::string& job) const {
    std::lock_guard lock(mutex_);
    auto it = max_active_.find(job);
    return it == max_active_.end() ? 0 : it->second;
  }

  std::map<std::string, Behaviour> behaviour;

 private:
  Result<JobOutcome> call(Call c, const std::function<bool()>& stopping) {
    int index = 0;
    {
      std::lock_guard lock(mutex_);
      index = static_cast<int>(count_calls(c.job, lock));
      calls_.push_back(c);
      max_active_[c.job] = std::max(max_active_[c.job], ++active_[c.job]);
    }
    auto it = behaviour.find(c.job);
    Result<JobOutcome> result = it == behaviour.end() ? Result<JobOutcome>(JobOutcome{"done"})
                                                      : it->second(index, stopping);
    std::lock_guard lock(mutex_);
    --active_[c.job];
    return result;
  }
  size_t count_calls(const std::string& job, const std::lock_guard<std::mutex>&) const {
    return static_cast<size_t>(
        std::count_if(calls_.begin(), calls_.end(), [&](const Call& c) { return c.job == job; }));
  }

  FakeClock& clock_;
  mutable std::mutex mutex_;
  std::vector<Call> calls_;
  std::map<std::string, int> active_, max_active_;
};

JobSpec job(const char* name, const char* schedule) { return {name, *parse_cron(schedule)}; }

// One scheduler over a fake clock, a fake runner and an in-memory history.
class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    history_ = std::move(*open_run_history(":memory:"));
    log_level_ = spdlog::get_level();
    spdlog::set_level(spdlog::level::off);  // the scheduler logs every run
  }
  void TearDown() override {
    stop();
    spdlog::set_level(log_level_);
  }

  // A finished run in the history, as an earlier `vigil serve` left it.
  void seed(const char* name, const std::string& target, EpochSeconds scheduled,
            RunStatus status = RunStatus::kOk) {
    RunRecord run;
    run.job = name;
    run.target = target;
    run.scheduled_for = scheduled;
    run.started = static_cast<double>(scheduled);
    run.status = status;
    auto id = history_->start(run);
    ASSERT_TRUE(id.ok());
    if (status != RunStatus::kRunning) {
      ASSERT_TRUE(history_->finish(*id, status, run.started + 1, "", "").ok());
    }
  }

  void start(const char* at, std::vector<JobSpec> jobs, int retries = 3, int backoff = 60,
             int catchup_days = 7) {
    scheduler_.reset();  // stops and joins before its clock and runner go
    clock_ = std::make_unique<FakeClock>(static_cast<double>(local(at)), jobs.size());
    runner_ = std::make_unique<FakeRunner>(*clock_);
    runner_->behaviour = behaviour_;
    scheduler_ = std::make_unique<Scheduler>(std::move(jobs),
                                             SchedulerOptions{moscow(), retries, backoff,
                                                              catchup_days},
                                             *clock_, *history_, *runner_);
    ASSERT_TRUE(scheduler_->start().ok());
  }
  void run_until(const char* at) { clock_->run_until(static_cast<double>(local(at))); }
  void stop() {
    if (scheduler_) scheduler_->stop();
  }

  std::vector<RunRecord> runs(const char* name) {
    auto list = history_->list({.job = name, .limit = 0});
    EXPECT_TRUE(list.ok());
    std::vector<RunRecord> out(list->rbegin(), list->rend());  // oldest first
    return out;
  }
  const JobStatus& status_of(const SchedulerStatus& status, const char* name) {
    for (const auto& j : status.jobs) {
      if (j.name == name) return j;
    }
    throw std::runtime_error("no such job");
  }

  spdlog::level::level_enum log_level_ = spdlog::level::info;
  std::unique_ptr<RunHistory> history_;
  std::map<std::string, FakeRunner::Behaviour> behaviour_;
  std::unique_ptr<FakeClock> clock_;
  std::unique_ptr<FakeRunner> runner_;
  std::unique_ptr<Scheduler> scheduler_;
};

Result<JobOutcome> fail_with(const std::string& message) { return Error::failure(message); }

TEST_F(SchedulerTest, DueTimesAcrossADay) {
  seed(kEtlJob, "2026-03-08", local("2026-03-09 02:00"));
  seed(kReportJob, "2026-03-08", local("2026-03-09 11:00"));
  seed(kAlertsJob, "2026-03-09 23:45:00", local("2026-03-09 23:45"));
  start("2026-03-09 23:50",
        {job(kEtlJob, "0 2 * * *"), job(kReportJob, "0 11 * * *"), job(kAlertsJob, "*/15 * * * *")});
  run_until("2026-03-10 23:59:59");

  const auto etl = runner_->calls(kEtlJob);
  ASSERT_EQ(etl.size(), 1u);
  EXPECT_EQ(local_text(etl[0].clock), "2026-03-10 02:00");
  EXPECT_EQ(etl[0].day, day("2026-03-09"));
  const auto report = runner_->calls(kReportJob);
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(local_text(report[0].clock), "2026-03-10 11:00");
  EXPECT_EQ(report[0].day, day("2026-03-09"));
  EXPECT_EQ(report[0].note, "");
  const auto alerts = runner_->calls(kAlertsJob);
  ASSERT_EQ(alerts.size(), 96u);
  for (size_t i = 0; i < alerts.size(); ++i) {
    const EpochSeconds expected = local("2026-03-10 00:00") + static_cast<EpochSeconds>(i) * 900;
    ASSERT_EQ(alerts[i].at, expected) << i;
    ASSERT_EQ(alerts[i].clock, static_cast<double>(expected)) << i;
  }
  const auto status = scheduler_->status();
  EXPECT_EQ(status_of(status, kAlertsJob).runs.at("ok"), 96);
  EXPECT_EQ(*status_of(status, kEtlJob).next_due, local("2026-03-11 02:00"));
  EXPECT_EQ(*status_of(status, kAlertsJob).next_due, local("2026-03-11 00:00"));
  EXPECT_EQ(runs(kEtlJob).back().target, "2026-03-09");
  EXPECT_EQ(runs(kEtlJob).back().scheduled_for, local("2026-03-10 02:00"));
}

TEST_F(SchedulerTest, RetryWithBackoffThenSuccess) {
  behaviour_[kReportJob] = [](int index, auto&) {
    return index < 2 ? fail_with("Telegram is down") : Result<JobOutcome>(JobOutcome{"sent"});
  };
  seed(kReportJob, "2026-03-08", local("2026-03-09 11:00"));
  start("2026-03-10 10:00", {job(kReportJob, "0 11 * * *")}, 3, 60);
  run_until("2026-03-10 12:00");

  const auto calls = runner_->calls(kReportJob);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(local_text(calls[0].clock), "2026-03-10 11:00");
  EXPECT_EQ(local_text(calls[1].clock), "2026-03-10 11:01");  // +60 s
  EXPECT_EQ(local_text(calls[2].clock), "2026-03-10 11:03");  // +120 s
  const auto history = runs(kReportJob);
  ASSERT_EQ(history.size(), 4u);  // the seed and three attempts
  EXPECT_EQ(history[1].status, RunStatus::kFailed);
  EXPECT_EQ(history[1].error, "Telegram is down");
  EXPECT_EQ(history[1].attempt, 1);
  EXPECT_EQ(history[2].attempt, 2);
  EXPECT_EQ(history[3].status, RunStatus::kOk);
  EXPECT_EQ(history[3].attempt, 3);
  EXPECT_EQ(history[3].target, "2026-03-09");
  EXPECT_EQ(history[3].scheduled_for, local("2026-03-10 11:00"));
  const auto& status = status_of(scheduler_->status(), kReportJob);
  EXPECT_EQ(status.runs.at("failed"), 2);
  EXPECT_EQ(status.runs.at("ok"), 1);
  EXPECT_EQ(status.gave_up, 0);
  EXPECT_EQ(status.last_success, static_cast<double>(local("2026-03-10 11:03")));
}

TEST_F(SchedulerTest, GivesUpAfterTheRetriesAndTriesAgainNextTime) {
  behaviour_[kReportJob] = [](int, auto&) { return fail_with("no"); };
  seed(kReportJob, "2026-03-08", local("2026-03-09 11:00"));
  start("2026-03-10 10:00", {job(kReportJob, "0 11 * * *")}, 2, 60);
  run_until("2026-03-11 11:30");
  std::vector<std::string> times;
  for (const auto& c : runner_->calls(kReportJob)) times.push_back(local_text(c.clock));
  EXPECT_EQ(times, (std::vector<std::string>{"2026-03-10 11:00", "2026-03-10 11:01",
                                             "2026-03-10 11:03", "2026-03-11 11:00",
                                             "2026-03-11 11:01", "2026-03-11 11:03"}));
  EXPECT_EQ(status_of(scheduler_->status(), kReportJob).gave_up, 2);
}

TEST_F(SchedulerTest, RetriesNeverRunIntoTheNextFiring) {
  behaviour_[kAlertsJob] = [](int, auto&) { return fail_with("ClickHouse is down"); };
  seed(kAlertsJob, "2026-03-10 00:00:00", local("2026-03-10 00:00"));
  start("2026-03-10 00:05", {job(kAlertsJob, "*/15 * * * *")}, 5, 600);
  run_until("2026-03-10 00:44");
  std::vector<std::string> times;
  for (const auto& c : runner_->calls(kAlertsJob)) times.push_back(local_text(c.clock));
  // 00:15 fails, retry after 600 s; the next retry (1200 s) would pass 00:30: give up.
  EXPECT_EQ(times, (std::vector<std::string>{"2026-03-10 00:15", "2026-03-10 00:25",
                                             "2026-03-10 00:30", "2026-03-10 00:40"}));
  const auto calls = runner_->calls(kAlertsJob);
  EXPECT_EQ(calls[1].at, local("2026-03-10 00:15"));  // a retry checks the same bucket
  EXPECT_EQ(status_of(scheduler_->status(), kAlertsJob).gave_up, 2);
}

TEST_F(SchedulerTest, ASlowJobDoesNotOverlapItself) {
  behaviour_[kAlertsJob] = [this](int index, auto&) {
    if (index == 0) clock_->sleep_until(clock_->now() + 40 * 60);  // 40 minutes of work
    return Result<JobOutcome>(JobOutcome{"done"});
  };
  seed(kAlertsJob, "2026-03-09 23:45:00", local("2026-03-09 23:45"));
  start("2026-03-09 23:59", {job(kAlertsJob, "*/15 * * * *")});
  run_until("2026-03-10 00:50");
  const auto calls = runner_->calls(kAlertsJob);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(runner_->max_in_progress(kAlertsJob), 1);
  EXPECT_EQ(calls[0].at, local("2026-03-10 00:00"));
  // 00:15 and 00:30 passed during the slow run: one run, for the latest, when it ends.
  EXPECT_EQ(calls[1].at, local("2026-03-10 00:30"));
  EXPECT_EQ(local_text(calls[1].clock), "2026-03-10 00:40");
  EXPECT_EQ(calls[2].at, local("2026-03-10 00:45"));
  const auto& status = status_of(scheduler_->status(), kAlertsJob);
  EXPECT_EQ(status.runs.at("ok"), 3);
  EXPECT_DOUBLE_EQ(status.duration_sum, 40 * 60);
}

TEST_F(SchedulerTest, CatchUpFillsMissedEtlDaysBoundedByCatchupDays) {
  seed(kEtlJob, "2026-03-06", local("2026-03-07 02:00"));
  start("2026-03-10 10:00", {job(kEtlJob, "0 2 * * *")}, 3, 60, 2);
  run_until("2026-03-11 03:00");
  const auto calls = runner_->calls(kEtlJob);
  ASSERT_EQ(calls.size(), 3u);
  // 03-07, 03-08 and 03-09 were missed; catchup_days = 2 keeps the latest two, oldest first.
  EXPECT_EQ(calls[0].day, day("2026-03-08"));
  EXPECT_EQ(calls[1].day, day("2026-03-09"));
  EXPECT_EQ(local_text(calls[0].clock), "2026-03-10 10:00");
  EXPECT_EQ(local_text(calls[1].clock), "2026-03-10 10:00");
  EXPECT_EQ(calls[2].day, day("2026-03-10"));
  EXPECT_EQ(local_text(calls[2].clock), "2026-03-11 02:00");
  const auto history = runs(kEtlJob);
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[1].scheduled_for, local("2026-03-10 02:00"));
}

TEST_F(SchedulerTest, NoCatchUpWhenNothingWasMissed) {
  seed(kEtlJob, "2026-03-09", local("2026-03-10 02:00"));
  seed(kEtlJob, "2026-03-05", local("2026-03-06 02:00"));  // older: the latest day counts
  start("2026-03-10 10:00", {job(kEtlJob, "0 2 * * *")});
  run_until("2026-03-10 23:00");
  EXPECT_TRUE(runner_->calls(kEtlJob).empty());
}

TEST_F(SchedulerTest, CatchupDaysZeroRunsOnlyTheScheduledDay) {
  seed(kEtlJob, "2026-03-05", local("2026-03-06 02:00"));
  start("2026-03-10 10:00", {job(kEtlJob, "0 2 * * *")}, 3, 60, 0);
  run_until("2026-03-11 03:00");
  const auto calls = runner_->calls(kEtlJob);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].day, day("2026-03-10"));
  EXPECT_EQ(local_text(calls[0].clock), "2026-03-11 02:00");
}

TEST_F(SchedulerTest, AMissedReportIsSentLateOnce) {
  seed(kReportJob, "2026-03-08", local("2026-03-09 11:00"));
  start("2026-03-10 12:00", {job(kReportJob, "0 11 * * *")});
  run_until("2026-03-10 23:00");
  auto calls = runner_->calls(kReportJob);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].day, day("2026-03-09"));
  EXPECT_EQ(calls[0].note, "Sent late: this report was due at 11:00.");
  EXPECT_EQ(local_text(calls[0].clock), "2026-03-10 12:00");

  // A restart the same day does not send it again.
  start("2026-03-10 13:00", {job(kReportJob, "0 11 * * *")});
  run_until("2026-03-10 23:00");
  EXPECT_TRUE(runner_->calls(kReportJob).empty());
}

TEST_F(SchedulerTest, AReportOfAnEarlierDayIsNotOwed) {
  seed(kReportJob, "2026-03-07", local("2026-03-08 11:00"));
  start("2026-03-10 10:00", {job(kReportJob, "0 11 * * *")});
  run_until("2026-03-10 11:30");
  const auto calls = runner_->calls(kReportJob);
  ASSERT_EQ(calls.size(), 1u);  // the regular one at 11:00, on time
  EXPECT_EQ(local_text(calls[0].clock), "2026-03-10 11:00");
  EXPECT_EQ(calls[0].note, "");
}

TEST_F(SchedulerTest, MissedAlertBucketsAreCheckedOnceForTheLatest) {
  seed(kAlertsJob, "2026-03-10 08:00:00", local("2026-03-10 08:00"));
  start("2026-03-10 10:07", {job(kAlertsJob, "*/15 * * * *")});
  run_until("2026-03-10 10:20");
  const auto calls = runner_->calls(kAlertsJob);
  ASSERT_EQ(calls.size(), 2u);  // not the eight missed firings one by one
  EXPECT_EQ(calls[0].at, local("2026-03-10 10:07"));
  EXPECT_EQ(calls[1].at, local("2026-03-10 10:15"));
  EXPECT_EQ(runs(kAlertsJob)[1].scheduled_for, local("2026-03-10 10:00"));
}

TEST_F(SchedulerTest, StopFinishesTheStepAndRecordsTheAbandonedRun) {
  // Four ETL steps of ten minutes each; stopping is checked between steps.
  behaviour_[kEtlJob] = [this](int, const std::function<bool()>& stopping) {
    for (const char* step : {"extract-feed", "extract-messages", "transform", "load"}) {
      if (stopping()) return Result<JobOutcome>(JobOutcome{std::string("stopped before ") + step, 0, true});
      clock_->sleep_until(clock_->now() + 600);
    }
    return Result<JobOutcome>(JobOutcome{"loaded"});
  };
  seed(kEtlJob, "2026-03-08", local("2026-03-09 02:00"));
  start("2026-03-10 01:59", {job(kEtlJob, "0 2 * * *")});
  run_until("2026-03-10 02:15");  // inside extract-messages
  scheduler_->stop();
  const auto history = runs(kEtlJob);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].status, RunStatus::kAbandoned);
  EXPECT_EQ(history[1].detail, "stopped before transform");
  EXPECT_EQ(history[1].error, "stopped by shutdown; the next start runs it again");
  EXPECT_GT(history[1].ended, 0);
  EXPECT_EQ(status_of(scheduler_->status(), kEtlJob).runs.at("abandoned"), 1);

  // The next start repeats the day.
  behaviour_.clear();
  start("2026-03-10 09:00", {job(kEtlJob, "0 2 * * *")});
  run_until("2026-03-10 10:00");
  const auto calls = runner_->calls(kEtlJob);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].day, day("2026-03-09"));
}

TEST_F(SchedulerTest, RunsACrashLeftRunningAreAbandonedAndRepeated) {
  seed(kEtlJob, "2026-03-08", local("2026-03-09 02:00"));
  seed(kEtlJob, "2026-03-09", local("2026-03-10 02:00"), RunStatus::kRunning);
  start("2026-03-10 10:00", {job(kEtlJob, "0 2 * * *")});
  run_until("2026-03-10 11:00");
  const auto history = runs(kEtlJob);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].status, RunStatus::kAbandoned);
  EXPECT_EQ(history[1].ended, static_cast<double>(local("2026-03-10 10:00")));
  EXPECT_EQ(history[2].status, RunStatus::kOk);
  EXPECT_EQ(history[2].target, "2026-03-09");
  ASSERT_TRUE(scheduler_->status().jobs[0].last_run.has_value());
}

TEST_F(SchedulerTest, AlertsSentAreCounted) {
  behaviour_[kAlertsJob] = [](int index, auto&) {
    return Result<JobOutcome>(JobOutcome{"sent", index == 1 ? 2 : 0});
  };
  seed(kAlertsJob, "2026-03-10 00:00:00", local("2026-03-10 00:00"));
  start("2026-03-10 00:01", {job(kAlertsJob, "*/15 * * * *")});
  run_until("2026-03-10 00:50");
  EXPECT_EQ(scheduler_->status().alerts_sent, 2);
}

// An alert run in which Telegram refused one message failed, but the others
// went out: they count in vigil_alerts_sent_total, the run is recorded failed
// (with what it did) and retried for the same bucket, and the retry's count adds.
TEST_F(SchedulerTest, AlertsDeliveredByAFailedRunAreCounted) {
  behaviour_[kAlertsJob] = [](int index, auto&) {
    if (index == 0) {
      JobOutcome partial{"bucket 00:00: 3 delivered, 1 not delivered", 3};
      partial.error = "1 alert message(s) not delivered (first: Telegram answered 400)";
      return Result<JobOutcome>(partial);
    }
    return Result<JobOutcome>(JobOutcome{"bucket 00:00: 1 delivered (1 from an earlier run)", 1});
  };
  seed(kAlertsJob, "2026-03-10 00:00:00", local("2026-03-10 00:00"));
  start("2026-03-10 00:14", {job(kAlertsJob, "*/15 * * * *")}, 3, 60);
  run_until("2026-03-10 00:20");

  const auto calls = runner_->calls(kAlertsJob);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(local_text(calls[1].clock), "2026-03-10 00:16");  // the retry, after 60 s
  EXPECT_EQ(calls[1].at, calls[0].at);
  const auto status = scheduler_->status();
  EXPECT_EQ(status.alerts_sent, 4) << "3 from the failed run + 1 from its retry";
  const auto& alerts = status_of(status, kAlertsJob);
  EXPECT_EQ(alerts.runs.at("failed"), 1);
  EXPECT_EQ(alerts.runs.at("ok"), 1);
  EXPECT_EQ(alerts.gave_up, 0);
  const auto history = runs(kAlertsJob);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].status, RunStatus::kFailed);
  EXPECT_EQ(history[1].error, "1 alert message(s) not delivered (first: Telegram answered 400)");
  EXPECT_EQ(history[1].detail, "bucket 00:00: 3 delivered, 1 not delivered");
  EXPECT_EQ(history[2].status, RunStatus::kOk);
}

// A failure that comes as an error (nothing done) still counts nothing.
TEST_F(SchedulerTest, AnAlertRunThatFailedOutrightCountsNothing) {
  behaviour_[kAlertsJob] = [](int, auto&) { return fail_with("ClickHouse is down"); };
  seed(kAlertsJob, "2026-03-10 00:00:00", local("2026-03-10 00:00"));
  start("2026-03-10 00:14", {job(kAlertsJob, "*/15 * * * *")}, 1, 60);
  run_until("2026-03-10 00:20");
  EXPECT_EQ(runner_->calls(kAlertsJob).size(), 2u);
  EXPECT_EQ(scheduler_->status().alerts_sent, 0);
  EXPECT_EQ(status_of(scheduler_->status(), kAlertsJob).gave_up, 1);
}

TEST(Due, EtlDays) {
  using V = std::vector<Days>;
  const Days t = day("2026-03-10");
  EXPECT_EQ(etl_days_due(day("2026-03-06"), t, 7, false),
            (V{day("2026-03-07"), day("2026-03-08"), day("2026-03-09"), t}));
  EXPECT_EQ(etl_days_due(day("2026-03-06"), t, 2, false), (V{day("2026-03-09"), t}));
  EXPECT_EQ(etl_days_due(t, t, 7, false), V{});
  EXPECT_EQ(etl_days_due(t, t, 7, true), V{t});
  EXPECT_EQ(etl_days_due(std::nullopt, t, 7, false), V{t});
  EXPECT_EQ(etl_days_due(day("2026-03-01"), t, 0, false), V{});
  EXPECT_EQ(etl_days_due(day("2026-03-01"), t, 0, true), V{t});
  EXPECT_EQ(etl_days_due(day("2026-03-12"), t, 7, true), V{t});
}

TEST(Due, RetryDelayDoublesUpToADay) {
  EXPECT_EQ(retry_delay(1, 60), 60);
  EXPECT_EQ(retry_delay(2, 60), 120);
  EXPECT_EQ(retry_delay(4, 60), 480);
  EXPECT_EQ(retry_delay(20, 60), 86400);
}

TEST(Due, CatchUpDecisions) {
  const auto report = *parse_cron("0 11 * * *");
  auto never_sent = [](Days) { return false; };
  EXPECT_EQ(report_owed(report, local("2026-03-10 12:00"), moscow(), never_sent),
            local("2026-03-10 11:00"));
  EXPECT_EQ(report_owed(report, local("2026-03-10 10:59"), moscow(), never_sent), std::nullopt);
  EXPECT_EQ(report_owed(report, local("2026-03-10 12:00"), moscow(),
                        [](Days d) { return d == day("2026-03-09"); }),
            std::nullopt);
  const auto alerts = *parse_cron("*/15 * * * *");
  EXPECT_EQ(alerts_missed(alerts, local("2026-03-10 10:07"), local("2026-03-10 10:00"), moscow()),
            std::nullopt);
  EXPECT_EQ(alerts_missed(alerts, local("2026-03-10 10:16"), local("2026-03-10 10:00"), moscow()),
            local("2026-03-10 10:15"));
  EXPECT_EQ(alerts_missed(alerts, local("2026-03-10 10:16"), std::nullopt, moscow()),
            local("2026-03-10 10:15"));
  const auto etl = *parse_cron("0 2 * * *");
  EXPECT_EQ(etl_catch_up(etl, local("2026-03-10 01:00"), day("2026-03-07"), 7, moscow()),
            (std::vector<Days>{day("2026-03-08")}));
  EXPECT_EQ(late_note(local("2026-03-10 11:00"), moscow()),
            "Sent late: this report was due at 11:00.");
}

SchedulerStatus sample_status() {
  SchedulerStatus s;
  s.started_at = 1773126000;  // 2026-03-10 10:00 Moscow
  s.now = 1773126090.5;
  s.alerts_sent = 4;
  JobStatus etl;
  etl.name = "etl";
  etl.schedule = "0 2 * * *";
  etl.runs = {{"ok", 2}, {"failed", 1}};
  etl.gave_up = 1;
  etl.duration_sum = 12.5;
  etl.duration_count = 3;
  etl.last_duration = 2.25;
  etl.last_success = 1773126060;
  etl.next_due = 1773183600;
  RunRecord last;
  last.job = "etl";
  last.target = "2026-03-09";
  last.scheduled_for = 1773097200;
  last.started = 1773126057.75;
  last.ended = 1773126060;
  last.status = RunStatus::kOk;
  last.detail = "42 rows";
  etl.last_run = last;
  s.jobs.push_back(etl);
  return s;
}

TEST(StatusText, PrometheusMetrics) {
  EXPECT_EQ(metrics_text(sample_status()),
            "# HELP vigil_up 1 while vigil serve runs.\n"
            "# TYPE vigil_up gauge\n"
            "vigil_up 1\n"
            "# HELP vigil_start_time_seconds When vigil serve started (Unix time).\n"
            "# TYPE vigil_start_time_seconds gauge\n"
            "vigil_start_time_seconds 1773126000\n"
            "# HELP vigil_job_runs_total Finished job runs (each attempt) since start, by final "
            "status.\n"
            "# TYPE vigil_job_runs_total counter\n"
            "vigil_job_runs_total{job=\"etl\",status=\"ok\"} 2\n"
            "vigil_job_runs_total{job=\"etl\",status=\"failed\"} 1\n"
            "vigil_job_runs_total{job=\"etl\",status=\"abandoned\"} 0\n"
            "# HELP vigil_job_failures_total Job runs that still failed after all retries, since "
            "start.\n"
            "# TYPE vigil_job_failures_total counter\n"
            "vigil_job_failures_total{job=\"etl\"} 1\n"
            "# HELP vigil_job_duration_seconds Duration of finished job runs.\n"
            "# TYPE vigil_job_duration_seconds summary\n"
            "vigil_job_duration_seconds_sum{job=\"etl\"} 12.5\n"
            "vigil_job_duration_seconds_count{job=\"etl\"} 3\n"
            "# HELP vigil_job_last_duration_seconds Duration of the latest finished run.\n"
            "# TYPE vigil_job_last_duration_seconds gauge\n"
            "vigil_job_last_duration_seconds{job=\"etl\"} 2.25\n"
            "# HELP vigil_job_last_success_timestamp_seconds End of the latest successful run "
            "(Unix time; 0 = never).\n"
            "# TYPE vigil_job_last_success_timestamp_seconds gauge\n"
            "vigil_job_last_success_timestamp_seconds{job=\"etl\"} 1773126060\n"
            "# HELP vigil_job_running 1 while a run of the job is in progress.\n"
            "# TYPE vigil_job_running gauge\n"
            "vigil_job_running{job=\"etl\"} 0\n"
            "# HELP vigil_job_next_run_timestamp_seconds When the job runs next (Unix time).\n"
            "# TYPE vigil_job_next_run_timestamp_seconds gauge\n"
            "vigil_job_next_run_timestamp_seconds{job=\"etl\"} 1773183600\n"
            "# HELP vigil_alerts_sent_total Alert messages delivered since start.\n"
            "# TYPE vigil_alerts_sent_total counter\n"
            "vigil_alerts_sent_total 4\n");
}

TEST(StatusText, LabelValuesAreEscaped) {
  EXPECT_EQ(prometheus_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  auto s = sample_status();
  s.jobs[0].name = "we\"ird";
  EXPECT_NE(metrics_text(s).find("vigil_job_running{job=\"we\\\"ird\"} 0\n"), std::string::npos);
}

TEST(StatusText, HealthJson) {
  const auto health = nlohmann::json::parse(health_json(sample_status(), moscow()));
  EXPECT_EQ(health["status"], "ok");
  EXPECT_DOUBLE_EQ(health["uptime_seconds"].get<double>(), 90.5);
  EXPECT_EQ(health["time_zone"], "Europe/Moscow");
  EXPECT_EQ(health["alerts_sent"], 4);
  const auto& etl = health["jobs"]["etl"];
  EXPECT_EQ(etl["schedule"], "0 2 * * *");
  EXPECT_EQ(etl["running"], false);
  EXPECT_EQ(etl["next_due"], "2026-03-11 02:00:00");
  EXPECT_EQ(etl["last_success"], "2026-03-10 10:01:00");
  EXPECT_EQ(etl["last_run"]["status"], "ok");
  EXPECT_EQ(etl["last_run"]["for"], "2026-03-09");
  EXPECT_EQ(etl["last_run"]["scheduled_for"], "2026-03-10 02:00:00");
  EXPECT_EQ(etl["last_run"]["detail"], "42 rows");
  EXPECT_EQ(etl["runs"]["ok"], 2);
  EXPECT_EQ(etl["runs"]["abandoned"], 0);
  auto stopping = sample_status();
  stopping.stopping = true;
  stopping.jobs[0].last_run.reset();
  const auto later = nlohmann::json::parse(health_json(stopping, moscow()));
  EXPECT_EQ(later["status"], "stopping");
  EXPECT_TRUE(later["jobs"]["etl"]["last_run"].is_null());
}

}  // namespace
}  // namespace vigil
