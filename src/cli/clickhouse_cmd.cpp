// `vigil clickhouse start|stop|status`: the managed local server.
#include <iostream>

#include <fmt/format.h>

#include "cli/cli.h"
#include "cli/context.h"

namespace vigil {

int run_clickhouse(const GlobalOptions& global, const std::string& action) {
  auto ctx = make_context(global);
  if (!ctx.ok()) return fail(ctx.error());
  auto options = managed_server_options(ctx->config);
  if (!options.ok()) return fail(options.error());
  if (action == "start") {
    auto status = start_managed_server(*options);
    if (!status.ok()) return fail(status.error());
    std::cout << fmt::format("clickhouse running: pid {}, http {}:{}, tcp port {}, data in {}\n",
                             status->pid, options->host, status->http_port, status->tcp_port,
                             status->dir);
    return 0;
  }
  if (action == "stop") {
    auto stopped = stop_managed_server(options->dir);
    if (!stopped.ok()) return fail(stopped.error());
    std::cout << "clickhouse stopped (" << options->dir << ")\n";
    return 0;
  }
  const auto status = managed_server_status(options->dir);
  if (!status.running) {
    std::cout << "clickhouse not running (" << options->dir << ")\n";
    return 1;
  }
  std::cout << fmt::format("clickhouse running: pid {}, http {}:{}, tcp port {}, data in {}\n",
                           status.pid, options->host, status.http_port, status.tcp_port,
                           status.dir);
  return 0;
}

}  // namespace vigil
