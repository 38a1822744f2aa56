// Tuning and backtest harness for the detectors (not a test): builds 15-minute series
// of views, likes, messages sent and CTR from the simulator's pure plan with its default
// anomalies, runs each detector causally over them through the alerts' state machine
// (alert/state: consecutive 1, as configured by default), and scores the alerts against
// the anomaly labels with `vigil backtest`'s own scoring (alert/backtest_score.h: which
// metrics a label moves, when an alert is true and a label found). Built and run by
// bench/detect_tune.sh. The plan has no distinct-user counts, so feed_users and
// messenger_users are not series here; their labels are found through the counts
// they move.
//
// Usage: detect_tune [--seed S] [--days D] [--feed N] [--messages N] [--users N]
//                    [--method M] [--param k=v ...] [--ctr-param k=v ...] [--quiet]
//                    [--verbose] [--trace 'metric@YYYY-MM-DD HH']
// With no --method, runs iqr, dayago and seasonal with their defaults (--param applies
// to seasonal only then); each series gets its catalogue defaults (config/metric_catalog:
// CTR, a ratio, gets poisson=0 and min_volume=0 under seasonal), plus any --ctr-param.
// Prints a table per method and metric; with --quiet only one line per method:
// "overall <P> <R> <F1> <false alerts/metric/week>".
// --verbose lists every anomalous bucket, --trace every verdict of one metric in the
// hours starting with the given prefix.
//
// Tuning (seed 1 only; seeds 2 and 3 are the report): grid over k, floor, level,
// noise_window, weeks, days, min_days, poisson at 14 and 28 days, bench size (2 M feed
// events and 200 k messages a day) and demo size (500 k / 50 k); the longer runs repeat
// the default anomalies every 14 days. The defaults maximise mean F1 there with at most
// one false alert per metric per week.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "alert/backtest_score.h"
#include "config/metric_catalog.h"
#include "detect/detector.h"
#include "sim/plan.h"

using namespace vigil;

namespace {

struct Series {
  std::string name;
  std::vector<double> values;
};

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t seed = 1;
  int days = 14;
  long long feed = 2000000, messages = 200000;
  int users = 20000;
  std::string only_method;
  DetectorParams params, ctr_params;
  bool quiet = false, verbose = false;
  std::string trace;  // "metric@YYYY-MM-DD HH" prefix: print every verdict there
  for (int i = 1; i < argc; ++i) {
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value after %s\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    auto kv = [&](DetectorParams& into) {
      const std::string p = next();
      const auto eq = p.find('=');
      into[p.substr(0, eq)] = eq == std::string::npos ? "" : p.substr(eq + 1);
    };
    const std::string a = argv[i];
    if (a == "--seed") seed = std::stoull(next());
    else if (a == "--days") days = std::stoi(next());
    else if (a == "--feed") feed = std::stoll(next());
    else if (a == "--messages") messages = std::stoll(next());
    else if (a == "--users") users = std::stoi(next());
    else if (a == "--method") only_method = next();
    else if (a == "--param") kv(params);
    else if (a == "--ctr-param") kv(ctr_params);
    else if (a == "--quiet") quiet = true;
    else if (a == "--verbose") verbose = true;
    else if (a == "--trace") trace = next();
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }

  const date::time_zone* zone = *find_zone("Europe/Moscow");
  SimParams sim;
  sim.from = *parse_date("2026-03-02");  // a Monday
  sim.days = days;
  sim.users = users;
  sim.feed_per_day = feed;
  sim.messages_per_day = messages;
  sim.seed = seed;
  // The default anomalies cover 14 days; longer runs repeat them every 14 days.
  std::vector<Anomaly> anomalies;
  for (int start = 0; start < days; start += 14) {
    SimParams shifted = sim;
    shifted.from = sim.from + date::days{start};
    shifted.days = std::min(14, days - start);
    for (const auto& a : default_anomalies(shifted, zone)) anomalies.push_back(a);
  }
  // The plan holds everyone's counts: an anomaly of one slice is made by the
  // simulator inside ClickHouse, not in these series, so it is no label here.
  std::vector<AnomalyLabel> labels;
  for (const auto& a : anomalies) {
    if (a.slice.empty()) labels.push_back({a.metric, a.start, a.end, a.slice});
  }

  Series views{"views", {}}, likes{"likes", {}}, msgs{"messages_sent", {}}, ctr{"ctr", {}};
  std::vector<EpochSeconds> times;
  for (int d = 0; d < days; ++d) {
    const DayPlan plan = plan_day(sim, d, zone, anomalies);
    for (const auto& b : plan.buckets) {
      times.push_back(plan.begin + static_cast<EpochSeconds>(b.bucket) * kBucketSeconds);
      views.values.push_back(double(b.views));
      likes.values.push_back(double(b.likes));
      msgs.values.push_back(double(b.messages));
      ctr.values.push_back(b.views > 0 ? double(b.likes) / double(b.views) : std::nan(""));
    }
  }
  const std::vector<const Series*> all = {&views, &likes, &msgs, &ctr};

  std::vector<std::string> methods = {"iqr", "dayago", "seasonal"};
  if (!only_method.empty()) methods = {only_method};
  if (!quiet) {
    std::printf("seed %llu, %d days, feed %lld/day, messages %lld/day, %zu labels\n",
                static_cast<unsigned long long>(seed), days, feed, messages, labels.size());
    std::printf("%-9s %-13s %9s %9s %6s %8s %7s %8s\n", "method", "metric", "precision", "recall",
                "F1", "FA/day", "events", "labels");
  }
  for (const auto& method : methods) {
    std::vector<BacktestEvent> events;
    for (const Series* s : all) {
      DetectorParams p = (only_method.empty() && method != "seasonal") ? DetectorParams{} : params;
      for (const auto& [k, v] : default_detector_params(s->name, method)) p.try_emplace(k, v);
      if (s->name == "ctr" && method == "seasonal") {
        for (const auto& [k, v] : ctr_params) p[k] = v;
      }
      auto det = make_detector(method, p, 96);
      if (!det.ok()) {
        std::fprintf(stderr, "%s\n", det.error().message.c_str());
        return 2;
      }
      AlertState state;
      for (std::size_t i = 0; i < s->values.size(); ++i) {
        const std::span<const double> history(s->values.data(), i);
        const Verdict v = (*det)->evaluate(history, s->values[i]);
        BacktestEvent event;
        event.method = method;
        event.evaluation = {{s->name, ""}, times[i], s->values[i], v.lower, v.upper,
                            v.expected, v.score, v.anomaly && v.ready, v.ready};
        event.action = step_alert(state, event.evaluation, AlertPolicy{});
        event.firing = state.firing;
        events.push_back(event);
        const std::string at = s->name + "@" + format_local_time(times[i], zone);
        if (verbose && v.anomaly) {
          std::printf("  %s %s %s value %.4g expected %.4g score %.2f\n", method.c_str(),
                      s->name.c_str(), format_local_time(times[i], zone).c_str(), s->values[i],
                      v.expected, v.score);
        } else if (!trace.empty() && at.rfind(trace, 0) == 0) {
          std::printf("  %s %s value %.4g expected %.4g [%.4g, %.4g] score %.2f%s\n",
                      method.c_str(), at.c_str(), s->values[i], v.expected, v.lower, v.upper,
                      v.score, v.ready ? "" : " (not ready)");
        }
      }
    }
    for (const BacktestScore& sc : score_backtest(events, labels, {method}, kBucketSeconds, days)) {
      const bool overall = sc.metric == "all";
      const int false_alerts = sc.alerts - sc.true_alerts;
      const double fa_metric_week = false_alerts / double(all.size()) / (days / 7.0);
      if (!quiet) {
        std::printf("%-9s %-13s %9.3f %9.3f %6.3f %8.3f %7d %5d/%d", method.c_str(),
                    overall ? "overall" : sc.metric.c_str(), sc.precision(), sc.recall(), sc.f1(),
                    sc.false_alerts_per_day(), sc.alerts, sc.labels_found, sc.labels);
        if (overall) std::printf("  (false alerts/metric/week %.2f)", fa_metric_week);
        std::printf("\n");
      } else if (overall) {
        std::printf("overall %.3f %.3f %.3f %.3f\n", sc.precision(), sc.recall(), sc.f1(),
                    fa_metric_week);
      }
    }
  }
  return 0;
}
