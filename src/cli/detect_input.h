// The time axis of `vigil detect`'s input (pure): timestamps parsed into seconds,
// and rows placed on the bucket grid. Real exports drift (12:24, 12:27, 12:32 at
// 5 minutes) or carry seconds ("21:42:53"), so a row off the grid goes to the
// nearest free bucket instead of stopping the run; rows out of order or repeated
// still stop it with the line number. Rows that skip buckets leave them missing
// (the detector sees NaN there) instead of shifting every later row onto the
// wrong bucket.
#pragma once

#include <cmath>
#include <string>
#include <string_view>

#include "base/result.h"

namespace vigil {

// A row's time: `instant` in whole seconds since the epoch (UTC; an offset is
// applied, a fraction of a second cut off and flagged).
struct Timestamp {
  long long instant = 0;
  bool fraction = false;  // a non-zero fraction of a second: never on the grid
};

// "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.fff]]" ('T' also separates), optionally
// followed by "Z" or an offset "+HH:MM" / "+HHMM" / "+HH"; or Unix seconds
// ("1773003600"). The error says which forms are expected.
Result<Timestamp> parse_timestamp(std::string_view text);

// Where a row goes on the grid.
struct BucketPlace {
  long long bucket = 0;   // start of the row's bucket, seconds since the epoch
  long long missing = 0;  // buckets without a row since the previous row's (0 for the first)
  bool snapped = false;   // the row's own time is not its bucket's start
};

// Places rows' timestamps, fed in input order, on a grid of `interval_minutes`
// buckets whose phase is the first row's time (a series at :02, :07, ... is on
// its grid). A row off the grid goes to the nearest bucket; if that bucket is
// the previous row's (or earlier), to the next free one, provided it starts
// within kMaxLateBuckets intervals of the row's time: a sensor whose phase
// slips, or a short burst of rows, is placed a little late rather than refused,
// while a wrong --interval-minutes (rows far denser) still stops with the line.
constexpr long long kMaxLateBuckets = 4;

class BucketOrder {
 public:
  explicit BucketOrder(int interval_minutes) : interval_(interval_minutes * 60LL) {}

  // The row's place, or a usage error "stdin:LINE: ..." for an unreadable
  // timestamp, one equal to or before the previous row's, or a row with no free
  // bucket near it (rows denser than the interval).
  Result<BucketPlace> next(std::string_view text, long line);

  // Rows so far whose bucket is not their own time.
  long long snapped() const { return snapped_; }
  long long interval_seconds() const { return interval_; }

 private:
  long long interval_;  // seconds
  bool has_previous_ = false;
  long long origin_ = 0;          // the first row's time: bucket 0
  long long previous_index_ = 0;  // the previous row's bucket, counted from origin_
  long long previous_instant_ = 0;
  std::string previous_text_;
  long previous_line_ = 0;
  long long snapped_ = 0;
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
