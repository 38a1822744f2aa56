#include "alert/state.h"

#include <algorithm>
#include <climits>

namespace vigil {

const char* alert_action_name(AlertAction action) {
  switch (action) {
    case AlertAction::kNone: return "none";
    case AlertAction::kFire: return "fire";
    case AlertAction::kRepeat: return "repeat";
    case AlertAction::kResolve: return "resolve";
  }
  return "none";
}

namespace {

// An anomalous bucket the detector could judge: count it, then fire or remind.
AlertAction step_anomalous(AlertState& state, EpochSeconds bucket, const AlertPolicy& policy) {
  if (state.streak < INT_MAX) ++state.streak;
  if (!state.firing) {
    if (state.streak < std::max(policy.consecutive, 1)) return AlertAction::kNone;
    state.firing = true;
    state.fired_at = bucket;
    state.last_sent = bucket;
    return AlertAction::kFire;
  }
  if (policy.repeat_every_seconds <= 0) return AlertAction::kNone;
  if (bucket - state.last_sent < policy.repeat_every_seconds) return AlertAction::kNone;
  state.last_sent = bucket;
  return AlertAction::kRepeat;
}

}  // namespace

AlertAction step_alert(AlertState& state, const Evaluation& evaluation, const AlertPolicy& policy) {
  if (evaluation.bucket <= state.last_bucket) return AlertAction::kNone;
  state.last_bucket = evaluation.bucket;
  if (!evaluation.ready) {
    // No judgement: the streak is broken, but a firing alert stays open until
    // a bucket is actually seen to be normal.
    state.streak = 0;
    return AlertAction::kNone;
  }
  if (evaluation.anomaly) return step_anomalous(state, evaluation.bucket, policy);
  state.streak = 0;
  if (!state.firing) return AlertAction::kNone;
  state.firing = false;
  return AlertAction::kResolve;
}

}  // namespace vigil
