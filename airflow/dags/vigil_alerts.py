"""vigil anomaly alerts: every 15 minutes, check the 15-minute bucket that just ended.

The run for the data interval [T-15min, T) calls ``vigil alert --at T`` (local time in the
business zone), which evaluates the last complete bucket before T, i.e. exactly the interval.
Noise control and delivery state live in vigil's SQLite file (``state_dir/alerts.sqlite``):
re-running an interval never repeats a message that went out, and one that could not be delivered
(Telegram refused it, or the run died) is sent by the task's retry of the same run (or, at the
latest, by the next run); an alert sent as a text and then its chart resends only the chart if
that failed. Overlapping runs take turns on a lock. One run at a time; no catch-up (a missed
interval is not worth alerting about hours later). Retries are short, so a retry still lands inside the next interval.
"""

from __future__ import annotations

import os
from datetime import timedelta

from airflow.sdk import DAG, CronDataIntervalTimetable
from vigil_common import INTERVAL_END_MINUTE, MACROS, START_DATE, TIMEZONE, VigilOperator, default_args

with DAG(
    dag_id="vigil_alerts",
    description="15-minute anomaly alerts to Telegram (vigil alert)",
    schedule=CronDataIntervalTimetable("*/15 * * * *", timezone=TIMEZONE),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=14),
    default_args=default_args(
        retries=2, retry_delay=timedelta(minutes=1), execution_timeout=timedelta(minutes=10)
    ),
    user_defined_macros=MACROS,
    doc_md=__doc__,
    tags=["vigil"],
) as dag:
    # The alert state is a local SQLite file: with workers on several machines, route this
    # task to one of them (a Celery queue that one worker serves), see the README.
    queue = os.environ.get("VIGIL_ALERTS_QUEUE", "").strip()
    VigilOperator(
        task_id="alert",
        vigil_args=f'alert --at "{INTERVAL_END_MINUTE}"',
        **({"queue": queue} if queue else {}),
    )
