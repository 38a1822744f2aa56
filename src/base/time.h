// Calendar dates and business days in a named time zone (IANA tz database).
// A "day" is a calendar day in the configured zone; ClickHouse DateTime values
// are compared as epoch seconds, so day bounds are computed here, not in SQL.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <date/date.h>
#include <date/tz.h>

#include "base/result.h"

namespace vigil {

using Days = date::sys_days;           // a calendar date, zone-free
using EpochSeconds = std::int64_t;

// "2026-11-24" -> date; error names the text and the expected form.
Result<Days> parse_date(std::string_view text);
std::string format_date(Days day);
// "20261124", for table names.
std::string compact_date(Days day);

// Looks up an IANA zone name ("Europe/Moscow").
Result<const date::time_zone*> find_zone(std::string_view name);

// First second of `day` in `zone` (handles DST: the earliest existing instant).
EpochSeconds day_start(Days day, const date::time_zone* zone);

// Calendar date of `instant` in `zone`.
Days local_date(EpochSeconds instant, const date::time_zone* zone);

// "2026-11-24 20:15[:00]" interpreted in `zone` -> epoch seconds.
Result<EpochSeconds> parse_local_time(std::string_view text, const date::time_zone* zone);
// Epoch seconds -> "2026-11-24 20:15:00" in `zone`.
std::string format_local_time(EpochSeconds instant, const date::time_zone* zone);
// Its clock time alone, "20:15": bucket times in messages, links and pages.
std::string format_local_hhmm(EpochSeconds instant, const date::time_zone* zone);

}  // namespace vigil
