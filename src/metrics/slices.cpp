#include "metrics/slices.h"

#include <fmt/format.h>

#include "clickhouse/client.h"
#include "config/config.h"

namespace vigil {

std::string age_bucket_sql(const std::vector<int>& bounds, const std::string& age_expr) {
  auto labels = age_bucket_labels(bounds);
  std::string sql = "multiIf(";
  for (size_t i = 0; i < bounds.size(); ++i) {
    sql += fmt::format("{} < {}, {}, ", age_expr, bounds[i], sql_quote(labels[i]));
  }
  sql += sql_quote(labels.back()) + ")";
  return sql;
}

}  // namespace vigil
