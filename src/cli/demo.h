// Parts of `vigil demo` kept in their own files.
#pragma once

#include <string>

#include "base/result.h"
#include "cli/context.h"

namespace vigil {

// Replays `day` through `vigil alert`'s path, one bucket at a time; says where the messages went.
Result<std::string> demo_alerts(AppContext& ctx, Days day);

}  // namespace vigil
