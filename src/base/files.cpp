#include "base/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace vigil {
namespace {

namespace fs = std::filesystem;

Status create_dirs(const fs::path& dir) {
  std::error_code ec;
  if (!dir.empty()) fs::create_directories(dir, ec);
  if (ec) {
    return Error::failure(fmt::format("cannot create directory {}: {}", dir.string(), ec.message()));
  }
  return {};
}

// Removes a file this module wrote (never a directory that happens to have the name).
void remove_quietly(const std::string& path) {
  std::error_code ignored;
  if (fs::is_regular_file(fs::symlink_status(path, ignored))) fs::remove(path, ignored);
}

// Writes `content` to `path` (created or truncated) with the umask's permissions
// or exactly `mode`, checking every write and the close, where a full disk shows.
Status write_with_mode(const std::string& path, const std::string& content,
                       std::optional<unsigned> mode) {
  auto failed = [&] {
    return Error::failure(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  };
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                        static_cast<mode_t>(mode.value_or(0666)));
  if (fd < 0) return failed();
  // An existing file keeps its permissions through O_TRUNC, and the umask applies.
  if (mode && ::fchmod(fd, static_cast<mode_t>(*mode)) != 0) {
    const Error error = failed();
    ::close(fd);
    return error;
  }
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const Error error = failed();
      ::close(fd);
      return error;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return failed();
  return {};
}

}  // namespace

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::failure(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Status write_plain_file(const std::string& path, const std::string& content) {
  return write_with_mode(path, content, std::nullopt);
}

Status write_file(const std::string& path, const std::string& content,
                  std::optional<unsigned> mode) {
  const fs::path target(path);
  VIGIL_TRY(create_dirs(target.parent_path()));
  const std::string tmp = path + ".tmp";
  if (auto written = write_with_mode(tmp, content, mode); !written.ok()) {
    remove_quietly(tmp);
    return written;
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    remove_quietly(tmp);
    return Error::failure(fmt::format("cannot write {}: {}", path, ec.message()));
  }
  return {};
}

Status check_writable_dir(const std::string& dir) {
  if (auto created = create_dirs(dir); !created.ok()) {
    return Error::failure(created.error().message + ": choose a writable output directory");
  }
  const std::string probe = fmt::format("{}/.vigil-write-check-{}", dir, ::getpid());
  auto written = write_plain_file(probe, "");
  remove_quietly(probe);
  if (!written.ok()) {
    return Error::failure(fmt::format("cannot write into {}: {}: choose a writable output "
                                      "directory",
                                      dir, written.error().message));
  }
  return {};
}

Status write_file_set(const std::string& dir,
                      const std::vector<std::pair<std::string, std::string>>& files,
                      const std::vector<std::string>& remove, const FileWriter& writer) {
  VIGIL_TRY(create_dirs(dir));
  std::vector<std::string> temporaries;
  auto discard = [&] {
    for (const auto& tmp : temporaries) remove_quietly(tmp);
  };
  for (const auto& [name, content] : files) {
    const std::string tmp = dir + "/" + name + ".tmp";
    if (auto written = writer(tmp, content); !written.ok()) {
      remove_quietly(tmp);
      discard();
      return Error::failure(written.error().message + fmt::format(
          ": nothing in {} was replaced", dir));
    }
    temporaries.push_back(tmp);
  }
  for (const auto& [name, content] : files) {
    std::error_code ec;
    fs::rename(dir + "/" + name + ".tmp", dir + "/" + name, ec);
    if (ec) {
      discard();
      return Error::failure(fmt::format("cannot write {}/{}: {}", dir, name, ec.message()));
    }
  }
  for (const auto& name : remove) remove_quietly(dir + "/" + name);
  return {};
}

}  // namespace vigil
