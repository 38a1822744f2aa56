#include "web/health.h"

#include <memory>

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
    return ClickHouseHealth{false, client->describe(), one.error().message};
  };
}

}  // namespace vigil
