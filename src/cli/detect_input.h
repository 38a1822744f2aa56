// The time axis of `vigil detect`'s input (pure): timestamps parsed into seconds,
// and the check that rows come in time order, once per bucket, on the bucket
// grid. Rows that skip buckets leave them missing (the detector sees NaN there)
// instead of shifting every later row onto the wrong bucket.
#pragma once

#include <cmath>
#include <string>
#include <string_view>

#include "base/result.h"

namespace vigil {

// A row's time in seconds: `instant` orders rows (UTC), `wall` is the time as
// written (its offset not applied), which must lie on the bucket grid.
struct Timestamp {
  long long instant = 0;
  long long wall = 0;
  bool fraction = false;  // a non-zero fraction of a second: on no grid
};

// "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.fff]]" ('T' also separates), optionally
// followed by "Z" or an offset "+HH:MM" / "+HHMM" / "+HH"; or Unix seconds
// ("1773003600"). The error says which forms are expected.
Result<Timestamp> parse_timestamp(std::string_view text);

// Feeds rows' timestamps in input order.
class BucketOrder {
 public:
  explicit BucketOrder(int interval_minutes) : interval_minutes_(interval_minutes) {}

  // The number of buckets missing between the previous row and this one (0 when
  // they are neighbours or this is the first row), or a usage error "stdin:LINE: ..."
  // for an unreadable, off-grid, repeated or earlier timestamp.
  Result<long long> next(std::string_view text, long line);

 private:
  int interval_minutes_;
  bool has_previous_ = false;
  long long previous_instant_ = 0;
  std::string previous_text_;
  long previous_line_ = 0;
};

// "No data yet" is not "zero events": an exported series often has zeros for
// the time before the metric existed (a new install, a new slice), and a
// detector taking them as values expects too little for days. Until the first
// non-zero value, an exact 0 is read as a missing bucket; a missing value does
// not end that run. `keep` (--keep-leading-zeros) reads every 0 as a value.
class LeadingZeros {
 public:
  explicit LeadingZeros(bool keep) : started_(keep) {}
  double admit(double value) {
    if (!started_ && value == 0) return std::nan("");
    if (!std::isnan(value)) started_ = true;
    return value;
  }

 private:
  bool started_;
};

}  // namespace vigil
