// Cron parsing and evaluation (pure). Expected instants are written out by hand
// in UTC; Berlin switches on 2026-03-29 at 01:00 UTC (02:00 CET -> 03:00 CEST)
// and back on 2026-10-25 at 01:00 UTC (03:00 CEST -> 02:00 CET).
#include <gtest/gtest.h>

#include <vector>

#include "base/cron.h"

namespace vigil {
namespace {

const date::time_zone* zone(const char* name) { return *find_zone(name); }
const date::time_zone* berlin() { return zone("Europe/Berlin"); }

EpochSeconds utc(const char* text) { return *parse_local_time(text, zone("UTC")); }
std::string utc_text(EpochSeconds t) { return format_local_time(t, zone("UTC")); }

CronSchedule cron(const char* text) {
  auto parsed = parse_cron(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? *parsed : CronSchedule{};
}

// The next `n` firings after `from` (UTC), as UTC text.
std::vector<std::string> firings(const char* schedule, const char* from, int n,
                                 const date::time_zone* tz) {
  const CronSchedule c = cron(schedule);
  std::vector<std::string> out;
  EpochSeconds t = utc(from);
  for (int i = 0; i < n; ++i) {
    auto next = cron_next_after(c, t, tz);
    if (!next) break;
    out.push_back(utc_text(*next));
    t = *next;
  }
  return out;
}

// Firings within [from, to) (UTC).
int count_between(const char* schedule, const char* from, const char* to,
                  const date::time_zone* tz) {
  const CronSchedule c = cron(schedule);
  int count = 0;
  for (auto t = cron_next_after(c, utc(from) - 1, tz); t && *t < utc(to);
       t = cron_next_after(c, *t, tz)) {
    ++count;
  }
  return count;
}

std::string error_of(const char* text) {
  auto parsed = parse_cron(text);
  return parsed.ok() ? "(parsed)" : parsed.error().message;
}

using Strings = std::vector<std::string>;

TEST(Cron, DefaultSchedulesInMoscow) {
  const auto* moscow = zone("Europe/Moscow");  // UTC+3, no DST
  EXPECT_EQ(firings("0 2 * * *", "2026-03-10 12:00:00", 2, moscow),
            (Strings{"2026-03-10 23:00:00", "2026-03-11 23:00:00"}));
  EXPECT_EQ(firings("0 11 * * *", "2026-03-10 07:59:59", 2, moscow),
            (Strings{"2026-03-10 08:00:00", "2026-03-11 08:00:00"}));
  EXPECT_EQ(firings("*/15 * * * *", "2026-03-10 07:59:00", 3, moscow),
            (Strings{"2026-03-10 08:00:00", "2026-03-10 08:15:00", "2026-03-10 08:30:00"}));
  // Strictly after: a firing time itself is not returned again.
  EXPECT_EQ(firings("*/15 * * * *", "2026-03-10 08:00:00", 1, moscow),
            (Strings{"2026-03-10 08:15:00"}));
}

TEST(Cron, RangesStepsAndLists) {
  const auto* z = zone("UTC");
  EXPECT_EQ(firings("5-10/2,30 * * * *", "2026-03-10 12:00:00", 5, z),
            (Strings{"2026-03-10 12:05:00", "2026-03-10 12:07:00", "2026-03-10 12:09:00",
                     "2026-03-10 12:30:00", "2026-03-10 13:05:00"}));
  // a/n runs from a to the end of the field.
  EXPECT_EQ(firings("10/20 * * * *", "2026-03-10 12:00:00", 4, z),
            (Strings{"2026-03-10 12:10:00", "2026-03-10 12:30:00", "2026-03-10 12:50:00",
                     "2026-03-10 13:10:00"}));
  // 2026-03-13 is a Friday: next are Mon 16th 09:00, 13:00, 17:00.
  EXPECT_EQ(firings("0 9-17/4 * * MON-FRI", "2026-03-13 17:00:00", 3, z),
            (Strings{"2026-03-16 09:00:00", "2026-03-16 13:00:00", "2026-03-16 17:00:00"}));
  EXPECT_EQ(firings("15 6 * JAN,jul *", "2026-03-01 00:00:00", 2, z),
            (Strings{"2026-07-01 06:15:00", "2026-07-02 06:15:00"}));
  EXPECT_EQ(firings("@hourly", "2026-03-10 12:00:00", 1, z), (Strings{"2026-03-10 13:00:00"}));
  EXPECT_EQ(firings("@weekly", "2026-03-10 12:00:00", 1, z), (Strings{"2026-03-15 00:00:00"}));
}

TEST(Cron, SundayIsZeroAndSevenAndSun) {
  const auto* z = zone("UTC");
  // 2026-03-01 is a Sunday.
  const Strings sundays = {"2026-03-01 09:00:00", "2026-03-08 09:00:00"};
  EXPECT_EQ(firings("0 9 * * 0", "2026-02-27 00:00:00", 2, z), sundays);
  EXPECT_EQ(firings("0 9 * * 7", "2026-02-27 00:00:00", 2, z), sundays);
  EXPECT_EQ(firings("0 9 * * sun", "2026-02-27 00:00:00", 2, z), sundays);
  // 5-7 is Friday, Saturday, Sunday.
  EXPECT_EQ(firings("0 9 * * 5-7", "2026-02-26 12:00:00", 4, z),
            (Strings{"2026-02-27 09:00:00", "2026-02-28 09:00:00", "2026-03-01 09:00:00",
                     "2026-03-06 09:00:00"}));
}

TEST(Cron, DayOfMonthOrDayOfWeek) {
  const auto* z = zone("UTC");
  // Both restricted: the 1st OR Mondays (Mar 2, 9, ..., 30, then Wed Apr 1).
  EXPECT_EQ(firings("0 0 1 * MON", "2026-03-27 00:00:00", 3, z),
            (Strings{"2026-03-30 00:00:00", "2026-04-01 00:00:00", "2026-04-06 00:00:00"}));
  // Day-of-month starts with '*': both must hold, Mondays on odd days (9th, 23rd).
  EXPECT_EQ(firings("0 0 */2 * MON", "2026-03-01 00:00:00", 2, z),
            (Strings{"2026-03-09 00:00:00", "2026-03-23 00:00:00"}));
}

TEST(Cron, MonthEndsAndLeapDays) {
  const auto* z = zone("UTC");
  EXPECT_EQ(firings("0 0 31 * *", "2026-01-31 00:00:00", 3, z),
            (Strings{"2026-03-31 00:00:00", "2026-05-31 00:00:00", "2026-07-31 00:00:00"}));
  EXPECT_EQ(firings("0 0 30 * *", "2026-01-30 00:00:00", 1, z), (Strings{"2026-03-30 00:00:00"}));
  EXPECT_EQ(firings("0 12 29 2 *", "2024-03-01 00:00:00", 2, z),
            (Strings{"2028-02-29 12:00:00", "2032-02-29 12:00:00"}));
  // 2100 is not a leap year: eight years from 2096 to 2104.
  EXPECT_EQ(firings("0 0 29 FEB *", "2096-03-01 00:00:00", 1, z), (Strings{"2104-02-29 00:00:00"}));
  // Days 1, 11, 21, 31: April has no 31st.
  EXPECT_EQ(firings("0 0 */10 * *", "2026-04-21 00:00:00", 2, z),
            (Strings{"2026-05-01 00:00:00", "2026-05-11 00:00:00"}));
  // Last minute of the year rolls into the next.
  EXPECT_EQ(firings("59 23 31 12 *", "2026-12-31 23:59:00", 1, z),
            (Strings{"2027-12-31 23:59:00"}));
}

TEST(Cron, SpringGapFixedTimeFiresOnceAtTheEndOfTheGap) {
  // 02:00 does not exist on 2026-03-29: fires at 03:00 CEST (01:00 UTC).
  EXPECT_EQ(firings("0 2 * * *", "2026-03-28 01:00:00", 3, berlin()),
            (Strings{"2026-03-29 01:00:00", "2026-03-30 00:00:00", "2026-03-31 00:00:00"}));
  EXPECT_EQ(firings("30 2 * * *", "2026-03-28 12:00:00", 2, berlin()),
            (Strings{"2026-03-29 01:00:00", "2026-03-30 00:30:00"}));
  // Four skipped times in the gap still fire only once.
  EXPECT_EQ(firings("*/15 2 * * *", "2026-03-28 23:00:00", 2, berlin()),
            (Strings{"2026-03-29 01:00:00", "2026-03-30 00:00:00"}));
  // 03:00 exists and coincides with the end of the gap: once.
  EXPECT_EQ(firings("0 2,3 * * *", "2026-03-28 23:00:00", 2, berlin()),
            (Strings{"2026-03-29 01:00:00", "2026-03-30 00:00:00"}));
}

TEST(Cron, AutumnOverlapFixedTimeFiresAtTheFirstOccurrence) {
  // 02:30 happens at 00:30 UTC (CEST) and 01:30 UTC (CET): only the first.
  EXPECT_EQ(firings("30 2 * * *", "2026-10-24 12:00:00", 2, berlin()),
            (Strings{"2026-10-25 00:30:00", "2026-10-26 01:30:00"}));
  // Asked during the second pass (02:10 CET), the repeated 02:30 is not due again.
  EXPECT_EQ(firings("30 2 * * *", "2026-10-25 01:10:00", 1, berlin()),
            (Strings{"2026-10-26 01:30:00"}));
  EXPECT_EQ(count_between("0 2 * * *", "2026-10-24 22:00:00", "2026-10-25 23:00:00", berlin()), 1);
  EXPECT_EQ(count_between("*/20 2 * * *", "2026-10-24 22:00:00", "2026-10-25 23:00:00", berlin()),
            3);
}

TEST(Cron, EveryHourSchedulesFollowElapsedTimeAcrossDst) {
  // Spring: 01:45 CET is followed 15 real minutes later by 03:00 CEST.
  EXPECT_EQ(firings("*/15 * * * *", "2026-03-29 00:45:00", 1, berlin()),
            (Strings{"2026-03-29 01:00:00"}));
  // Autumn: 02:45 CEST, then 02:00 CET (the repeated hour runs again).
  EXPECT_EQ(firings("*/15 * * * *", "2026-10-25 00:44:00", 3, berlin()),
            (Strings{"2026-10-25 00:45:00", "2026-10-25 01:00:00", "2026-10-25 01:15:00"}));
  // A local day of 23 and of 25 hours.
  EXPECT_EQ(count_between("*/15 * * * *", "2026-03-28 23:00:00", "2026-03-29 22:00:00", berlin()),
            92);
  EXPECT_EQ(count_between("*/15 * * * *", "2026-10-24 22:00:00", "2026-10-25 23:00:00", berlin()),
            100);
  EXPECT_EQ(count_between("0 * * * *", "2026-10-24 22:00:00", "2026-10-25 23:00:00", berlin()), 25);
}

TEST(Cron, LeadingSecondsFieldForTests) {
  const auto* z = zone("UTC");
  EXPECT_EQ(firings("*/15 * * * * *", "2026-03-10 12:00:07", 3, z),
            (Strings{"2026-03-10 12:00:15", "2026-03-10 12:00:30", "2026-03-10 12:00:45"}));
  EXPECT_EQ(firings("0 * * * *", "2026-03-10 12:00:07", 1, z), (Strings{"2026-03-10 13:00:00"}));
}

TEST(Cron, LastAtOrBefore) {
  const auto* moscow = zone("Europe/Moscow");
  const CronSchedule report = cron("0 11 * * *");
  EXPECT_EQ(utc_text(*cron_last_at_or_before(report, utc("2026-03-10 09:00:00"), moscow)),
            "2026-03-10 08:00:00");
  EXPECT_EQ(utc_text(*cron_last_at_or_before(report, utc("2026-03-10 08:00:00"), moscow)),
            "2026-03-10 08:00:00");
  EXPECT_EQ(utc_text(*cron_last_at_or_before(report, utc("2026-03-10 07:59:59"), moscow)),
            "2026-03-09 08:00:00");
  EXPECT_EQ(utc_text(*cron_last_at_or_before(cron("0 0 31 * *"), utc("2026-03-30 00:00:00"),
                                             zone("UTC"))),
            "2026-01-31 00:00:00");
  EXPECT_EQ(utc_text(*cron_last_at_or_before(cron("*/15 * * * *"), utc("2026-10-25 01:14:59"),
                                             berlin())),
            "2026-10-25 01:00:00");
}

TEST(Cron, ErrorsNameTheScheduleAndTheProblem) {
  EXPECT_EQ(error_of("0 24 * * *"), "bad cron schedule '0 24 * * *': hour 24 is out of range 0-23");
  EXPECT_EQ(error_of("* * *"),
            "bad cron schedule '* * *': expected 5 fields (minute hour day-of-month month "
            "day-of-week), got 3");
  EXPECT_EQ(error_of("0 0 30 2 *"),
            "bad cron schedule '0 0 30 2 *': it never fires: none of its months has that day of "
            "the month");
  EXPECT_EQ(error_of("0 0 * * FRI-MON"),
            "bad cron schedule '0 0 * * FRI-MON': day-of-week range FRI-MON goes backwards: write "
            "it as a list (5-7,0-1)");
  EXPECT_EQ(error_of("*/0 * * * *"),
            "bad cron schedule '*/0 * * * *': minute step '0' must be a whole number of at least 1");
  EXPECT_EQ(error_of("0 0 * FOO *"),
            "bad cron schedule '0 0 * FOO *': month 'FOO' is neither a number nor a name "
            "(JAN..DEC)");
  EXPECT_EQ(error_of("0 0 0 * *"), "bad cron schedule '0 0 0 * *': day-of-month 0 is out of range 1-31");
  EXPECT_EQ(error_of("0,,5 * * * *"), "bad cron schedule '0,,5 * * * *': minute field has an empty value");
  EXPECT_EQ(error_of("@reboot"),
            "bad cron schedule '@reboot': unknown macro: use @hourly, @daily, @weekly, @monthly "
            "or @yearly");
  EXPECT_EQ(error_of("x 0 * * *"), "bad cron schedule 'x 0 * * *': minute 'x' is not a number");
  // Feb 30 is fine when a day of the week can still match (OR rule).
  EXPECT_EQ(error_of("0 0 30 2 MON"), "(parsed)");
}

}  // namespace
}  // namespace vigil
