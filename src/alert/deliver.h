// Sending committed alert messages: each once, and per alert (metric, slice)
// in the order the state machine produced them. Separate from `run` so the
// order and the bookkeeping can be tested with a fake sink and no ClickHouse.
#pragma once

#include <functional>
#include <vector>

#include "alert/run.h"
#include "alert/store.h"

namespace vigil {

// One message to send, and whether an earlier run left it undelivered.
struct Outgoing {
  AlertRecord record;
  bool earlier = false;
};

// Pure: what to send, in order: the undelivered records of earlier runs
// (`pending`, oldest bucket first, then id), then this run's records that
// carry an action (`fresh`, in their order; "none" rows are skipped).
std::vector<Outgoing> delivery_queue(std::vector<AlertRecord> pending,
                                     const std::vector<AlertRecord>& fresh);

using MessageFor = std::function<AlertMessage(const AlertRecord&)>;

// Sends `queue` in order through `sink`. With a store (null: dry run, nothing
// recorded) each record is claimed (`begin_sending`) just before its send and
// marked delivered or failed just after; a record already delivered by someone
// else is skipped; a two-part message whose text went out in an earlier try
// sends only its chart (AlertRecord::text_sent). Once a message of an alert
// fails, that alert's later messages are held (left undelivered, for the next
// run to send in order), so a "back to normal" never reaches the chat before
// its "fire". Counts into
// `report`: delivered (and resent, those from earlier runs), one failure line
// per message not delivered (failed or held).
void deliver_queue(const std::vector<Outgoing>& queue, AlertStore* store, AlertSink& sink,
                   const MessageFor& message_for, const date::time_zone* zone,
                   AlertRunReport& report);

}  // namespace vigil
