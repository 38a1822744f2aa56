"""vigil daily report: yesterday's key metrics with 7-day charts, to Telegram.

Runs at 11:00 in the business zone for the data interval [D-1 11:00, D 11:00) and reports the
calendar day of its start, D-1. The report reads the source tables, not the ETL's table, so it
does not wait for ``vigil_etl``. A retry after a failed send sends again; a chart that fails to
render does not fail the task (vigil sends the text alone and exits 0).
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, CronDataIntervalTimetable
from vigil_common import INTERVAL_START_DAY, MACROS, START_DATE, TIMEZONE, VigilOperator, default_args

with DAG(
    dag_id="vigil_report",
    description="Daily KPI report with 7-day charts to Telegram (vigil report)",
    schedule=CronDataIntervalTimetable("0 11 * * *", timezone=TIMEZONE),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=3),
    default_args=default_args(
        retries=3, retry_delay=timedelta(minutes=5), execution_timeout=timedelta(minutes=30)
    ),
    user_defined_macros=MACROS,
    doc_md=__doc__,
    tags=["vigil"],
) as dag:
    VigilOperator(task_id="report", vigil_args=f"report --date {INTERVAL_START_DAY}")
