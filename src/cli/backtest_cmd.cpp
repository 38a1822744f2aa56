// `vigil backtest`: replay alerts over history and score them against labels.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "alert/backtest.h"
#include "alert/feedback.h"
#include "alert/incident.h"
#include "alert/message.h"
#include "alert/store.h"
#include "alert/top_slice.h"
#include "base/files.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "metrics/bucket_table.h"
#include "sim/plan.h"

namespace vigil {
namespace {

// The labels of --labels: anomalies to find, and known-normal periods (factor
// 1: the false alarms `vigil feedback export` writes).
struct Labels {
  std::vector<AnomalyLabel> anomalies, normal;
};

Result<Labels> read_labels(const std::string& path, const Config& config,
                           const date::time_zone* zone) {
  if (path.empty()) return Labels{};
  auto text = read_file(path);
  if (!text.ok()) return Error::usage(text.error().message + " (--labels takes the simulator's CSV)");
  auto anomalies =
      parse_anomalies_csv(*text, path, zone, age_bucket_labels(config.etl.age_buckets));
  if (!anomalies.ok()) return anomalies.error();
  Labels labels;
  for (const auto& a : *anomalies) {
    (a.factor == 1.0 ? labels.normal : labels.anomalies)
        .push_back({a.metric, a.start, a.end, a.slice});
  }
  return labels;
}

void print_known_normal(const std::vector<BacktestEvent>& events, const Labels& labels,
                        const std::vector<std::string>& methods, int bucket_seconds) {
  if (labels.normal.empty()) return;
  for (const auto& method : methods) {
    std::cout << fmt::format(
        "{}: {} of {} false alarms marked in the chat still fire with this config\n", method,
        normal_labels_still_firing(events, labels.normal, method, bucket_seconds),
        labels.normal.size());
  }
}

// What the chat said of the alerts sent live over [from, to): per metric, from
// the alert store of the config's state directory (nothing when there is none).
Status print_live_feedback(const Config& config, EpochSeconds from, EpochSeconds to) {
  const std::string path = alert_state_path(config);
  if (!std::filesystem::exists(path)) return {};
  auto store = open_sqlite_alert_store(path);
  if (!store.ok()) return store.error();
  auto records = (*store)->history({.from = from, .to = to, .actions_only = true, .limit = 0});
  if (!records.ok()) return records.error();
  auto feedback = (*store)->feedback(from, to);
  if (!feedback.ok()) return feedback.error();
  std::cout << "\nalerts sent live and the feedback on them (" << path << "):\n"
            << feedback_counts_text(feedback_counts(*records, *feedback));
  return {};
}

void print_alerts(const std::vector<BacktestEvent>& events, const date::time_zone* zone) {
  for (const auto& e : events) {
    if (e.action == AlertAction::kNone || e.action == AlertAction::kRepeat) continue;
    const auto& v = e.evaluation;
    std::cout << fmt::format("  {:<9} {:<16} {:<16} {:<8} {:>12}  expected {} – {}\n", e.method,
                             v.key.metric + (v.key.slice.empty() ? "" : " " + v.key.slice),
                             format_local_time(v.bucket, zone).substr(0, 16),
                             alert_action_name(e.action), metric_value_text(v.key.metric, v.value),
                             metric_value_text(v.key.metric, v.lower),
                             metric_value_text(v.key.metric, v.upper));
  }
}

// Per method: how many alert actions (all users and slices), and in how many
// messages they go with each [alerts] group.
void print_message_counts(const std::vector<BacktestEvent>& events,
                          const std::vector<std::string>& methods) {
  for (const auto& method : methods) {
    std::vector<IncidentAlert> alerts;
    for (const auto& e : events) {
      if (e.method == method && e.action != AlertAction::kNone) {
        alerts.push_back({e.evaluation, e.action});
      }
    }
    std::cout << fmt::format(
        "{}: {} alert actions in {} messages by bucket ({} by metric, {} one per alert)\n",
        method, alerts.size(), message_count(alerts, AlertGrouping::kBucket),
        message_count(alerts, AlertGrouping::kMetric), message_count(alerts, AlertGrouping::kAlert));
  }
}

void print_scores(const std::vector<BacktestScore>& scores) {
  std::cout << fmt::format("\n{:<9} {:<16} {:>6} {:>5} {:>9} {:>6} {:>5} {:>9} {:>6} {:>5}\n",
                           "method", "metric", "alerts", "true", "false/day", "labels", "found",
                           "precision", "recall", "F1");
  for (const auto& s : scores) {
    std::cout << fmt::format(
        "{:<9} {:<16} {:>6} {:>5} {:>9.2f} {:>6} {:>5} {:>9.2f} {:>6.2f} {:>5.2f}\n", s.method,
        s.metric, s.alerts, s.true_alerts, s.false_alerts_per_day(), s.labels, s.labels_found,
        s.precision(), s.recall(), s.f1());
  }
  for (const auto& s : scores) {
    if (s.metric != "all" || s.slice_incidents + s.slice_unjudged == 0) continue;
    std::cout << fmt::format(
        "{}: top contributor matches the injected slice: {} of {} fired incidents ({:.0f}%){}\n",
        s.method, s.slice_hits, s.slice_incidents,
        s.slice_incidents == 0 ? 0.0 : 100.0 * s.slice_hits / s.slice_incidents,
        s.slice_unjudged == 0
            ? ""
            : fmt::format("; {} not judged (no slices of their dimension)", s.slice_unjudged));
  }
}

// The slices the labels name, per bucket: the replayed series when it has their
// dimensions (with [alerts] slices), else one more query adding them.
Result<BucketSeries> explain_series(ClickHouse& clickhouse, const Config& config,
                                    const std::vector<AnomalyLabel>& labels,
                                    const BucketSeries& replayed, EpochSeconds begin,
                                    EpochSeconds end) {
  std::set<std::string> needed;
  for (const auto& l : labels) {
    if (!l.slice.empty()) needed.insert(split_slice(l.slice).first);
  }
  const auto have = slice_dimensions(replayed);
  if (std::includes(have.begin(), have.end(), needed.begin(), needed.end())) return replayed;
  Config sliced = config;
  needed.insert(have.begin(), have.end());
  sliced.alerts.slices.assign(needed.begin(), needed.end());
  return query_series_cached(clickhouse, sliced, alert_series_request(sliced), begin, end);
}

// Which slice each method's all-users alert would lead its Where line with.
TopContributor top_contributor_of(const BucketSeries& series,
                                  const std::map<std::string, std::vector<MetricWatch>>& watches) {
  const auto dimensions = slice_dimensions(series);
  return [&series, &watches, dimensions](const std::string& method, const AnomalyLabel& label,
                                         EpochSeconds bucket) -> std::optional<std::string> {
    if (dimensions.count(split_slice(label.slice).first) == 0) return std::nullopt;
    return top_contributor(series, watches.at(method), label.metric, series.index_of(bucket));
  };
}

}  // namespace

int run_backtest(const GlobalOptions& global, const BacktestOptions& options) {
  auto ctx = make_context(global);
  if (!ctx.ok()) return fail(ctx.error());
  auto from = range_bound(options.from, ctx->zone, false);
  auto to = range_bound(options.to, ctx->zone, true);
  if (!from.ok()) return fail(from.error());
  if (!to.ok()) return fail(to.error());
  if (*to <= *from) return fail(Error::usage("--to must be after --from"));
  auto labels = read_labels(options.labels, ctx->config, ctx->zone);
  if (!labels.ok()) return fail(labels.error());

  const auto& alerts = ctx->config.alerts;
  const int bs = alerts.interval_minutes * 60;
  const EpochSeconds first = (*from + bs - 1) / bs * bs;
  const EpochSeconds begin =
      day_start(local_date(first, ctx->zone) - date::days{alerts.history_days}, ctx->zone) / bs * bs;
  const EpochSeconds end = *to / bs * bs;
  // Labels outside the replayed range could be neither found nor missed.
  for (auto* list : {&labels->anomalies, &labels->normal}) {
    std::erase_if(*list, [&](const AnomalyLabel& l) { return l.end <= first || l.start >= end; });
  }
  // From the alerts' bucket table when it has the whole range, else raw events.
  auto series = query_series_cached(*ctx->clickhouse, ctx->config,
                                    alert_series_request(ctx->config), begin, end);
  if (!series.ok()) return fail(series.error());

  const std::vector<std::string> methods =
      options.method.empty() ? detector_methods() : std::vector<std::string>{options.method};
  std::vector<BacktestEvent> events;
  std::map<std::string, std::vector<MetricWatch>> watches;
  for (const auto& method : methods) {
    auto made = make_watches(alerts, method);
    if (!made.ok()) return fail(made.error());
    auto replayed = replay(*series, *made, series->index_of(first), series->count - 1,
                           [&](int day, int days) {
                             spdlog::info("backtest {}: day {}/{}", method, day, days);
                           });
    events.insert(events.end(), replayed.begin(), replayed.end());
    watches[method] = std::move(*made);
  }
  std::cout << "alerts that would have been sent:\n";
  print_alerts(events, ctx->zone);
  print_message_counts(events, methods);
  print_known_normal(events, *labels, methods, bs);
  if (auto live = print_live_feedback(ctx->config, first, end); !live.ok()) {
    return fail(live.error());
  }
  if (labels->anomalies.empty()) return 0;
  auto sliced =
      explain_series(*ctx->clickhouse, ctx->config, labels->anomalies, *series, begin, end);
  if (!sliced.ok()) return fail(sliced.error());
  const double days = static_cast<double>(end - first) / 86400.0;
  print_scores(score_backtest(events, labels->anomalies, methods, bs, days,
                              top_contributor_of(*sliced, watches)));
  return 0;
}

}  // namespace vigil
