#include "alert/backtest_score.h"

#include <algorithm>
#include <map>

namespace vigil {

std::vector<std::string> metrics_moved_by(const std::string& label_metric) {
  static const std::map<std::string, std::vector<std::string>> kMoves = {
      {"feed_users", {"feed_users", "views", "likes"}},
      {"views", {"views", "ctr", "feed_users"}},
      {"likes", {"likes", "ctr"}},
      {"ctr", {"ctr", "likes"}},
      {"messenger_users", {"messenger_users", "messages_sent"}},
      {"messages_sent", {"messages_sent", "messenger_users"}}};
  auto it = kMoves.find(label_metric);
  return it == kMoves.end() ? std::vector<std::string>{label_metric} : it->second;
}

double BacktestScore::precision() const {
  return alerts == 0 ? 1.0 : static_cast<double>(true_alerts) / alerts;
}
double BacktestScore::recall() const {
  return labels == 0 ? 1.0 : static_cast<double>(labels_found) / labels;
}
double BacktestScore::f1() const {
  const double p = precision(), r = recall();
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}
double BacktestScore::false_alerts_per_day() const {
  return days <= 0 ? 0.0 : (alerts - true_alerts) / days;
}

namespace {

bool inside(const AnomalyLabel& label, EpochSeconds bucket, int bucket_seconds) {
  return bucket >= label.start && bucket < label.end + bucket_seconds;
}

bool moves(const AnomalyLabel& label, const std::string& metric) {
  const auto moved = metrics_moved_by(label.metric);
  return std::find(moved.begin(), moved.end(), metric) != moved.end();
}

// The incidents of the labels of one slice (of `metric`, or every one for "all")
// and whether their top contributor was that slice.
void score_slices(BacktestScore& s, const std::vector<const BacktestEvent*>& events,
                  const std::vector<AnomalyLabel>& labels, int bucket_seconds,
                  const TopContributor& top) {
  if (!top) return;
  for (const auto& label : labels) {
    if (label.slice.empty() || (s.metric != "all" && label.metric != s.metric)) continue;
    for (const auto* e : events) {
      const Evaluation& v = e->evaluation;
      if (e->action != AlertAction::kFire || v.key.metric != label.metric ||
          !inside(label, v.bucket, bucket_seconds)) {
        continue;
      }
      const auto slice = top(s.method, label, v.bucket);
      if (!slice) {
        ++s.slice_unjudged;
        continue;
      }
      ++s.slice_incidents;
      if (*slice == label.slice) ++s.slice_hits;
    }
  }
}

// `events`: those of `metric`, or of every metric for "all".
BacktestScore score_one(const std::vector<const BacktestEvent*>& events,
                        const std::vector<AnomalyLabel>& labels, const std::string& method,
                        const std::string& metric, int bucket_seconds, double days) {
  BacktestScore s{method, metric};
  s.days = days;
  for (const auto* e : events) {
    if (e->action != AlertAction::kFire) continue;
    ++s.alerts;
    const bool explained = std::any_of(labels.begin(), labels.end(), [&](const AnomalyLabel& l) {
      return moves(l, e->evaluation.key.metric) && inside(l, e->evaluation.bucket, bucket_seconds);
    });
    if (explained) ++s.true_alerts;
  }
  for (const auto& label : labels) {
    if (metric != "all" && !moves(label, metric)) continue;
    ++s.labels;
    const bool found = std::any_of(events.begin(), events.end(), [&](const BacktestEvent* e) {
      return e->firing && moves(label, e->evaluation.key.metric) &&
             inside(label, e->evaluation.bucket, bucket_seconds);
    });
    if (found) ++s.labels_found;
  }
  return s;
}

}  // namespace

std::vector<BacktestScore> score_backtest(const std::vector<BacktestEvent>& events,
                                          const std::vector<AnomalyLabel>& labels,
                                          const std::vector<std::string>& methods,
                                          int bucket_seconds, double days,
                                          const TopContributor& top) {
  std::vector<BacktestScore> scores;
  for (const auto& method : methods) {
    std::map<std::string, std::vector<const BacktestEvent*>> by_metric;
    std::vector<const BacktestEvent*> all;
    for (const auto& e : events) {
      if (e.method != method || !e.evaluation.key.slice.empty()) continue;
      by_metric[e.evaluation.key.metric].push_back(&e);
      all.push_back(&e);
    }
    for (const auto& [metric, metric_events] : by_metric) {
      scores.push_back(score_one(metric_events, labels, method, metric, bucket_seconds, days));
      score_slices(scores.back(), metric_events, labels, bucket_seconds, top);
    }
    scores.push_back(score_one(all, labels, method, "all", bucket_seconds, days));
    score_slices(scores.back(), all, labels, bucket_seconds, top);
  }
  return scores;
}

int normal_labels_still_firing(const std::vector<BacktestEvent>& events,
                               const std::vector<AnomalyLabel>& normal, const std::string& method,
                               int bucket_seconds) {
  return static_cast<int>(std::count_if(normal.begin(), normal.end(), [&](const AnomalyLabel& l) {
    return std::any_of(events.begin(), events.end(), [&](const BacktestEvent& e) {
      return e.method == method && e.firing && e.evaluation.key == AlertKey{l.metric, l.slice} &&
             inside(l, e.evaluation.bucket, bucket_seconds);
    });
  }));
}

}  // namespace vigil
