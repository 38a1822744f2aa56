# Shared by the benchmark scripts: a private managed ClickHouse on a free port
# in a temporary directory, removed on exit. Source it from the repo root after
# `make -s build`; it sets $vigil, $work, $tcp_port and cds into $work.

vigil=$PWD/build/vigil
work=$(mktemp -d /tmp/vigil-bench-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/vigil.toml" <<TOML
state_dir = "$work/state"
out_dir = "$work/out"
[clickhouse]
url = "http://127.0.0.1:$port"
database = "bench"
[source]
database = "bench_src"
TOML
bench_cleanup() { (cd "$work" && "$vigil" --quiet clickhouse stop >/dev/null 2>&1 || true); rm -rf "$work"; }
trap bench_cleanup EXIT
cd "$work"
"$vigil" --quiet clickhouse start >/dev/null
tcp_port=$("$vigil" clickhouse status | sed -n 's/.*tcp port \([0-9]*\).*/\1/p')

# median of the numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# seconds a command takes (wall clock); its output goes to $work/last.out
seconds_of() { local s; s=$(date +%s.%N); "$@" > "$work/last.out"; echo "$(date +%s.%N) - $s" | bc; }
