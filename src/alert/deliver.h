// Sending committed alert messages: each once, one message per incident
// (alert/incident.h), and per alert (metric, slice) in the order the state
// machine produced them. Separate from `run` so the
// order and the bookkeeping can be tested with a fake sink and no ClickHouse.
#pragma once

#include <functional>
#include <vector>

#include "alert/incident.h"
#include "alert/run.h"
#include "alert/store.h"

namespace vigil {

// One alert message to send, and whether an earlier run left it undelivered.
struct Outgoing {
  AlertRecord record;
  bool earlier = false;
};

// The alerts that go out as one message (one incident, alert/incident.h).
using OutgoingGroup = std::vector<Outgoing>;

// Pure: what to send, in order: the undelivered records of earlier runs
// (`pending`, oldest bucket first, then id), then this run's records that
// carry an action (`fresh`, in their order; "none" and silenced rows are skipped), grouped
// by `grouping` (the same bucket; and metric; or each alert alone) into
// groups in the order of their first record.
std::vector<OutgoingGroup> delivery_queue(std::vector<AlertRecord> pending,
                                          const std::vector<AlertRecord>& fresh,
                                          AlertGrouping grouping = AlertGrouping::kBucket);

// The one message for a group's records (those still to send, in queue order).
using MessageFor = std::function<AlertMessage(const std::vector<AlertRecord>&)>;

// Sends `queue`, one message per group, in order, through `sink`. With a store
// (null: dry run, nothing recorded) each record is claimed (`begin_sending`)
// just before its group's send and marked delivered or failed just after; a
// record already delivered by someone else is left out; a two-part message
// whose text went out in an earlier try (every record's AlertRecord::text_sent)
// sends only its chart. Once a message with an alert fails, that alert's later
// records are held (left undelivered, for the next run to send in order) and
// the rest of their group goes without them, so a "back to normal" never
// reaches the chat before its "fire". Counts into `report`, per alert:
// delivered (and resent, those from earlier runs), undelivered (failed or
// held); per message: messages, and one failure line per message that failed
// and per alert held.
void deliver_queue(const std::vector<OutgoingGroup>& queue, AlertStore* store, AlertSink& sink,
                   const MessageFor& message_for, const date::time_zone* zone,
                   AlertRunReport& report);

}  // namespace vigil
