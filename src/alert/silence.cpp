#include "alert/silence.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config/metric_catalog.h"

namespace vigil {

EpochSeconds silence_start_now(EpochSeconds now, int interval_minutes) {
  const EpochSeconds interval = std::max(1, interval_minutes) * 60;
  return now - now % interval;
}

bool silence_covers(const Silence& silence, const AlertKey& key, EpochSeconds bucket) {
  if (bucket < silence.starts || bucket >= silence.ends) return false;
  if (silence.metric != kSilenceAllMetrics && silence.metric != key.metric) return false;
  return !silence.slice || *silence.slice == key.slice;
}

const Silence* covering_silence(const std::vector<Silence>& silences, const AlertKey& key,
                                EpochSeconds bucket) {
  for (const auto& silence : silences) {
    if (silence_covers(silence, key, bucket)) return &silence;
  }
  return nullptr;
}

AlertAction apply_silence(AlertState& state, const AlertState& before, AlertAction action,
                          bool silenced, bool was_silenced, bool* held) {
  *held = false;
  if (silenced) {
    if (action == AlertAction::kNone) return action;
    state.last_sent = before.last_sent;  // nothing went out
    *held = true;
    return AlertAction::kNone;
  }
  // Nothing of this firing reached the chat: no "back to normal" either.
  if (action == AlertAction::kResolve && before.last_sent < before.fired_at) {
    *held = true;
    return AlertAction::kNone;
  }
  if (action == AlertAction::kNone && was_silenced && state.firing &&
      state.last_bucket > before.last_bucket) {
    state.last_sent = state.last_bucket;
    return AlertAction::kRepeat;
  }
  return action;
}

namespace {

const char* silence_state(const Silence& s, EpochSeconds now) {
  if (s.expired_at) return "expired";
  if (now < s.starts) return "upcoming";
  return now < s.ends ? "active" : "ended";
}

}  // namespace

std::string silences_text(const std::vector<Silence>& silences, EpochSeconds now,
                          const date::time_zone* zone) {
  if (silences.empty()) return "no silences\n";
  std::string out;
  for (const auto& s : silences) {
    const std::string from = format_local_time(s.starts, zone).substr(0, 16);
    std::string to = format_local_time(s.ends, zone).substr(0, 16);
    if (to.substr(0, 10) == from.substr(0, 10)) to = to.substr(11);  // same day: time only
    out += fmt::format("#{} {} ({}) {} → {}, {}, by {}{}{}\n", s.id, s.metric,
                       s.slice ? (s.slice->empty() ? "all users" : *s.slice) : "every slice",
                       from, to, silence_state(s, now), s.created_by,
                       s.comment.empty() ? "" : ": ", s.comment);
  }
  return out;
}

Status check_silence_metric(const std::string& metric) {
  if (metric == kSilenceAllMetrics) return {};
  const MetricDef* row = find_metric(metric);
  if (row != nullptr && row->alerted) return {};
  return Error::usage(fmt::format("unknown metric '{}': give all or one of {}", metric,
                                  fmt::join(alert_metric_names(), ", ")));
}

Result<EpochSeconds> parse_silence_duration(const std::string& text) {
  auto bad = [&] {
    return Error::usage(fmt::format(
        "bad duration '{}': give a whole number of minutes, hours or days, e.g. 90m, 2h, 1d",
        text));
  };
  if (text.size() < 2) return bad();
  EpochSeconds unit = 0;
  switch (text.back()) {
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return bad();
  }
  EpochSeconds count = 0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return bad();
    count = count * 10 + (text[i] - '0');
    if (count > 366 * 86400) return bad();  // a year of minutes is plenty
  }
  if (count == 0) return bad();
  return count * unit;
}

}  // namespace vigil
