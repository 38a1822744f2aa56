#!/usr/bin/env bash
# Report benchmark: `vigil report --dry-run` (two metric queries over 8 days, the
# text and both charts) on 14 simulated days of 2 M feed events/day, next to the
# same two queries run raw with clickhouse-client in this same run.
# Targets: rendering + formatting <= 0.1 s beyond the queries, peak RSS <= 40 MB.
# Usage: bash bench/report.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
make -s build >/dev/null
source bench/lib.sh

last=2026-03-14
"$vigil" --quiet simulate --from 2026-03-01 --days 14 --users 50000 --feed-per-day 2000000 \
  --messages-per-day 200000 --anomalies none >/dev/null

begin=$(TZ=Europe/Moscow date -d "2026-03-07 00:00:00" +%s)
end=$(TZ=Europe/Moscow date -d "2026-03-15 00:00:00" +%s)
feed_sql="SELECT toString(toDate(time, 'Europe/Moscow')) AS day, uniqExact(user_id),
  countIf(action = 'view'), countIf(action = 'like') FROM bench_src.feed_actions
  WHERE time >= toDateTime($begin) AND time < toDateTime($end) GROUP BY day ORDER BY day"
messages_sql="SELECT toString(toDate(time, 'Europe/Moscow')) AS day, uniqExact(user_id), count(),
  uniqExact(receiver_id) FROM bench_src.message_actions
  WHERE time >= toDateTime($begin) AND time < toDateTime($end) GROUP BY day ORDER BY day"
raw_queries() {
  clickhouse-client --port "$tcp_port" --query "$feed_sql"
  clickhouse-client --port "$tcp_port" --query "$messages_sql"
}

totals=() renders=() queries=() raws=() rss=()
for i in $(seq "$runs"); do
  /usr/bin/time -f '%e %M' -o "$work/time.txt" \
    "$vigil" report --date "$last" --dry-run --out "$work/out" 2> "$work/log.txt" >/dev/null
  read -r seconds kb < "$work/time.txt"
  totals+=("$seconds"); rss+=("$kb")
  line=$(grep 'metrics queried in' "$work/log.txt")
  queries+=("$(sed -n 's/.*queried in \([0-9.]*\) s.*/\1/p' <<< "$line")")
  renders+=("$(sed -n 's/.*made in \([0-9.]*\) s.*/\1/p' <<< "$line")")
  raws+=("$(seconds_of raw_queries)")
done
t=$(printf '%s\n' "${totals[@]}" | median)
q=$(printf '%s\n' "${queries[@]}" | median)
r=$(printf '%s\n' "${renders[@]}" | median)
raw=$(printf '%s\n' "${raws[@]}" | median)
m=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
echo "report benchmark: 14 days x 2,000,000 feed events, 200,000 messages ($runs runs, median)"
printf '  vigil report --dry-run total     %6.3f s   peak RSS %.1f MB (target <= 40)\n' "$t" "$(echo "$m / 1024" | bc -l)"
printf '    of which metric queries        %6.3f s\n' "$q"
printf '    of which text + both charts    %6.3f s   (target <= 0.1)\n' "$r"
printf '  raw queries (clickhouse-client)  %6.3f s\n' "$raw"
printf '  beyond the raw queries           %6.3f s   (total - raw; includes process start)\n' "$(echo "$t - $raw" | bc -l)"
ls -l "$work/out" | awk 'NR > 1 {print "  " $5 " bytes  " $9}'
