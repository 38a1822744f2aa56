#include "cli/context.h"

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "base/log.h"
#include "detect/detector.h"

extern char** environ;

namespace vigil {

Result<AppContext> make_context(const GlobalOptions& global) {
  init_logging(global.quiet ? Verbosity::kQuiet
                            : (global.verbose ? Verbosity::kVerbose : Verbosity::kNormal));
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos && entry.rfind("VIGIL_", 0) == 0) {
      env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
  }
  auto config = load_config(global.config_path, global.config_given, env, detector_problem);
  if (!config.ok()) return config.error();
  auto zone = find_zone(config->timezone);
  if (!zone.ok()) return zone.error();
  AppContext ctx;
  ctx.config = std::move(*config);
  ctx.zone = *zone;
  ctx.clickhouse = make_qualified_clickhouse(ctx.config.clickhouse);
  return ctx;
}

int fail(const Error& error) {
  std::cerr << "vigil: " << error.message << std::endl;
  return error.exit_code();
}

EpochSeconds system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<EpochSeconds> range_bound(const std::string& text, const date::time_zone* zone,
                                 bool end_of_day) {
  if (text.size() == 10) {
    auto day = parse_date(text);
    if (!day.ok()) return day.error();
    return day_start(*day + date::days{end_of_day ? 1 : 0}, zone);
  }
  return parse_local_time(text, zone);
}

Days yesterday(const date::time_zone* zone) {
  return local_date(system_now(), zone) - date::days{1};
}

Result<ManagedServerOptions> managed_server_options(const Config& config) {
  auto host_port = parse_http_host_port(config.clickhouse.url);
  if (!host_port.ok()) return host_port.error();
  ManagedServerOptions options;
  options.dir = config.state_dir + "/clickhouse";
  options.host = host_port->first;
  options.http_port = host_port->second;
  options.password = config.clickhouse.password;
  options.timezone = config.timezone;
  return options;
}

}  // namespace vigil
