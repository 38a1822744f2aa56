// Backtests: replay every bucket of a range through the same detectors and the
// same state machine as live runs (no Telegram, state in memory), then score
// the alerts against labelled anomalies. Pure: series and labels in, events and
// scores out.
#pragma once

#include <functional>
#include <vector>

#include "alert/backtest_score.h"
#include "alert/evaluate.h"
#include "alert/state.h"

namespace vigil {

// Replays buckets [first_index, last_index] for every watched key; `progress`
// is called once per local day replayed (day number, total days).
std::vector<BacktestEvent> replay(const BucketSeries& series, const std::vector<MetricWatch>& watches,
                                  int first_index, int last_index,
                                  const std::function<void(int, int)>& progress);

}  // namespace vigil
