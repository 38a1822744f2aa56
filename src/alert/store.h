// Alert state and history in SQLite under the state directory, so a restart
// neither repeats nor loses an alert. The interface lets the evaluation logic be
// tested with an in-memory store.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alert/feedback.h"
#include "alert/silence.h"
#include "alert/state.h"
#include "base/result.h"

namespace vigil {

// One row of history: every evaluation, with the action taken and whether the
// message went out.
struct AlertRecord {
  std::int64_t id = 0;          // assigned by the store
  Evaluation evaluation;
  AlertAction action = AlertAction::kNone;
  bool delivered = false;       // message accepted by Telegram (or written in dry-run)
  std::string error;            // why it was not delivered, if it was not
  EpochSeconds recorded_at = 0;
  // A send was started and its outcome never recorded (the process died while
  // Telegram had the request): the message may have arrived already.
  bool sending = false;
  // A message sent in two calls (a text too long for a caption, then the
  // chart): the text went out, so a retry sends only the chart.
  bool text_sent = false;
  // A silence held this action back (alert/silence.h): recorded, never sent.
  bool silenced = false;
  // The Telegram message that carried this record (its buttons point back to
  // it); 0: unknown, or not sent through Telegram.
  std::int64_t message_id = 0;
};

struct HistoryFilter {
  std::optional<std::string> metric = std::nullopt;
  std::optional<EpochSeconds> from = std::nullopt;  // bucket range [from, to)
  std::optional<EpochSeconds> to = std::nullopt;
  bool actions_only = false;              // only fire/repeat/resolve rows
  int limit = 1000;                       // at most this many rows; <= 0: all
};

// One object per thread; several objects (processes) may share one file.
class AlertStore {
 public:
  virtual ~AlertStore() = default;
  // All states, by key (missing keys start from AlertState{}).
  virtual Result<std::map<AlertKey, AlertState>> load_states() = 0;
  // Saves the new states and appends the records in one transaction, before
  // any message is sent (records with an action start as not delivered).
  // Returns the records with their ids.
  virtual Result<std::vector<AlertRecord>> commit(const std::map<AlertKey, AlertState>& states,
                                                  const std::vector<AlertRecord>& records) = 0;
  // Just before sending: notes that a send of `id` has started, so that a run
  // after a crash knows this message may have arrived. False if the record is
  // already delivered (someone else sent it): do not send it again.
  virtual Result<bool> begin_sending(std::int64_t id) = 0;
  // After sending: marks a record delivered, or notes why not (unknown id: error);
  // either way the send is over (`sending` cleared).
  virtual Status mark_delivered(std::int64_t id, bool delivered, const std::string& error) = 0;
  // Between the two calls of a two-part message: its text went out (unknown id: error).
  virtual Status mark_text_sent(std::int64_t id) = 0;
  // Records with an action that were never delivered (a crash or an outage
  // between commit and send, or a send that was cut short: `sending`), oldest
  // first (bucket, then id), bucket at or after `since`: the next run sends
  // them, so an alert is not lost.
  virtual Result<std::vector<AlertRecord>> undelivered(EpochSeconds since) = 0;
  // Newest first (by bucket, then id).
  virtual Result<std::vector<AlertRecord>> history(const HistoryFilter& filter) = 0;
  // The records with these ids, in id order; ids not in the store are left out.
  virtual Result<std::vector<AlertRecord>> records(const std::vector<std::int64_t>& ids) = 0;

  // Telegram messages: after a send, notes the message that carried these
  // records (one message may carry several), all or none (an unknown id: error
  // naming it, nothing changed).
  virtual Status set_message_id(const std::vector<std::int64_t>& record_ids,
                                std::int64_t message_id) = 0;
  // The records message `message_id` carried, in id order; empty if none (and
  // for 0, "unknown").
  virtual Result<std::vector<AlertRecord>> records_of_message(std::int64_t message_id) = 0;

  // Silences (alert/silence.h), kept with the state they act on.
  // Saves a new one; returns it with its id.
  virtual Result<Silence> add_silence(const Silence& silence) = 0;
  // Those that end after `after` (all with nullopt), by start, then id.
  virtual Result<std::vector<Silence>> silences(std::optional<EpochSeconds> after) = 0;
  // Ends silence `id` at `now` if it ends later; an unknown id or one already
  // over is a usage error naming it.
  virtual Result<Silence> expire_silence(std::int64_t id, EpochSeconds now) = 0;

  // Feedback (alert/feedback.h): every judgement is kept, who and when.
  // Saves one; returns it with its id. An unknown record id, or a record that
  // is no fire or reminder (is_alerting), is a usage error naming it.
  virtual Result<Feedback> add_feedback(const Feedback& feedback) = 0;
  // Feedback on the records whose bucket is in [from, to) (unset: unbounded),
  // oldest first (by `at`, then id).
  virtual Result<std::vector<Feedback>> feedback(std::optional<EpochSeconds> from,
                                                 std::optional<EpochSeconds> to) = 0;
};

// SQLite file at `path` (created with its directory and schema if missing;
// WAL mode, busy timeout so `vigil serve` and a manual `vigil alert` can share it).
// Errors name the file and the next step. NaN values (missing buckets) are kept
// as NULL and read back as NaN.
Result<std::unique_ptr<AlertStore>> open_sqlite_alert_store(const std::string& path);

}  // namespace vigil
