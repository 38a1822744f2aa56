// `vigil serve`: the scheduler daemon. Runs the ETL, the report and the alerts
// on their [schedule] (see schedule/scheduler.h), records every run in
// state_dir/runs.sqlite, serves the dashboard, /health and /metrics on [serve]
// listen, and on SIGTERM/SIGINT lets the current steps finish, starts nothing
// new and exits 0. At start it also sends the alert messages an earlier run left
// undelivered. With a bot token it also reads the bot's commands (chat/reader.h;
// the offset in state_dir/telegram.offset). With --dashboard-only it serves the
// pages and nothing else; with --bot-only it reads the bot's commands and
// nothing else (for when Airflow runs the jobs).
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "alert/store.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "cli/delivery.h"
#include "base/file_lock.h"
#include "chat/reader.h"
#include "etl/etl.h"
#include "schedule/scheduler.h"
#include "web/dashboard.h"
#include "web/server.h"

namespace vigil {
namespace {

// The report of `day`, built and delivered (`resend`: all of it, even parts
// that reached the chat before): the report job's and the chat's /report.
Result<std::string> send_report(ClickHouse& client, const Config& config, const date::time_zone* zone,
                                Days day, const std::string& late_note, bool resend) {
  auto report = build_report(client, config, zone, day, chart::default_renderer(), late_note);
  if (!report.ok()) return report.error();
  return deliver_report(*report, config, {false, config.out_dir, resend});
}

// The real jobs, calling the library directly. Each job has its own ClickHouse
// client because the three can run at the same time.
class LiveJobRunner final : public JobRunner {
 public:
  LiveJobRunner(const Config& config, const date::time_zone* zone, AlertStore& store,
                AlertSink& sink)
      : config_(config), zone_(zone), store_(store), sink_(sink),
        etl_client_(client()), report_client_(client()), alerts_client_(client()) {}

  Result<JobOutcome> etl(Days day, const std::function<bool()>& stopping) override {
    Etl etl(*etl_client_, config_, zone_);
    long long rows = 0;
    for (EtlStep step : {EtlStep::kExtractFeed, EtlStep::kExtractMessages, EtlStep::kTransform,
                         EtlStep::kLoad}) {
      // Each step is atomic: stopping between steps leaves consistent data.
      if (stopping()) {
        return JobOutcome{fmt::format("stopped before {}", etl_step_name(step)), 0, true};
      }
      auto done = etl.run(day, step);
      if (!done.ok()) {
        return Error::failure(fmt::format("{}: {}", etl_step_name(step), done.error().message));
      }
      rows = done->rows;
    }
    return JobOutcome{fmt::format("{} rows in {}.{}", rows, config_.clickhouse.database,
                                  config_.etl.target_table)};
  }

  Result<JobOutcome> report(Days day, const std::string& late_note) override {
    auto where = send_report(*report_client_, config_, zone_, day, late_note, false);
    if (!where.ok()) return where.error();
    return JobOutcome{late_note.empty() ? *where : *where + " (late)"};
  }

  Result<JobOutcome> alerts(EpochSeconds at) override {
    auto run = run_alerts(*alerts_client_, config_, zone_, store_, sink_,
                          chart::default_renderer(), {at, false}, system_now);
    if (!run.ok()) return run.error();
    // A failed run still counts the messages that went out (and is retried).
    const Status status = alert_run_status(*run);
    return JobOutcome{fmt::format("bucket {}: {}",
                                  format_local_time(run->bucket, zone_).substr(11, 5),
                                  alert_run_summary(*run)),
                      run->delivered, false, status.ok() ? "" : status.error().message};
  }

 private:
  std::unique_ptr<ClickHouse> client() const {
    return make_qualified_clickhouse(config_.clickhouse);
  }

  const Config& config_;
  const date::time_zone* zone_;
  AlertStore& store_;
  AlertSink& sink_;
  std::unique_ptr<ClickHouse> etl_client_, report_client_, alerts_client_;
};

// Sends, once at start-up, the alert messages an earlier run left undelivered
// (Telegram down, or a crash or kill -9 while sending), instead of waiting for
// the next alert firing. Runs beside the scheduler with its own store, client
// and sink; the alert-run lock keeps it and the alert job from sending at once.
void send_left_over_alerts(const Config& config, const date::time_zone* zone) {
  auto store = open_sqlite_alert_store(alert_state_path(config));
  if (!store.ok()) return spdlog::error("serve: {}", store.error().message);
  auto delivery = make_alert_delivery(config, zone, false, config.out_dir + "/alerts");
  if (!delivery.ok()) return spdlog::error("serve: {}", delivery.error().message);
  auto client = make_qualified_clickhouse(config.clickhouse);
  AlertRunOptions options;
  options.at = system_now();
  options.evaluate = false;
  auto run = run_alerts(*client, config, zone, **store, *delivery->sink,
                        chart::default_renderer(), options, system_now);
  if (!run.ok()) {
    return spdlog::error("serve: alert messages left by an earlier run not sent: {}; the next "
                         "alert run sends them",
                         run.error().message);
  }
  if (run->delivered + run->undelivered == 0) return;
  spdlog::info("serve: start-up: {} alert message(s) left by an earlier run sent", run->delivered);
  if (auto status = alert_run_status(*run); !status.ok()) {
    spdlog::error("serve: {}", status.error().message);
  }
}

// The enabled jobs of [schedule] ("" disables one).
Result<std::vector<JobSpec>> job_specs(const ScheduleConfig& schedule) {
  std::vector<JobSpec> jobs;
  for (const auto& [name, text] : {std::pair{kEtlJob, schedule.etl},
                                   std::pair{kReportJob, schedule.report},
                                   std::pair{kAlertsJob, schedule.alerts}}) {
    if (text.empty()) continue;
    auto cron = parse_cron(text);
    if (!cron.ok()) return Error::usage(fmt::format("schedule.{}: {}", name, cron.error().message));
    jobs.push_back({name, *cron});
  }
  if (jobs.empty()) {
    return Error::usage("[schedule] disables every job: give etl, report or alerts a schedule");
  }
  return jobs;
}

// One `vigil serve` per state directory: an exclusive lock on state_dir/serve.lock,
// held until the process ends.
Result<FileLock> lock_state_dir(const std::string& state_dir) {
  auto lock = FileLock::try_lock(state_dir + "/serve.lock");
  if (!lock.ok()) return lock.error();
  if (!lock->acquired()) {
    return Error::failure(fmt::format(
        "another vigil serve (pid {}) is running with state_dir {}: stop it first, or give this "
        "one another state_dir",
        lock->holder(), state_dir));
  }
  return lock;
}

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// Waits for SIGTERM or SIGINT (blocked in every thread, so only sigwait sees
// them); returns its name. A second one while stopping ends the process at once.
std::string wait_for_stop_signal() {
  const sigset_t set = stop_signals();
  int sig = 0;
  while (sigwait(&set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT)) {
  }
  std::thread([] {
    const sigset_t again = stop_signals();
    int second = 0;
    while (sigwait(&again, &second) != 0) {
    }
    spdlog::error("serve: second {} while stopping: exiting now; the next start marks the "
                  "unfinished runs abandoned and repeats them",
                  second == SIGINT ? "SIGINT" : "SIGTERM");
    spdlog::default_logger()->flush();
    _exit(1);
  }).detach();
  return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

void log_plan(const std::vector<JobSpec>& jobs, const date::time_zone* zone) {
  for (const JobSpec& job : jobs) {
    spdlog::info("serve: {} on '{}' ({})", job.name, job.schedule.text, zone->name());
  }
}

// The dashboard and the HTTP server on [serve] listen (none when listen is "").
class WebFront {
 public:
  explicit WebFront(const AppContext& ctx)
      : source_(make_live_dashboard_source(ctx.config, ctx.zone, alert_state_path(ctx.config),
                                           run_history_path(ctx.config))),
        dashboard_(ctx.config, *source_,
                   {ctx.zone, system_now, chart::default_renderer()}) {}

  Status start(const AppContext& ctx, std::function<SchedulerStatus()> status) {
    const Config& config = ctx.config;
    if (config.serve.listen.empty()) return {};
    auto address = parse_listen_address(config.serve.listen);
    if (!address.ok()) return address.error();
    auto started = start_http_server({*address, std::move(status), ctx.zone, &dashboard_,
                                      config.serve.token, config.clickhouse});
    if (!started.ok()) return started.error();
    server_ = std::move(*started);
    const std::string base = dashboard_base_url(config.serve);
    if (!base.empty()) spdlog::info("serve: dashboard at {}/overview", base);
    return {};
  }

  void stop() {
    if (server_) server_->stop();
  }

 private:
  std::unique_ptr<DashboardSource> source_;
  Dashboard dashboard_;
  std::unique_ptr<HttpServer> server_;
};

// The bot's reader on its own thread, with its own store and Bot API client;
// none without a token. It ends once `clock` is stopped (a long poll within
// about a second).
class BotReader {
 public:
  Status start(const AppContext& ctx, Clock& clock) {
    const Config& config = ctx.config;
    if (config.telegram.token.empty()) {
      spdlog::info("serve: no Telegram token (VIGIL_TELEGRAM_TOKEN): the bot reads no commands");
      return {};
    }
    VIGIL_TRY(check_telegram_config(config.telegram));
    auto store = open_sqlite_alert_store(alert_state_path(config));
    if (!store.ok()) return store.error();
    store_ = std::move(*store);
    bot_ = make_bot_api_bot(config.telegram, real_sleeper());
    options_.reset(new ChatReaderOptions{
        config, ctx.zone, chat_offset_path(config), [] { return system_now(); },
        [&clock] { return clock.stopped(); },
        [&clock](double seconds) { return clock.sleep_until(clock.now() + seconds); }, 25, "",
        nullptr});
    options_->send_report = [&config, zone = ctx.zone](Days day) {
      auto client = make_qualified_clickhouse(config.clickhouse);
      return send_report(*client, config, zone, day, "", true);
    };
    thread_ = std::jthread([this] { run_chat_reader(*bot_, *store_, *options_); });
    return {};
  }

  // Waits for the reader to end (stop the clock first).
  void stop() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::unique_ptr<AlertStore> store_;
  std::unique_ptr<TelegramBot> bot_;
  std::unique_ptr<ChatReaderOptions> options_;
  std::jthread thread_;
};

// Everything after the checks: start, wait for a signal, stop in order.
int serve(AppContext& ctx, std::vector<JobSpec> jobs, RunHistory& history) {
  const Config& config = ctx.config;
  auto store = open_sqlite_alert_store(alert_state_path(config));
  if (!store.ok()) return fail(store.error());
  auto delivery = make_alert_delivery(config, ctx.zone, false, config.out_dir + "/alerts");
  if (!delivery.ok()) return fail(delivery.error());
  LiveJobRunner runner(config, ctx.zone, **store, *delivery->sink);
  log_plan(jobs, ctx.zone);
  auto clock = make_system_clock();
  Scheduler scheduler(std::move(jobs),
                      {ctx.zone, config.schedule.retries, config.schedule.retry_backoff_seconds,
                       config.schedule.catchup_days},
                      *clock, history, runner);
  WebFront web(ctx);
  if (auto started = web.start(ctx, [&] { return scheduler.status(); }); !started.ok()) {
    return fail(started.error());
  }
  // Joined when serve() returns, after the scheduler has stopped.
  std::jthread left_over([&] { send_left_over_alerts(config, ctx.zone); });
  BotReader bot;
  if (auto started = bot.start(ctx, *clock); !started.ok()) return fail(started.error());
  if (auto started = scheduler.start(); !started.ok()) {
    clock->stop();
    bot.stop();
    return fail(started.error());
  }
  spdlog::info("serve: running (stop with SIGTERM or Ctrl-C)");

  const std::string signal = wait_for_stop_signal();
  spdlog::info("serve: {}: letting the current steps finish, starting nothing new", signal);
  scheduler.stop();  // stops the clock, which ends the bot's reader too
  bot.stop();
  web.stop();
  const auto status = scheduler.status();
  long runs = 0;
  for (const auto& job : status.jobs) {
    for (const auto& [name, count] : job.runs) runs += count;
  }
  spdlog::info("serve: stopped after {} run(s) ({}); history in {}", runs, signal,
               run_history_path(config));
  return 0;
}

// --dashboard-only: the pages over the state directory and ClickHouse, no jobs,
// no lock (a second process beside a running `vigil serve` is fine).
int serve_dashboard(AppContext& ctx) {
  if (ctx.config.serve.listen.empty()) {
    return fail(Error::usage("[serve] listen is empty: give the dashboard an address, e.g. "
                             "listen = \"127.0.0.1:8765\""));
  }
  const double started = static_cast<double>(std::time(nullptr));
  WebFront web(ctx);
  auto status = [started] {
    SchedulerStatus s;
    s.started_at = started;
    s.now = static_cast<double>(std::time(nullptr));
    return s;
  };
  if (auto up = web.start(ctx, status); !up.ok()) return fail(up.error());
  spdlog::info("serve: dashboard only, no jobs (stop with SIGTERM or Ctrl-C)");
  const std::string signal = wait_for_stop_signal();
  web.stop();
  spdlog::info("serve: stopped ({})", signal);
  return 0;
}

// --bot-only: the bot's reader alone, under the state directory's lock (one
// reader per bot: a second one would make Telegram answer 409).
int serve_bot(AppContext& ctx) {
  if (ctx.config.telegram.token.empty()) {
    return fail(Error::usage("--bot-only needs the bot token: set VIGIL_TELEGRAM_TOKEN in the environment"));
  }
  auto lock = lock_state_dir(ctx.config.state_dir);
  if (!lock.ok()) return fail(lock.error());
  auto clock = make_system_clock();
  BotReader bot;
  if (auto started = bot.start(ctx, *clock); !started.ok()) return fail(started.error());
  spdlog::info("serve: the bot's commands only, no jobs (stop with SIGTERM or Ctrl-C)");
  const std::string signal = wait_for_stop_signal();
  clock->stop();
  bot.stop();
  spdlog::info("serve: stopped ({})", signal);
  return 0;
}

}  // namespace

std::string chat_offset_path(const Config& config) { return config.state_dir + "/telegram.offset"; }

std::string run_history_path(const Config& config) { return config.state_dir + "/runs.sqlite"; }

int run_serve(const GlobalOptions& global, ServeMode mode) {
  // Before any thread exists, so every thread inherits the mask and only
  // sigwait() receives the stop signals.
  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto ctx = make_context(global);
  if (!ctx.ok()) return fail(ctx.error());
  if (mode == ServeMode::kDashboardOnly) return serve_dashboard(*ctx);
  if (mode == ServeMode::kBotOnly) return serve_bot(*ctx);
  auto jobs = job_specs(ctx->config.schedule);
  if (!jobs.ok()) return fail(jobs.error());
  auto lock = lock_state_dir(ctx->config.state_dir);
  if (!lock.ok()) return fail(lock.error());
  auto history = open_run_history(run_history_path(ctx->config));
  if (!history.ok()) return fail(history.error());
  return serve(*ctx, std::move(*jobs), **history);
}

}  // namespace vigil
