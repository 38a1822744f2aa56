// Backtest scoring, pure: alert events (from `vigil backtest`'s replay, or from
// bench/detect_tune over the simulator's plan) against labelled anomalies. The one
// scoring of both, so their figures mean the same thing. Needs only alert/state.
//
// Which metrics a label explains (metrics_moved_by) follows what the simulator
// (sim/plan.cpp, sim/simulator.cpp) really changes for an injected anomaly of each
// kind, since its labels are the ground truth here:
//   - the labelled metric itself;
//   - a ratio of a changed count: views and likes move CTR (ctr is injected as a
//     likes change, so a ctr label moves likes too);
//   - fewer users means fewer events: feed_users scales views and likes with the
//     share of users, messenger_users scales messages;
//   - fewer events means fewer distinct users in a bucket: each event draws its
//     user, so a views or messages_sent change moves feed_users or messenger_users
//     (likes, ~4.5 % of feed events, barely do: a likes label does not explain a
//     feed_users alert).
// An alert during a label that moves its metric is true, any other is false. A
// label is found when an alert of a metric it moves was firing during it: an
// on-call engineer told "views too low" during a feed-users outage was told of the
// outage. (Before, `vigil backtest` only counted the labelled metric's own alert and
// detect_tune scored its series with a different map.)
//
// Root cause by slice: for a label of one slice (os=Android), each all-users alert
// on the label's metric that fired during it is an incident; it is a hit when the
// slice the alert's explanation leads with (alert/top_slice.h, given here as a
// function so this scoring stays pure) is the label's slice.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "alert/state.h"

namespace vigil {

// What a live run would have sent.
struct BacktestEvent {
  std::string method;
  Evaluation evaluation;
  AlertAction action = AlertAction::kNone;
  bool firing = false;   // the alert state after this bucket
};

// A labelled anomaly: `metric` was changed over [start, end), for everyone
// (slice "") or only for one slice ("os=Android").
struct AnomalyLabel {
  std::string metric;
  EpochSeconds start = 0, end = 0;
  std::string slice;
};

// Metrics a labelled anomaly legitimately moves (see above), the label's own first.
std::vector<std::string> metrics_moved_by(const std::string& label_metric);

struct BacktestScore {
  std::string method, metric;     // metric "all" = every metric together
  int alerts = 0;                 // fire events (all users)
  int true_alerts = 0;            // fired during a label that moves this metric
  int labels = 0;                 // labels that move this metric ("all": every label)
  int labels_found = 0;           // ... during which its alert (any moved one) was firing
  double days = 0;
  // Labels of one slice (of this metric; "all": every one): all-users alerts on the
  // label's metric fired during them, those whose top contributor is the label's slice,
  // and those that could not be judged (the series has no slices of that dimension).
  int slice_incidents = 0, slice_hits = 0, slice_unjudged = 0;
  double precision() const;       // 1 when there were no alerts
  double recall() const;          // 1 when there were no labels
  double f1() const;
  double false_alerts_per_day() const;
};

// The slice an all-users alert of `method` on `label.metric` at `bucket` leads
// its explanation with ("" when it names none), or nullopt when the slices of
// label.slice's dimension are not known.
using TopContributor = std::function<std::optional<std::string>(
    const std::string& method, const AnomalyLabel& label, EpochSeconds bucket)>;

// Scores the all-users events of each method and metric (and "all"). "During a
// label" is a bucket in [start, end + bucket_seconds). Without `top`, the slice
// figures stay 0.
std::vector<BacktestScore> score_backtest(const std::vector<BacktestEvent>& events,
                                          const std::vector<AnomalyLabel>& labels,
                                          const std::vector<std::string>& methods,
                                          int bucket_seconds, double days,
                                          const TopContributor& top = {});

// Known-normal periods: labels of factor 1, which `vigil feedback export` writes
// for each alert marked a false alarm. They are not labels to find (the caller
// keeps them out of score_backtest's labels, so an alert during one is false
// like any unexplained one). Returns how many of `normal` the alert of `method`
// on the label's metric and slice is still firing during (as above: a bucket in
// [start, end + bucket_seconds)).
int normal_labels_still_firing(const std::vector<BacktestEvent>& events,
                               const std::vector<AnomalyLabel>& normal, const std::string& method,
                               int bucket_seconds);

}  // namespace vigil
