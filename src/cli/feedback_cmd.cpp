// `vigil feedback add|list|export`: the command line's door to the feedback the
// chat's Real / False alarm buttons give (alert/feedback.h), kept with the alert
// state (alerts.sqlite). The export is the simulator's anomalies CSV, so
// `vigil backtest --labels` scores a config against what people said.
#include <cstdlib>
#include <iostream>
#include <optional>

#include <fmt/format.h>

#include "alert/feedback.h"
#include "alert/store.h"
#include "base/files.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "sim/plan.h"

namespace vigil {
namespace {

struct Range {
  std::optional<EpochSeconds> from, to;
};

Result<Range> range_of(const FeedbackOptions& options, const date::time_zone* zone) {
  Range range;
  if (!options.from.empty()) {
    auto from = range_bound(options.from, zone, false);
    if (!from.ok()) return from.error();
    range.from = *from;
  }
  if (!options.to.empty()) {
    auto to = range_bound(options.to, zone, true);
    if (!to.ok()) return to.error();
    range.to = *to;
  }
  if (range.from && range.to && *range.to <= *range.from) {
    return Error::usage("--to must be after --from");
  }
  return range;
}

std::string key_text(const AlertKey& key) {
  return key.metric + (key.slice.empty() ? "" : " " + key.slice);
}

int add(AlertStore& store, const FeedbackOptions& options, const date::time_zone* zone) {
  auto verdict = parse_verdict(options.verdict);
  if (!verdict.ok()) return fail(verdict.error());
  Feedback f;
  f.record_id = options.record_id;
  f.verdict = *verdict;
  const char* user = std::getenv("USER");
  f.by = !options.by.empty() ? options.by : (user != nullptr && *user ? user : "cli");
  f.at = system_now();
  f.source = kFeedbackFromCli;
  auto record = store.records({f.record_id});
  if (!record.ok()) return fail(record.error());
  auto saved = store.add_feedback(f);  // an unknown record, or no alert, is its usage error
  if (!saved.ok()) return fail(saved.error());
  const AlertRecord& r = record->front();
  std::cout << fmt::format("record #{} ({} at {}, {}): marked {} by {}\n", r.id,
                           key_text(r.evaluation.key),
                           format_local_time(r.evaluation.bucket, zone).substr(0, 16),
                           alert_action_name(r.action), verdict_name(f.verdict), f.by);
  return 0;
}

// Every judgement in the range, oldest first, with the record it judges.
int list(AlertStore& store, const Range& range, const date::time_zone* zone) {
  auto feedback = store.feedback(range.from, range.to);
  if (!feedback.ok()) return fail(feedback.error());
  if (feedback->empty()) {
    std::cout << "no feedback\n";
    return 0;
  }
  std::vector<std::int64_t> ids;
  for (const auto& f : *feedback) ids.push_back(f.record_id);
  auto records = store.records(ids);
  if (!records.ok()) return fail(records.error());
  std::map<std::int64_t, const AlertRecord*> by_id;
  for (const auto& r : *records) by_id[r.id] = &r;
  std::cout << fmt::format("{:>7}  {:<16}  {:<16}  {:<14}  {:<7}  {:<12}  {}\n", "record",
                           "bucket", "metric", "slice", "verdict", "by", "when");
  for (const auto& f : *feedback) {
    const Evaluation& e = by_id.at(f.record_id)->evaluation;
    std::cout << fmt::format("{:>7}  {:<16}  {:<16}  {:<14}  {:<7}  {:<12}  {} ({})\n",
                             f.record_id, format_local_time(e.bucket, zone).substr(0, 16),
                             e.key.metric, e.key.slice.empty() ? "-" : e.key.slice,
                             verdict_name(f.verdict), f.by,
                             format_local_time(f.at, zone).substr(0, 16), f.source);
  }
  return 0;
}

// The judged alerts as anomaly labels: real ones to find, false ones (factor 1)
// known normal.
int export_labels(AlertStore& store, const FeedbackOptions& options, const Range& range,
                  const Config& config, const date::time_zone* zone) {
  HistoryFilter filter{.from = range.from, .to = range.to, .actions_only = true, .limit = 0};
  auto records = store.history(filter);
  if (!records.ok()) return fail(records.error());
  auto feedback = store.feedback(range.from, range.to);
  if (!feedback.ok()) return fail(feedback.error());
  const auto verdicts = fire_verdicts(*records, *feedback);
  const auto ages = age_bucket_labels(config.etl.age_buckets);
  std::vector<Anomaly> labels;
  for (auto it = records->rbegin(); it != records->rend(); ++it) {  // oldest first
    const auto v = verdicts.find(it->id);
    if (v == verdicts.end()) continue;
    const Evaluation& e = it->evaluation;
    const std::string problem = anomaly_slice_problem(e.key.slice, ages);
    if (!problem.empty()) {
      std::cerr << fmt::format("vigil: record #{} left out of the labels: {}\n", it->id, problem);
      continue;
    }
    labels.push_back({e.key.metric, e.bucket, e.bucket + config.alerts.interval_minutes * 60,
                      label_factor(e, v->second.verdict), e.key.slice});
  }
  const std::string csv = anomalies_csv(labels, zone);
  if (options.labels.empty()) {
    std::cout << csv;
    return 0;
  }
  auto written = write_file(options.labels, csv);
  if (!written.ok()) return fail(written.error());
  std::cout << fmt::format("{} labels written to {}\n", labels.size(), options.labels);
  return 0;
}

}  // namespace

int run_feedback(const GlobalOptions& global, const FeedbackOptions& options) {
  auto ctx = make_context(global);
  if (!ctx.ok()) return fail(ctx.error());
  auto store = open_sqlite_alert_store(alert_state_path(ctx->config));
  if (!store.ok()) return fail(store.error());
  AlertStore& alerts = **store;
  if (options.action == "add") return add(alerts, options, ctx->zone);
  auto range = range_of(options, ctx->zone);
  if (!range.ok()) return fail(range.error());
  if (options.action == "list") return list(alerts, *range, ctx->zone);
  return export_labels(alerts, options, *range, ctx->config, ctx->zone);
}

}  // namespace vigil
