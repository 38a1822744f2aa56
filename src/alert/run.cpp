#include "alert/run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "alert/alert_chart.h"
#include "alert/buttons.h"
#include "alert/deliver.h"
#include "alert/evaluate.h"
#include "alert/history_table.h"
#include "alert/incident.h"
#include "alert/message.h"
#include "alert/silence.h"
#include "alert/where_query.h"
#include "config/metric_catalog.h"
#include "metrics/bucket_table.h"
#include "metrics/series.h"

namespace vigil {
namespace {

// Undelivered messages older than this are dropped, not sent late.
constexpr EpochSeconds kResendWindowSeconds = 6 * 3600;

struct RunContext {
  const Config& config;
  const date::time_zone* zone;
  const BucketSeries* series;  // null: ClickHouse failed; messages go without charts
  const std::vector<MetricWatch>& watches;
  const chart::Renderer& render;
  const WhereSource* where = nullptr;  // null: the messages have no Where line
};

AlertGrouping grouping_of(const std::string& group) {
  if (group == "metric") return AlertGrouping::kMetric;
  if (group == "alert") return AlertGrouping::kAlert;
  return AlertGrouping::kBucket;
}

// The chart of `record`'s series around its bucket (none without the series).
std::optional<Photo> alert_photo(const RunContext& run, const AlertRecord& record) {
  if (run.series == nullptr) return std::nullopt;
  const BucketSeries& series = *run.series;
  const SeriesKey key{record.evaluation.key.metric, record.evaluation.key.slice};
  const int index = series.index_of(record.evaluation.bucket);
  const MetricWatch* watch = find_watch(run.watches, key.first);
  if (index < 0 || watch == nullptr || !series.values.count(key)) return std::nullopt;
  auto png = run.render(alert_chart_spec(series, key, *watch->detector, index, run.zone));
  if (png.ok()) return Photo{key.first + ".png", std::move(*png)};
  spdlog::error("alert {}: chart not rendered, the text goes without it: {}", key.first,
                png.error().message);
  return std::nullopt;
}

// One message for an incident's records (alert/incident.h): the main alert in
// full with its chart, then a line per other slice and action. `fired_at` gives
// the bucket that started an alert.
AlertMessage make_message(const RunContext& run, const std::vector<AlertRecord>& records,
                          const std::function<EpochSeconds(const AlertKey&)>& fired_at) {
  std::vector<IncidentAlert> alerts;
  for (const auto& r : records) alerts.push_back({r.evaluation, r.action});
  const std::size_t main = main_alert(alerts);
  const AlertRecord& record = records[main];
  AlertMessage message{record.evaluation, record.action, "", std::nullopt};
  message.html = alert_html({record.evaluation, record.action,
                             fired_at(record.evaluation.key),
                             run.config.alerts.interval_minutes * 60, run.zone,
                             run.config.alerts.dashboard_url, where_line(run.where, record),
                             incident_more_html(alerts, main)});
  message.chart = alert_photo(run, record);
  // Buttons go under alerts that fire or repeat: a "back to normal" has
  // nothing left to silence or judge.
  if (record.id > 0 && is_alerting(record.action) && run.config.alerts.buttons) {
    message.buttons = alert_keyboard(record.id, {}, run.zone);
  }
  return message;
}

// Evaluates every watched key at `index` and advances its state, through the
// silences covering it; the records are stamped `now`.
std::vector<AlertRecord> evaluate_all(const RunContext& run, int index,
                                      std::map<AlertKey, AlertState>& states,
                                      const std::vector<Silence>& silences, EpochSeconds now) {
  std::vector<AlertRecord> records;
  const EpochSeconds bucket = run.series->bucket_start(index);
  for (const auto& [key, values] : run.series->values) {
    const MetricWatch* watch = find_watch(run.watches, key.first);
    if (watch == nullptr) continue;
    AlertRecord record;
    record.evaluation = evaluate_bucket(*run.series, key, *watch->detector, index);
    AlertState& state = states[record.evaluation.key];
    const AlertState before = state;
    const AlertAction action = step_alert(state, record.evaluation, watch->policy);
    const AlertKey& k = record.evaluation.key;
    record.action = apply_silence(state, before, action,
                                  covering_silence(silences, k, bucket) != nullptr,
                                  covering_silence(silences, k, bucket - run.series->bucket_seconds) != nullptr,
                                  &record.silenced);
    if (record.silenced) record.action = action;  // recorded as decided, never sent
    record.recorded_at = now;
    records.push_back(std::move(record));
  }
  return records;
}

void count_action(AlertRunReport& report, AlertAction action) {
  if (action == AlertAction::kFire) ++report.fired;
  if (action == AlertAction::kRepeat) ++report.repeated;
  if (action == AlertAction::kResolve) ++report.resolved;
}

// Evaluates the run's bucket, commits the states and records (unless dry run)
// and returns the records.
Result<std::vector<AlertRecord>> evaluate_and_commit(const RunContext& run, AlertStore& store,
                                                     std::map<AlertKey, AlertState>& states,
                                                     const std::vector<Silence>& silences,
                                                     bool dry_run, EpochSeconds now,
                                                     AlertRunReport& report) {
  auto records = evaluate_all(run, run.series->count - 1, states, silences, now);
  report.checked = static_cast<int>(records.size());
  if (!dry_run) {
    auto committed = store.commit(states, records);
    if (!committed.ok()) return committed.error();
    records = std::move(*committed);
  }
  for (const auto& record : records) {
    if (record.silenced) {
      if (record.action != AlertAction::kNone) ++report.silenced;
    } else {
      count_action(report, record.action);
    }
  }
  return records;
}

}  // namespace

EpochSeconds last_complete_bucket(EpochSeconds at, int bucket_seconds) {
  return at / bucket_seconds * bucket_seconds - bucket_seconds;
}

Result<AlertRunReport> run_alerts(ClickHouse& clickhouse, const Config& config,
                                  const date::time_zone* zone, AlertStore& store, AlertSink& sink,
                                  const chart::Renderer& render, const AlertRunOptions& options,
                                  const std::function<EpochSeconds()>& now) {
  auto watches = make_watches(config.alerts);
  if (!watches.ok()) return watches.error();
  const int bs = config.alerts.interval_minutes * 60;
  AlertRunReport report;
  report.bucket = last_complete_bucket(options.at, bs);
  AlertRunLock lock;  // held until the messages are sent and marked
  if (!options.dry_run) {
    auto locked = lock_alert_runs(config.state_dir, options.lock_wait);
    if (!locked.ok()) return locked.error();
    lock = std::move(*locked);
  }
  std::vector<AlertRecord> pending;
  if (!options.dry_run) {
    auto undelivered = store.undelivered(report.bucket - kResendWindowSeconds);
    if (!undelivered.ok()) return undelivered.error();
    pending = std::move(*undelivered);
  }
  // Only sending left-overs, and there are none: nothing to query or send.
  if (!options.evaluate && pending.empty()) return report;
  const Days day = local_date(report.bucket, zone);
  const EpochSeconds begin =
      day_start(day - date::days{config.alerts.history_days}, zone) / bs * bs;
  // The history from the bucket table, once this run's newest buckets are in it;
  // without it (a failed fill) the raw events, slower but the same numbers.
  if (options.evaluate) {
    if (auto filled = fill_bucket_table(clickhouse, config, begin, report.bucket + bs, now());
        !filled.ok()) {
      spdlog::warn("alert: the bucket table was not filled, the raw events are read: {}",
                   filled.error().message);
    }
  }
  auto series = query_series_cached(clickhouse, config, alert_series_request(config), begin,
                                    report.bucket + bs);
  if (!series.ok() && options.evaluate) return series.error();
  if (!series.ok()) {
    spdlog::warn("alert: left-over messages go without charts: {}", series.error().message);
  }
  const RunContext run{config, zone, series.ok() ? &*series : nullptr, *watches, render};

  auto states = store.load_states();
  if (!states.ok()) return states.error();
  std::vector<AlertRecord> records;
  if (options.evaluate) {
    auto silences = store.silences(report.bucket - bs);
    if (!silences.ok()) return silences.error();
    auto evaluated =
        evaluate_and_commit(run, store, *states, *silences, options.dry_run, now(), report);
    if (!evaluated.ok()) return evaluated.error();
    records = std::move(*evaluated);
  }
  auto fired_at = [&](const AlertKey& key) {
    auto it = states->find(key);
    return it == states->end() ? EpochSeconds{0} : it->second.fired_at;
  };
  // One query for the Where lines of every all-users alert of the run.
  const auto where = query_where_source(clickhouse, config, metrics_to_explain(pending, records),
                                        begin, report.bucket + bs);
  RunContext explained = run;
  explained.where = where ? &*where : nullptr;
  auto message_for = [&](const std::vector<AlertRecord>& group) {
    return make_message(explained, group, fired_at);
  };
  deliver_queue(delivery_queue(std::move(pending), records, grouping_of(config.alerts.group)),
                options.dry_run ? nullptr : &store, sink, message_for, zone, report);
  if (!options.dry_run && !records.empty() && !config.alerts.history_table.empty()) {
    if (auto written = write_history_table(clickhouse, config, records); !written.ok()) {
      spdlog::error("alert: evaluations not written to ClickHouse: {}", written.error().message);
    }
  }
  return report;
}

std::string alert_run_summary(const AlertRunReport& report) {
  std::string text = fmt::format("{} series checked, {} fired, {} repeated, {} resolved, "
                                 "{} delivered",
                                 report.checked, report.fired, report.repeated, report.resolved,
                                 report.delivered);
  if (report.messages > 0 && report.messages < report.delivered) {
    text += fmt::format(" in {} message{}", report.messages, report.messages == 1 ? "" : "s");
  }
  if (report.resent > 0) text += fmt::format(" ({} from an earlier run)", report.resent);
  if (report.silenced > 0) text += fmt::format(", {} held by a silence", report.silenced);
  if (report.undelivered > 0) text += fmt::format(", {} not delivered", report.undelivered);
  return text;
}

Status alert_run_status(const AlertRunReport& report) {
  if (report.failures.empty()) return {};
  if (report.undelivered == 0) {  // sent, but the store could not record it
    return Error::failure(report.failures.front());
  }
  return Error::failure(fmt::format(
      "{} alert message(s) not delivered (first: {}); a rerun for the same time (`vigil alert "
      "--at`, serve's retry) or the next run sends them",
      report.undelivered, report.failures.front()));
}

}  // namespace vigil
