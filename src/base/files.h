// Whole-file reads and writes with one-line errors that name the path.
#pragma once

#include <string>

#include "base/result.h"

namespace vigil {

Result<std::string> read_file(const std::string& path);

// Writes through a temporary file and a rename, creating parent directories,
// so readers never see a half-written file.
Status write_file(const std::string& path, const std::string& content);

}  // namespace vigil
