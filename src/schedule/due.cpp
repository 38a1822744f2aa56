#include "schedule/due.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/backoff.h"

namespace vigil {
namespace {

constexpr double kMaxRetryDelaySeconds = 86400;  // a day

}  // namespace

std::vector<Days> etl_days_due(std::optional<Days> last_ok, Days target, int max_days,
                               bool always_target) {
  Days first = last_ok ? *last_ok + date::days{1} : target;
  if (max_days <= 0) first = target + date::days{1};
  first = std::max(first, target - date::days{std::max(max_days, 1) - 1});
  std::vector<Days> days;
  for (Days d = first; d <= target; d += date::days{1}) days.push_back(d);
  if (days.empty() && always_target) days.push_back(target);
  return days;
}

Days day_before(EpochSeconds at, const date::time_zone* zone) {
  return local_date(at, zone) - date::days{1};
}

std::vector<Days> etl_catch_up(const CronSchedule& cron, EpochSeconds now,
                               std::optional<Days> last_ok, int catchup_days,
                               const date::time_zone* zone) {
  auto last = cron_last_at_or_before(cron, now, zone);
  if (!last) return {};
  return etl_days_due(last_ok, day_before(*last, zone), catchup_days, false);
}

std::optional<EpochSeconds> alerts_missed(const CronSchedule& cron, EpochSeconds now,
                                          std::optional<EpochSeconds> last_run,
                                          const date::time_zone* zone) {
  auto last = cron_last_at_or_before(cron, now, zone);
  if (!last || (last_run && *last_run >= *last)) return std::nullopt;
  return last;
}

double retry_delay(int retry, int base_seconds) {
  return Backoff{static_cast<double>(base_seconds), kMaxRetryDelaySeconds}.delay(retry - 1);
}

std::string late_note(EpochSeconds due, const date::time_zone* zone) {
  return fmt::format("Sent late: this report was due at {}.",
                     format_local_time(due, zone).substr(11, 5));
}

}  // namespace vigil
