// Backtests: replay every bucket of a range through the same detectors and the
// same state machine as live runs (no Telegram, state in memory), then score
// the alerts against labelled anomalies. Pure: series and labels in, events and
// scores out.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "alert/evaluate.h"
#include "alert/state.h"

namespace vigil {

// What a live run would have sent.
struct BacktestEvent {
  std::string method;
  Evaluation evaluation;
  AlertAction action = AlertAction::kNone;
  bool firing = false;   // the alert state after this bucket
};

// Replays buckets [first_index, last_index] for every watched key; `progress`
// is called once per local day replayed (day number, total days).
std::vector<BacktestEvent> replay(const BucketSeries& series, const std::vector<MetricWatch>& watches,
                                  int first_index, int last_index,
                                  const std::function<void(int, int)>& progress);

// A labelled anomaly: `metric` was changed over [start, end).
struct AnomalyLabel {
  std::string metric;
  EpochSeconds start = 0, end = 0;
};

// Metrics a labelled anomaly legitimately moves (a views drop also moves CTR).
std::vector<std::string> metrics_moved_by(const std::string& label_metric);

struct BacktestScore {
  std::string method, metric;     // metric "all" = every metric together
  int alerts = 0;                 // fire events (all users)
  int true_alerts = 0;            // fired during a label that moves this metric
  int labels = 0;                 // labels of this metric
  int labels_found = 0;           // ... during which this metric's alert was firing
  double days = 0;
  double precision() const;       // 1 when there were no alerts
  double recall() const;          // 1 when there were no labels
  double f1() const;
  double false_alerts_per_day() const;
};

// Scores the all-users events of each method and metric (and "all").
// A label counts as found if the metric's alert fired or was firing at a
// bucket in [start, end + bucket_seconds).
std::vector<BacktestScore> score_backtest(const std::vector<BacktestEvent>& events,
                                          const std::vector<AnomalyLabel>& labels,
                                          const std::vector<std::string>& methods,
                                          int bucket_seconds, double days);

}  // namespace vigil
