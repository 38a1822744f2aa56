"""A watchdog that stops the managed ClickHouse of the DAG tests (`vigil clickhouse start`)
and the other servers a test started when the test process dies without its teardown (kill -9, a crash, a CI timeout): the C++ fixture's guard
(tests/support/clickhouse_fixture.cpp) for the Python tests.

The watchdog is a separate process in its own session (a Ctrl-C to pytest's process group
does not reach it) that reads orders on a pipe whose only writer is the test process. The
pipe's end of file means the test process is gone: then it stops every ClickHouse it was
told about with `vigil --config CONFIG clickhouse stop` (which stops only the server that
config started) and sends SIGTERM, then SIGKILL, to every process it was told about.

Importable without side effects (conftest.py and the watchdog test's child process use it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Runs in the watchdog: argv[1] is the vigil binary; stdin carries "clickhouse CWD<TAB>CONFIG",
# "pid PID" and "reaped" (forget the pids) lines until the test process closes it or dies.
_WATCHDOG = r"""
import os, signal, subprocess, sys, time
vigil = sys.argv[1]
servers, pids = [], []
for line in sys.stdin:
    kind, _, value = line.rstrip("\n").partition(" ")
    if kind == "clickhouse":
        servers.append(value.split("\t", 1))
    elif kind == "pid":
        pids.append(int(value))
    elif kind == "reaped":
        pids.clear()
for pid in pids:
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        pass
for cwd, config in servers:
    try:
        subprocess.run([vigil, "--config", config, "clickhouse", "stop"], cwd=cwd, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        pass
deadline = time.monotonic() + 5
for pid in pids:
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            break
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
"""


class Watchdog:
    """Cleans up after this process once it has exited or died (see the module doc)."""

    def __init__(self, vigil: Path):
        # Python's pipes are close-on-exec: no other child holds the write end open.
        self._process = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(vigil)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            text=True, start_new_session=True,
        )

    def _tell(self, line: str) -> None:
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()

    def stop_clickhouse_on_exit(self, config: Path, cwd: Path) -> None:
        """Tell it before `clickhouse start`, so a kill during the start is covered too."""
        self._tell(f"clickhouse {cwd}\t{config}")

    def kill_on_exit(self, pid: int) -> None:
        self._tell(f"pid {pid}")

    def processes_reaped(self) -> None:
        """The processes given to kill_on_exit have been waited for: their pids may be reused."""
        self._tell("reaped")

    def close(self, timeout: float = 150) -> None:
        """Cleans up now (what is already stopped stays stopped) and waits for it."""
        self._process.stdin.close()
        self._process.wait(timeout=timeout)

