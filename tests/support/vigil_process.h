// Runs the built `vigil` binary from integration tests (the CLI contract:
// exit codes, stderr lines, being killed mid-run).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace vigil {

// Starts VIGIL_BINARY with `args`, `env` ("NAME=value") added to the
// environment, stdout to /dev/null and stderr to `stderr_path` ("" = inherit).
pid_t spawn_vigil(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                  const std::string& stderr_path = "");

// The same with stdout to `stdout_path` ("" = /dev/null).
pid_t spawn_vigil_to(const std::vector<std::string>& args, const std::vector<std::string>& env,
                     const std::string& stdout_path, const std::string& stderr_path);

// Waits for `pid`: its exit code, or -1 if a signal ended it.
int wait_exit_code(pid_t pid);

// Waits for `pid` at most `limit`: its exit code, -1 if a signal ended it, -2 if it
// still ran after `limit` (it is then killed).
int wait_exit_within(pid_t pid, std::chrono::milliseconds limit);

// spawn + wait; returns (exit code, stderr text). Stderr goes to `dir`/stderr.txt.
std::pair<int, std::string> run_vigil(const std::vector<std::string>& args,
                                      const std::vector<std::string>& env, const std::string& dir);

}  // namespace vigil
