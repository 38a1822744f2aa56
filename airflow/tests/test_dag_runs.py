"""`airflow dags test` of each DAG against a real ClickHouse with simulated data and the fake
Telegram Bot API (see the `stack` fixture in conftest.py)."""

from __future__ import annotations

import json

from conftest import BOT_TOKEN, CHAT_ID, DAY


def test_etl_dag_loads_the_day_that_ended(stack):
    # The scheduled run of 2025-03-10 02:00 (Moscow) has the interval that starts 2025-03-09 02:00.
    output = stack.dags_test("vigil_etl", "2025-03-10T02:00:00+03:00")
    assert f"etl --date {DAY} --step load" in output

    assert stack.query("SELECT DISTINCT toString(event_date) AS d FROM vigil.user_slices_daily") == [
        {"d": DAY}]
    rows = stack.query(
        "SELECT dimension, count() AS n, sum(views) AS views, sum(likes) AS likes,"
        " sum(messages_sent) AS sent, sum(messages_received) AS received"
        " FROM vigil.user_slices_daily GROUP BY dimension ORDER BY dimension")
    assert [r["dimension"] for r in rows] == ["age", "gender", "os"]
    source = stack.query(
        f"SELECT countIf(action = 'view') AS views, countIf(action = 'like') AS likes"
        f" FROM simulator.feed_actions WHERE toDate(time) = '{DAY}'")[0]
    messages = stack.query(
        f"SELECT count() AS sent FROM simulator.message_actions WHERE toDate(time) = '{DAY}'")[0]
    assert int(source["views"]) > 0 and int(messages["sent"]) > 0
    for row in rows:  # every dimension adds up to the day's totals
        assert int(row["n"]) >= 2, row
        assert int(row["views"]) == int(source["views"]), row
        assert int(row["likes"]) == int(source["likes"]), row
        assert int(row["sent"]) == int(row["received"]) == int(messages["sent"]), row
    # load dropped the staging tables.
    assert stack.query(
        "SELECT name FROM system.tables WHERE database = 'vigil' AND name LIKE '%__stg_%'") == []


def test_report_dag_sends_yesterdays_album(stack):
    before = len(stack.calls())
    output = stack.dags_test("vigil_report", "2025-03-10T11:00:00+03:00",
                             VIGIL_TELEGRAM_TOKEN=BOT_TOKEN, VIGIL_TELEGRAM_CHAT_ID=CHAT_ID)
    assert f"report --date {DAY}" in output
    assert BOT_TOKEN not in output

    calls = stack.wait_for_calls(before + 1)[before:]
    albums = [c for c in calls if c["method"] == "sendMediaGroup"]
    assert len(albums) == 1, calls
    album = albums[0]
    assert album["chat_id"] == CHAT_ID
    assert len(album["photos"]) == 2 and all(p["png"] for p in album["photos"]), album["photos"]
    # The text (the first picture's caption, or a message before the album) names the day.
    texts = [album["media_captions"][0]] + [c["text"] for c in calls if c["method"] == "sendMessage"]
    assert any("09.03.2025" in t or DAY in t for t in texts), texts
    assert all(a["status"] == 200 for a in stack.attempts()), stack.attempts()


def test_alerts_dag_alerts_on_the_injected_anomaly_once(stack):
    # Secrets from an Airflow connection this time (AIRFLOW_CONN_* is one of its backends).
    connection = json.dumps({"conn_type": "generic", "password": BOT_TOKEN, "extra": {"chat_id": CHAT_ID}})
    before = len(stack.calls())
    # The run due at 14:30 has the interval 14:15-14:30: inside the tripled views (14:00-15:00).
    output = stack.dags_test("vigil_alerts", "2025-03-09T14:30:00+03:00",
                             AIRFLOW_CONN_VIGIL_TELEGRAM=connection)
    assert 'alert --at "2025-03-09 14:30"' in output
    assert BOT_TOKEN not in output

    calls = stack.wait_for_calls(before + 1)[before:]
    assert calls, "no alert arrived"
    assert all(c["chat_id"] == CHAT_ID for c in calls)
    views = [c for c in calls if "Views" in c["text"]]
    assert len(views) == 1, [c["text"] for c in calls]
    assert "14:15" in views[0]["text"], views[0]["text"]
    assert all(a["status"] == 200 for a in stack.attempts()), stack.attempts()

    # Re-running the same interval (a retry, "Clear" in the UI) sends nothing again.
    sent = len(stack.wait_for_calls(before + len(calls)))
    stack.dags_test("vigil_alerts", "2025-03-09T14:30:00+03:00", AIRFLOW_CONN_VIGIL_TELEGRAM=connection)
    assert len(stack.wait_for_calls(sent + 1, timeout=1.0)) == sent
