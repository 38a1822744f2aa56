// The alert tests' shared data set: 9 simulated days from 2026-03-01 in their own
// source database, views x0.3 on the last day 20:00-20:30 Moscow (buckets 20:00
// and 20:15), and a config that watches views only.
#pragma once

#include <string>

#include "base/result.h"
#include "config/config.h"

namespace vigil {

// The shared test server as ClickHouse, `source_db` as the source, views only.
Config views_only_config(const std::string& source_db);

// Simulates the data set into `config`'s source database.
Status simulate_views_dip(const Config& config);

}  // namespace vigil
