#!/usr/bin/env bash
# Dashboard benchmark: what a reader waits for. On 14 simulated days of 2 M feed
# events/day, `vigil serve --dashboard-only` answers the overview (page + its
# four charts, one 30-day query) and the metric page (page + chart, one 9-day
# 15-minute series query) with a cold cache, next to the same queries run raw
# with clickhouse-client in this same run; then the same pages warm (cached).
# Then 16 readers at once on a fresh server, each walking the same 40 pages and
# charts of the last 6 days: latency percentiles, errors, and how many queries
# ClickHouse ran for them (concurrent misses of one page should cost one query).
# Peak RSS of the server at the end. Usage: bash bench/dashboard.sh [runs]
# VIGIL_BENCH_BINARY=path measures another build of vigil (e.g. before a change).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
make -s build >/dev/null
source bench/lib.sh
vigil=${VIGIL_BENCH_BINARY:-$vigil}

last=2026-03-14
web_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '[serve]\nlisten = "127.0.0.1:%s"\n' "$web_port" >> "$work/vigil.toml"
"$vigil" --quiet simulate --from 2026-03-01 --days 14 --users 50000 --feed-per-day 2000000 \
  --messages-per-day 200000 --anomalies none >/dev/null
"$vigil" --quiet etl --date "$last" >/dev/null

day_begin() { TZ=Europe/Moscow date -d "$1 00:00:00" +%s; }
d30=$(day_begin 2026-02-13) d_end=$(day_begin 2026-03-15) d9=$(day_begin 2026-03-06)
daily_raw() {
  clickhouse-client --port "$tcp_port" --query "SELECT toDate(time, 'Europe/Moscow') AS day,
    uniqExact(user_id), countIf(action = 'view'), countIf(action = 'like') FROM bench_src.feed_actions
    WHERE time >= toDateTime($d30) AND time < toDateTime($d_end) GROUP BY day"
  clickhouse-client --port "$tcp_port" --query "SELECT toDate(time, 'Europe/Moscow') AS day,
    uniqExact(user_id), count(), uniqExact(receiver_id) FROM bench_src.message_actions
    WHERE time >= toDateTime($d30) AND time < toDateTime($d_end) GROUP BY day"
}
series_raw() {
  clickhouse-client --port "$tcp_port" --query "SELECT intDiv(toUInt32(time), 900) * 900 AS b,
    uniqExact(user_id), countIf(action = 'view'), countIf(action = 'like') FROM bench_src.feed_actions
    WHERE time >= toDateTime($d9) AND time < toDateTime($d_end) GROUP BY b"
  clickhouse-client --port "$tcp_port" --query "SELECT intDiv(toUInt32(time), 900) * 900 AS b,
    uniqExact(user_id), count() FROM bench_src.message_actions
    WHERE time >= toDateTime($d9) AND time < toDateTime($d_end) GROUP BY b"
}
base="http://127.0.0.1:$web_port"
fetch() { for path in "$@"; do curl -sf -o /dev/null "$base$path"; done; }
overview() {
  fetch "/overview?date=$last"
  for days in 7 30; do for group in feed messenger; do
    fetch "/chart/daily.png?date=$last&days=$days&group=$group"
  done; done
}
metric() { fetch "/metric?metric=views&date=$last&time=12:00" "/chart/metric.png?metric=views&date=$last&time=12:00"; }

start_server() {
  "$vigil" --quiet serve --dashboard-only 2>"$work/serve.log" &
  server=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "$base/health" && return; sleep 0.05; done
  echo "dashboard did not start: $(cat "$work/serve.log")" >&2; exit 1
}
stop_server() { kill "$server"; wait "$server" || true; }

cold_o=() cold_m=() warm_o=() warm_m=() raw_d=() raw_s=() rss=()
for i in $(seq "$runs"); do
  start_server   # a fresh server: nothing cached
  cold_o+=("$(seconds_of overview)"); cold_m+=("$(seconds_of metric)")
  warm_o+=("$(seconds_of overview)"); warm_m+=("$(seconds_of metric)")
  rss+=("$(awk '/VmHWM/ {print $2}' "/proc/$server/status")")
  stop_server
  raw_d+=("$(seconds_of daily_raw)"); raw_s+=("$(seconds_of series_raw)")
done
# 16 readers on a cold server: each fetches the same list, in the same order.
readers=16
load_paths=()
for day in 2026-03-09 2026-03-10 2026-03-11 2026-03-12 2026-03-13 2026-03-14; do
  load_paths+=("/overview?date=$day")
  for days in 7 30; do for group in feed messenger; do
    load_paths+=("/chart/daily.png?date=$day&days=$days&group=$group")
  done; done
  load_paths+=("/metric?metric=views&date=$day&time=12:00" "/chart/metric.png?metric=views&date=$day&time=12:00")
done
load_paths=("${load_paths[@]:0:40}")
ch_queries() {
  clickhouse-client --port "$tcp_port" --query "SELECT value FROM system.events WHERE event = 'Query'"
}
reader() {
  for path in "${load_paths[@]}"; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$base$path" || echo "000 0"
  done > "$work/reader.$1"
}
start_server
q0=$(ch_queries)
load_started=$(date +%s.%N)
reader_pids=()
for r in $(seq "$readers"); do reader "$r" & reader_pids+=($!); done
wait "${reader_pids[@]}"
load_wall=$(echo "$(date +%s.%N) - $load_started" | bc)
q1=$(ch_queries)
stop_server
cat "$work"/reader.* > "$work/load.txt"
load_n=$(wc -l < "$work/load.txt")
load_err=$(awk '$1 != 200' "$work/load.txt" | wc -l)
pct() { awk '{print $2}' "$work/load.txt" | sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999); if (i<1) i=1; print a[i]}'; }
# ch_queries itself counts as one query.
load_q=$((q1 - q0 - 1))

med() { printf '%s\n' "$@" | median; }
co=$(med "${cold_o[@]}") cm=$(med "${cold_m[@]}") wo=$(med "${warm_o[@]}") wm=$(med "${warm_m[@]}")
rd=$(med "${raw_d[@]}") rs=$(med "${raw_s[@]}")
m=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
echo "dashboard benchmark: 14 days x 2,000,000 feed events, 200,000 messages ($runs runs, median)"
printf '  overview page + 4 charts, cold   %6.3f s   raw 30-day queries %6.3f s   ratio %.2f\n' "$co" "$rd" "$(echo "$co / $rd" | bc -l)"
printf '  metric page + chart, cold        %6.3f s   raw 9-day series   %6.3f s   ratio %.2f\n' "$cm" "$rs" "$(echo "$cm / $rs" | bc -l)"
printf '  overview again (cached)          %6.3f s\n' "$wo"
printf '  metric again (cached)            %6.3f s\n' "$wm"
printf '  peak RSS of vigil serve          %6.1f MB\n' "$(echo "$m / 1024" | bc -l)"
printf '  %d readers x %d pages, cold       %d requests, %d errors, %.1f s wall\n' "$readers" "${#load_paths[@]}" "$load_n" "$load_err" "$load_wall"
printf '    latency p50 %.3f s  p90 %.3f s  p99 %.3f s  max %.3f s; ClickHouse queries %d\n' \
  "$(pct 50)" "$(pct 90)" "$(pct 99)" "$(pct 100)" "$load_q"
