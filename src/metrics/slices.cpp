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

std::string slice_label_sql(const Config& config, const std::string& dimension) {
  if (dimension == "gender") return "concat('gender=', toString(gender))";
  if (dimension == "age") {
    return fmt::format("concat('age=', {})", age_bucket_sql(config.etl.age_buckets, "age"));
  }
  return fmt::format("concat('{0}=', {0})", dimension);  // os, source, country: String columns
}

}  // namespace vigil
