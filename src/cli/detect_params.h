// `vigil detect`'s detector parameters (pure): the repeatable `--param name=value`
// plus the flags that stand for one (`--direction up` is `--param direction=up`,
// `--sensitivity high` is `--param sensitivity=high`). Giving a name twice, or a
// flag and its --param, is a usage error; values are checked by make_detector.
#pragma once

#include "base/result.h"
#include "cli/cli.h"
#include "detect/detector.h"

namespace vigil {

Result<DetectorParams> detect_params(const DetectOptions& options);

}  // namespace vigil
