"""The DAG files as Airflow sees them: import, task graphs, schedules, dates, no secrets.

No servers here; test_dag_runs.py runs the DAGs for real.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pendulum
import pytest
from conftest import BOT_TOKEN, DAGS

DAG_IDS = {"vigil_etl", "vigil_report", "vigil_alerts"}
SCHEDULES = {"vigil_etl": "0 2 * * *", "vigil_report": "0 11 * * *", "vigil_alerts": "*/15 * * * *"}
MOSCOW = "Europe/Moscow"


def test_dag_files_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == DAG_IDS
    # The shared module is not parsed as a DAG file (.airflowignore).
    assert {Path(stat.file).name for stat in dagbag.dagbag_stats} == {
        "vigil_etl.py", "vigil_report.py", "vigil_alerts.py"}


def test_dags_serialize_for_the_scheduler(dagbag):
    from airflow.serialization.serialized_objects import DagSerialization

    for dag_id in DAG_IDS:
        restored = DagSerialization.from_dict(DagSerialization.to_dict(dagbag.dags[dag_id]))
        assert restored.task_ids == dagbag.dags[dag_id].task_ids


def test_etl_extracts_run_in_parallel_then_transform_then_load(dagbag):
    dag = dagbag.dags["vigil_etl"]
    graph = {task.task_id: (set(task.upstream_task_ids), set(task.downstream_task_ids)) for task in dag.tasks}
    assert graph == {
        "extract_feed": (set(), {"transform"}),
        "extract_messages": (set(), {"transform"}),
        "transform": ({"extract_feed", "extract_messages"}, {"load"}),
        "load": ({"transform"}, set()),
    }


def test_report_and_alerts_are_one_task_each(dagbag):
    assert [t.task_id for t in dagbag.dags["vigil_report"].tasks] == ["report"]
    assert [t.task_id for t in dagbag.dags["vigil_alerts"].tasks] == ["alert"]


@pytest.mark.parametrize("dag_id", sorted(DAG_IDS))
def test_schedule_in_the_business_zone_with_real_data_intervals(dagbag, dag_id):
    from airflow.sdk import CronDataIntervalTimetable

    dag = dagbag.dags[dag_id]
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.timetable.expression == SCHEDULES[dag_id]
    assert dag.timetable.timezone.name == MOSCOW
    assert dag.timezone.name == MOSCOW


@pytest.mark.parametrize("dag_id", sorted(DAG_IDS))
def test_no_catch_up_flood_and_retries(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.dagrun_timeout is not None
    assert dag.start_date < pendulum.now()
    for task in dag.tasks:
        assert task.retries >= 2, task.task_id
        assert timedelta(0) < task.retry_delay <= timedelta(minutes=10), task.task_id
        assert task.execution_timeout is not None, task.task_id
    if dag_id == "vigil_alerts":
        # A run and its retries end before the next 15-minute run is due.
        assert dag.dagrun_timeout < timedelta(minutes=15)


def _scheduled_interval(dag, run_after_local: str):
    """The data interval the scheduler gives the run due at run_after_local (business time)."""
    from airflow.serialization.serialized_objects import DagSerialization
    from airflow.timetables.base import DataInterval, TimeRestriction

    timetable = DagSerialization.from_dict(DagSerialization.to_dict(dag)).timetable
    due = pendulum.parse(run_after_local, tz=MOSCOW)
    previous = timetable.infer_manual_data_interval(run_after=due.subtract(seconds=1))
    info = timetable.next_dagrun_info(
        last_automated_data_interval=DataInterval(previous.start, previous.end),
        restriction=TimeRestriction(earliest=dag.start_date, latest=None, catchup=True),
    )
    assert info.run_after == due
    # Airflow hands the interval to templates in UTC.
    return info.data_interval.start.in_timezone("UTC"), info.data_interval.end.in_timezone("UTC")


def _rendered(dag, task_id: str, interval) -> str:
    task = dag.get_task(task_id)
    context = {"data_interval_start": interval[0], "data_interval_end": interval[1]}
    return task.render_template(task.bash_command, context, jinja_env=dag.get_template_env())


def test_etl_at_two_in_the_night_processes_the_day_that_ended(dagbag):
    dag = dagbag.dags["vigil_etl"]
    # 02:00 Moscow is 23:00 UTC the day before: a UTC `ds` would pick 2025-03-08.
    interval = _scheduled_interval(dag, "2025-03-10 02:00")
    assert _rendered(dag, "extract_feed", interval) == "vigil etl --date 2025-03-09 --step extract-feed"
    assert _rendered(dag, "extract_messages", interval) == "vigil etl --date 2025-03-09 --step extract-messages"
    assert _rendered(dag, "transform", interval) == "vigil etl --date 2025-03-09 --step transform"
    assert _rendered(dag, "load", interval) == "vigil etl --date 2025-03-09 --step load"
    # The first of the month and the new year work the same way.
    assert _rendered(dag, "load", _scheduled_interval(dag, "2026-01-01 02:00")) == (
        "vigil etl --date 2025-12-31 --step load")


def test_report_at_eleven_reports_yesterday(dagbag):
    dag = dagbag.dags["vigil_report"]
    assert _rendered(dag, "report", _scheduled_interval(dag, "2025-03-10 11:00")) == (
        "vigil report --date 2025-03-09")


def test_alert_checks_the_interval_that_just_ended(dagbag):
    dag = dagbag.dags["vigil_alerts"]
    assert _rendered(dag, "alert", _scheduled_interval(dag, "2025-03-09 14:30")) == (
        'vigil alert --at "2025-03-09 14:30"')
    # Midnight: the bucket 23:45-00:00 of the day before.
    assert _rendered(dag, "alert", _scheduled_interval(dag, "2025-03-10 00:00")) == (
        'vigil alert --at "2025-03-10 00:00"')


def _parsed_in_subprocess(**env: str) -> dict:
    """What the DAG files give when parsed with this environment (a fresh interpreter)."""
    code = (
        "import json, sys; sys.path.insert(0, %r)\n"
        "import vigil_alerts, vigil_etl\n"
        "etl, alerts = vigil_etl.dag, vigil_alerts.dag\n"
        "print(json.dumps({'zone': etl.timezone.name, 'schedule_zone': etl.timetable.timezone.name,\n"
        "    'alerts_zone': alerts.timezone.name, 'pools': sorted({t.pool for t in etl.tasks}),\n"
        "    'queue': alerts.get_task('alert').queue}))\n" % str(DAGS)
    )
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_zone_comes_from_the_environment_or_the_vigil_config(tmp_path):
    config = tmp_path / "vigil.toml"
    config.write_text('timezone = "Asia/Novosibirsk"\n[clickhouse]\nurl = "http://127.0.0.1:8123"\n')
    parsed = _parsed_in_subprocess(VIGIL_CONFIG=str(config))
    assert parsed["zone"] == parsed["schedule_zone"] == parsed["alerts_zone"] == "Asia/Novosibirsk"
    parsed = _parsed_in_subprocess(VIGIL_CONFIG=str(config), VIGIL_TIMEZONE="Europe/Berlin")
    assert parsed["zone"] == parsed["schedule_zone"] == parsed["alerts_zone"] == "Europe/Berlin"


def test_pool_and_alerts_queue_from_the_environment():
    parsed = _parsed_in_subprocess(VIGIL_AIRFLOW_POOL="clickhouse", VIGIL_ALERTS_QUEUE="vigil_alerts")
    assert parsed["pools"] == ["clickhouse"]
    assert parsed["queue"] == "vigil_alerts"
    parsed = _parsed_in_subprocess()
    assert parsed["pools"] == ["default_pool"]
    assert parsed["queue"] != "vigil_alerts"


# Anything that looks like a credential: a Telegram bot token, a password or token assigned a
# literal, basic auth in a URL, an Airflow connection URI.
SECRET_PATTERNS = [
    re.compile(r"\b\d{6,12}:[A-Za-z0-9_-]{30,}\b"),
    re.compile(r"(?i)(password|passwd|token|secret)\w*\s*[:=]\s*['\"][^'\"]+['\"]"),
    re.compile(r"://[^/\s:@]+:[^/\s@]+@"),
    re.compile(r"AIRFLOW_CONN_\w+\s*="),
]


def test_no_secrets_in_the_dag_files(dagbag):
    sources = [p for p in DAGS.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert sources, DAGS
    for path in sources:
        text = path.read_text()
        assert BOT_TOKEN not in text
        for pattern in SECRET_PATTERNS:
            assert not pattern.search(text), f"{path.name}: {pattern.search(text).group(0)!r}"
    # Nothing secret baked into the parsed tasks either: the environment is built at run time.
    for dag in dagbag.dags.values():
        for task in dag.tasks:
            assert task.env is None, task.task_id
            assert "VIGIL_TELEGRAM_TOKEN" not in str(task.bash_command)
