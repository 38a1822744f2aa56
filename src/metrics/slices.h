// How users are sliced: the SQL that maps an age to its configured bucket label,
// shared by the ETL's slice table and the alerts' per-slice series.
#pragma once

#include <string>
#include <vector>

namespace vigil {

// multiIf(age < 18, '0-17', ..., '45+') for `age_expr` and ascending bounds.
std::string age_bucket_sql(const std::vector<int>& bounds, const std::string& age_expr);

}  // namespace vigil
