#include "cli/detect_input.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "base/parse.h"
#include "base/strings.h"
#include "base/time.h"

namespace vigil {
namespace {

constexpr const char* kForms =
    "expected YYYY-MM-DD HH:MM[:SS] (T between them, Z or an offset like +03:00 after them "
    "are fine), YYYY-MM-DD or Unix seconds";

bool digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "HH:MM[:SS[.fff]]" -> seconds since midnight; -1 if malformed. A fraction of
// a second is kept in `fraction` (only "no fraction" is on any grid).
long long time_of_day(std::string_view text, bool& fraction) {
  if (text.size() < 5 || text[2] != ':' || !digits(text.substr(0, 2)) ||
      !digits(text.substr(3, 2))) {
    return -1;
  }
  const int h = *parse_int(text.substr(0, 2)), m = *parse_int(text.substr(3, 2));
  int s = 0;
  std::string_view rest = text.substr(5);
  if (!rest.empty()) {
    if (rest.size() < 3 || rest[0] != ':' || !digits(rest.substr(1, 2))) return -1;
    s = *parse_int(rest.substr(1, 2));
    rest.remove_prefix(3);
    if (!rest.empty()) {
      if (rest[0] != '.' || !digits(rest.substr(1))) return -1;
      fraction = rest.substr(1).find_first_not_of('0') != std::string_view::npos;
    }
  }
  if (h > 23 || m > 59 || s > 59) return -1;
  return h * 3600LL + m * 60LL + s;
}

// "Z", "+HH:MM", "+HHMM", "+HH" (or '-') -> seconds east of UTC; nullopt if malformed.
std::optional<long long> utc_offset(std::string_view text) {
  if (text == "Z" || text == "z") return 0;
  if (text.empty() || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  const int sign = text[0] == '-' ? -1 : 1;
  std::string_view hm = text.substr(1);
  std::string compact(hm);
  if (hm.size() == 5 && hm[2] == ':') {
    compact = std::string(hm.substr(0, 2)) + std::string(hm.substr(3));
  }
  if (compact.size() == 2) compact += "00";
  if (compact.size() != 4 || !digits(compact)) return std::nullopt;
  const int h = *parse_int(std::string_view(compact).substr(0, 2));
  const int m = *parse_int(std::string_view(compact).substr(2));
  if (h > 23 || m > 59) return std::nullopt;
  return sign * (h * 3600LL + m * 60LL);
}

}  // namespace

Result<Timestamp> parse_timestamp(std::string_view text) {
  auto bad = [&] {
    return Error::usage(fmt::format("timestamp '{}': {}", utf8_prefix(text, 40), kForms));
  };
  if (digits(text)) {
    auto seconds = parse_int64(text);
    if (!seconds.ok()) return bad();
    return Timestamp{*seconds};
  }
  if (text.size() < 10) return bad();
  auto day = parse_date(text.substr(0, 10));
  if (!day.ok()) return bad();
  long long midnight = static_cast<long long>(day->time_since_epoch().count()) * 86400;
  std::string_view rest = text.substr(10);
  if (rest.empty()) return Timestamp{midnight};
  if (rest[0] != ' ' && rest[0] != 'T') return bad();
  rest.remove_prefix(1);
  const std::size_t zone_at = std::min(rest.find_first_of("Zz+-"), rest.size());
  bool fraction = false;
  const long long seconds = time_of_day(rest.substr(0, zone_at), fraction);
  if (seconds < 0) return bad();
  long long offset = 0;
  if (zone_at < rest.size()) {
    auto parsed = utc_offset(rest.substr(zone_at));
    if (!parsed) return bad();
    offset = *parsed;
  }
  return Timestamp{midnight + seconds - offset, fraction};
}

Result<BucketPlace> BucketOrder::next(std::string_view text, long line) {
  auto fail = [&](const std::string& problem) {
    return Error::usage(fmt::format("stdin:{}: {}", line, problem));
  };
  const std::string_view shown = utf8_prefix(text, 40);
  auto stamp = parse_timestamp(text);
  if (!stamp.ok()) return fail(stamp.error().message);
  const long long t = stamp->instant;
  BucketPlace place;
  long long index = 0;
  if (!has_previous_) {
    origin_ = t;
  } else {
    if (t == previous_instant_) {
      return fail(fmt::format("timestamp '{}' repeats line {} ('{}'): give each bucket once",
                              shown, previous_line_, previous_text_));
    }
    if (t < previous_instant_) {
      return fail(fmt::format("timestamp '{}' is before line {} ('{}'): sort the rows by time",
                              shown, previous_line_, previous_text_));
    }
    // t > previous_instant_ >= origin_: the offset from the grid's start is positive.
    const long long nearest = (t - origin_ + interval_ / 2) / interval_;
    index = std::max(nearest, previous_index_ + 1);
    if (origin_ + index * interval_ - t > kMaxLateBuckets * interval_) {
      const long long minutes = interval_ / 60;
      return fail(fmt::format(
          "rows come faster than one per {} minutes: timestamp '{}' finds no free bucket "
          "within {} minutes of it after line {} ('{}'); give the series' own "
          "--interval-minutes",
          minutes, shown, kMaxLateBuckets * minutes, previous_line_, previous_text_));
    }
    place.missing = index - previous_index_ - 1;
  }
  place.bucket = origin_ + index * interval_;
  place.snapped = place.bucket != t || stamp->fraction;
  snapped_ += place.snapped;
  has_previous_ = true;
  previous_index_ = index;
  previous_instant_ = t;
  previous_text_.assign(shown);  // reuses its buffer: no allocation per row
  previous_line_ = line;
  return place;
}

}  // namespace vigil
