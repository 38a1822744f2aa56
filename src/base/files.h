// Whole-file reads and writes with one-line errors that name the path.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace vigil {

Result<std::string> read_file(const std::string& path);

// Writes `content` to exactly `path` (created or truncated), checking every
// step including the final flush and close, where a full disk shows.
Status write_plain_file(const std::string& path, const std::string& content);

// Writes through a temporary file and a rename, creating parent directories,
// so readers never see a half-written file; a failed write leaves no
// temporary behind. The one atomic file write (the managed ClickHouse's
// config, users and pid files too). Without `mode` the file gets the umask's
// permissions; with it, exactly `mode` from its creation on (users.xml holds a
// password hash: 0600, never readable by others even for a moment).
Status write_file(const std::string& path, const std::string& content,
                  std::optional<unsigned> mode = std::nullopt);

// Creates `dir` (and its parents) and creates and removes a file in it, so a
// command can refuse an unwritable output directory before doing any work.
Status check_writable_dir(const std::string& dir);

// How write_file_set writes one file; tests inject failures.
using FileWriter = std::function<Status(const std::string& path, const std::string& content)>;

// Replaces a set of files in `dir` together: every content is written to
// "<name>.tmp" first and only when all are written are they renamed into
// place, then the names in `remove` are deleted (files of the old set that the
// new one lacks). A failed write (e.g. a full disk) removes the temporaries and
// leaves the old set as it was. Renames need no space; a failing rename is
// reported and the files renamed before it stay.
Status write_file_set(const std::string& dir,
                      const std::vector<std::pair<std::string, std::string>>& files,
                      const std::vector<std::string>& remove = {},
                      const FileWriter& writer = write_plain_file);

}  // namespace vigil
