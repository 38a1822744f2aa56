// The ClickHouse 26.x stand-in for integration tests: tests/chdb_front/front.py
// (an HTTP front over chdb-core, in-process ClickHouse) run as a child process on a
// free loopback port. Chosen by VIGIL_TEST_CLICKHOUSE=chdb (see clickhouse_fixture.h);
// the Python comes from VIGIL_CHDB_PYTHON, else the venv scripts/setup_chdb.sh makes
// (.venv-chdb in the source tree).
#pragma once

#include <sys/types.h>

#include <string>

namespace vigil {

// True when the tests are to run against the chdb front instead of clickhouse-server.
bool chdb_front_requested();

// A running front, stopped on destruction. It also stops by itself when this process
// exits or dies: it serves until its stdin, a pipe held here, closes.
class ChdbFront {
 public:
  // Starts the front with its data under `dir`; throws std::runtime_error (with the
  // front's own error output) if it does not report its port within a minute.
  ChdbFront(const std::string& dir, const std::string& password);
  ~ChdbFront();
  ChdbFront(const ChdbFront&) = delete;
  ChdbFront& operator=(const ChdbFront&) = delete;

  int port() const { return port_; }

 private:
  void stop();

  pid_t pid_ = -1;
  int stdin_pipe_ = -1;
  int port_ = 0;
};

}  // namespace vigil
