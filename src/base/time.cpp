#include "base/time.h"

#include <cstdio>
#include <fmt/format.h>

namespace vigil {
namespace {

bool parse_ymd(std::string_view text, int& y, int& m, int& d) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  y = num(0, 4);
  m = num(5, 2);
  d = num(8, 2);
  return true;
}

}  // namespace

Result<Days> parse_date(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (!parse_ymd(text, y, m, d)) {
    return Error::usage(fmt::format("bad date '{}': expected YYYY-MM-DD", text));
  }
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                           date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return Error::usage(fmt::format("bad date '{}': no such calendar day", text));
  return Days{ymd};
}

std::string format_date(Days day) { return date::format("%F", day); }

std::string compact_date(Days day) { return date::format("%Y%m%d", day); }

Result<const date::time_zone*> find_zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return Error::usage(fmt::format(
        "unknown time zone '{}': use an IANA name such as Europe/Moscow (is tzdata installed?)",
        name));
  }
}

EpochSeconds day_start(Days day, const date::time_zone* zone) {
  auto local = date::local_days{day.time_since_epoch()};
  // choose::earliest resolves both gaps (midnight skipped) and overlaps.
  auto info = zone->get_info(local);
  if (info.result == date::local_info::nonexistent) {
    return info.second.begin.time_since_epoch().count();
  }
  auto zoned = date::make_zoned(zone, local, date::choose::earliest);
  return std::chrono::duration_cast<std::chrono::seconds>(
             zoned.get_sys_time().time_since_epoch())
      .count();
}

Days local_date(EpochSeconds instant, const date::time_zone* zone) {
  auto sys = date::sys_seconds{std::chrono::seconds{instant}};
  auto local = zone->to_local(sys);
  return Days{date::floor<date::days>(local).time_since_epoch()};
}

Result<EpochSeconds> parse_local_time(std::string_view text, const date::time_zone* zone) {
  auto bad = [&] {
    return Error::usage(fmt::format("bad time '{}': expected 'YYYY-MM-DD HH:MM[:SS]'", text));
  };
  if (text.size() != 16 && text.size() != 19) return bad();
  auto day = parse_date(text.substr(0, 10));
  if (!day.ok() || (text[10] != ' ' && text[10] != 'T') || text[13] != ':') return bad();
  int h = 0, m = 0, s = 0;
  std::string rest(text.substr(11));
  if (text.size() == 16) {
    if (std::sscanf(rest.c_str(), "%2d:%2d", &h, &m) != 2) return bad();
  } else if (text[16] != ':' || std::sscanf(rest.c_str(), "%2d:%2d:%2d", &h, &m, &s) != 3) {
    return bad();
  }
  if (h > 23 || m > 59 || s > 59) return bad();
  auto local = date::local_seconds{day->time_since_epoch()} + std::chrono::hours{h} +
               std::chrono::minutes{m} + std::chrono::seconds{s};
  auto info = zone->get_info(local);
  if (info.result == date::local_info::nonexistent) {
    return Error::usage(fmt::format("time '{}' does not exist in {} (DST gap)", text, zone->name()));
  }
  auto zoned = date::make_zoned(zone, local, date::choose::earliest);
  return EpochSeconds{zoned.get_sys_time().time_since_epoch().count()};
}

std::string format_local_time(EpochSeconds instant, const date::time_zone* zone) {
  auto sys = date::sys_seconds{std::chrono::seconds{instant}};
  return date::format("%F %T", zone->to_local(sys));
}

std::string format_local_hhmm(EpochSeconds instant, const date::time_zone* zone) {
  return format_local_time(instant, zone).substr(11, 5);
}

}  // namespace vigil
