// The files in a managed server's directory (layout in server.cpp): its
// absolute path, the generated config.xml and users.xml, the pid and ports
// files, log tails for start-up errors, and the lock that serialises start and
// stop. Kept apart from server.cpp so that it reads as the start/stop steps
// only. Internal to src/clickhouse.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "base/result.h"

namespace vigil::ch_internal {

inline constexpr const char* kPidFile = "clickhouse.pid";

// `dir` made absolute and normalised, without a trailing slash.
std::string absolute_dir(const std::string& dir);

// DIR/config.xml: also how a running server is recognised as ours (--config-file).
std::string config_path(const std::string& abs_dir);

struct ServerFilesOptions {
  std::string address;   // listen_host
  int http_port = 0;
  int tcp_port = 0;
  std::string timezone;
  std::string password;  // stored as its SHA-256 only; empty: no password
  std::string extra_config;  // XML elements added inside <yandex>, as given
};

// Writes config.xml (0644) and users.xml (0600), each atomically (base/files).
Status write_server_config(const std::string& abs_dir, const ServerFilesOptions& options);

// Writes the pid file and the ports file (0644), each atomically.
Status write_pid_files(const std::string& abs_dir, int pid, int http_port, int tcp_port);
std::optional<int> read_pid(const std::string& abs_dir);
std::pair<int, int> read_ports(const std::string& abs_dir);  // {http, tcp}; 0 if unknown
void remove_pid_files(const std::string& abs_dir);

// The last non-empty line of `path` after byte `offset` (cut at 400 characters).
std::string last_line(const std::string& path, std::uintmax_t offset);
std::uintmax_t file_size_or_zero(const std::string& path);

// Holds an exclusive flock on DIR/.lock for the lifetime of the object.
class DirLock {
 public:
  explicit DirLock(const std::string& abs_dir);
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace vigil::ch_internal
