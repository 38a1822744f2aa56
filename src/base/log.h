// Logging setup: human-readable lines on stderr, results go to stdout.
// Modules log through spdlog directly (spdlog::info(...)); this only sets it up.
#pragma once

namespace vigil {

enum class Verbosity { kQuiet, kNormal, kVerbose };

void init_logging(Verbosity verbosity);

}  // namespace vigil
