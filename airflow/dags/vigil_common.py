"""Shared pieces of the vigil DAGs (not a DAG file itself: see .airflowignore).

Where things come from — nothing secret lives in the DAG files:

- the business time zone (schedules and dates): environment ``VIGIL_TIMEZONE``, else the
  ``timezone`` key of the config file named by ``VIGIL_CONFIG``, else ``Europe/Moscow``.
  Read when the DAG file is parsed, because the schedule depends on it.
- the ``vigil`` binary, its config file and its working directory: Airflow Variables
  ``vigil_bin``, ``vigil_config``, ``vigil_workdir``, else the environment ``VIGIL_BIN``,
  ``VIGIL_CONFIG``, ``VIGIL_WORKDIR``, else ``vigil`` on PATH, ``/etc/vigil/vigil.toml`` and
  the config file's directory. Read when a task runs. The working directory matters: relative
  ``state_dir``/``out_dir`` in the config (alert state!) resolve against it, so it must be
  the same for every run.
- optional, when the DAG files are parsed: ``VIGIL_AIRFLOW_POOL`` (an Airflow pool for every
  task) and ``VIGIL_ALERTS_QUEUE`` (the executor queue of the alert task, see vigil_alerts.py).
- secrets: the Airflow connection ``vigil_telegram`` (password = bot token, optional extra
  ``{"chat_id": "..."}``) and ``vigil_clickhouse`` (password), looked up when a task runs
  (so any secrets backend works, and Airflow masks them in logs); without a connection, the
  worker's environment ``VIGIL_TELEGRAM_TOKEN``, ``VIGIL_TELEGRAM_CHAT_ID`` and
  ``VIGIL_CLICKHOUSE_PASSWORD`` pass through unchanged.
"""

from __future__ import annotations

import os
import shlex
import shutil
import tomllib
from datetime import timedelta
from typing import Any

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import Connection, Variable
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowNotFoundException

DEFAULT_TIMEZONE = "Europe/Moscow"
DEFAULT_CONFIG = "/etc/vigil/vigil.toml"

# vigil's exit codes: 0 ok, 1 failure (worth a retry), 2 usage or config error (not).
EXIT_USAGE = 2

TELEGRAM_CONN_ID = "vigil_telegram"
CLICKHOUSE_CONN_ID = "vigil_clickhouse"


def business_timezone_name() -> str:
    """The IANA zone of the business day (see the module docstring)."""
    zone = os.environ.get("VIGIL_TIMEZONE", "").strip()
    if zone:
        return zone
    config = os.environ.get("VIGIL_CONFIG", "").strip()
    if config:
        try:
            with open(config, "rb") as f:
                value = tomllib.load(f).get("timezone")
        except (OSError, tomllib.TOMLDecodeError):
            value = None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return DEFAULT_TIMEZONE


# An unknown zone fails the DAG import with pendulum's error, visible in the UI.
TIMEZONE = pendulum.timezone(business_timezone_name())
# Fixed and in the past: with catchup=False the scheduler creates only the latest interval.
START_DATE = pendulum.datetime(2025, 1, 1, tz=TIMEZONE)

# Jinja: the business day or minute of a data interval bound (which arrive in UTC;
# `| ds` on them would give the UTC date, a day early for a 02:00 Moscow run).
MACROS = {"vigil_tz": TIMEZONE.name}
INTERVAL_START_DAY = "{{ data_interval_start.in_timezone(vigil_tz).strftime('%Y-%m-%d') }}"
INTERVAL_END_MINUTE = "{{ data_interval_end.in_timezone(vigil_tz).strftime('%Y-%m-%d %H:%M') }}"


def default_args(retries: int, retry_delay: timedelta, execution_timeout: timedelta) -> dict[str, Any]:
    args = {
        "owner": "vigil",
        "depends_on_past": False,
        "retries": retries,
        "retry_delay": retry_delay,
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": retry_delay * 4,
        "execution_timeout": execution_timeout,
    }
    # An Airflow pool that caps how many vigil tasks query ClickHouse at once (README).
    pool = os.environ.get("VIGIL_AIRFLOW_POOL", "").strip()
    if pool:
        args["pool"] = pool
    return args


def _setting(variable: str, env: str) -> str:
    # default=None: a string default would be registered as a secret and masked in logs.
    value = Variable.get(variable, default=None)
    if value is not None and str(value).strip():
        return str(value).strip()
    return os.environ.get(env, "").strip()


def _connection(conn_id: str):
    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None


class VigilOperator(BashOperator):
    """Runs ``vigil --config CONFIG <vigil_args>`` with the settings and secrets above.

    ``vigil_args`` is a Jinja template (the DAG's macros apply); the task's rendered
    ``bash_command`` reads ``vigil <vigil_args>``, and the binary and config are put in when
    the task runs. Exit code 2 (usage or config error) fails the task at once: retrying
    cannot fix it. Exit 1 (ClickHouse or Telegram down, ...) is retried.
    """

    ui_color = "#dbe8f5"

    def __init__(self, *, vigil_args: str, **kwargs: Any) -> None:
        kwargs.setdefault("skip_on_exit_code", None)  # no exit code means "skipped"
        kwargs.setdefault("do_xcom_push", False)
        super().__init__(bash_command=f"vigil {vigil_args}", **kwargs)

    def execute(self, context):
        binary = _setting("vigil_bin", "VIGIL_BIN") or shutil.which("vigil") or "vigil"
        config = _setting("vigil_config", "VIGIL_CONFIG") or DEFAULT_CONFIG
        workdir = _setting("vigil_workdir", "VIGIL_WORKDIR") or os.path.dirname(os.path.abspath(config))
        if not os.path.isfile(config):
            raise AirflowFailException(
                f"vigil config {config} not found: set the Airflow Variable vigil_config or VIGIL_CONFIG"
            )

        env = dict(os.environ)
        telegram = _connection(TELEGRAM_CONN_ID)
        if telegram is not None:
            if telegram.password:
                env["VIGIL_TELEGRAM_TOKEN"] = telegram.password
            chat_id = telegram.extra_dejson.get("chat_id")
            if chat_id:
                env["VIGIL_TELEGRAM_CHAT_ID"] = str(chat_id)
        clickhouse = _connection(CLICKHOUSE_CONN_ID)
        if clickhouse is not None and clickhouse.password:
            env["VIGIL_CLICKHOUSE_PASSWORD"] = clickhouse.password

        rendered_args = self.bash_command.removeprefix("vigil ")
        self.bash_command = f"exec {shlex.quote(binary)} --config {shlex.quote(config)} {rendered_args}"
        self.env = env
        self.append_env = False
        self.cwd = workdir
        try:
            return super().execute(context)
        except AirflowException:
            process = getattr(self.subprocess_hook, "sub_process", None)
            if process is not None and process.returncode == EXIT_USAGE:
                raise AirflowFailException(
                    "vigil exited with 2 (usage or config error, see the log above); not retrying"
                ) from None
            raise
