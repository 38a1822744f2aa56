// Reading [schedule] (cron schedules of `vigil serve`, checked with the cron
// parser so a typo is a file:line error) and [serve] (its HTTP address).
#pragma once

#include "config/config.h"
#include "config/toml_reader.h"

namespace vigil::config_reader {

void read_schedule(Reader& r, const toml::table& root, ScheduleConfig& c);
void read_serve(Reader& r, const toml::table& root, ServeConfig& c);

}  // namespace vigil::config_reader
