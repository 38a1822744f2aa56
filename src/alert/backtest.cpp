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

}  // namespace vigil
