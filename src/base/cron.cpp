// Parsing of cron schedules (see cron.h); evaluation is in cron_next.cpp.
#include "base/cron.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "base/parse.h"

namespace vigil {
namespace {

struct FieldSpec {
  const char* name;    // "minute", for messages
  int lo, hi;          // accepted values
  int star_hi;         // upper end of `*` (day-of-week: 6, although 7 is accepted)
  const char* const* names = nullptr;  // 3-letter names for lo.., or null
  int names_base = 0;                  // value of names[0]
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr FieldSpec kSecond{"second", 0, 59, 59};
constexpr FieldSpec kMinute{"minute", 0, 59, 59};
constexpr FieldSpec kHour{"hour", 0, 23, 23};
constexpr FieldSpec kDayOfMonth{"day-of-month", 1, 31, 31};
constexpr FieldSpec kMonth{"month", 1, 12, 12, kMonthNames, 1};
constexpr FieldSpec kDayOfWeek{"day-of-week", 0, 7, 6, kDayNames, 0};

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::vector<std::string_view> split_whitespace(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) parts.push_back(text.substr(start, i - start));
  }
  return parts;
}

// Parses one value of a field: a number or (for months and days) a name.
// Returns the problem, or "" with `out` set.
std::string parse_value(std::string_view text, const FieldSpec& spec, int& out) {
  if (text.empty()) return fmt::format("{} field has an empty value", spec.name);
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (text.size() > 3) return fmt::format("{} {} is out of range {}-{}", spec.name, text, spec.lo, spec.hi);
    out = *parse_int(text);  // at most 3 digits
    if (out < spec.lo || out > spec.hi) {
      return fmt::format("{} {} is out of range {}-{}", spec.name, out, spec.lo, spec.hi);
    }
    return "";
  }
  if (spec.names != nullptr && text.size() == 3) {
    std::string upper(text);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const int count = spec.names == kMonthNames ? 12 : 7;
    for (int i = 0; i < count; ++i) {
      if (upper == spec.names[i]) {
        out = spec.names_base + i;
        return "";
      }
    }
  }
  if (spec.names != nullptr) {
    return fmt::format("{} '{}' is neither a number nor a name ({}..{})", spec.name, text,
                       spec.names[0], spec.names == kMonthNames ? "DEC" : "SAT");
  }
  return fmt::format("{} '{}' is not a number", spec.name, text);
}

// One element of a list: `*`, `a`, `a-b`, each optionally `/step`. Sets bits in `mask`.
std::string parse_element(std::string_view text, const FieldSpec& spec, std::uint64_t& mask) {
  std::string_view range = text;
  int step = 1;
  bool stepped = false;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    range = text.substr(0, slash);
    std::string_view step_text = text.substr(slash + 1);
    const bool digits = !step_text.empty() && step_text.size() <= 3 &&
                        std::all_of(step_text.begin(), step_text.end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || *parse_int(step_text) < 1) {
      return fmt::format("{} step '{}' must be a whole number of at least 1", spec.name, step_text);
    }
    step = *parse_int(step_text);
    stepped = true;
  }
  int first = spec.lo, last = spec.star_hi;
  if (range != "*") {
    const size_t dash = range.find('-');
    if (auto p = parse_value(range.substr(0, dash), spec, first); !p.empty()) return p;
    last = stepped ? spec.hi : first;  // `a/n` runs to the end of the field
    if (dash != std::string_view::npos) {
      if (auto p = parse_value(range.substr(dash + 1), spec, last); !p.empty()) return p;
      if (last < first) {
        return fmt::format("{} range {} goes backwards: write it as a list ({}-{},{}-{})",
                           spec.name, range, first, spec.hi, spec.lo, last);
      }
    }
  }
  for (int v = first; v <= last; v += step) mask |= std::uint64_t{1} << v;
  return "";
}

// A whole field (a comma list). Returns the problem or "".
std::string parse_field(std::string_view text, const FieldSpec& spec, std::uint64_t& mask) {
  mask = 0;
  for (std::string_view element : split(text, ',')) {
    if (auto problem = parse_element(element, spec, mask); !problem.empty()) return problem;
  }
  return "";
}

std::string_view expand_macro(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kMacros = {{
      {"@hourly", "0 * * * *"},
      {"@daily", "0 0 * * *"},
      {"@midnight", "0 0 * * *"},
      {"@weekly", "0 0 * * 0"},
      {"@monthly", "0 0 1 * *"},
      {"@yearly", "0 0 1 1 *"},
      {"@annually", "0 0 1 1 *"},
  }};
  for (const auto& [name, fields] : kMacros) {
    if (text == name) return fields;
  }
  return text;
}

// A schedule restricted to days of the month that none of its months has.
bool never_fires(const CronSchedule& c) {
  if (!c.days_restricted || c.weekdays_restricted) return false;
  constexpr int kLongest[] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int m = 1; m <= 12; ++m) {
    if (!(c.months >> m & 1)) continue;
    for (int d = 1; d <= kLongest[m]; ++d) {
      if (c.days >> d & 1) return false;
    }
  }
  return true;
}

}  // namespace

Result<CronSchedule> parse_cron(std::string_view text) {
  auto bad = [&](const std::string& problem) {
    return Error::usage(fmt::format("bad cron schedule '{}': {}", text, problem));
  };
  std::string_view body = text;
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) body.remove_prefix(1);
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.remove_suffix(1);
  if (!body.empty() && body.front() == '@' && expand_macro(body) == body) {
    return bad("unknown macro: use @hourly, @daily, @weekly, @monthly or @yearly");
  }
  const auto fields = split_whitespace(expand_macro(body));
  if (fields.size() != 5 && fields.size() != 6) {
    return bad(fmt::format(
        "expected 5 fields (minute hour day-of-month month day-of-week), got {}", fields.size()));
  }
  CronSchedule c;
  c.text = std::string(body);
  const size_t first = fields.size() - 5;  // index of the minute field
  const std::pair<const FieldSpec*, std::uint64_t*> specs[] = {
      {&kMinute, &c.minutes}, {&kHour, &c.hours}, {&kDayOfMonth, &c.days},
      {&kMonth, &c.months},   {&kDayOfWeek, &c.weekdays}};
  if (first == 1) {
    if (auto problem = parse_field(fields[0], kSecond, c.seconds); !problem.empty()) {
      return bad(problem);
    }
  }
  for (size_t i = 0; i < 5; ++i) {
    if (auto problem = parse_field(fields[first + i], *specs[i].first, *specs[i].second);
        !problem.empty()) {
      return bad(problem);
    }
  }
  if (c.weekdays >> 7 & 1) c.weekdays = (c.weekdays | 1) & ~(std::uint64_t{1} << 7);  // 7 = Sunday
  c.days_restricted = fields[first + 2].front() != '*';
  c.weekdays_restricted = fields[first + 4].front() != '*';
  c.every_hour = c.hours == (std::uint64_t{1} << 24) - 1;
  if (never_fires(c)) return bad("it never fires: none of its months has that day of the month");
  return c;
}

bool cron_matches_day(const CronSchedule& cron, date::year_month_day day) {
  if (!(cron.months >> static_cast<unsigned>(day.month()) & 1)) return false;
  const bool dom = cron.days >> static_cast<unsigned>(day.day()) & 1;
  const bool dow = cron.weekdays >> date::weekday(day).c_encoding() & 1;
  if (cron.days_restricted && cron.weekdays_restricted) return dom || dow;
  return dom && dow;
}

}  // namespace vigil
