#!/usr/bin/env bash
# Alert run benchmark: wall time and peak RSS of one `vigil alert` (all six
# metrics, history window of 8 days + today, one query) on 2 M feed events/day,
# next to the same series query run raw with clickhouse-client in this run.
# Usage: bash bench/alert.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
make -s build >/dev/null
source bench/lib.sh

"$vigil" --quiet simulate --from 2026-03-01 --days 10 --users 50000 --feed-per-day 2000000 \
  --messages-per-day 200000 --anomalies none >/dev/null
at="2026-03-10 20:07"
bucket_end=$(TZ=Europe/Moscow date -d "2026-03-10 20:00:00" +%s)
begin=$(TZ=Europe/Moscow date -d "2026-03-02 00:00:00" +%s)
raw_sql="SELECT intDiv(toUInt32(time), 900) * 900 AS bucket, 'feed', uniqExact(user_id),
  countIf(action = 'view'), countIf(action = 'like') FROM bench_src.feed_actions
  WHERE time >= toDateTime($begin) AND time < toDateTime($bucket_end) GROUP BY bucket
  UNION ALL SELECT intDiv(toUInt32(time), 900) * 900 AS bucket, 'messages', uniqExact(user_id),
  count(), toUInt64(0) FROM bench_src.message_actions
  WHERE time >= toDateTime($begin) AND time < toDateTime($bucket_end) GROUP BY bucket"

times=() raws=() rss=()
for i in $(seq "$runs"); do
  /usr/bin/time -f '%e %M' -o "$work/time.txt" \
    "$vigil" --quiet alert --at "$at" --dry-run --out "$work/alerts" >/dev/null
  read -r seconds kb < "$work/time.txt"
  times+=("$seconds"); rss+=("$kb")
  raws+=("$(seconds_of clickhouse-client --port "$tcp_port" --query "$raw_sql")")
done
t=$(printf '%s\n' "${times[@]}" | median)
r=$(printf '%s\n' "${raws[@]}" | median)
m=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
echo "alert benchmark: 6 metrics, 8 days + today of history, 2,000,000 feed events/day ($runs runs, median)"
printf '  vigil alert --dry-run          %6.3f s   peak RSS %.1f MB\n' "$t" "$(echo "$m / 1024" | bc -l)"
printf '  raw series query (client)      %6.3f s\n' "$r"
printf '  ratio vigil / raw              %6.2f\n' "$(echo "$t / $r" | bc -l)"
