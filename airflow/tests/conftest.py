"""Fixtures for the Airflow DAG tests.

Run with the venv of scripts/setup_airflow.sh, after the C++ build (`make test` does both):

    .venv-airflow/bin/pytest airflow/tests

VIGIL_BUILD_DIR (default ./build) holds `vigil` and `fake_telegram_server`. The DAG runs
(test_dag_runs.py) start their own ClickHouse with `vigil clickhouse start` on a free port, fill
it with `vigil simulate`, start the fake Telegram Bot API, and run `airflow dags test` in a
temporary AIRFLOW_HOME with a SQLite metadata database; everything stops at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from clickhouse_guard import Watchdog

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "airflow" / "dags"
BUILD = Path(os.environ.get("VIGIL_BUILD_DIR") or REPO / "build").resolve()
VIGIL = BUILD / "vigil"
FAKE_TELEGRAM = BUILD / "fake_telegram_server"
AIRFLOW = Path(sys.executable).parent / "airflow"

# The fake Bot API's defaults (tests/support/fake_telegram.h).
BOT_TOKEN = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
CHAT_ID = "-1001234567890"

# Simulated history: 9 days, enough for the report's 7 days and the alerts' 8-day window.
SIM_FROM = "2025-03-01"
SIM_DAYS = 9
DAY = "2025-03-09"  # the day the DAG runs below process
# Views tripled on DAY 14:00-15:00 (business time); the alert run checks 14:15-14:30.
ANOMALIES_CSV = "metric,start,end,factor\nviews,2025-03-09 14:00,2025-03-09 15:00,3.0\n"

# A fresh Airflow home for this session, set before anything imports airflow, and no VIGIL_*
# settings leaking in from the developer's shell.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="vigil-airflow-tests-"))
for _name in [n for n in os.environ if n.startswith(("VIGIL_", "AIRFLOW_"))]:
    if _name != "VIGIL_BUILD_DIR":
        del os.environ[_name]
os.environ.update(
    {
        "AIRFLOW_HOME": str(_SESSION_DIR / "airflow-home"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
)
sys.dont_write_bytecode = True


def pytest_sessionfinish(session, exitstatus):
    if not session.testsfailed:
        shutil.rmtree(_SESSION_DIR, ignore_errors=True)
    else:  # keep the logs of the DAG runs and the servers for a look
        sys.stderr.write(f"\nairflow tests: logs and data kept in {_SESSION_DIR}\n")


@pytest.fixture(scope="session")
def dagbag():
    """The DAG files parsed the way the DAG processor does (bundle dir on sys.path)."""
    from airflow.dag_processing.dagbag import BundleDagBag

    return BundleDagBag(DAGS, bundle_path=DAGS, bundle_name="dags-folder")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, *, env=None, timeout=300, cwd=None, log: Path | None = None) -> str:
    """Runs cmd; returns stdout+stderr; fails the test with the output's tail on a non-zero exit."""
    result = subprocess.run(
        [str(c) for c in cmd], env=env, cwd=cwd, timeout=timeout,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    if log is not None:
        log.write_text(result.stdout)
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-60:])
        pytest.fail(f"{' '.join(map(str, cmd))} exited {result.returncode}:\n{tail}", pytrace=False)
    return result.stdout


@dataclass
class Stack:
    """A real ClickHouse with simulated data, the fake Bot API and an Airflow home."""

    dir: Path
    config: Path
    clickhouse_url: str
    calls_file: Path
    attempts_file: Path
    airflow_home: Path

    def query(self, sql: str) -> list[dict]:
        url = self.clickhouse_url + "/?" + urllib.parse.urlencode({"query": sql + " FORMAT JSON"})
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.load(response)["data"]

    @staticmethod
    def _json_lines(path: Path) -> list[dict]:
        # The fake may be writing: a last line without its newline is not complete yet.
        complete = path.read_text().split("\n")[:-1]
        return [json.loads(line) for line in complete if line.strip()]

    def calls(self) -> list[dict]:
        """Bot API calls the fake accepted so far (it writes them within ~0.1 s)."""
        return self._json_lines(self.calls_file)

    def attempts(self) -> list[dict]:
        """Every request the fake answered, accepted or not (method, status, description)."""
        return self._json_lines(self.attempts_file)

    def wait_for_calls(self, count: int, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            calls = self.calls()
            if len(calls) >= count or time.monotonic() > deadline:
                return calls
            time.sleep(0.1)

    def airflow_env(self, **extra: str) -> dict[str, str]:
        """The environment of an Airflow worker set up for vigil (what the README describes)."""
        env = dict(os.environ)
        env.update(
            {
                "AIRFLOW_HOME": str(self.airflow_home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "VIGIL_BIN": str(VIGIL),
                "VIGIL_CONFIG": str(self.config),
            }
        )
        env.update(extra)
        return env

    def dags_test(self, dag_id: str, logical_date: str, **extra_env: str) -> str:
        """`airflow dags test DAG DATE`; returns its output (also kept in the stack dir)."""
        log = self.dir / f"{dag_id}-{logical_date.replace(':', '')}.log"
        return run(
            [AIRFLOW, "dags", "test", dag_id, logical_date],
            env=self.airflow_env(**extra_env), cwd=self.dir, timeout=300, log=log,
        )


def _require_binaries():
    missing = [str(p) for p in (VIGIL, FAKE_TELEGRAM) if not os.access(p, os.X_OK)]
    if missing:
        pytest.fail(
            f"missing {', '.join(missing)}: build first (make build) or set VIGIL_BUILD_DIR",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def stack():
    _require_binaries()
    base = _SESSION_DIR / "stack"
    base.mkdir()
    calls_file, attempts_file = base / "telegram-calls.jsonl", base / "telegram-attempts.jsonl"
    # If pytest is killed (no teardown), the watchdog stops the servers started here.
    guard = Watchdog(VIGIL)
    fake = subprocess.Popen(
        [FAKE_TELEGRAM, "--calls", calls_file, "--attempts", attempts_file,
         "--token", BOT_TOKEN, "--chat-id", CHAT_ID],
        stdout=subprocess.PIPE, text=True,
    )
    guard.kill_on_exit(fake.pid)
    config = base / "vigil.toml"
    clickhouse_started = False
    try:
        telegram_url = fake.stdout.readline().strip()
        assert telegram_url.startswith("http://127.0.0.1:"), f"fake Bot API said {telegram_url!r}"
        port = free_port()
        # chat_id is left out on purpose: the DAG runs pass it from the environment or the
        # Airflow connection, as a deployment would.
        config.write_text(
            f'timezone = "Europe/Moscow"\n'
            f'state_dir = "{base / "state"}"\n'
            f'out_dir = "{base / "out"}"\n'
            f"[clickhouse]\n"
            f'url = "http://127.0.0.1:{port}"\n'
            f"[telegram]\n"
            f'api_url = "{telegram_url}"\n'
            f"timeout_seconds = 10\n"
            f"max_attempts = 2\n"
        )
        guard.stop_clickhouse_on_exit(config, base)
        run([VIGIL, "--config", config, "clickhouse", "start"], cwd=base, timeout=120)
        clickhouse_started = True
        anomalies = base / "anomalies.csv"
        anomalies.write_text(ANOMALIES_CSV)
        run(
            [VIGIL, "--config", config, "--quiet", "simulate", "--from", SIM_FROM, "--days", SIM_DAYS,
             "--users", 2000, "--feed-per-day", 100000, "--messages-per-day", 10000,
             "--anomalies", anomalies],
            cwd=base, timeout=300,
        )
        airflow_home = Path(os.environ["AIRFLOW_HOME"])
        stack = Stack(base, config, f"http://127.0.0.1:{port}", calls_file, attempts_file, airflow_home)
        run([AIRFLOW, "db", "migrate"], env=stack.airflow_env(), cwd=base, timeout=300)
        yield stack
    finally:
        if clickhouse_started:
            subprocess.run([str(VIGIL), "--config", str(config), "clickhouse", "stop"],
                           cwd=base, timeout=120, stdout=subprocess.DEVNULL)
        fake.send_signal(signal.SIGTERM)
        try:
            fake.wait(timeout=10)
        except subprocess.TimeoutExpired:
            fake.kill()
            fake.wait()
        guard.processes_reaped()
        guard.close()
