// Tuning and backtest harness for the detectors (not a test): builds 15-minute series
// of views, likes, messages and CTR from the simulator's pure plan with its default
// anomalies, runs each detector causally over them, and scores the alerts against the
// anomaly labels. Built and run by bench/detect_tune.sh.
//
// Scoring, per metric: an alert event is a maximal run of consecutive anomalous buckets.
// A label affects metrics (views -> views, ctr; likes -> likes, ctr; ctr -> ctr, likes;
// feed_users -> views, likes; messages_sent, messenger_users -> messages). A label window
// [start, end) of the metric counts as detected (recall) if an anomalous bucket falls in
// [start, end + 15 min); an alert event is true (precision) if it overlaps such an extended
// window of a label affecting the metric, else it is a false alert.
//
// Usage: detect_tune [--seed S] [--days D] [--feed N] [--messages N] [--users N]
//                    [--method M] [--param k=v ...] [--ctr-param k=v ...] [--quiet]
//                    [--verbose] [--trace 'metric@YYYY-MM-DD HH']
// With no --method, runs iqr, dayago and seasonal with their defaults (--param applies
// to seasonal only then); seasonal's CTR series gets poisson=0 and min_volume=0 (a
// ratio), plus any --ctr-param. Prints a table per method and metric; with --quiet
// only one line per method: "overall <P> <R> <F1> <false alerts/metric/week>".
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

#include "detect/detector.h"
#include "sim/plan.h"

using namespace vigil;

namespace {

struct Series {
  std::string name;
  std::vector<double> values;
};

struct Label {
  std::string metric;
  EpochSeconds start, end;
};

bool affects(const std::string& label_metric, const std::string& series) {
  static const std::map<std::string, std::vector<std::string>> kAffected = {
      {"views", {"views", "ctr"}},          {"likes", {"likes", "ctr"}},
      {"ctr", {"ctr", "likes"}},            {"feed_users", {"views", "likes"}},
      {"messages_sent", {"messages"}},      {"messenger_users", {"messages"}}};
  for (const auto& m : kAffected.at(label_metric)) {
    if (m == series) return true;
  }
  return false;
}

struct Score {
  int events = 0, true_events = 0, labels = 0, detected = 0;
  double days = 0;
  double precision() const { return events ? double(true_events) / events : 1.0; }
  double recall() const { return labels ? double(detected) / labels : 1.0; }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
  }
  int false_events() const { return events - true_events; }
};

Score score_series(const std::vector<bool>& anomalous, const std::vector<EpochSeconds>& times,
                   const std::vector<Label>& labels, const std::string& metric, double days) {
  Score s;
  s.days = days;
  std::vector<const Label*> mine;
  for (const auto& l : labels) {
    if (affects(l.metric, metric)) mine.push_back(&l);
  }
  s.labels = static_cast<int>(mine.size());
  for (const Label* l : mine) {
    for (std::size_t i = 0; i < times.size(); ++i) {
      if (anomalous[i] && times[i] >= l->start && times[i] < l->end + kBucketSeconds) {
        ++s.detected;
        break;
      }
    }
  }
  for (std::size_t i = 0; i < times.size();) {
    if (!anomalous[i]) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < times.size() && anomalous[j]) ++j;
    // Event covers [times[i], times[j-1] + bucket).
    const EpochSeconds ev_start = times[i], ev_end = times[j - 1] + kBucketSeconds;
    bool hit = false;
    for (const Label* l : mine) {
      if (ev_start < l->end + kBucketSeconds && l->start < ev_end) hit = true;
    }
    ++s.events;
    if (hit) ++s.true_events;
    i = j;
  }
  return s;
}

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
  std::vector<Label> labels;
  for (const auto& a : anomalies) labels.push_back({a.metric, a.start, a.end});

  Series views{"views", {}}, likes{"likes", {}}, msgs{"messages", {}}, ctr{"ctr", {}};
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
    std::printf("%-9s %-9s %9s %9s %6s %8s %7s %8s\n", "method", "metric", "precision", "recall",
                "F1", "FA/day", "events", "labels");
  }
  for (const auto& method : methods) {
    Score total;
    for (const Series* s : all) {
      DetectorParams p = (only_method.empty() && method != "seasonal") ? DetectorParams{} : params;
      if (s->name == "ctr" && method == "seasonal") {
        if (!p.count("poisson")) p["poisson"] = "0";
        if (!p.count("min_volume")) p["min_volume"] = "0";
        for (const auto& [k, v] : ctr_params) p[k] = v;
      }
      auto det = make_detector(method, p, 96);
      if (!det.ok()) {
        std::fprintf(stderr, "%s\n", det.error().message.c_str());
        return 2;
      }
      std::vector<bool> anomalous(s->values.size());
      for (std::size_t i = 0; i < s->values.size(); ++i) {
        const std::span<const double> history(s->values.data(), i);
        const Verdict v = (*det)->evaluate(history, s->values[i]);
        anomalous[i] = v.anomaly;
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
      const Score sc = score_series(anomalous, times, labels, s->name, days);
      total.events += sc.events;
      total.true_events += sc.true_events;
      total.labels += sc.labels;
      total.detected += sc.detected;
      if (!quiet) {
        std::printf("%-9s %-9s %9.3f %9.3f %6.3f %8.3f %7d %5d/%d\n", method.c_str(),
                    s->name.c_str(), sc.precision(), sc.recall(), sc.f1(),
                    sc.false_events() / double(days), sc.events, sc.detected, sc.labels);
      }
    }
    const double fa_metric_week = total.false_events() / double(all.size()) / (days / 7.0);
    if (!quiet) {
      std::printf("%-9s %-9s %9.3f %9.3f %6.3f %8.3f %7d %5d/%d  (false alerts/metric/week %.2f)\n",
                  method.c_str(), "overall", total.precision(), total.recall(), total.f1(),
                  total.false_events() / double(days), total.events, total.detected,
                  total.labels, fa_metric_week);
    }
    if (quiet) {
      std::printf("overall %.3f %.3f %.3f %.3f\n", total.precision(), total.recall(), total.f1(),
                  fa_metric_week);
    }
  }
  return 0;
}
