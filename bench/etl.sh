#!/usr/bin/env bash
# ETL benchmark: one simulated day at 50 k, 1 M and 5 M daily users (about 5 feed
# events and 0.5 messages per daily user, the ratio of the day measured in issue 12).
# Times `vigil etl --date` for the day against the same aggregation sent as one raw
# query with clickhouse-client (the reference, in this same run, alternating with
# vigil), and reports vigil's peak RSS. Targets: time ratio <= 1.3, vigil RSS flat
# (about 20 MB at every size).
# Usage: bash bench/etl.sh [50k|1m|5m|all] [runs]   (default: all 3; builds first via make build)
# ETL_VIGIL=/path/to/vigil times another build's `etl` on the same data (the data
# is always simulated by this tree's vigil).
set -euo pipefail
cd "$(dirname "$0")/.."
size_arg=${1:-all}
runs=${2:-3}
case "$size_arg" in
  50k|1m|5m) sizes=("$size_arg") ;;
  all) sizes=(50k 1m 5m) ;;
  *) echo "usage: bash bench/etl.sh [50k|1m|5m|all] [runs]" >&2; exit 2 ;;
esac
make -s build >/dev/null
source bench/lib.sh
etl_vigil=${ETL_VIGIL:-$vigil}

# The simulator's user base for a size (about 78 % of it is active on the day), in
# parts: one simulate call holds a whole day in memory, so 5 M is 5 populations of
# 1 M simulated with different seeds, their user ids shifted apart.
declare -A pool=([50k]=64000 [1m]=1275000 [5m]=1275000)
declare -A parts=([50k]=1 [1m]=1 [5m]=5)

day=2026-03-10
# The reference: the whole day's slices in one query, same definitions as vigil's ETL.
begin=$(TZ=Europe/Moscow date -d "$day 00:00:00" +%s)
end=$((begin + 86400))
lookback=$((begin - 30 * 86400))
key="toUInt64(time) * 4294967296 + cityHash64(os, gender, age) % 4294967296"
raw_sql="
SELECT d.1 AS dimension, d.2 AS value, sum(views), sum(likes), sum(mr), sum(ms), sum(ur), sum(us)
FROM (
  SELECT uid, sum(v) AS views, sum(l) AS likes, sum(ms) AS ms, sum(us) AS us, sum(mr) AS mr,
         sum(ur) AS ur, max(prio) AS best,
         argMax(a_os, (prio, t, a_os, a_g, a_a)) AS os, argMax(a_g, (prio, t, a_os, a_g, a_a)) AS g,
         argMax(a_a, (prio, t, a_os, a_g, a_a)) AS age
  FROM (
    SELECT user_id AS uid, countIf(action = 'view') AS v, countIf(action = 'like') AS l,
           toUInt64(0) AS ms, toUInt64(0) AS us, toUInt64(0) AS mr, toUInt64(0) AS ur,
           toUInt8(2) AS prio, max(time) AS t, argMax(os, $key AS k) AS a_os,
           argMax(gender, k) AS a_g, argMax(age, k) AS a_a
    FROM bench_src.feed_actions WHERE time >= toDateTime($begin) AND time < toDateTime($end) GROUP BY user_id
    UNION ALL
    SELECT user_id, toUInt64(0), toUInt64(0), count(), uniqExact(receiver_id), toUInt64(0),
           toUInt64(0), toUInt8(2), max(time), argMax(os, $key AS k), argMax(gender, k),
           argMax(age, k)
    FROM bench_src.message_actions WHERE time >= toDateTime($begin) AND time < toDateTime($end) GROUP BY user_id
    UNION ALL
    SELECT receiver_id, toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), count(),
           uniqExact(user_id), toUInt8(0), toDateTime(0), '', toUInt8(0), toUInt8(0)
    FROM bench_src.message_actions WHERE time >= toDateTime($begin) AND time < toDateTime($end) GROUP BY receiver_id
    UNION ALL
    SELECT user_id, toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(0),
           toUInt8(1), max(time), argMax(os, $key AS k), argMax(gender, k), argMax(age, k)
    FROM (SELECT user_id, time, os, gender, age FROM bench_src.feed_actions
          WHERE time >= toDateTime($lookback) AND time < toDateTime($begin)
          UNION ALL SELECT user_id, time, os, gender, age FROM bench_src.message_actions
          WHERE time >= toDateTime($lookback) AND time < toDateTime($begin))
    WHERE user_id IN (SELECT receiver_id FROM bench_src.message_actions WHERE time >= toDateTime($begin) AND time < toDateTime($end))
      AND user_id NOT IN (SELECT user_id FROM bench_src.message_actions WHERE time >= toDateTime($begin) AND time < toDateTime($end))
      AND user_id NOT IN (SELECT user_id FROM bench_src.feed_actions WHERE time >= toDateTime($begin) AND time < toDateTime($end))
    GROUP BY user_id
  ) GROUP BY uid
) ARRAY JOIN [('os', if(best = 0 OR os = '', 'unknown', os)),
              ('gender', if(best = 0, 'unknown', toString(g))),
              ('age', if(best = 0, 'unknown', multiIf(age < 18, '0-17', age < 25, '18-24',
                     age < 35, '25-34', age < 45, '35-44', '45+')))] AS d
GROUP BY dimension, value"

ch() { clickhouse-client --port "$tcp_port" --query "$1"; }
vigil_slices="SELECT dimension, dimension_value, views, likes, messages_received, messages_sent,
  users_received, users_sent FROM bench.user_slices_daily WHERE event_date = '$day'"

# Simulates the day for `parts` populations of $1 users each into bench_src.
simulate_day() {
  local users=$1 parts=$2 part offset t
  for part in $(seq "$parts"); do
    "$vigil" --quiet simulate --from "$day" --days 1 --users "$users" --seed "$part" \
      --feed-per-day $((users * 4)) --messages-per-day $((users * 2 / 5)) --anomalies none >/dev/null
    if [ "$parts" -eq 1 ]; then return; fi
    if [ "$part" -eq 1 ]; then
      for t in feed_actions message_actions; do ch "CREATE TABLE bench_src.${t}_all AS bench_src.$t"; done
    fi
    offset=$(((part - 1) * users))
    ch "INSERT INTO bench_src.feed_actions_all SELECT user_id + $offset, post_id, action, time,
      gender, age, country, city, os, source, exp_group FROM bench_src.feed_actions"
    ch "INSERT INTO bench_src.message_actions_all SELECT user_id + $offset, receiver_id + $offset,
      time, source, exp_group, gender, age, country, city, os FROM bench_src.message_actions"
  done
  for t in feed_actions message_actions; do
    ch "DROP TABLE bench_src.$t"
    ch "RENAME TABLE bench_src.${t}_all TO bench_src.$t"
  done
}

# One size: fresh source tables, the day simulated, then vigil and the reference
# alternately; prints the table row and checks both computed the same slices.
bench_size() {
  local size=$1
  ch "DROP DATABASE IF EXISTS bench_src"
  ch "DROP DATABASE IF EXISTS bench"
  simulate_day "${pool[$size]}" "${parts[$size]}"
  local filter="time >= toDateTime($begin) AND time < toDateTime($end)"
  local daily events
  daily=$(ch "SELECT uniqExact(u) FROM (SELECT user_id AS u FROM bench_src.feed_actions WHERE $filter
    UNION ALL SELECT user_id FROM bench_src.message_actions WHERE $filter
    UNION ALL SELECT receiver_id FROM bench_src.message_actions WHERE $filter)")
  events=$(( $(ch "SELECT count() FROM bench_src.feed_actions WHERE $filter") +
             $(ch "SELECT count() FROM bench_src.message_actions WHERE $filter") ))
  local vigil_times=() raw_times=() rss=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/time.txt" "$etl_vigil" --quiet etl --date "$day" >/dev/null
    read -r seconds kb < "$work/time.txt"
    vigil_times+=("$seconds"); rss+=("$kb")
    # The one query needs more than the managed server's 4 GB per query at 5 M users.
    raw_times+=("$(seconds_of clickhouse-client --port "$tcp_port" --max_memory_usage 12000000000 \
      --query "$raw_sql")")
  done
  if ! diff <(sort "$work/last.out") <(ch "$vigil_slices" | sort) >/dev/null; then
    echo "etl benchmark: vigil's slices differ from the reference's at $size" >&2
    exit 1
  fi
  local v r m
  v=$(printf '%s\n' "${vigil_times[@]}" | median)
  r=$(printf '%s\n' "${raw_times[@]}" | median)
  m=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
  printf '%-5s %10d %11d %9.2f %13.2f %6.2f %10.1f\n' "$size" "$daily" "$events" "$v" "$r" \
    "$(echo "$v / $r" | bc -l)" "$(echo "$m / 1024" | bc -l)"
}

echo "etl benchmark: 1 day, vigil etl --date vs one raw query ($runs runs each, median; target ratio <= 1.3)"
printf '%-5s %10s %11s %9s %13s %6s %10s\n' size users events "vigil s" "reference s" ratio "RSS MB"
for size in "${sizes[@]}"; do bench_size "$size"; done
