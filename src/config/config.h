// Typed configuration: vigil.toml -> Config, with a documented default for every
// key. Parsing is pure (text in, Config or error out) so it is tested without
// files; load_config() is the thin file-reading edge. Secrets never come from the
// file: they are read from the environment by the caller and stored here.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/metric_catalog.h"  // alert_metric_names

namespace vigil {

struct ClickHouseConfig {
  std::string url = "http://127.0.0.1:8123";
  std::string user = "default";
  std::string password;             // only from VIGIL_CLICKHOUSE_PASSWORD
  std::string database = "vigil";   // where vigil writes
  int connect_timeout_seconds = 5;
  int query_timeout_seconds = 600;
  int read_retries = 3;             // extra attempts for reads on connection errors
  // A cluster of remote_servers: vigil's tables become ReplicatedMergeTree local
  // tables behind Distributed tables of the configured names, DDL runs ON CLUSTER.
  // Empty: one server.
  std::string cluster;
};

struct SourceConfig {
  std::string database = "simulator";
  std::string feed_table = "feed_actions";
  std::string message_table = "message_actions";
};

// The table a metric of `source` is computed from (feed_table or message_table).
const std::string& source_table(const SourceConfig& config, MetricSource source);

struct EtlConfig {
  std::string target_table = "user_slices_daily";
  std::vector<int> age_buckets = {18, 25, 35, 45};  // ascending bucket lower bounds
  int demographics_lookback_days = 30;
};

struct ReportConfig {
  // Link under the daily report; "{date}" is replaced by the report's YYYY-MM-DD.
  // Empty: the built-in dashboard's overview when [serve] gives it a URL, else no link.
  std::string dashboard_url;
};

// The Bot API connection. The token comes only from VIGIL_TELEGRAM_TOKEN; the
// chat id from [telegram] chat_id or VIGIL_TELEGRAM_CHAT_ID (the environment wins).
struct TelegramConfig {
  std::string api_url = "https://api.telegram.org";  // base URL; tests point it at a fake
  std::string token;    // from VIGIL_TELEGRAM_TOKEN only
  std::string chat_id;  // numeric id ("-100...") or "@channel"
  int timeout_seconds = 30;  // per request
  int max_attempts = 5;      // requests per call, including the first
  double backoff_seconds = 1.0;  // first wait after a 5xx/network error; doubles each time
  double max_retry_after_seconds = 120;  // cap on any single wait
  // Who the bot obeys in chat_id (`vigil serve`'s commands): empty = anyone in
  // the chat; else numeric user ids ("123456789") or usernames ("@ann").
  std::vector<std::string> allowed_users;
};

// Per-metric overrides under [alerts.metrics.<name>]; unset fields take [alerts].
struct MetricAlertConfig {
  bool enabled = true;
  std::string method;                       // "" = [alerts] method
  int consecutive = 0;                      // 0 = [alerts] consecutive
  int repeat_every_minutes = 0;             // 0 = [alerts] repeat_every_minutes
  std::string sensitivity;                  // "" = [alerts] sensitivity (seasonal only)
  std::string direction;                    // "" = [alerts] direction
  std::map<std::string, std::string> params;  // detector parameters, as text
};

// The alert rules' bounds, shared by vigil.toml and `vigil detect --alerts`.
constexpr int kMaxConsecutive = 96;                  // anomalous buckets in a row
constexpr int kMaxRepeatEveryMinutes = 7 * 24 * 60;  // a week between reminders

struct AlertsConfig {
  int interval_minutes = 15;          // bucket size; divides 60
  int history_days = 15;              // history the detector sees (its records need two weeks)
  std::string method = "seasonal";    // iqr | dayago | seasonal
  int consecutive = 1;                // anomalous buckets in a row before an alert
  int repeat_every_minutes = 60;      // reminder interval while an alert is firing
  // seasonal's self-calibrated threshold: low | normal | high (expected false alert
  // episodes per series per week; see the detector's docs). Other methods ignore it.
  std::string sensitivity = "normal";
  // Which anomalies alert, for every method: up | down | both (above / below the band).
  std::string direction = "both";
  std::vector<std::string> slices;    // also watch per slice: "os", "gender", "age"
  // An all-users alert says which slices of these dimensions carry its change (one
  // extra query per run that fires); any of the five, [] = no "Where:" line.
  std::vector<std::string> explain_by = {"os", "gender", "age", "source", "country"};
  std::string history_table;          // ClickHouse table for every evaluation; "" = off
  // Per-bucket counts per slice (metrics/bucket_table.h), in clickhouse.database,
  // filled by each alert run so it reads its history from there and only the
  // last buckets from the source tables; "" = re-read the whole window each run.
  std::string bucket_table = "alert_buckets";
  int late_buckets = 4;               // buckets before the newest re-counted each run (late events)
  // Link in alerts; "{metric}", "{date}", "{time}" (HH:MM) and "{slice}" (URL-encoded)
  // are replaced. Empty: the built-in dashboard's metric page when [serve] gives
  // it a URL, else no link.
  std::string dashboard_url;
  // What goes out as one message: "bucket" (everything that fired, repeated or
  // went back to normal in one bucket: one incident, one message), "metric" (per
  // metric and bucket, its slices with it) or "alert" (one message per alert).
  std::string group = "bucket";
  // Buttons under each Telegram alert (Silence 1h, Silence until 09:00 tomorrow,
  // Real, False alarm); a press needs the bot's reader (`vigil serve` or
  // `vigil serve --bot-only`), so teams without one turn them off.
  bool buttons = true;
  std::map<std::string, MetricAlertConfig> metrics;  // by metric name
};

// [schedule]: when `vigil serve` runs each job, as cron schedules in `timezone`
// (see base/cron.h; "" = never). A leading seconds field is for tests.
struct ScheduleConfig {
  std::string etl = "0 2 * * *";        // yesterday's ETL
  std::string report = "0 11 * * *";    // yesterday's report
  std::string alerts = "*/15 * * * *";  // the last complete bucket
  int retries = 3;                      // extra attempts after a failed run
  int retry_backoff_seconds = 60;       // wait before the first retry; doubles each time
  int catchup_days = 7;                 // missed ETL days filled on start (0 = none)
};

// [serve]: the HTTP endpoint of `vigil serve`: the dashboard, /health, /metrics.
struct ServeConfig {
  std::string listen = "127.0.0.1:8765";  // HOST:PORT; "" = no HTTP server
  // Base URL of the dashboard as readers of the report and alerts reach it
  // (e.g. behind a proxy); "" = http://<listen> when listen is a specific host.
  std::string public_url;
  // Required from readers when listen is not a loopback address; only from
  // VIGIL_DASHBOARD_TOKEN.
  std::string token;
};

// A `listen` address split into host and port.
struct ListenAddress {
  std::string host;  // "127.0.0.1", "::1", "0.0.0.0", a host name (no brackets)
  int port = 0;
  bool loopback = true;  // only this machine can connect: no token needed
};

// Parses "HOST:PORT" ("[::1]:PORT" for IPv6).
Result<ListenAddress> parse_listen_address(std::string_view text);

// "HOST:PORT" as in a URL (IPv6 in brackets).
std::string host_port(const ListenAddress& address);

// The dashboard's base URL for links: [serve] public_url, else http://<listen>
// unless listen is a wildcard (0.0.0.0, ::) or empty; then "".
std::string dashboard_base_url(const ServeConfig& serve);

struct Config {
  std::string timezone = "Europe/Moscow";
  std::string state_dir = ".vigil";    // managed ClickHouse, run history, alert state
  std::string out_dir = "vigil-out";   // demo output, dry-run files, simulator labels
  ClickHouseConfig clickhouse;
  SourceConfig source;
  EtlConfig etl;
  ReportConfig report;
  TelegramConfig telegram;
  AlertsConfig alerts;
  ScheduleConfig schedule;
  ServeConfig serve;
};

// Checks an anomaly detector's method and parameters (as text) for buckets_per_day
// buckets a day: the problem in one line, or "" if a detector can be made. config
// sits below detect, so the caller passes detect's own check (detector_problem).
using DetectorCheck = std::function<std::string(
    const std::string& method, const std::map<std::string, std::string>& params,
    int buckets_per_day)>;

// Parses TOML text. `source_name` (a file path) prefixes error messages as
// "file:line: key: problem". Unknown keys, wrong types and invalid values are errors;
// with `check_detector`, so are detector methods and parameters ([alerts] method,
// [alerts.metrics.<name>] method and params) that `vigil alert` would refuse.
Result<Config> parse_config(std::string_view toml_text, std::string_view source_name,
                            const DetectorCheck& check_detector = {});

// Reads `path`; a missing file is an error only when `must_exist` (given with --config).
// Then applies environment secrets (VIGIL_CLICKHOUSE_PASSWORD) from `env`.
Result<Config> load_config(const std::string& path, bool must_exist,
                           const std::map<std::string, std::string>& env,
                           const DetectorCheck& check_detector = {});

// Labels of the age buckets: {18,25,35,45} -> "0-17","18-24","25-34","35-44","45+".
std::vector<std::string> age_bucket_labels(const std::vector<int>& bounds);

// A commented vigil.toml listing every key with its default (for `vigil check-config --print-defaults` and README).
std::string default_config_text();

}  // namespace vigil
