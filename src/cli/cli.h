// Subcommands of the `vigil` binary. main.cpp parses arguments into these
// option structs and calls run_*; each returns the process exit code
// (0 ok, 1 failure, 2 usage/config error) after printing a one-line reason.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace vigil {

struct GlobalOptions {
  std::string config_path = "vigil.toml";
  bool config_given = false;  // --config was passed: the file must exist
  bool verbose = false;
  bool quiet = false;
};

struct SimulateOptions {
  std::string from;              // YYYY-MM-DD, default: `days` days ending yesterday
  int days = 14;
  int users = 20000;
  long long feed_per_day = 500000;
  long long messages_per_day = 50000;
  std::string anomalies = "default";  // default | none | FILE (CSV)
  unsigned long long seed = 1;
};

struct EtlOptions {
  std::string date;              // default: yesterday in the configured zone
  std::string from, to;
  std::string step = "all";
};

struct ReportOptions {
  std::string date;   // default: yesterday in the configured zone
  bool dry_run = false;
  std::string out;    // dry-run directory; default: out_dir from the config
  bool resend = false;  // send all of it even if it reached the chat before
};

struct AlertOptions {
  std::string at;      // local "YYYY-MM-DD HH:MM"; default: now
  bool dry_run = false;
  std::string out;     // where --dry-run (or a missing token) writes; default out_dir/alerts
};

struct BacktestOptions {
  std::string from, to;   // dates (whole days) or local times
  std::string method;     // default: every shipped method
  std::string labels;     // the simulator's anomalies.csv
};

int run_alert(const GlobalOptions& global, const AlertOptions& options);
int run_backtest(const GlobalOptions& global, const BacktestOptions& options);
// Where `vigil alert` keeps its state and history.
std::string alert_state_path(const Config& config);

struct SilenceOptions {
  std::string action;                  // add, list or expire
  std::string metric;                  // add: a metric or "all"
  std::optional<std::string> slice;    // add: one slice ("os=iOS"); unset: every slice
  std::string for_duration, until, from, comment, by;  // add
  bool all = false;                    // list: ended and expired ones too
  long long id = 0;                    // expire
};

// `vigil silence`: add, list or expire silences (alert/silence.h).
int run_silence(const GlobalOptions& global, const SilenceOptions& options);

struct FeedbackOptions {
  std::string action;     // add, list or export
  long long record_id = 0;  // add: the alert record judged
  std::string verdict;    // add: real or false
  std::string by;         // add: who (default $USER, else "cli")
  std::string from, to;   // list, export: records whose bucket is in the range (dates or local times)
  std::string labels;     // export: the CSV file (default: stdout)
};

// `vigil feedback`: judge an alert, list the judgements, export them as labels
// (alert/feedback.h).
int run_feedback(const GlobalOptions& global, const FeedbackOptions& options);

struct RunsOptions {
  std::string job;     // etl, report or alerts; default: all
  int limit = 20;      // newest first; 0 = all
};

// `vigil serve`: the scheduler daemon, its dashboard and the bot's reader
// (runs until SIGTERM/SIGINT); kDashboardOnly serves the pages without running
// jobs; kBotOnly reads the bot's commands only (the jobs run under Airflow).
enum class ServeMode { kAll, kDashboardOnly, kBotOnly };
int run_serve(const GlobalOptions& global, ServeMode mode);
// `vigil runs`: the job run history of `vigil serve`.
int run_runs(const GlobalOptions& global, const RunsOptions& options);
// Where `vigil serve` keeps the bot's offset (the next update_id to read).
std::string chat_offset_path(const Config& config);
// Where `vigil serve` keeps its run history.
std::string run_history_path(const Config& config);

struct DetectOptions {
  std::string method = "seasonal";
  std::vector<std::string> params;  // name=value
  std::string direction;            // --direction: --param direction=... ("" = not given)
  std::string sensitivity;          // --sensitivity: --param sensitivity=... ("" = not given)
  int interval_minutes = 15;
  bool keep_leading_zeros = false;  // else zeros before the first non-zero value are missing
  bool alerts = false;              // print the alert messages instead of every row
  int consecutive = 1;              // with alerts: as [alerts] consecutive
  int repeat_every_minutes = 60;    // with alerts: as [alerts] repeat_every_minutes
};

int run_detect(const GlobalOptions& global, const DetectOptions& options);
int run_clickhouse(const GlobalOptions& global, const std::string& action);
int run_simulate(const GlobalOptions& global, const SimulateOptions& options);
int run_etl(const GlobalOptions& global, const EtlOptions& options);
int run_report(const GlobalOptions& global, const ReportOptions& options);
int run_demo(const GlobalOptions& global);
int run_check_config(const GlobalOptions& global, bool print_defaults);

}  // namespace vigil
