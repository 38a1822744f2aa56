#include "cli/detect_alerts.h"

#include <limits>

#include <fmt/format.h>

#include "cli/detect_csv.h"
#include "config/config.h"

namespace vigil {

Result<AlertPolicy> detect_alert_policy(int consecutive, int repeat_every_minutes) {
  if (consecutive < 1 || consecutive > kMaxConsecutive) {
    return Error::usage(fmt::format(
        "--consecutive {}: expected 1..{} anomalous buckets in a row before an alert",
        consecutive, kMaxConsecutive));
  }
  if (repeat_every_minutes < 1 || repeat_every_minutes > kMaxRepeatEveryMinutes) {
    return Error::usage(fmt::format(
        "--repeat-every-minutes {}: expected 1..{} minutes between reminders while firing",
        repeat_every_minutes, kMaxRepeatEveryMinutes));
  }
  AlertPolicy policy;
  policy.consecutive = consecutive;
  policy.repeat_every_seconds = repeat_every_minutes * 60;
  return policy;
}

std::string describe(const AlertReplaySummary& s) {
  return fmt::format("alerts: {} episode{} ({} message{}) over {:.1f} days: {:.2f} episodes per "
                     "week{}",
                     s.episodes, s.episodes == 1 ? "" : "s", s.messages,
                     s.messages == 1 ? "" : "s", s.days, s.episodes_per_week(),
                     s.firing ? ", the last still firing" : "");
}

AlertReplay::AlertReplay(const AlertPolicy& policy, int interval_minutes)
    : policy_(policy), interval_(interval_minutes * 60LL) {
  // Any bucket, also one before 1970, is after "none yet".
  state_.last_bucket = std::numeric_limits<EpochSeconds>::min();
}

void AlertReplay::take(std::span<const DetectRow> rows, std::span<const Verdict> verdicts,
                       std::string& out) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].filler) step(rows[i], verdicts[i], out);
  }
}

void AlertReplay::step(const DetectRow& row, const Verdict& verdict, std::string& out) {
  if (has_rows_ && row.bucket - last_bucket_ > interval_) {
    // Buckets without a row before this one: not judged.
    Evaluation gap;
    gap.bucket = row.bucket - interval_;
    step_alert(state_, gap, policy_);
  }
  if (!has_rows_) first_bucket_ = row.bucket;
  has_rows_ = true;
  last_bucket_ = row.bucket;

  Evaluation e;
  e.bucket = row.bucket;
  e.anomaly = verdict.anomaly;
  e.ready = verdict.ready;
  const AlertAction action = step_alert(state_, e, policy_);
  if (action == AlertAction::kNone) return;
  ++messages_;
  if (action == AlertAction::kFire) ++episodes_;
  out += alert_action_name(action);
  out += ',';
  out.append(row.timestamp);
  out += ',';
  out.append(row.value);
  for (double number : {verdict.expected, verdict.lower, verdict.upper}) {
    out += ',';
    append_number(out, number);
  }
  out += ',';
  if (verdict.ready) append_number(out, verdict.score, 4);
  out += '\n';
}

AlertReplaySummary AlertReplay::summary() const {
  AlertReplaySummary s;
  s.episodes = episodes_;
  s.messages = messages_;
  s.firing = state_.firing;
  if (has_rows_) s.days = static_cast<double>(last_bucket_ + interval_ - first_bucket_) / 86400;
  return s;
}

}  // namespace vigil
