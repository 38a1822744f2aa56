"""vigil daily ETL: per-user activity of the business day that just ended, sliced by os,
gender and age, into the ClickHouse target table (``[etl] target_table``).

Runs at 02:00 in the business zone for the data interval [D-1 02:00, D 02:00) and processes
the calendar day of its start, D-1. ``extract_feed`` and ``extract_messages`` build per-user
staging tables in parallel, ``transform`` builds the slices, ``load`` swaps the day's partition
into the target atomically. Every step can be re-run (a retry, "Clear" in the UI, a backfill
with ``airflow backfill create``) and gives the same table, never duplicates.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, CronDataIntervalTimetable
from vigil_common import INTERVAL_START_DAY, MACROS, START_DATE, TIMEZONE, VigilOperator, default_args

with DAG(
    dag_id="vigil_etl",
    description="Daily per-user slices into ClickHouse (vigil etl)",
    schedule=CronDataIntervalTimetable("0 2 * * *", timezone=TIMEZONE),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=6),
    default_args=default_args(
        retries=3, retry_delay=timedelta(minutes=5), execution_timeout=timedelta(hours=2)
    ),
    user_defined_macros=MACROS,
    doc_md=__doc__,
    tags=["vigil"],
) as dag:
    day = INTERVAL_START_DAY
    extract_feed = VigilOperator(task_id="extract_feed", vigil_args=f"etl --date {day} --step extract-feed")
    extract_messages = VigilOperator(
        task_id="extract_messages", vigil_args=f"etl --date {day} --step extract-messages"
    )
    transform = VigilOperator(task_id="transform", vigil_args=f"etl --date {day} --step transform")
    load = VigilOperator(task_id="load", vigil_args=f"etl --date {day} --step load")

    [extract_feed, extract_messages] >> transform >> load
