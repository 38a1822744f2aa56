// Optional copy of every evaluation into a ClickHouse table ([alerts]
// history_table), so dashboards can plot values, bands and alerts.
#pragma once

#include <vector>

#include "alert/store.h"
#include "clickhouse/client.h"
#include "config/config.h"

namespace vigil {

// Creates the table if missing (MergeTree by month; on a cluster a replicated
// table behind a Distributed one, clickhouse/layout) and inserts the records.
Status write_history_table(ClickHouse& clickhouse, const Config& config,
                           const std::vector<AlertRecord>& records);

}  // namespace vigil
