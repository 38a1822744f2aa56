// What every subcommand needs: the loaded config, the business time zone and a
// ClickHouse client; plus the one way errors reach the user (stderr, one line).
#pragma once

#include <memory>

#include "base/result.h"
#include "base/time.h"
#include "cli/cli.h"
#include "clickhouse/client.h"
#include "clickhouse/server.h"
#include "config/config.h"

namespace vigil {

struct AppContext {
  Config config;
  const date::time_zone* zone = nullptr;
  std::unique_ptr<ClickHouse> clickhouse;
};

Result<AppContext> make_context(const GlobalOptions& global);

// Prints "vigil: <message>" to stderr and returns the error's exit code.
int fail(const Error& error);

// The system clock in epoch seconds: read here and passed down (run_alerts, the
// dashboard), so the modules below cli never read it themselves.
EpochSeconds system_now();

// A bound of a range given on the command line: a date (YYYY-MM-DD) means its
// whole day (its start, or with `end_of_day` the next day's start), a local
// time that instant.
Result<EpochSeconds> range_bound(const std::string& text, const date::time_zone* zone,
                                 bool end_of_day);

// Yesterday in the business zone.
Days yesterday(const date::time_zone* zone);

// Managed-server options derived from the config ([clickhouse] url, state_dir).
Result<ManagedServerOptions> managed_server_options(const Config& config);

}  // namespace vigil
