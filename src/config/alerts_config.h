// Reading [alerts] and its per-metric tables [alerts.metrics.<name>]; kept
// apart from config.cpp because the nested tables need their own checks, and the
// detectors they name are checked (with `check_detector`, if given) at their line.
#pragma once

#include "config/config.h"
#include "config/toml_reader.h"

namespace vigil::config_reader {

void read_alerts(Reader& r, const toml::table& root, AlertsConfig& c,
                 const DetectorCheck& check_detector);

}  // namespace vigil::config_reader
