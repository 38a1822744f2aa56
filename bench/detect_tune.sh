#!/usr/bin/env bash
# Builds the detector tuning/backtest harness (bench/detect_tune.cpp) from the pure
# sources it needs and runs it; arguments go to the harness. With none: the backtest
# table for seeds 1 (tuning), 2 and 3 at the bench size (2 M feed events, 200 k messages
# a day) and the demo size (500 k / 50 k), 14 and 28 days.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${TMPDIR:-/tmp}/vigil-detect-tune
srcs=(bench/detect_tune.cpp src/detect/*.cpp src/sim/plan.cpp src/alert/backtest_score.cpp
      src/alert/state.cpp src/config/metric_catalog.cpp src/base/time.cpp src/base/parse.cpp
      src/base/strings.cpp)
hdrs=(src/detect/*.h src/sim/plan.h src/alert/backtest_score.h src/alert/state.h
      src/config/metric_catalog.h)
if [[ ! -x $bin ]] || [[ -n $(find "${srcs[@]}" "${hdrs[@]}" -newer "$bin") ]]; then
  g++ -std=c++20 -O2 -Isrc -o "$bin" "${srcs[@]}" -ldate-tz -lfmt
fi
if [[ $# -gt 0 ]]; then
  exec "$bin" "$@"
fi
for size in "2000000 200000" "500000 50000"; do
  read -r feed messages <<<"$size"
  for days in 14 28; do
    for seed in 1 2 3; do
      "$bin" --seed "$seed" --days "$days" --feed "$feed" --messages "$messages"
      echo
    done
  done
done
