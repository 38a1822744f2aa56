// Reading [alerts] and its per-metric tables [alerts.metrics.<name>]; kept
// apart from config.cpp because the nested tables need their own checks.
#pragma once

#include "config/config.h"
#include "config/toml_reader.h"

namespace vigil::config_reader {

void read_alerts(Reader& r, const toml::table& root, AlertsConfig& c);

}  // namespace vigil::config_reader
