"""VigilOperator with a stand-in binary: where the binary, config, working directory and
secrets come from, and which exit codes are retried."""

from __future__ import annotations

import json
import sys

import pytest
from conftest import BOT_TOKEN, DAGS

sys.path.insert(0, str(DAGS))
import vigil_common  # noqa: E402  (the DAG folder is the bundle root, as in Airflow)

from airflow.sdk.exceptions import AirflowException, AirflowFailException  # noqa: E402

STAND_IN = """#!/bin/sh
python3 - "$@" <<'EOF'
import json, os, sys
keys = ["VIGIL_TELEGRAM_TOKEN", "VIGIL_TELEGRAM_CHAT_ID", "VIGIL_CLICKHOUSE_PASSWORD"]
record = {"args": sys.argv[1:], "cwd": os.getcwd(), "env": {k: os.environ.get(k) for k in keys}}
with open(os.environ["STAND_IN_RECORD"], "w") as f:
    json.dump(record, f)
EOF
exit "${STAND_IN_EXIT:-0}"
"""


@pytest.fixture
def setup(tmp_path, monkeypatch):
    binary = tmp_path / "bin" / "vigil"
    binary.parent.mkdir()
    binary.write_text(STAND_IN)
    binary.chmod(0o755)
    config_dir = tmp_path / "etc"
    config_dir.mkdir()
    config = config_dir / "vigil.toml"
    config.write_text("")
    record = tmp_path / "record.json"
    monkeypatch.setenv("VIGIL_BIN", str(binary))
    monkeypatch.setenv("VIGIL_CONFIG", str(config))
    monkeypatch.setenv("STAND_IN_RECORD", str(record))

    def execute(args="report --date 2025-03-09"):
        operator = vigil_common.VigilOperator(task_id="t", vigil_args=args)
        operator.execute({})
        return json.loads(record.read_text())

    return {"tmp": tmp_path, "config": config, "execute": execute}


def test_runs_the_binary_with_the_config_in_the_config_directory(setup):
    record = setup["execute"]('alert --at "2025-03-09 14:30"')
    assert record["args"] == ["--config", str(setup["config"]), "alert", "--at", "2025-03-09 14:30"]
    assert record["cwd"] == str(setup["config"].parent)
    assert record["env"] == {"VIGIL_TELEGRAM_TOKEN": None, "VIGIL_TELEGRAM_CHAT_ID": None,
                             "VIGIL_CLICKHOUSE_PASSWORD": None}


def test_airflow_variables_win_over_the_environment(setup, monkeypatch):
    workdir = setup["tmp"] / "work"
    workdir.mkdir()
    other = setup["tmp"] / "other.toml"
    other.write_text("")
    monkeypatch.setenv("AIRFLOW_VAR_VIGIL_CONFIG", str(other))
    monkeypatch.setenv("AIRFLOW_VAR_VIGIL_WORKDIR", str(workdir))
    record = setup["execute"]()
    assert record["args"][:2] == ["--config", str(other)]
    assert record["cwd"] == str(workdir)


def test_secrets_pass_through_from_the_environment(setup, monkeypatch):
    monkeypatch.setenv("VIGIL_TELEGRAM_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("VIGIL_CLICKHOUSE_PASSWORD", "from-env-1234")
    record = setup["execute"]()
    assert record["env"]["VIGIL_TELEGRAM_TOKEN"] == BOT_TOKEN
    assert record["env"]["VIGIL_CLICKHOUSE_PASSWORD"] == "from-env-1234"


def test_secrets_from_airflow_connections_win(setup, monkeypatch):
    monkeypatch.setenv("VIGIL_TELEGRAM_TOKEN", "stale-env-token")
    monkeypatch.setenv("AIRFLOW_CONN_VIGIL_TELEGRAM", json.dumps(
        {"conn_type": "generic", "password": BOT_TOKEN, "extra": {"chat_id": "-100777"}}))
    monkeypatch.setenv("AIRFLOW_CONN_VIGIL_CLICKHOUSE", json.dumps(
        {"conn_type": "generic", "password": "from-conn-5678"}))
    record = setup["execute"]()
    assert record["env"] == {"VIGIL_TELEGRAM_TOKEN": BOT_TOKEN, "VIGIL_TELEGRAM_CHAT_ID": "-100777",
                             "VIGIL_CLICKHOUSE_PASSWORD": "from-conn-5678"}


def test_failure_is_retried_but_a_usage_error_is_not(setup, monkeypatch):
    monkeypatch.setenv("STAND_IN_EXIT", "1")
    with pytest.raises(AirflowException) as failure:
        setup["execute"]()
    assert not isinstance(failure.value, AirflowFailException)
    monkeypatch.setenv("STAND_IN_EXIT", "2")
    with pytest.raises(AirflowFailException):
        setup["execute"]()


def test_a_missing_config_fails_at_once(setup, monkeypatch):
    monkeypatch.setenv("VIGIL_CONFIG", str(setup["tmp"] / "nowhere.toml"))
    with pytest.raises(AirflowFailException, match="VIGIL_CONFIG"):
        setup["execute"]()
