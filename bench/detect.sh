#!/usr/bin/env bash
# Detector throughput: streams a CSV of N points (default 2.4 M: a daily curve with
# noise at 15-minute spacing, about 68 years of buckets) through `vigil detect` for
# each method and prints points per second. References in the same run: `cat` of the
# file to /dev/null (raw read speed) and an awk sum over the value column (the
# cheapest real CSV pass); each method's time is also given as a ratio to awk.
# Target: >= 1 M points/s for iqr and seasonal.
# Usage: bash bench/detect.sh [points]   (builds first via make build; BUILD_DIR=... to
# use another build directory)
set -euo pipefail
cd "$(dirname "$0")/.."
points=${1:-2400000}
build_dir=${BUILD_DIR:-build}
make -s build BUILD_DIR="$build_dir" >/dev/null
vigil=$PWD/$build_dir/vigil

work=$(mktemp -d /tmp/vigil-bench-detect-XXXXXX)
trap 'rm -rf "$work"' EXIT
csv=$work/series.csv

# 96 buckets a day: a smooth daily curve (1000 .. 3000) plus noise, epoch timestamps.
awk -v n="$points" 'BEGIN {
  srand(42); print "timestamp,value"; t = 1767225600; pi = 3.141592653589793
  for (i = 0; i < n; i++) {
    h = (i % 96) / 4
    v = 2000 + 1000 * sin(2 * pi * (h - 9) / 24) + 60 * (rand() + rand() + rand() - 1.5)
    printf "%.0f,%.1f\n", t + i * 900, v  # %d stops at 2^31 in mawk
  }
}' > "$csv"
size_mb=$(du -m "$csv" | cut -f1)

now() { date +%s.%N; }
# Best of 3 runs of a command (stdin from the CSV, stdout discarded), in seconds.
best_of_3() {
  local best="" start end t
  for _ in 1 2 3; do
    start=$(now)
    "$@" < "$csv" > /dev/null
    end=$(now)
    t=$(echo "$end - $start" | bc -l)
    if [[ -z $best ]] || (( $(echo "$t < $best" | bc -l) )); then best=$t; fi
  done
  echo "$best"
}

echo "detect bench: $points points, ${size_mb} MB CSV, $(nproc) cores"
t_cat=$(best_of_3 cat)
t_awk=$(best_of_3 awk -F, 'NR > 1 { s += $2 } END { print s }')
printf "%-22s %7.3f s  %6.2f M points/s\n" "reference cat" "$t_cat" "$(echo "$points / $t_cat / 1000000" | bc -l)"
printf "%-22s %7.3f s  %6.2f M points/s\n" "reference awk sum" "$t_awk" "$(echo "$points / $t_awk / 1000000" | bc -l)"
for method in iqr dayago seasonal; do
  t=$(best_of_3 "$vigil" --quiet detect --method "$method")
  printf "%-22s %7.3f s  %6.2f M points/s  (%.2fx awk time)\n" "vigil detect $method" "$t" \
    "$(echo "$points / $t / 1000000" | bc -l)" "$(echo "$t / $t_awk" | bc -l)"
done
# Sanity: the output has one row per point plus the header.
rows=$("$vigil" --quiet detect --method seasonal < "$csv" | wc -l)
[[ $rows -eq $((points + 1)) ]] || { echo "unexpected output rows: $rows" >&2; exit 1; }
