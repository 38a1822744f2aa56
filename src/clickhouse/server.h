// The managed local ClickHouse: Debian's clickhouse-server run with a generated
// config under a directory of ours (data, logs, pid), on loopback. Used by
// `vigil clickhouse start|stop|status`, `vigil demo` and the test harness.
#pragma once

#include <string>

#include "base/result.h"

namespace vigil {

struct ManagedServerOptions {
  std::string dir;            // e.g. ".vigil/clickhouse"; created if missing
  std::string host = "127.0.0.1";
  int http_port = 8123;
  int tcp_port = 0;           // 0: pick a free port
  std::string password;       // empty: no password; else stored as sha256 only
  std::string timezone = "UTC";  // server time zone (display only; vigil passes epochs)
  int start_timeout_seconds = 60;
  std::string binary;         // server executable; empty: clickhouse-server on PATH,
                              // /usr/sbin/clickhouse-server, then `clickhouse server`
  std::string extra_config;   // XML elements added to config.xml (a cluster member's
                              // remote_servers, zookeeper, macros; the test cluster)
};

struct ManagedServerStatus {
  bool running = false;
  int pid = 0;
  int http_port = 0;
  int tcp_port = 0;
  std::string dir;
  bool already_running = false;  // start found ours running and left it alone
};

// Starts the server unless ours is already running there. Errors, one line each:
// binary missing (install hint), port taken by another process, not loopback,
// server exited during start-up (with the tail of its error log).
Result<ManagedServerStatus> start_managed_server(const ManagedServerOptions& options);

// Stops only the process this directory's pid file names, and only if it is a
// clickhouse-server started with this directory's config. Waits for it to exit.
Status stop_managed_server(const std::string& dir);

ManagedServerStatus managed_server_status(const std::string& dir);

// A free TCP port on loopback (for tests and for tcp_port = 0).
Result<int> find_free_port();

// Parses host and port from an http URL ("http://127.0.0.1:8123" -> 127.0.0.1, 8123).
Result<std::pair<std::string, int>> parse_http_host_port(const std::string& url);

}  // namespace vigil
