#include "alert/feedback.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include <fmt/format.h>

#include "alert/store.h"

namespace vigil {

const char* verdict_name(FeedbackVerdict verdict) {
  return verdict == FeedbackVerdict::kReal ? "real" : "false";
}

Result<FeedbackVerdict> parse_verdict(const std::string& text) {
  if (text == verdict_name(FeedbackVerdict::kReal)) return FeedbackVerdict::kReal;
  if (text == verdict_name(FeedbackVerdict::kFalseAlarm)) return FeedbackVerdict::kFalseAlarm;
  return Error::usage(
      fmt::format("'{}' is not a verdict: say 'real' (a real problem) or 'false' (a false alarm)",
                  text));
}

namespace {

// Whether `a` is a later word than `b`.
bool later(const Feedback& a, const Feedback& b) {
  return std::tie(a.at, a.id) > std::tie(b.at, b.id);
}

void keep_latest(std::map<std::int64_t, Feedback>& out, std::int64_t key, const Feedback& f) {
  auto [it, added] = out.emplace(key, f);
  if (!added && later(f, it->second)) it->second = f;
}

}  // namespace

std::map<std::int64_t, Feedback> latest_feedback(const std::vector<Feedback>& feedback) {
  std::map<std::int64_t, Feedback> out;
  for (const auto& f : feedback) keep_latest(out, f.record_id, f);
  return out;
}

std::map<std::int64_t, Feedback> fire_verdicts(const std::vector<AlertRecord>& records,
                                               const std::vector<Feedback>& feedback) {
  const auto latest = latest_feedback(feedback);
  std::vector<const AlertRecord*> ordered;
  for (const auto& r : records) {
    if (is_alerting(r.action)) ordered.push_back(&r);
  }
  std::sort(ordered.begin(), ordered.end(), [](const AlertRecord* a, const AlertRecord* b) {
    return std::tie(a->evaluation.bucket, a->id) < std::tie(b->evaluation.bucket, b->id);
  });
  std::map<AlertKey, std::int64_t> current_fire;  // per key, the fire its repeats remind of
  std::map<std::int64_t, Feedback> out;
  for (const AlertRecord* r : ordered) {
    if (r->action == AlertAction::kFire) current_fire[r->evaluation.key] = r->id;
    const auto fire = current_fire.find(r->evaluation.key);
    const auto judged = latest.find(r->id);
    if (fire == current_fire.end() || judged == latest.end()) continue;
    keep_latest(out, fire->second, judged->second);
  }
  return out;
}

std::map<std::int64_t, Feedback> record_verdicts(const std::vector<AlertRecord>& records,
                                                 const std::vector<Feedback>& feedback) {
  auto out = latest_feedback(feedback);
  for (auto& [id, f] : fire_verdicts(records, feedback)) out[id] = f;
  return out;
}

double FeedbackCounts::precision() const {
  const int judged = real + false_alarm;
  if (judged == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(real) / judged;
}

std::string precision_text(const FeedbackCounts& counts) {
  const double p = counts.precision();
  return std::isnan(p) ? "n/a" : fmt::format("{:.0f}%", 100 * p);
}

std::map<std::string, FeedbackCounts> feedback_counts(const std::vector<AlertRecord>& records,
                                                      const std::vector<Feedback>& feedback) {
  const auto verdicts = fire_verdicts(records, feedback);
  std::map<std::string, FeedbackCounts> out;
  for (const auto& r : records) {
    if (r.action != AlertAction::kFire) continue;
    FeedbackCounts& c = out[r.evaluation.key.metric];
    const auto v = verdicts.find(r.id);
    if (v == verdicts.end()) {
      ++c.unjudged;
    } else if (v->second.verdict == FeedbackVerdict::kReal) {
      ++c.real;
    } else {
      ++c.false_alarm;
    }
  }
  return out;
}

std::string feedback_counts_text(const std::map<std::string, FeedbackCounts>& counts) {
  if (counts.empty()) return "no alerts fired\n";
  auto row = [](const std::string& metric, const FeedbackCounts& c) {
    return fmt::format("{:<16} {:>6} {:>5} {:>6} {:>9} {:>10}\n", metric, c.alerts(), c.real,
                       c.false_alarm, c.unjudged, precision_text(c));
  };
  std::string out = fmt::format("{:<16} {:>6} {:>5} {:>6} {:>9} {:>10}\n", "metric", "alerts",
                                "real", "false", "unjudged", "precision");
  FeedbackCounts all;
  for (const auto& [metric, c] : counts) {
    out += row(metric, c);
    all.real += c.real;
    all.false_alarm += c.false_alarm;
    all.unjudged += c.unjudged;
  }
  if (counts.size() > 1) out += row("all", all);
  return out;
}

double label_factor(const Evaluation& evaluation, FeedbackVerdict verdict) {
  if (verdict == FeedbackVerdict::kFalseAlarm) return 1.0;
  const bool up = evaluation.value > evaluation.expected;
  const double ratio = evaluation.value / evaluation.expected;
  if (!std::isfinite(ratio) || ratio < 0) return up ? 2.0 : 0.5;
  const double rounded = std::round(ratio * 100) / 100;
  if (rounded == 1.0) return up ? 1.01 : 0.99;
  return rounded;
}

}  // namespace vigil
