// When a cron schedule fires, in a time zone (the DST rules are in cron.h).
//
// Everything starts from "the first matching local wall-clock time after L"
// (next_local_match); the two DST policies differ only in how local times map
// to instants.
#include <optional>

#include "base/cron.h"

namespace vigil {
namespace {

using date::local_seconds;
using date::sys_seconds;
using std::chrono::seconds;

// Longest search: a Feb 29 schedule can wait eight years (2096 -> 2104).
constexpr int kMaxDays = 9 * 366;

// The first matching second of the day at or after `from` seconds past midnight.
std::optional<int> first_time_of_day(const CronSchedule& c, int from) {
  const int from_h = from / 3600, from_m = from % 3600 / 60, from_s = from % 60;
  for (int h = from_h; h < 24; ++h) {
    if (!(c.hours >> h & 1)) continue;
    for (int m = h == from_h ? from_m : 0; m < 60; ++m) {
      if (!(c.minutes >> m & 1)) continue;
      for (int s = h == from_h && m == from_m ? from_s : 0; s < 60; ++s) {
        if (c.seconds >> s & 1) return h * 3600 + m * 60 + s;
      }
    }
  }
  return std::nullopt;
}

// The first matching local time strictly after `after`.
std::optional<local_seconds> next_local_match(const CronSchedule& c, local_seconds after) {
  const local_seconds start = after + seconds{1};
  const auto first_day = date::floor<date::days>(start);
  const int from = static_cast<int>((start - first_day).count());
  for (int i = 0; i < kMaxDays; ++i) {
    const auto day = first_day + date::days{i};
    if (!cron_matches_day(c, date::year_month_day{day})) continue;
    if (auto tod = first_time_of_day(c, i == 0 ? from : 0)) return day + seconds{*tod};
  }
  return std::nullopt;
}

EpochSeconds epoch(sys_seconds t) { return t.time_since_epoch().count(); }

// The instant a matching local time fires at under the fixed-time policy: the
// earliest of a repeated time, the end of the gap for a skipped one.
EpochSeconds resolve_fixed(local_seconds local, const date::time_zone* zone) {
  const date::local_info info = zone->get_info(local);
  if (info.result == date::local_info::nonexistent) return epoch(info.second.begin);
  return epoch(sys_seconds{local.time_since_epoch()} - info.first.offset);
}

// Fixed-time policy: each matching local time fires once. Resolution is
// monotonic in local time, so walking local matches after local(after) finds
// the answer; matches that resolve to `after` or earlier (the second pass of a
// repeated hour, the rest of a gap) are skipped.
std::optional<EpochSeconds> next_fixed(const CronSchedule& c, EpochSeconds after,
                                       const date::time_zone* zone) {
  local_seconds local = zone->to_local(sys_seconds{seconds{after}});
  const local_seconds limit = local + date::days{kMaxDays};
  while (local < limit) {
    auto match = next_local_match(c, local);
    if (!match) return std::nullopt;
    const EpochSeconds at = resolve_fixed(*match, zone);
    if (at > after) return at;
    local = *match;
  }
  return std::nullopt;
}

// Elapsed-time policy: walk the zone's offset periods from `after`; in each,
// the first matching local time maps back with that period's offset.
std::optional<EpochSeconds> next_elapsed(const CronSchedule& c, EpochSeconds after,
                                         const date::time_zone* zone) {
  sys_seconds t{seconds{after + 1}};
  const sys_seconds limit = t + date::days{kMaxDays};
  while (t < limit) {
    const date::sys_info info = zone->get_info(t);
    const local_seconds local{(t + info.offset).time_since_epoch()};
    auto match = next_local_match(c, local - seconds{1});
    if (!match) return std::nullopt;
    const sys_seconds at{match->time_since_epoch() - info.offset};
    if (at < info.end) return epoch(at);
    t = info.end;
  }
  return std::nullopt;
}

}  // namespace

std::optional<EpochSeconds> cron_next_after(const CronSchedule& cron, EpochSeconds after,
                                            const date::time_zone* zone) {
  return cron.every_hour ? next_elapsed(cron, after, zone) : next_fixed(cron, after, zone);
}

std::optional<EpochSeconds> cron_last_at_or_before(const CronSchedule& cron, EpochSeconds at,
                                                   const date::time_zone* zone) {
  // Look back over growing windows; within the first window holding a firing,
  // step forward to the last one at or before `at`.
  constexpr EpochSeconds kDay = 86400;
  for (EpochSeconds window : {EpochSeconds{3600}, kDay, 32 * kDay, 367 * kDay, kMaxDays * kDay}) {
    auto firing = cron_next_after(cron, at - window, zone);
    if (!firing || *firing > at) continue;
    while (true) {
      auto next = cron_next_after(cron, *firing, zone);
      if (!next || *next > at) return firing;
      firing = next;
    }
  }
  return std::nullopt;
}

}  // namespace vigil
