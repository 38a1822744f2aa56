// The alert tests' shared data set: 9 simulated days from 2026-03-01 in their own
// source database, views x0.3 on the last day 20:00-20:30 Moscow (buckets 20:00
// and 20:15), and a config that watches views only.
#pragma once

#include <string>

#include "base/result.h"
#include "base/time.h"
#include "clickhouse/client.h"
#include "config/config.h"
#include "sim/simulator.h"  // SimParams

namespace vigil {

// The shared test server as ClickHouse, `source_db` as the source, views only.
Config views_only_config(const std::string& source_db);

// The data set's size: 9 days from `from` (2026-03-01 unless told), 5000 users,
// 400 000 feed events and 20 000 messages a day.
SimParams alert_data_params(Days from = *parse_date("2026-03-01"));

// Simulates the data set into `config`'s source database (400 000 feed events a
// day unless told).
Status simulate_views_dip(const Config& config, std::int64_t feed_per_day = 400000);

// "time >= toDateTime(start) AND time < toDateTime(start + seconds)".
std::string time_window_sql(EpochSeconds start, int seconds);

// Database `to` (dropped first) with views named like `from`'s feed and message
// tables: the feed rows for which SQL condition `keep_feed` holds, plus
// `extra_copies` more copies of the feed rows for which `repeat_feed` holds, and
// every message: an injected slice anomaly with a known answer, without copying
// the data.
Status copy_source(ClickHouse& clickhouse, const Config& config, const std::string& from,
                   const std::string& to, const std::string& keep_feed,
                   const std::string& repeat_feed = "0", int extra_copies = 0);

// The message file `file` of a dry run of the alerts at `local` with `config`
// (state in `dir`), or a line saying what failed; through `via` when given,
// else a client of config.clickhouse.
std::string dry_run_message(const Config& config, const date::time_zone* zone,
                            const std::string& dir, const char* local, const std::string& file,
                            ClickHouse* via = nullptr);

}  // namespace vigil
