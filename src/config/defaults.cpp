#include "config/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace vigil {
namespace {

// A TOML basic string literal.
std::string toml_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The items of a TOML array of strings: "a", "b".
std::string toml_strings(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + toml_string(item);
  return out;
}


}  // namespace

std::string default_config_text() {
  const Config d;
  return fmt::format(
      R"(# vigil configuration. Every key is optional; the values below are the defaults.
# Secrets are never read from this file: set VIGIL_CLICKHOUSE_PASSWORD (and
# VIGIL_TELEGRAM_TOKEN) in the environment.

# Business time zone (IANA name). A "day" is a calendar day in this zone, and the
# source tables' `time` columns are wall-clock times in it.
timezone = {}
# Managed local ClickHouse, job run history and alert state.
state_dir = {}
# `vigil demo` output, --dry-run files and simulator labels.
out_dir = {}

[clickhouse]
# HTTP interface of the server: http://HOST[:PORT] or https://HOST[:PORT].
url = {}
user = {}
# The password comes only from the VIGIL_CLICKHOUSE_PASSWORD environment variable.
# Database where vigil writes its staging tables and the ETL target table.
database = {}
connect_timeout_seconds = {}
query_timeout_seconds = {}
# Extra attempts for read queries after a connection error (0..10).
read_retries = {}
# A cluster named in the servers' remote_servers: vigil's tables become
# ReplicatedMergeTree tables behind Distributed tables, DDL runs ON CLUSTER
# (README, "A ClickHouse cluster"). Empty: one server.
cluster = {}

[source]
# Where the app writes its raw events.
database = {}
feed_table = {}
message_table = {}

[etl]
# Table in clickhouse.database that receives the daily slices.
target_table = {}
# Ascending lower bounds of the age buckets (1..150); the defaults give the
# buckets {}.
age_buckets = [{}]
# How many days back to look for the os/gender/age of a user who only received
# messages that day (0..366).
demographics_lookback_days = {}

[report]
# Link at the end of the daily report ("{{date}}" becomes the report's date).
# Empty: the built-in dashboard's overview of that day (see [serve]).
dashboard_url = {}

[telegram]
# Bot API base URL (the token comes only from VIGIL_TELEGRAM_TOKEN).
api_url = {}
# Where reports and alerts go: a numeric id or "@channel"; VIGIL_TELEGRAM_CHAT_ID
# overrides it.
chat_id = {}
# Per request; and requests per message including retries (429, 5xx, network).
timeout_seconds = {}
max_attempts = {}
# Who the bot obeys in that chat (its commands, read by vigil serve): [] = anyone
# in the chat; else numeric user ids or @usernames, e.g. ["123456789", "@ann_ops"].
allowed_users = []

[alerts]
# Bucket size in minutes (divides 60) and the history a detector sees, in days.
interval_minutes = {}
history_days = {}
# Detector: seasonal (vigil's default), iqr or dayago.
method = {}
# seasonal's alert threshold, calibrated on each series' own history: low, normal
# or high, i.e. fewer or more expected false alert episodes per series per week
# (measured 0.3, 0.55 and 1.05 on mixed real-world-like series; README).
# Other methods ignore it.
sensitivity = {}
# Which anomalies alert, for every method: up (above the band), down (below it)
# or both.
direction = {}
# Anomalous buckets in a row before an alert; reminder interval while firing.
consecutive = {}
repeat_every_minutes = {}
# Also watch each slice of these dimensions: "os", "gender", "age".
slices = []
# An alert on all users says which slices carry its change ("Where: ..."), each
# against its own forecast, from one extra query per run that alerts: any of
# "os", "gender", "age", "source", "country"; [] = no Where line.
explain_by = [{}]
# ClickHouse table (in clickhouse.database) receiving every evaluation; "" = off.
history_table = {}
# ClickHouse table (in clickhouse.database) of per-bucket counts per slice, filled
# by each alert run: the run reads its history from it and re-counts only the
# newest bucket and late_buckets before it from the source tables (late events);
# the first run fills the whole window once. "" = re-read the whole window each run.
bucket_table = {}
late_buckets = {}
# Link in alerts; {{metric}}, {{date}}, {{time}} and {{slice}} are replaced.
# Empty: the built-in dashboard's metric page at the alert's bucket.
dashboard_url = {}
# What goes out as one message: "bucket" (all that fired, repeated or went back
# to normal in one bucket: one incident, one message, the main alert in full),
# "metric" (per metric and bucket) or "alert" (one message per alert).
group = {}
# Buttons under each Telegram alert: Silence 1h, Silence until 09:00 tomorrow,
# Real, False alarm. A press needs the bot's reader (vigil serve, or
# vigil serve --bot-only beside Airflow); false if none runs.
buttons = {}

# Per-metric overrides (metrics: {}).
# A key not given takes the value above. sensitivity and direction may also be
# given in params, but not both ways; a metric's own sensitivity needs seasonal.
# [alerts.metrics.ctr]
# direction = "down"     # typical for CTR: only drops matter
# sensitivity = "low"    # seasonal only
# consecutive = 2
# enabled = true
# [alerts.metrics.likes]
# method = "iqr"
# params = {{ n = 8, a = 2.5 }}

[schedule]
# When `vigil serve` runs each job: cron schedules (minute hour day-of-month month
# day-of-week) in `timezone`; "" = never. The ETL and the report work on the day
# before the one they run on; the alerts check the last complete bucket.
etl = {}
report = {}
alerts = {}
# Extra attempts after a failed run, the first after retry_backoff_seconds,
# doubling each time (never past the job's next run).
retries = {}
retry_backoff_seconds = {}
# On start, fill at most this many missed ETL days (0 = none). A report missed
# today is sent late with a note; missed alert checks are not replayed, only the
# latest bucket is checked.
catchup_days = {}

[serve]
# The dashboard, /health and /metrics of `vigil serve` (HOST:PORT; "" = off).
# Off loopback (e.g. 0.0.0.0:8765) readers need the token from the environment
# variable VIGIL_DASHBOARD_TOKEN (at least 16 characters).
listen = {}
# The dashboard's URL as readers of Telegram reach it, for the links in the
# report and alerts (e.g. https://vigil.example.com behind a proxy). Empty:
# http://<listen>, or no default links when listen is 0.0.0.0 or [::].
public_url = {}
)",
      toml_string(d.timezone), toml_string(d.state_dir), toml_string(d.out_dir),
      toml_string(d.clickhouse.url), toml_string(d.clickhouse.user),
      toml_string(d.clickhouse.database), d.clickhouse.connect_timeout_seconds,
      d.clickhouse.query_timeout_seconds, d.clickhouse.read_retries,
      toml_string(d.clickhouse.cluster), toml_string(d.source.database), toml_string(d.source.feed_table),
      toml_string(d.source.message_table), toml_string(d.etl.target_table),
      fmt::join(age_bucket_labels(d.etl.age_buckets), ", "), fmt::join(d.etl.age_buckets, ", "),
      d.etl.demographics_lookback_days, toml_string(d.report.dashboard_url),
      toml_string(d.telegram.api_url), toml_string(d.telegram.chat_id), d.telegram.timeout_seconds,
      d.telegram.max_attempts, d.alerts.interval_minutes, d.alerts.history_days,
      toml_string(d.alerts.method), toml_string(d.alerts.sensitivity),
      toml_string(d.alerts.direction), d.alerts.consecutive, d.alerts.repeat_every_minutes,
      toml_strings(d.alerts.explain_by), toml_string(d.alerts.history_table),
      toml_string(d.alerts.bucket_table), d.alerts.late_buckets,
      toml_string(d.alerts.dashboard_url), toml_string(d.alerts.group), d.alerts.buttons,
      fmt::join(alert_metric_names(), ", "), toml_string(d.schedule.etl),
      toml_string(d.schedule.report), toml_string(d.schedule.alerts), d.schedule.retries,
      d.schedule.retry_backoff_seconds, d.schedule.catchup_days, toml_string(d.serve.listen),
      toml_string(d.serve.public_url));
}

}  // namespace vigil
