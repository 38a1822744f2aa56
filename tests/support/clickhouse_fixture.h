// Real clickhouse-server for integration tests, started the same way as
// `vigil clickhouse start` (start_managed_server) in a fresh temporary directory
// on free loopback ports.
//
// test_server() starts one shared server on first use and stops it when the
// test binary exits. Every server started here is also guarded by a watchdog
// process that stops it and removes its directory if the test binary dies
// without running its exit handlers (crash, abort, SIGKILL, Ctrl-C).
//
// With VIGIL_TEST_CLICKHOUSE=chdb, test_server() is the chdb front instead
// (ClickHouse 26.x in-process behind an HTTP front: support/chdb_front.h;
// `make test-ch26`). ScopedTestServer (a private server with its own users
// file) and tests that start, stop or kill a managed server themselves still
// use clickhouse-server.
#pragma once

#include <string>

#include "config/config.h"

namespace vigil {

struct TestServer {
  std::string url;        // http://127.0.0.1:PORT
  int http_port = 0;
  int tcp_port = 0;
  std::string dir;        // the managed server's directory
  std::string password;   // of user 'default'; empty for the shared server

  // Client settings for this server: user 'default', short timeouts, few retries.
  ClickHouseConfig config(const std::string& database = "default") const;
};

// The shared server of this test binary. Throws std::runtime_error (failing the
// calling test) if it cannot be started; later calls fail fast with the same message.
const TestServer& test_server();

// A fresh directory under $TMPDIR (or /tmp). On destruction, or if the process
// dies, any managed clickhouse-server whose pid file lies in it is stopped and the
// directory is removed.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "vigil-itest-");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int watchdog_pid_ = -1;
  int watchdog_pipe_ = -1;
};

// A private server for one test (for example a password-protected one), stopped
// when the object is destroyed. Throws std::runtime_error if it cannot start.
class ScopedTestServer {
 public:
  explicit ScopedTestServer(const std::string& password = "");
  ~ScopedTestServer();
  ScopedTestServer(const ScopedTestServer&) = delete;
  ScopedTestServer& operator=(const ScopedTestServer&) = delete;

  const TestServer& server() const { return server_; }

 private:
  TempDir dir_;
  TestServer server_;
};

}  // namespace vigil
