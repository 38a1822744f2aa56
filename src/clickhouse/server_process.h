// The clickhouse-server process of a managed server: finding the executable,
// spawning it detached, telling whether a pid is alive and runs our config,
// and ending it. Kept apart from server.cpp, which only orders these steps.
// Internal to src/clickhouse.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace vigil::ch_internal {

// The command that runs the server: {binary} or {binary, "server"}. `configured`
// empty: clickhouse-server on PATH, /usr/sbin/clickhouse-server, then `clickhouse server`.
Result<std::vector<std::string>> find_server_command(const std::string& configured);

// Forks and execs `command` with --config-file=DIR/config.xml, detached (own
// session, cwd DIR, output to DIR/log/stdout.log, no ClickHouse watchdog).
Result<int> spawn(const std::vector<std::string>& command, const std::string& abs_dir);

// True while `pid` exists and is not a zombie. Reaps it if it is our exited child.
bool process_alive(int pid);

// True if `pid` runs with `config` as its --config-file.
bool runs_config(int pid, const std::string& config);

// Ends a process we know is ours: SIGTERM, up to `grace` seconds, then SIGKILL.
bool terminate(int pid, double grace);

}  // namespace vigil::ch_internal
