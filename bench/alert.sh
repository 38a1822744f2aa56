#!/usr/bin/env bash
# Alert run benchmark: wall time and peak RSS of one `vigil alert` (all six
# metrics, slices = ["os", "gender", "age"], the Where line's explain_by
# dimensions) per size, quiet (nothing fires) and firing (views x0.3 from 19:45:
# the all-users alert and its Where line), with the bucket table (the history
# from `[alerts] bucket_table`, the newest 5 buckets recounted from raw events:
# metrics/bucket_table.h) and without it (bucket_table = "": the whole window
# re-read every run, as before the table), next to the same per-slice series
# query sent raw with clickhouse-client in this run (the reference).
# Sizes: 2 M and 10 M feed events/day with 8 days of history, and 2 M with 29
# days: the table's run time must not grow with the history (flat), the raw
# path's does. The first run of each size fills the table for the whole window
# (timed once: "first run").
# Usage: bash bench/alert.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
make -s build >/dev/null
source bench/lib.sh

last=2026-03-10
printf 'metric,start,end,factor\nviews,%s 19:45,%s 20:15,0.3\n' "$last" "$last" > "$work/drop.csv"
quiet_at="$last 19:37"   # bucket 19:15: before the drop, nothing fires
at="$last 20:07"         # bucket 19:45: views fire, with a Where line
bucket_end=$(TZ=Europe/Moscow date -d "$last 19:30:00" +%s)

# config NAME SOURCE_DB HISTORY_DAYS BUCKET_TABLE: $work/NAME.toml
config() {
  sed "s/^database = \"bench_src\"/database = \"$2\"/" "$work/vigil.toml" > "$work/$1.toml"
  printf '[alerts]\nslices = ["os", "gender", "age"]\nhistory_days = %s\nbucket_table = "%s"\n' \
    "$3" "$4" >> "$work/$1.toml"
}

# simulate SOURCE_DB FEED_PER_DAY DAYS: the days up to $last, the drop on the last.
simulate() {
  config sim "$1" 8 ""
  # At most 65,000 users: the simulator's user pick fails on ClickHouse 18.16 above 65,536
  # active users (least(Int64, Float64)).
  local from users=$(($2 / 40 < 65000 ? $2 / 40 : 65000))
  from=$(date -d "$last - $(($3 - 1)) days" +%F)
  "$vigil" --quiet --config "$work/sim.toml" simulate --from "$from" --days "$3" \
    --users "$users" --feed-per-day "$2" --messages-per-day $(($2 / 10)) \
    --anomalies "$work/drop.csv" >/dev/null
}

# The median wall time and the peak RSS (KB) of `vigil alert --at $2` with
# config $1 over $runs runs.
alert_runs() {
  local times=() rss=() seconds kb
  for i in $(seq "$runs"); do
    rm -rf "$work/alerts"
    /usr/bin/time -f '%e %M' -o "$work/time.txt" \
      "$vigil" --quiet --config "$1" alert --at "$2" --dry-run --out "$work/alerts" >/dev/null
    read -r seconds kb < "$work/time.txt"
    times+=("$seconds"); rss+=("$kb")
  done
  echo "$(printf '%s\n' "${times[@]}" | median) $(printf '%s\n' "${rss[@]}" | sort -n | tail -1)"
}

# The raw per-slice series query of source db $1 from $2 (epoch) to $bucket_end,
# as vigil sends it without the table (all users and the three slices).
raw_sql() {
  local where="WHERE time >= toDateTime($2) AND time < toDateTime($bucket_end)"
  local age="multiIf(age < 18, '0-17', age < 25, '18-24', age < 35, '25-34', age < 45, '35-44', '45+')"
  local slices="ARRAY JOIN ['', concat('os=', os), concat('gender=', toString(gender)), concat('age=', $age)] AS slice"
  echo "SELECT intDiv(toUInt32(time), 900) * 900 AS bucket, slice, 'feed', uniqExact(user_id),
    countIf(action = 'view'), countIf(action = 'like') FROM $1.feed_actions $slices $where
    GROUP BY bucket, slice
    UNION ALL SELECT intDiv(toUInt32(time), 900) * 900 AS bucket, slice, 'messages',
    uniqExact(user_id), count(), toUInt64(0) FROM $1.message_actions $slices $where
    GROUP BY bucket, slice"
}

mb() { echo "$1 / 1024" | bc -l; }

# bench_size LABEL SOURCE_DB HISTORY_DAYS: every figure of one size.
bench_size() {
  local label=$1 db=$2 days=$3 begin first raws=() r
  config "table-$db-$days" "$db" "$days" "alert_buckets_${db}_$days"
  config "raw-$db-$days" "$db" "$days" ""
  local table="$work/table-$db-$days.toml" raw="$work/raw-$db-$days.toml"
  first=$(seconds_of "$vigil" --quiet --config "$table" alert --at "$quiet_at" --dry-run \
    --out "$work/alerts")
  read -r quiet quiet_kb <<< "$(alert_runs "$table" "$quiet_at")"
  if ls "$work/alerts"/*fire* >/dev/null 2>&1; then echo "the quiet run fired" >&2; exit 1; fi
  read -r fired fired_kb <<< "$(alert_runs "$table" "$at")"
  where=$(grep -h '^Where:' "$work/alerts"/alert-*views*-fire.html | head -1 || true)
  if [ -z "$where" ]; then echo "the firing run sent no Where line" >&2; exit 1; fi
  read -r plain plain_kb <<< "$(alert_runs "$raw" "$quiet_at")"
  begin=$(TZ=Europe/Moscow date -d "$(date -d "$last - $days days" +%F) 00:00:00" +%s)
  for i in $(seq "$runs"); do
    raws+=("$(seconds_of clickhouse-client --port "$tcp_port" --query "$(raw_sql "$db" "$begin")")")
  done
  r=$(printf '%s\n' "${raws[@]}" | median)
  echo "$label, $days days of history + today ($runs runs, median)"
  printf '  first run (fills the table)            %7.3f s\n' "$first"
  printf '  vigil alert, table, quiet              %7.3f s   peak RSS %.1f MB\n' "$quiet" "$(mb "$quiet_kb")"
  printf '  vigil alert, table, firing             %7.3f s   peak RSS %.1f MB   (%s)\n' "$fired" \
    "$(mb "$fired_kb")" "$where"
  printf '  vigil alert, no table (raw), quiet     %7.3f s   peak RSS %.1f MB\n' "$plain" "$(mb "$plain_kb")"
  printf '  raw series query (client, reference)   %7.3f s\n' "$r"
  printf '  ratio table / raw reference            %7.2f\n' "$(echo "$quiet / $r" | bc -l)"
  printf '  ratio no table / raw reference         %7.2f\n' "$(echo "$plain / $r" | bc -l)"
  echo "$quiet" > "$work/quiet-$db-$days"
}

simulate bench_2m 2000000 31
bench_size "2,000,000 feed events/day" bench_2m 8
bench_size "2,000,000 feed events/day" bench_2m 29
printf 'flat in the history: table quiet 29 days / 8 days %.2f\n' \
  "$(echo "$(cat "$work/quiet-bench_2m-29") / $(cat "$work/quiet-bench_2m-8")" | bc -l)"
# 10 M a day: 5 M simulated, then every event twice (the simulator's one query a day
# runs out of the managed server's memory above about 8 M events).
simulate bench_10m 5000000 10
for table in feed_actions message_actions; do
  clickhouse-client --port "$tcp_port" --query "INSERT INTO bench_10m.$table SELECT * FROM bench_10m.$table"
done
bench_size "10,000,000 feed events/day" bench_10m 8
