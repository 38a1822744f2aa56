#include "web/health.h"

#include <memory>

#include "base/strings.h"
#include "clickhouse/client.h"

namespace vigil {

ClickHouseProbe::ClickHouseProbe(std::function<ClickHouseHealth()> check,
                                 std::chrono::steady_clock::duration keep)
    : check_(std::move(check)), cache_(keep) {}

ClickHouseHealth ClickHouseProbe::get() {
  // Both answers are kept (as values): a server that is down is not asked again at once.
  auto health = cache_.get(0, [this]() -> Result<ClickHouseHealth> { return check_(); });
  return *health;
}

std::function<ClickHouseHealth()> clickhouse_check(const ClickHouseConfig& config) {
  ClickHouseConfig quick = config;
  quick.connect_timeout_seconds = 1;
  quick.query_timeout_seconds = 2;
  quick.read_retries = 0;
  std::shared_ptr<ClickHouse> client = make_qualified_clickhouse(quick);
  return [client] {
    auto one = client->query_value("SELECT 1");
    if (one.ok()) return ClickHouseHealth{true, client->describe(), ""};
    // Into JSON: one line, and only UTF-8 (a server's message may be anything).
    std::string error = one_line(one.error().message, 500);
    if (!valid_utf8(error)) error = "ClickHouse at " + client->describe() + " did not answer SELECT 1";
    return ClickHouseHealth{false, client->describe(), std::move(error)};
  };
}

}  // namespace vigil
