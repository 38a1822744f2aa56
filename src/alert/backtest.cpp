#include "alert/backtest.h"

#include <algorithm>
#include <map>

namespace vigil {

std::vector<BacktestEvent> replay(const BucketSeries& series, const std::vector<MetricWatch>& watches,
                                  int first_index, int last_index,
                                  const std::function<void(int, int)>& progress) {
  std::vector<BacktestEvent> events;
  const int per_day = 86400 / series.bucket_seconds;
  const int total_days = (last_index - first_index) / per_day + 1;
  std::map<AlertKey, AlertState> states;
  // Each watched series judged once over the whole range (as live runs judge
  // each bucket), in the series' order.
  struct Watched {
    const SeriesKey* key;
    const std::vector<double>* values;
    const MetricWatch* watch;
    std::vector<Verdict> verdicts;
  };
  std::vector<Watched> watched;
  for (const auto& [key, values] : series.values) {
    auto watch = std::find_if(watches.begin(), watches.end(),
                              [&](const MetricWatch& w) { return w.metric == key.first; });
    if (watch == watches.end()) continue;
    watched.push_back({&key, &values, &*watch,
                       judge_range(*watch->detector, values, first_index, last_index)});
  }
  for (int index = first_index; index <= last_index; ++index) {
    if ((index - first_index) % per_day == 0 && progress) {
      progress((index - first_index) / per_day + 1, total_days);
    }
    for (const Watched& w : watched) {
      BacktestEvent event;
      event.method = w.watch->method;
      event.evaluation = evaluation_of(*w.key, series.bucket_start(index), (*w.values)[index],
                                       w.verdicts[index - first_index]);
      AlertState& state = states[event.evaluation.key];
      event.action = step_alert(state, event.evaluation, w.watch->policy);
      event.firing = state.firing;
      events.push_back(std::move(event));
    }
  }
  return events;
}

std::vector<std::string> metrics_moved_by(const std::string& label_metric) {
  static const std::map<std::string, std::vector<std::string>> kMoves = {
      {"feed_users", {"feed_users", "views", "likes"}},
      {"views", {"views", "ctr"}},
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
    if (metric != "all" && label.metric != metric) continue;
    ++s.labels;
    const bool found = std::any_of(events.begin(), events.end(), [&](const BacktestEvent* e) {
      return e->evaluation.key.metric == label.metric && e->firing &&
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
                                          int bucket_seconds, double days) {
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
    }
    scores.push_back(score_one(all, labels, method, "all", bucket_seconds, days));
  }
  return scores;
}

}  // namespace vigil
