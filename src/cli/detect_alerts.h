// `vigil detect --alerts` (pure): vigil's alert rules (alert/state's step_alert:
// fire after `consecutive` anomalous buckets, remind every `repeat_every_minutes`
// while firing, resolve on a normal bucket) replayed over a series' verdicts, so
// anyone can backtest an exported series: one CSV line per message a chat would
// receive, `action,timestamp,value,expected,lower,upper,score`, and a summary.
// A bucket without a row (or without a value) is not judged: it breaks a streak of
// anomalous buckets but does not resolve a firing alert, as in live runs.
#pragma once

#include <span>
#include <string>

#include "alert/state.h"
#include "base/result.h"
#include "cli/detect_stream.h"

namespace vigil {

// The policy from --consecutive (1..96) and --repeat-every-minutes (1..10080), the
// ranges [alerts] accepts; a usage error naming the option otherwise.
Result<AlertPolicy> detect_alert_policy(int consecutive, int repeat_every_minutes);

struct AlertReplaySummary {
  long long episodes = 0;  // fire messages
  long long messages = 0;  // fire, repeat and resolve messages
  bool firing = false;     // an episode still open at the end of the series
  double days = 0;         // from the first row's bucket to the end of the last one's

  double episodes_per_week() const { return days > 0 ? episodes * 7 / days : 0; }
};

// One line: "alerts: 3 episodes (5 messages) over 12.0 days: 1.75 episodes per week",
// with ", the last still firing" when one is open at the end.
std::string describe(const AlertReplaySummary& summary);

class AlertReplay : public RowSink {
 public:
  AlertReplay(const AlertPolicy& policy, int interval_minutes);

  std::string header() const override {
    return "action,timestamp,value,expected,lower,upper,score\n";
  }
  bool concurrent() const override { return false; }
  void take(std::span<const DetectRow> rows, std::span<const Verdict> verdicts,
            std::string& out) override;

  AlertReplaySummary summary() const;

 private:
  void step(const DetectRow& row, const Verdict& verdict, std::string& out);

  AlertPolicy policy_;
  long long interval_;  // seconds
  AlertState state_;
  bool has_rows_ = false;
  long long first_bucket_ = 0, last_bucket_ = 0;
  long long episodes_ = 0, messages_ = 0;
};

}  // namespace vigil
