#!/usr/bin/env bash
# Alert run benchmark: wall time and peak RSS of one `vigil alert` (all six
# metrics, history window of 8 days + today, one query) on 2 M feed events/day,
# quiet (nothing fires) and firing (views x0.3 from 19:45: the all-users alert
# and its Where line's one extra breakdown query over the explain_by slices),
# next to the same series query run raw with clickhouse-client in this run.
# Usage: bash bench/alert.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
make -s build >/dev/null
source bench/lib.sh

printf 'metric,start,end,factor\nviews,2026-03-10 19:45,2026-03-10 20:15,0.3\n' > "$work/drop.csv"
"$vigil" --quiet simulate --from 2026-03-01 --days 10 --users 50000 --feed-per-day 2000000 \
  --messages-per-day 200000 --anomalies "$work/drop.csv" >/dev/null
quiet_at="2026-03-10 19:37"   # bucket 19:15: before the drop, nothing fires
at="2026-03-10 20:07"         # bucket 19:45: views fire, with a Where line
bucket_end=$(TZ=Europe/Moscow date -d "2026-03-10 20:00:00" +%s)
begin=$(TZ=Europe/Moscow date -d "2026-03-02 00:00:00" +%s)
raw_sql="SELECT intDiv(toUInt32(time), 900) * 900 AS bucket, 'feed', uniqExact(user_id),
  countIf(action = 'view'), countIf(action = 'like') FROM bench_src.feed_actions
  WHERE time >= toDateTime($begin) AND time < toDateTime($bucket_end) GROUP BY bucket
  UNION ALL SELECT intDiv(toUInt32(time), 900) * 900 AS bucket, 'messages', uniqExact(user_id),
  count(), toUInt64(0) FROM bench_src.message_actions
  WHERE time >= toDateTime($begin) AND time < toDateTime($bucket_end) GROUP BY bucket"

# The median wall time and the peak RSS (KB) of `vigil alert --at $1` over $runs runs.
alert_runs() {
  local times=() rss=() seconds kb
  for i in $(seq "$runs"); do
    rm -rf "$work/alerts"
    /usr/bin/time -f '%e %M' -o "$work/time.txt" \
      "$vigil" --quiet alert --at "$1" --dry-run --out "$work/alerts" >/dev/null
    read -r seconds kb < "$work/time.txt"
    times+=("$seconds"); rss+=("$kb")
  done
  echo "$(printf '%s\n' "${times[@]}" | median) $(printf '%s\n' "${rss[@]}" | sort -n | tail -1)"
}

read -r quiet quiet_kb <<< "$(alert_runs "$quiet_at")"
if ls "$work/alerts"/*fire* >/dev/null 2>&1; then echo "the quiet run fired" >&2; exit 1; fi
read -r fired fired_kb <<< "$(alert_runs "$at")"
where=$(grep -h '^Where:' "$work/alerts"/alert-views-*-fire.html || true)
if [ -z "$where" ]; then echo "the firing run sent no Where line" >&2; exit 1; fi
raws=()
for i in $(seq "$runs"); do
  raws+=("$(seconds_of clickhouse-client --port "$tcp_port" --query "$raw_sql")")
done
r=$(printf '%s\n' "${raws[@]}" | median)
echo "alert benchmark: 6 metrics, 8 days + today of history, 2,000,000 feed events/day ($runs runs, median)"
mb() { echo "$1 / 1024" | bc -l; }
printf '  vigil alert --dry-run, quiet   %6.3f s   peak RSS %.1f MB\n' "$quiet" "$(mb "$quiet_kb")"
printf '  vigil alert --dry-run, firing  %6.3f s   peak RSS %.1f MB\n' "$fired" "$(mb "$fired_kb")"
printf '  ratio firing / quiet           %6.2f   (%s)\n' "$(echo "$fired / $quiet" | bc -l)" \
  "$where"
printf '  raw series query (client)      %6.3f s\n' "$r"
printf '  ratio quiet vigil / raw        %6.2f\n' "$(echo "$quiet / $r" | bc -l)"
