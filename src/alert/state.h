// Alert noise control, pure: per (metric, slice) a small state machine fed one
// evaluated bucket at a time. An alert fires after `consecutive` anomalous
// buckets, repeats at most every `repeat_every_seconds` while firing, and sends
// one "back to normal" when a bucket is normal again. Buckets at or before the
// last one seen are ignored, so re-running a bucket never sends twice.
#pragma once

#include <string>

#include "base/time.h"

namespace vigil {

// What is watched: a metric, over all users ("") or one slice ("os=iOS").
struct AlertKey {
  std::string metric;
  std::string slice;
  bool operator==(const AlertKey&) const = default;
  bool operator<(const AlertKey& other) const {
    return metric != other.metric ? metric < other.metric : slice < other.slice;
  }
};

// One bucket as the detector saw it.
struct Evaluation {
  AlertKey key;
  EpochSeconds bucket = 0;    // start of the 15-minute bucket
  double value = 0;
  double lower = 0, upper = 0, expected = 0;
  double score = 0;
  bool anomaly = false;
  bool ready = false;         // the detector had enough history to judge
};

struct AlertPolicy {
  int consecutive = 1;               // anomalous buckets in a row before firing (< 1 acts as 1)
  int repeat_every_seconds = 3600;   // while firing, remind at most this often (<= 0: never)
};

struct AlertState {
  bool firing = false;
  int streak = 0;                 // anomalous buckets in a row so far
  EpochSeconds fired_at = 0;      // bucket that started the current firing
  EpochSeconds last_sent = 0;     // bucket of the last message (fire or repeat)
  EpochSeconds last_bucket = -1;  // last bucket processed; -1: none yet
  bool operator==(const AlertState&) const = default;
};

enum class AlertAction { kNone, kFire, kRepeat, kResolve };

const char* alert_action_name(AlertAction action);  // "none", "fire", "repeat", "resolve"

// A fire or a reminder: a message saying the alert is on, the kind that can be
// explained, silenced from a button or judged real or false.
inline bool is_alerting(AlertAction action) {
  return action == AlertAction::kFire || action == AlertAction::kRepeat;
}

// Advances `state` by one evaluation and says what to send. A bucket at or
// before state.last_bucket returns kNone and leaves the state as it was.
// A not-ready evaluation counts as normal for the streak but does not resolve.
AlertAction step_alert(AlertState& state, const Evaluation& evaluation, const AlertPolicy& policy);

}  // namespace vigil
