#!/usr/bin/env bash
# Cluster ETL benchmark: one simulated day (2 M feed events, 200 k messages, 200 k users by
# default) on one server (the reference, in this same run), then on the loopback test cluster
# (build/test_cluster: ZooKeeper + SHARDS x 2 replicas of clickhouse-server) with 1 and with 2
# shards. Times `vigil etl --date` (median of runs) on each, with the same events.
# All servers share this machine's cores, so the shards do not add CPU here: the figures
# show what the cluster path costs on top and how it scales within one machine.
# Usage: bash bench/cluster.sh [feed events per day] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
feed=${1:-2000000}
runs=${2:-3}
users=$((feed / 10))
messages=$((feed / 10))
make -s build >/dev/null
repo=$PWD
source bench/lib.sh
day=2026-03-10

sim_args=(simulate --from 2026-03-09 --days 2 --users "$users" --feed-per-day "$feed"
          --messages-per-day "$messages" --anomalies none)
etl_median() {
  local times=() t
  for i in $(seq "$runs"); do
    t=$(seconds_of "$vigil" --quiet --config "$1" etl --date "$day")
    times+=("$t")
  done
  printf '%s\n' "${times[@]}" | median
}

"$vigil" --quiet "${sim_args[@]}" >/dev/null
one=$(etl_median "$work/vigil.toml")
results=("one server|$one")

for shards in 1 2; do
  fifo="$work/cluster$shards.in"
  mkfifo "$fifo"
  "$repo/build/test_cluster" "$shards" < "$fifo" > "$work/cluster$shards.out" 2>&1 &
  pid=$!
  exec 7> "$fifo"   # the cluster serves until this closes
  for i in $(seq 600); do [ -s "$work/cluster$shards.out" ] && break; sleep 0.2; done
  read -r url name < "$work/cluster$shards.out"
  cat > "$work/cluster$shards.toml" <<TOML
state_dir = "$work/state$shards"
out_dir = "$work/out$shards"
[clickhouse]
url = "$url"
database = "bench"
cluster = "$name"
[source]
database = "bench_src"
TOML
  "$vigil" --quiet --config "$work/cluster$shards.toml" "${sim_args[@]}" >/dev/null
  results+=("$shards shard(s) x 2 replicas|$(etl_median "$work/cluster$shards.toml")")
  exec 7>&-
  wait "$pid"
done

echo "cluster etl benchmark: 1 day, $feed feed events, $messages messages, $users users ($runs runs, median)"
for r in "${results[@]}"; do
  printf '  %-26s %6.2f s   ratio to one server %5.2f\n' "${r%%|*}" "${r##*|}" "$(echo "${r##*|} / $one" | bc -l)"
done
