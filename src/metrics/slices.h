// How users are sliced: the SQL that maps an age to its configured bucket label,
// shared by the ETL's slice table and the alerts' per-slice series.
#pragma once

#include <string>
#include <vector>

namespace vigil {

struct Config;

// multiIf(age < 18, '0-17', ..., '45+') for `age_expr` and ascending bounds.
std::string age_bucket_sql(const std::vector<int>& bounds, const std::string& age_expr);

// One dimension's slice label over a source table's columns, e.g.
// concat('os=', os), concat('age=', multiIf(...)): the alert series' slices.
std::string slice_label_sql(const Config& config, const std::string& dimension);

}  // namespace vigil
