#include "support/vigil_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "base/files.h"

namespace vigil {

pid_t spawn_vigil(const std::vector<std::string>& args, const std::vector<std::string>& env,
                  const std::string& stderr_path) {
  return spawn_vigil_to(args, env, "", stderr_path);
}

pid_t spawn_vigil_to(const std::vector<std::string>& args, const std::vector<std::string>& env,
                     const std::string& stdout_path, const std::string& stderr_path) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
  if (!freopen(stdout_path.empty() ? "/dev/null" : stdout_path.c_str(), "w", stdout)) _exit(126);
  if (!stderr_path.empty() && !freopen(stderr_path.c_str(), "w", stderr)) _exit(126);
  std::vector<std::string> all = {VIGIL_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  _exit(127);
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int wait_exit_within(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -2;
}

std::pair<int, std::string> run_vigil(const std::vector<std::string>& args,
                                      const std::vector<std::string>& env, const std::string& dir) {
  const std::string err_path = dir + "/stderr.txt";
  const int code = wait_exit_code(spawn_vigil(args, env, err_path));
  auto err = read_file(err_path);
  return {code, err.ok() ? *err : ""};
}

}  // namespace vigil
