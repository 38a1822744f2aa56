// Cron schedules, pure: parsing and "when does it fire next", in a time zone.
//
// Five fields: minute hour day-of-month month day-of-week, each `*`, a value,
// a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (a to the field's end), or a
// comma list of those. Months JAN..DEC and days SUN..SAT may be names (any
// case); day-of-week 0 and 7 are both Sunday. Day-of-month and day-of-week: if
// both are restricted (neither starts with `*`), a day matches either one (the
// classic cron OR rule); otherwise both must match. `@hourly`, `@daily`
// (`@midnight`), `@weekly`, `@monthly`, `@yearly` (`@annually`) are accepted.
// A sixth, leading seconds field (`*/15 * * * * *`) exists for tests and demos
// that cannot wait minutes; five-field schedules fire at second 0.
//
// Times are wall-clock times in the zone. Across DST changes:
// - a schedule whose hour field is every hour (`*`) follows elapsed time: it
//   fires at every instant whose local time matches, so `*/15 * * * *` stays
//   every 15 real minutes (nothing in the skipped hour, both passes of a
//   repeated hour);
// - any other schedule fires once per matching local time: a time that does not
//   exist (spring gap) fires at the first instant after the gap, once however
//   many skipped times matched; a time that occurs twice (autumn overlap) fires
//   at its first occurrence only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/time.h"

namespace vigil {

struct CronSchedule {
  std::string text;                  // as written (for messages and /health)
  std::uint64_t seconds = 1;         // bit n = second n; {0} for five fields
  std::uint64_t minutes = 0;         // bit n = minute n
  std::uint64_t hours = 0;           // bit n = hour n (0..23)
  std::uint64_t days = 0;            // bit n = day of month n (1..31)
  std::uint64_t months = 0;          // bit n = month n (1..12)
  std::uint64_t weekdays = 0;        // bit n = weekday n (0 = Sunday .. 6)
  bool days_restricted = false;      // day-of-month field does not start with '*'
  bool weekdays_restricted = false;  // day-of-week field does not start with '*'
  bool every_hour = false;           // hour field covers 0..23: elapsed-time semantics
};

// Parses a schedule; the error names the schedule, the field and what is wrong
// (one line). A schedule that can never fire (`0 0 30 2 *`) is an error.
Result<CronSchedule> parse_cron(std::string_view text);

// Whether the local calendar day matches the day-of-month/month/day-of-week fields.
bool cron_matches_day(const CronSchedule& cron, date::year_month_day day);

// The first firing strictly after `after`, evaluated in `zone` (see the DST rules
// above). Empty only if it does not fire within about nine years.
std::optional<EpochSeconds> cron_next_after(const CronSchedule& cron, EpochSeconds after,
                                            const date::time_zone* zone);

// The last firing at or before `at`; empty if none in about nine years.
std::optional<EpochSeconds> cron_last_at_or_before(const CronSchedule& cron, EpochSeconds at,
                                                   const date::time_zone* zone);

}  // namespace vigil
