#!/usr/bin/env bash
# ETL benchmark: one simulated day of 2 M feed events and 200 k messages.
# Times `vigil etl` for the day against the same aggregation sent as one raw
# query with clickhouse-client (the reference, in this same run), and reports
# vigil's peak RSS. Targets: time ratio <= 1.3, vigil RSS <= 30 MB.
# Usage: bash bench/etl.sh [runs]   (builds first via make build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
make -s build >/dev/null
source bench/lib.sh

day=2026-03-10
"$vigil" --quiet simulate --from "$day" --days 1 --users 50000 --feed-per-day 2000000 \
  --messages-per-day 200000 --anomalies none >/dev/null

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

vigil_times=() raw_times=() rss=()
for i in $(seq "$runs"); do
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$vigil" --quiet etl --date "$day" >/dev/null
  read -r seconds kb < "$work/time.txt"
  vigil_times+=("$seconds"); rss+=("$kb")
  raw_times+=("$(seconds_of clickhouse-client --port "$tcp_port" --query "$raw_sql")")
done
rows=$(wc -l < "$work/last.out")
v=$(printf '%s\n' "${vigil_times[@]}" | median)
r=$(printf '%s\n' "${raw_times[@]}" | median)
m=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
echo "etl benchmark: 1 day, 2,000,000 feed events, 200,000 messages, 50,000 users ($runs runs, median)"
printf '  vigil etl --date %s   %6.2f s   peak RSS %.1f MB\n' "$day" "$v" "$(echo "$m / 1024" | bc -l)"
printf '  raw clickhouse-client   %6.2f s   (%d slice rows)\n' "$r" "$rows"
printf '  ratio vigil / raw       %6.2f   (target <= 1.3)\n' "$(echo "$v / $r" | bc -l)"
