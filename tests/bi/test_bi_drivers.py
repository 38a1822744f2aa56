"""Which BI driver reads vigil's slice table from which ClickHouse (README, "BI tools").

Two real servers, each filled by the built `vigil` (simulate, then the ETL of one day):
clickhouse-server 18.16 (`vigil clickhouse start`, the embedded default) and ClickHouse
26.9 (chdb-core behind tests/chdb_front/front.py). Each driver's rows of the same query
are compared with the server's own answer over plain HTTP (TabSeparated).

Run by `make test-bi` (and `make test`) with the .venv-chdb python; VIGIL_BUILD_DIR
names the build directory.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VIGIL = Path(os.environ.get("VIGIL_BUILD_DIR", ROOT / "build")) / "vigil"
SLICES_SQL = (
    "SELECT dimension, dimension_value, sum(views), sum(messages_sent) "
    "FROM vigil.user_slices_daily GROUP BY dimension, dimension_value "
    "ORDER BY dimension, dimension_value"
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vigil(config, *args):
    done = subprocess.run([str(VIGIL), "--config", str(config), "--quiet", *args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"vigil {' '.join(args)}: {done.stderr}"
    return done.stdout


def fill(config):
    """One simulated day's slices in vigil.user_slices_daily."""
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    vigil(config, "simulate", "--days", "2", "--users", "2000", "--feed-per-day", "50000",
          "--messages-per-day", "5000", "--anomalies", "none")
    vigil(config, "etl", "--date", yesterday)


def http_rows(port, sql):
    """The server's own answer: TabSeparated over HTTP, the two sums as ints."""
    url = f"http://127.0.0.1:{port}/?" + urllib.parse.urlencode({"default_format": "TabSeparated"})
    with urllib.request.urlopen(url, data=sql.encode(), timeout=60) as answer:
        lines = answer.read().decode().splitlines()
    rows = [line.split("\t") for line in lines]
    return [(dimension, value, int(views), int(sent)) for dimension, value, views, sent in rows]


def write_config(directory, http_port):
    config = directory / "vigil.toml"
    config.write_text(f'state_dir = "{directory}/state"\nout_dir = "{directory}/out"\n'
                      f'[clickhouse]\nurl = "http://127.0.0.1:{http_port}"\n')
    return config


@pytest.fixture(scope="module")
def server_18():
    """clickhouse-server 18.16, as `make demo` runs it: (http port, tcp port)."""
    directory = Path(tempfile.mkdtemp(prefix="vigil-bi-18-"))
    config = write_config(directory, free_port())
    try:
        vigil(config, "clickhouse", "start")
        fill(config)
        ports = dict(line.split("=") for line in
                     (directory / "state/clickhouse/ports").read_text().split())
        yield int(ports["http_port"]), int(ports["tcp_port"])
    finally:
        subprocess.run([str(VIGIL), "--config", str(config), "clickhouse", "stop"],
                       capture_output=True, timeout=120)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def server_26():
    """ClickHouse 26.9 (chdb-core) behind the test front: its http port."""
    directory = Path(tempfile.mkdtemp(prefix="vigil-bi-26-"))
    front = subprocess.Popen([sys.executable, str(ROOT / "tests/chdb_front/front.py"),
                              "--data", str(directory / "chdb")],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port = int(front.stdout.readline())
        fill(write_config(directory, port))
        yield port
    finally:
        front.stdin.close()  # the front's signal to stop
        front.wait(timeout=60)
        shutil.rmtree(directory, ignore_errors=True)


def connect_rows(port):
    import clickhouse_connect
    client = clickhouse_connect.get_client(host="127.0.0.1", port=port)
    return [tuple(row) for row in client.query(SLICES_SQL).result_rows]


def sqlalchemy_rows(uri):
    import sqlalchemy
    with sqlalchemy.create_engine(uri).connect() as connection:
        return [tuple(row) for row in connection.execute(sqlalchemy.text(SLICES_SQL)).fetchall()]


def test_clickhouse_connect_reads_the_slices_from_26_9(server_26):
    expected = http_rows(server_26, SLICES_SQL)
    assert len(expected) >= 9  # os, gender and age slices
    assert connect_rows(server_26) == expected
    # Superset's URI for it (clickhouse-connect's SQLAlchemy dialect).
    assert sqlalchemy_rows(f"clickhousedb://default:@127.0.0.1:{server_26}/vigil") == expected


def test_clickhouse_connect_is_refused_by_18_16(server_18):
    # clickhouse-connect reads system.settings' `readonly` column at connect; 18.16 has none.
    # If this starts to pass, the README's BI table is out of date.
    import clickhouse_connect
    with pytest.raises(Exception, match="Unknown identifier: readonly"):
        connect_rows(server_18[0])


def test_clickhouse_sqlalchemy_reads_the_slices_from_18_16_native_and_http(server_18):
    http, tcp = server_18
    expected = http_rows(http, SLICES_SQL)
    assert len(expected) >= 9
    # Superset's "ClickHouse (legacy)" URIs: clickhouse-sqlalchemy over the native protocol
    # (clickhouse-driver) and over HTTP.
    assert sqlalchemy_rows(f"clickhouse+native://default@127.0.0.1:{tcp}/vigil") == expected
    assert sqlalchemy_rows(f"clickhouse+http://default:@127.0.0.1:{http}/vigil") == expected
    from clickhouse_driver import Client
    assert [tuple(r) for r in Client(host="127.0.0.1", port=tcp).execute(SLICES_SQL)] == expected
