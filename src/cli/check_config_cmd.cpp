// `vigil check-config`: loads and validates the config, prints what it resolved to.
#include <iostream>

#include <fmt/format.h>

#include "cli/cli.h"
#include "cli/context.h"

namespace vigil {

int run_check_config(const GlobalOptions& global, bool print_defaults) {
  if (print_defaults) {
    std::cout << default_config_text();
    return 0;
  }
  auto ctx = make_context(global);
  if (!ctx.ok()) return fail(ctx.error());
  const auto& c = ctx->config;
  std::cout << fmt::format(
      "config ok ({}): timezone {}, ClickHouse {} as '{}'{}, source {}.{{{}, {}}}, "
      "target {}.{}, age buckets {}\n",
      global.config_path, c.timezone, c.clickhouse.url, c.clickhouse.user,
      c.clickhouse.password.empty() ? "" : " with password", c.source.database,
      c.source.feed_table, c.source.message_table, c.clickhouse.database, c.etl.target_table,
      fmt::join(age_bucket_labels(c.etl.age_buckets), ", "));
  return 0;
}

}  // namespace vigil
