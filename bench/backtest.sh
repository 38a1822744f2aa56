#!/usr/bin/env bash
# Detector evidence: the simulator's default anomalies over 14 days (after 7
# clean days of history), replayed by `vigil backtest` for iqr, dayago and
# seasonal against a real ClickHouse. Seasonal's defaults were tuned on seed 1;
# report the other seeds. Usage: bash bench/backtest.sh [seed ...]  (default 1 2)
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=("${@:-1 2}")
[ $# -eq 0 ] && seeds=(1 2)
make -s build >/dev/null
source bench/lib.sh

# The default anomalies of the 14 days from 2026-10-08 (a throwaway tiny simulation).
sed 's/database = "bench_src"/database = "labels_src"/' vigil.toml > labels.toml
"$vigil" --quiet --config labels.toml simulate --from 2026-10-08 --days 14 --feed-per-day 1000 \
  --messages-per-day 100 >/dev/null
cp out/anomalies.csv labels.csv
echo "$(($(wc -l < labels.csv) - 1)) labelled anomalies, 2026-10-08 .. 2026-10-21"
for seed in "${seeds[@]}"; do
  "$vigil" --quiet simulate --from 2026-10-01 --days 21 --users 20000 --feed-per-day 2000000 \
    --messages-per-day 200000 --anomalies labels.csv --seed "$seed" >/dev/null
  echo; echo "== seed $seed: 20 000 users, 2 M feed events and 200 k messages a day"
  "$vigil" --quiet backtest --from 2026-10-08 --to 2026-10-21 --labels labels.csv \
    | sed -n '/^method/,$p'
done
