// Silences, pure: "nothing about likes for the next 2 hours" during a planned
// release or a known outage. While a silence covers a bucket, that metric (and
// slice) sends nothing; it is still evaluated and its history row says it was
// silenced. When the silence ends and the alert still fires, one message says
// so; an alert that cleared meanwhile sends nothing (its "back to normal" would
// answer a message nobody saw).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alert/state.h"
#include "base/result.h"

namespace vigil {

constexpr const char* kSilenceAllMetrics = "all";

struct Silence {
  std::int64_t id = 0;                 // assigned by the store
  std::string metric;                  // a metric, or "all"
  std::optional<std::string> slice;    // unset: all users and every slice; else that slice
  EpochSeconds starts = 0, ends = 0;   // covers buckets starting in [starts, ends)
  std::string comment;
  std::string created_by;
  EpochSeconds created_at = 0;
  std::optional<EpochSeconds> expired_at;  // ended early by `silence expire` (ends moved there)
};

// Where a silence set "from now" starts: at the start of the bucket under way,
// which the next alert run checks and which began before the command (a
// silence covers the buckets that start in it).
EpochSeconds silence_start_now(EpochSeconds now, int interval_minutes);

// Whether `silence` covers `key`'s bucket starting at `bucket`.
bool silence_covers(const Silence& silence, const AlertKey& key, EpochSeconds bucket);

// The first of `silences` covering it, or null.
const Silence* covering_silence(const std::vector<Silence>& silences, const AlertKey& key,
                                EpochSeconds bucket);

// What a silence does to one step of the state machine. `before` is the state
// before step_alert, `state` after it, `action` what step_alert said;
// `silenced` whether a silence covers this bucket, `was_silenced` whether one
// covered the bucket before. Returns the action to send, or kNone with
// `*held` = true when a silence held a message back (the row says so):
//  - silenced: fires, reminders and back to normal are held; the reminder
//    clock (last_sent) stays where it was, so nothing counts as sent;
//  - a silence just ended on an alert still firing: a reminder now;
//  - back to normal of an alert none of whose messages went out: held.
AlertAction apply_silence(AlertState& state, const AlertState& before, AlertAction action,
                          bool silenced, bool was_silenced, bool* held);

// One line per silence for `vigil silence list` and the chat, e.g.
// "#3 likes (every slice) 2026-03-09 14:00 → 16:00, active, by ann: release 4.2";
// "no silences" when there are none. State: upcoming, active, ended, expired.
std::string silences_text(const std::vector<Silence>& silences, EpochSeconds now,
                          const date::time_zone* zone);

// A metric a silence may name: "all" or an alerted metric of the catalogue;
// else a usage error listing them (`vigil silence add` and the chat's /silence).
Status check_silence_metric(const std::string& metric);

// "90m", "2h", "1d" (a positive whole number of minutes, hours or days) in
// seconds; anything else is a usage error naming the text and the forms.
Result<EpochSeconds> parse_silence_duration(const std::string& text);

}  // namespace vigil
