"""A test process killed with SIGKILL (no fixture teardown runs) must not leave its
ClickHouse server behind: the watchdog started with it stops the server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import VIGIL, _require_binaries, free_port

# The child: starts a managed ClickHouse guarded the way the `stack` fixture does, says
# the server's pid, then waits to be killed.
CHILD = r"""
import subprocess, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import clickhouse_guard
base, vigil, port = Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
config = base / "vigil.toml"
config.write_text(f'state_dir = "{base / "state"}"\n[clickhouse]\nurl = "http://127.0.0.1:{port}"\n')
guard = clickhouse_guard.Watchdog(vigil)
guard.stop_clickhouse_on_exit(config, base)
subprocess.run([str(vigil), "--config", str(config), "clickhouse", "start"], cwd=base, check=True,
               stdout=subprocess.DEVNULL)
print((base / "state" / "clickhouse" / "clickhouse.pid").read_text().strip(), flush=True)
time.sleep(600)
"""


def server_alive(pid: int, base: Path) -> bool:
    """Whether `pid` is still a clickhouse-server of this test (not a reused pid)."""
    try:
        return str(base) in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


def test_killed_test_process_leaves_no_clickhouse(tmp_path):
    _require_binaries()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(Path(__file__).parent), str(tmp_path), str(VIGIL),
         str(free_port())],
        stdout=subprocess.PIPE, text=True,
    )
    pid = 0
    try:
        line = child.stdout.readline().strip()
        assert line.isdigit(), f"the child said {line!r}"
        pid = int(line)
        assert server_alive(pid, tmp_path)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        deadline = time.monotonic() + 10
        while server_alive(pid, tmp_path) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not server_alive(pid, tmp_path), "clickhouse-server outlived its killed test process"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if pid and server_alive(pid, tmp_path):
            os.kill(pid, signal.SIGKILL)
