#include "alert/run.h"

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "alert/alert_chart.h"
#include "alert/evaluate.h"
#include "alert/history_table.h"
#include "alert/message.h"
#include "metrics/series.h"

namespace vigil {
namespace {

// Undelivered messages older than this are dropped, not sent late.
constexpr EpochSeconds kResendWindowSeconds = 6 * 3600;

EpochSeconds now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct RunContext {
  const Config& config;
  const date::time_zone* zone;
  const BucketSeries& series;
  const std::vector<MetricWatch>& watches;
  const chart::Renderer& render;
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
  message.html = alert_html({record.evaluation, record.action, fired_at,
                             run.series.bucket_seconds, run.zone, run.config.alerts.dashboard_url});
  const SeriesKey key{record.evaluation.key.metric, record.evaluation.key.slice};
  const int index = run.series.index_of(record.evaluation.bucket);
  const MetricWatch* watch = watch_for(run, key.first);
  if (index < 0 || watch == nullptr || !run.series.values.count(key)) return message;
  auto png = run.render(alert_chart_spec(run.series, key, *watch->detector, index, run.zone));
  if (png.ok()) {
    message.chart = Photo{key.first + ".png", std::move(*png)};
  } else {
    spdlog::error("alert {}: chart not rendered, the text goes without it: {}", key.first,
                  png.error().message);
  }
  return message;
}

// Evaluates every watched key at `index` and advances its state.
std::vector<AlertRecord> evaluate_all(const RunContext& run, int index,
                                      std::map<AlertKey, AlertState>& states) {
  std::vector<AlertRecord> records;
  const EpochSeconds now = now_seconds();
  for (const auto& [key, values] : run.series.values) {
    const MetricWatch* watch = watch_for(run, key.first);
    if (watch == nullptr) continue;
    AlertRecord record;
    record.evaluation = evaluate_bucket(run.series, key, *watch->detector, index);
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

// Delivers `record` and notes the outcome in the store (unless dry run).
void deliver(const RunContext& run, AlertStore* store, AlertSink& sink, const AlertRecord& record,
             EpochSeconds fired_at, AlertRunReport& report) {
  const Status sent = sink.deliver(make_message(run, record, fired_at));
  if (sent.ok()) {
    ++report.delivered;
  } else {
    report.failures.push_back(fmt::format("{} {}: {}", record.evaluation.key.metric,
                                          alert_action_name(record.action), sent.error().message));
  }
  if (store == nullptr) return;
  if (auto marked = store->mark_delivered(record.id, sent.ok(), sent.ok() ? "" : sent.error().message);
      !marked.ok()) {
    report.failures.push_back(marked.error().message);
  }
}

Status resend_undelivered(const RunContext& run, AlertStore& store, AlertSink& sink,
                          const std::map<AlertKey, AlertState>& states, EpochSeconds bucket,
                          AlertRunReport& report) {
  auto pending = store.undelivered(bucket - kResendWindowSeconds);
  if (!pending.ok()) return pending.error();
  for (const auto& record : *pending) {
    if (record.evaluation.bucket >= bucket) continue;  // this run's own bucket: not yet
    auto it = states.find(record.evaluation.key);
    spdlog::info("alert: sending the {} of {} at {} that an earlier run could not deliver",
                 alert_action_name(record.action), record.evaluation.key.metric,
                 format_local_time(record.evaluation.bucket, run.zone));
    deliver(run, &store, sink, record, it == states.end() ? 0 : it->second.fired_at, report);
    ++report.resent;
  }
  return {};
}

}  // namespace

EpochSeconds last_complete_bucket(EpochSeconds at, int bucket_seconds) {
  return at / bucket_seconds * bucket_seconds - bucket_seconds;
}

Result<AlertRunReport> run_alerts(ClickHouse& clickhouse, const Config& config,
                                  const date::time_zone* zone, AlertStore& store, AlertSink& sink,
                                  const chart::Renderer& render, const AlertRunOptions& options) {
  auto watches = make_watches(config.alerts);
  if (!watches.ok()) return watches.error();
  const int bs = config.alerts.interval_minutes * 60;
  AlertRunReport report;
  report.bucket = last_complete_bucket(options.at, bs);
  const Days day = local_date(report.bucket, zone);
  const EpochSeconds begin =
      day_start(day - date::days{config.alerts.history_days}, zone) / bs * bs;
  auto series = query_bucket_series(clickhouse, config, begin, report.bucket + bs);
  if (!series.ok()) return series.error();
  const RunContext run{config, zone, *series, *watches, render};

  auto states = store.load_states();
  if (!states.ok()) return states.error();
  if (!options.dry_run) {
    VIGIL_TRY(resend_undelivered(run, store, sink, *states, report.bucket, report));
  }
  auto records = evaluate_all(run, series->count - 1, *states);
  report.checked = static_cast<int>(records.size());
  if (!options.dry_run) {
    auto committed = store.commit(*states, records);
    if (!committed.ok()) return committed.error();
    records = std::move(*committed);
  }
  for (const auto& record : records) {
    if (record.action == AlertAction::kNone) continue;
    count_action(report, record.action);
    deliver(run, options.dry_run ? nullptr : &store, sink, record,
            (*states)[record.evaluation.key].fired_at, report);
  }
  if (!options.dry_run && !config.alerts.history_table.empty()) {
    if (auto written = write_history_table(clickhouse, config, records); !written.ok()) {
      spdlog::error("alert: evaluations not written to ClickHouse: {}", written.error().message);
    }
  }
  return report;
}

}  // namespace vigil
