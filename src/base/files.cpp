#include "base/files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace vigil {

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::failure(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Status write_file(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  if (ec) {
    return Error::failure(fmt::format("cannot create directory {}: {}",
                                      target.parent_path().string(), ec.message()));
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) {
      return Error::failure(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) return Error::failure(fmt::format("cannot write {}: {}", path, ec.message()));
  return {};
}

}  // namespace vigil
