// Subcommands of the `vigil` binary. main.cpp parses arguments into these
// option structs and calls run_*; each returns the process exit code
// (0 ok, 1 failure, 2 usage/config error) after printing a one-line reason.
#pragma once

#include <optional>
#include <string>

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
};

int run_clickhouse(const GlobalOptions& global, const std::string& action);
int run_simulate(const GlobalOptions& global, const SimulateOptions& options);
int run_etl(const GlobalOptions& global, const EtlOptions& options);
int run_report(const GlobalOptions& global, const ReportOptions& options);
int run_demo(const GlobalOptions& global);
int run_check_config(const GlobalOptions& global, bool print_defaults);

}  // namespace vigil
