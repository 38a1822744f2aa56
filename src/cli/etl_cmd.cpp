// `vigil etl`: the daily slice table, one date or a range, one step or all.
#include <iostream>

#include <fmt/format.h>

#include "cli/cli.h"
#include "cli/context.h"
#include "etl/etl.h"

namespace vigil {
namespace {

Result<std::pair<Days, Days>> date_range(const EtlOptions& options, const date::time_zone* zone) {
  const bool ranged = !options.from.empty() || !options.to.empty();
  if (ranged && !options.date.empty()) {
    return Error::usage("give either --date or --from/--to, not both");
  }
  if (ranged) {
    if (options.from.empty() || options.to.empty()) {
      return Error::usage("--from and --to go together");
    }
    auto from = parse_date(options.from);
    if (!from.ok()) return from.error();
    auto to = parse_date(options.to);
    if (!to.ok()) return to.error();
    return std::pair{*from, *to};
  }
  if (options.date.empty()) return std::pair{yesterday(zone), yesterday(zone)};
  auto day = parse_date(options.date);
  if (!day.ok()) return day.error();
  return std::pair{*day, *day};
}

}  // namespace

int run_etl(const GlobalOptions& global, const EtlOptions& options) {
  auto ctx = make_context(global);
  if (!ctx.ok()) return fail(ctx.error());
  auto step = parse_etl_step(options.step);
  if (!step.ok()) return fail(step.error());
  auto range = date_range(options, ctx->zone);
  if (!range.ok()) return fail(range.error());
  Etl etl(*ctx->clickhouse, ctx->config, ctx->zone);
  auto reports = etl.run_range(range->first, range->second, *step);
  if (!reports.ok()) return fail(reports.error());
  double seconds = 0;
  long long rows = 0;
  for (const auto& r : *reports) {
    seconds += r.seconds;
    rows += r.rows;
  }
  std::cout << fmt::format("etl {} for {} day(s) {}..{}: {} rows in {}.{}, {:.2f} s\n",
                           options.step, reports->size(), format_date(range->first),
                           format_date(range->second), rows, ctx->config.clickhouse.database,
                           ctx->config.etl.target_table, seconds);
  return 0;
}

}  // namespace vigil
