// `vigil runs`: the job run history of `vigil serve`, newest first.
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cli/cli.h"
#include "cli/context.h"
#include "schedule/history.h"
#include "schedule/scheduler.h"

namespace vigil {

int run_runs(const GlobalOptions& global, const RunsOptions& options) {
  auto ctx = make_context(global);
  if (!ctx.ok()) return fail(ctx.error());
  RunFilter filter;
  if (!options.job.empty()) {
    if (options.job != kEtlJob && options.job != kReportJob && options.job != kAlertsJob) {
      return fail(Error::usage(
          fmt::format("unknown job '{}': use --job etl, report or alerts", options.job)));
    }
    filter.job = options.job;
  }
  if (options.limit < 0) return fail(Error::usage("--limit must be 0 (all) or more"));
  filter.limit = options.limit;
  const std::string path = run_history_path(ctx->config);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::cout << fmt::format("no runs yet: vigil serve records them in {}\n", path);
    return 0;
  }
  auto history = open_run_history(path);
  if (!history.ok()) return fail(history.error());
  auto runs = (*history)->list(filter);
  if (!runs.ok()) return fail(runs.error());
  std::cout << runs_table(*runs, ctx->zone);
  return 0;
}

}  // namespace vigil
