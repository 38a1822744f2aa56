// vigil: argument parsing only; the work is in cli/.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/cli.h"

namespace {

// Every option that takes a value refuses an empty one: `--date ""` would
// otherwise silently mean the default (yesterday, now, every job).
void refuse_empty_values(CLI::App& app) {
  const CLI::Validator non_empty(
      [](std::string& value) {
        return value.empty() ? std::string("empty value: give one or leave the option out")
                             : std::string();
      },
      "", "NON_EMPTY");
  for (CLI::Option* option : app.get_options()) {
    if (option->get_type_size() != 0) option->check(non_empty);
  }
  for (CLI::App* sub : app.get_subcommands({})) refuse_empty_values(*sub);
}

// The last line of defence: an exception nothing else caught (a bug) ends the
// process with one line and exit 1, not std::terminate's abort.
[[noreturn]] void internal_error(const char* what) {
  std::fflush(nullptr);  // what was written so far, then the reason
  std::fprintf(stderr, "vigil: internal error: %s; please report it\n", what);
  std::fflush(stderr);
  std::_Exit(1);
}

// Also for threads (serve's jobs, the dashboard) whose exceptions reach std::terminate.
void on_terminate() {
  try {
    if (auto current = std::current_exception()) std::rethrow_exception(current);
  } catch (const std::exception& e) {
    internal_error(e.what());
  } catch (...) {
  }
  internal_error("std::terminate without an exception");
}

int run(int argc, char** argv) {
  using namespace vigil;
  CLI::App app{"vigil: keeps a product team's key metrics honest (ETL, reports, alerts)"};
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions global;
  app.add_option("--config", global.config_path, "TOML config file (default ./vigil.toml)");
  app.add_flag("--verbose", global.verbose, "log each statement and step timing");
  app.add_flag("--quiet", global.quiet, "log warnings and errors only");

  auto* demo = app.add_subcommand("demo", "local ClickHouse + simulated data + ETL");

  SimulateOptions sim;
  auto* simulate = app.add_subcommand("simulate", "write realistic events (+ anomaly labels)");
  simulate->add_option("--from", sim.from, "first day YYYY-MM-DD (default: days ending yesterday)");
  simulate->add_option("--days", sim.days, "number of days")->capture_default_str();
  simulate->add_option("--users", sim.users, "users in the app")->capture_default_str();
  simulate->add_option("--feed-per-day", sim.feed_per_day, "feed events per day")
      ->capture_default_str();
  simulate->add_option("--messages-per-day", sim.messages_per_day, "messages per day")
      ->capture_default_str();
  simulate->add_option("--anomalies", sim.anomalies, "default, none or a CSV file")
      ->capture_default_str();
  simulate->add_option("--seed", sim.seed, "random seed")->capture_default_str();

  EtlOptions etl;
  auto* etl_cmd = app.add_subcommand("etl", "build the daily slice table");
  etl_cmd->add_option("--date", etl.date, "business day YYYY-MM-DD (default: yesterday)");
  etl_cmd->add_option("--from", etl.from, "first day of a range");
  etl_cmd->add_option("--to", etl.to, "last day of a range");
  etl_cmd->add_option("--step", etl.step,
                      "extract-feed, extract-messages, transform, load or all")
      ->capture_default_str();

  ReportOptions report;
  auto* report_cmd = app.add_subcommand("report", "daily KPI report with 7-day charts");
  report_cmd->add_option("--date", report.date, "business day YYYY-MM-DD (default: yesterday)");
  auto* report_dry_run = report_cmd->add_flag("--dry-run", report.dry_run,
                                              "write report.html and PNGs instead of sending");
  report_cmd->add_option("--out", report.out, "directory for --dry-run (default: out_dir)");
  report_cmd->add_flag("--resend", report.resend,
                       "send the whole report again even if it reached the chat before")
      ->excludes(report_dry_run);  // --resend --dry-run would send nothing: say so

  AlertOptions alert;
  auto* alert_cmd = app.add_subcommand("alert", "check the last complete bucket, send alerts");
  alert_cmd->add_option("--at", alert.at, "local time 'YYYY-MM-DD HH:MM' (default: now)");
  alert_cmd->add_flag("--dry-run", alert.dry_run, "write messages and charts, keep no state");
  alert_cmd->add_option("--out", alert.out, "directory for --dry-run (default: out_dir/alerts)");

  BacktestOptions backtest;
  auto* backtest_cmd = app.add_subcommand("backtest", "replay alerts over history and score them");
  backtest_cmd->add_option("--from", backtest.from, "first day or local time")->required();
  backtest_cmd->add_option("--to", backtest.to, "last day (inclusive) or local time")->required();
  backtest_cmd->add_option("--method", backtest.method, "iqr, dayago or seasonal (default: all)");
  backtest_cmd->add_option("--labels", backtest.labels, "anomaly labels CSV (from simulate)");

  DetectOptions detect;
  auto* detect_cmd = app.add_subcommand("detect", "stream a timestamp,value CSV through a detector");
  detect_cmd->add_option("--method", detect.method, "seasonal, iqr or dayago")
      ->capture_default_str();
  detect_cmd->add_option("--param", detect.params, "detector parameter name=value (repeatable)");
  detect_cmd->add_option("--direction", detect.direction,
                         "anomalies that matter: up, down or both (--param direction=...)")
      ->check(CLI::IsMember({"up", "down", "both"}));
  detect_cmd->add_option("--sensitivity", detect.sensitivity,
                         "seasonal: low, normal or high (--param sensitivity=...)")
      ->check(CLI::IsMember({"low", "normal", "high"}));
  detect_cmd->add_option("--interval-minutes", detect.interval_minutes,
                         "bucket length; the grid starts at the first row, an off-grid row "
                         "goes to the nearest free bucket")
      ->capture_default_str();
  detect_cmd->add_flag("--keep-leading-zeros", detect.keep_leading_zeros,
                       "read zeros before the first non-zero value as values (default: missing, "
                       "no data yet)");
  auto* detect_alerts = detect_cmd->add_flag(
      "--alerts", detect.alerts,
      "print the messages the alert rules would send (action,timestamp,value,expected,lower,"
      "upper,score) instead of every row, and a summary on stderr");
  detect_cmd->add_option("--consecutive", detect.consecutive,
                         "with --alerts: anomalous buckets in a row before an alert")
      ->capture_default_str()
      ->needs(detect_alerts);
  detect_cmd->add_option("--repeat-every-minutes", detect.repeat_every_minutes,
                         "with --alerts: reminder interval while an alert is firing")
      ->capture_default_str()
      ->needs(detect_alerts);

  auto* serve =
      app.add_subcommand("serve", "scheduler daemon: ETL, report, alerts; dashboard, /health, /metrics");
  bool dashboard_only = false;
  bool bot_only = false;
  auto* dashboard_flag = serve->add_flag("--dashboard-only", dashboard_only,
                                         "serve the dashboard (and /health) only: run no jobs, take no lock");
  serve->add_flag("--bot-only", bot_only,
                  "read the bot's commands only (when Airflow runs the jobs): no jobs, no dashboard")
      ->excludes(dashboard_flag);

  RunsOptions runs;
  auto* runs_cmd = app.add_subcommand("runs", "job run history of vigil serve, newest first");
  runs_cmd->add_option("--job", runs.job, "only this job: etl, report or alerts");
  runs_cmd->add_option("--limit", runs.limit, "at most this many runs (0 = all)")
      ->capture_default_str();

  SilenceOptions silence;
  auto* silence_cmd =
      app.add_subcommand("silence", "quiet alerts for a while: add, list, expire");
  silence_cmd->require_subcommand(1);
  auto* silence_add = silence_cmd->add_subcommand("add", "silence a metric (or all) for a while");
  silence_add->add_option("metric", silence.metric, "a metric, or all")->required();
  silence_add->add_option("--slice", silence.slice, "only this slice, e.g. os=Android");
  silence_add->add_option("--for", silence.for_duration, "how long: 90m, 2h, 1d");
  silence_add->add_option("--until", silence.until, "until local 'YYYY-MM-DD HH:MM'");
  silence_add->add_option("--from", silence.from, "from local 'YYYY-MM-DD HH:MM' (default: now)");
  silence_add->add_option("--comment", silence.comment, "why (shown in lists and the chat)");
  silence_add->add_option("--by", silence.by, "who (default: $USER)");
  auto* silence_list = silence_cmd->add_subcommand("list", "the silences not over yet");
  silence_list->add_flag("--all", silence.all, "ended and expired ones too");
  auto* silence_expire = silence_cmd->add_subcommand("expire", "end a silence now");
  silence_expire->add_option("id", silence.id, "the silence's number (from list)")->required();

  FeedbackOptions feedback;
  auto* feedback_cmd =
      app.add_subcommand("feedback", "was an alert real or a false alarm: add, list, export");
  feedback_cmd->require_subcommand(1);
  auto* feedback_list = feedback_cmd->add_subcommand("list", "every judgement, oldest first");
  auto* feedback_export = feedback_cmd->add_subcommand(
      "export", "judged alerts as the labels CSV `vigil backtest --labels` reads");
  for (CLI::App* sub : {feedback_list, feedback_export}) {
    sub->add_option("--from", feedback.from, "alerts from this day or local time");
    sub->add_option("--to", feedback.to, "alerts to this day (inclusive) or local time");
  }
  feedback_export->add_option("--labels", feedback.labels, "write this file (default: stdout)");
  auto* feedback_add = feedback_cmd->add_subcommand("add", "judge an alert (as the chat's buttons do)");
  feedback_add->add_option("record", feedback.record_id, "the alert record's id")->required();
  feedback_add->add_option("verdict", feedback.verdict, "real or false")->required();
  feedback_add->add_option("--by", feedback.by, "who (default: $USER)");

  std::string ch_action;
  auto* clickhouse = app.add_subcommand("clickhouse", "the managed local ClickHouse server");
  clickhouse->add_option("action", ch_action, "start, stop or status")
      ->required()
      ->check(CLI::IsMember({"start", "stop", "status"}));

  bool print_defaults = false;
  auto* check = app.add_subcommand("check-config", "validate the config and print it");
  check->add_flag("--print-defaults", print_defaults, "print a vigil.toml with every default");

  refuse_empty_values(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, like every other vigil error, pointing at the right --help.
    std::string command = "vigil ";
    for (const CLI::App* sub : app.get_subcommands()) command += sub->get_name() + " ";
    std::fprintf(stderr, "vigil: %s (see `%s--help`)\n", e.what(), command.c_str());
    return 2;
  }
  global.config_given = app.get_option("--config")->count() > 0;

  if (demo->parsed()) return run_demo(global);
  if (simulate->parsed()) return run_simulate(global, sim);
  if (etl_cmd->parsed()) return run_etl(global, etl);
  if (report_cmd->parsed()) return run_report(global, report);
  if (alert_cmd->parsed()) return run_alert(global, alert);
  if (backtest_cmd->parsed()) return run_backtest(global, backtest);
  if (detect_cmd->parsed()) return run_detect(global, detect);
  if (serve->parsed()) {
    return run_serve(global, dashboard_only ? ServeMode::kDashboardOnly
                             : bot_only     ? ServeMode::kBotOnly
                                            : ServeMode::kAll);
  }
  if (runs_cmd->parsed()) return run_runs(global, runs);
  if (silence_cmd->parsed()) {
    silence.action = silence_add->parsed() ? "add" : silence_list->parsed() ? "list" : "expire";
    return run_silence(global, silence);
  }
  if (feedback_cmd->parsed()) {
    feedback.action = feedback_add->parsed()    ? "add"
                      : feedback_list->parsed() ? "list"
                                                : "export";
    return run_feedback(global, feedback);
  }
  if (clickhouse->parsed()) return run_clickhouse(global, ch_action);
  if (check->parsed()) return run_check_config(global, print_defaults);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::set_terminate(on_terminate);
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    internal_error(e.what());
  } catch (...) {
    internal_error("unknown exception");
  }
}
