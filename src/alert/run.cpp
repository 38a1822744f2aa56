#include "alert/run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "alert/alert_chart.h"
#include "alert/deliver.h"
#include "alert/evaluate.h"
#include "alert/history_table.h"
#include "alert/message.h"
#include "alert/where_query.h"
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

const MetricWatch* watch_for(const RunContext& run, const std::string& metric) {
  for (const auto& w : run.watches) {
    if (w.metric == metric) return &w;
  }
  return nullptr;
}

AlertMessage make_message(const RunContext& run, const AlertRecord& record,
                          EpochSeconds fired_at) {
  AlertMessage message{record.evaluation, record.action, "", std::nullopt};
  const int bucket_seconds = run.config.alerts.interval_minutes * 60;
  message.html = alert_html({record.evaluation, record.action, fired_at, bucket_seconds, run.zone,
                             run.config.alerts.dashboard_url, where_line(run.where, record)});
  if (run.series == nullptr) return message;
  const BucketSeries& series = *run.series;
  const SeriesKey key{record.evaluation.key.metric, record.evaluation.key.slice};
  const int index = series.index_of(record.evaluation.bucket);
  const MetricWatch* watch = watch_for(run, key.first);
  if (index < 0 || watch == nullptr || !series.values.count(key)) return message;
  auto png = run.render(alert_chart_spec(series, key, *watch->detector, index, run.zone));
  if (png.ok()) {
    message.chart = Photo{key.first + ".png", std::move(*png)};
  } else {
    spdlog::error("alert {}: chart not rendered, the text goes without it: {}", key.first,
                  png.error().message);
  }
  return message;
}

// Evaluates every watched key at `index` and advances its state; the records
// are stamped `now`.
std::vector<AlertRecord> evaluate_all(const RunContext& run, int index,
                                      std::map<AlertKey, AlertState>& states, EpochSeconds now) {
  std::vector<AlertRecord> records;
  for (const auto& [key, values] : run.series->values) {
    const MetricWatch* watch = watch_for(run, key.first);
    if (watch == nullptr) continue;
    AlertRecord record;
    record.evaluation = evaluate_bucket(*run.series, key, *watch->detector, index);
    record.action = step_alert(states[record.evaluation.key], record.evaluation, watch->policy);
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
                                                     bool dry_run, EpochSeconds now,
                                                     AlertRunReport& report) {
  auto records = evaluate_all(run, run.series->count - 1, states, now);
  report.checked = static_cast<int>(records.size());
  if (!dry_run) {
    auto committed = store.commit(states, records);
    if (!committed.ok()) return committed.error();
    records = std::move(*committed);
  }
  for (const auto& record : records) count_action(report, record.action);
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
  auto series = query_bucket_series(clickhouse, config, begin, report.bucket + bs);
  if (!series.ok() && options.evaluate) return series.error();
  if (!series.ok()) {
    spdlog::warn("alert: left-over messages go without charts: {}", series.error().message);
  }
  const RunContext run{config, zone, series.ok() ? &*series : nullptr, *watches, render};

  auto states = store.load_states();
  if (!states.ok()) return states.error();
  std::vector<AlertRecord> records;
  if (options.evaluate) {
    auto evaluated = evaluate_and_commit(run, store, *states, options.dry_run, now(), report);
    if (!evaluated.ok()) return evaluated.error();
    records = std::move(*evaluated);
  }
  // One query for the Where lines of every all-users alert of the run.
  const auto where = query_where_source(clickhouse, config, metrics_to_explain(pending, records),
                                        begin, report.bucket + bs);
  RunContext explained = run;
  explained.where = where ? &*where : nullptr;
  auto message_for = [&](const AlertRecord& record) {
    auto it = states->find(record.evaluation.key);
    return make_message(explained, record, it == states->end() ? 0 : it->second.fired_at);
  };
  deliver_queue(delivery_queue(std::move(pending), records),
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
  if (report.resent > 0) text += fmt::format(" ({} from an earlier run)", report.resent);
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
