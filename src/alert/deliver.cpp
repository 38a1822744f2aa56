#include "alert/deliver.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace vigil {
namespace {

std::string what(const AlertRecord& record, const date::time_zone* zone) {
  const AlertKey& key = record.evaluation.key;
  return fmt::format("{}{}{} {} at {}", key.metric, key.slice.empty() ? "" : " ", key.slice,
                     alert_action_name(record.action),
                     format_local_time(record.evaluation.bucket, zone).substr(0, 16));
}

constexpr const char* kHeld = "held until the earlier message of this alert is delivered";

enum class Claim { kSend, kDeliveredAlready, kFailed };

// Claims `record` in the store before its send (a failed claim is noted).
Claim claim(AlertStore& store, const Outgoing& item, const date::time_zone* zone,
           AlertRunReport& report) {
  auto claimed = store.begin_sending(item.record.id);
  if (!claimed.ok()) {
    report.failures.push_back(fmt::format("{}: {}", what(item.record, zone),
                                          claimed.error().message));
    return Claim::kFailed;
  }
  if (!*claimed) {
    spdlog::info("alert: the {} was delivered by another run meanwhile; not sending it again",
                 what(item.record, zone));
    return Claim::kDeliveredAlready;
  }
  if (item.record.sending) {
    spdlog::warn("alert: the {} was being sent when an earlier run stopped; sending it again "
                 "(Telegram may have it already)",
                 what(item.record, zone));
  } else if (item.earlier) {
    spdlog::info("alert: sending the {} that an earlier run could not deliver",
                 what(item.record, zone));
  }
  return Claim::kSend;
}

// The message of `items`, resuming a two-part send (text, then chart) whose
// text went out before (for every record). With a store, the text is recorded
// as sent between the two calls, so a retry sends only the chart; if that
// record fails, the send goes on (a retry may then repeat the text).
AlertMessage resumable_message(const std::vector<const Outgoing*>& items,
                               const MessageFor& message_for, AlertStore* store,
                               AlertRunReport& report) {
  std::vector<AlertRecord> records;
  bool text_sent = true;
  for (const Outgoing* item : items) {
    records.push_back(item->record);
    text_sent = text_sent && item->record.text_sent;
  }
  AlertMessage message = message_for(records);
  message.text_sent = text_sent;
  if (store != nullptr) {
    message.on_text_sent = [store, records, &report] {
      for (const auto& record : records) {
        if (auto noted = store->mark_text_sent(record.id); !noted.ok()) {
          report.failures.push_back(noted.error().message);
        }
      }
    };
  }
  return message;
}

// Holds `item` behind its alert's failed message: counted, and said in the
// history (the dashboard shows it); a record whose send was cut short keeps
// that mark instead.
void hold(const Outgoing& item, AlertStore* store, const date::time_zone* zone,
          AlertRunReport& report) {
  ++report.undelivered;
  report.failures.push_back(fmt::format("{}: {}", what(item.record, zone), kHeld));
  if (store != nullptr && !item.record.sending) {
    if (auto noted = store->mark_delivered(item.record.id, false, kHeld); !noted.ok()) {
      report.failures.push_back(noted.error().message);
    }
  }
}

// The group's items to send now: not held behind a failed message, claimed.
std::vector<const Outgoing*> claim_group(const OutgoingGroup& group, AlertStore* store,
                                         const date::time_zone* zone, std::set<AlertKey>& blocked,
                                         AlertRunReport& report) {
  std::vector<const Outgoing*> sending;
  for (const Outgoing& item : group) {
    const AlertKey& key = item.record.evaluation.key;
    if (blocked.count(key)) {
      hold(item, store, zone, report);
      continue;
    }
    if (store != nullptr) {
      const Claim claimed = claim(*store, item, zone, report);
      if (claimed == Claim::kFailed) {
        ++report.undelivered;
        blocked.insert(key);  // keep the order behind it
      }
      if (claimed != Claim::kSend) continue;
    }
    sending.push_back(&item);
  }
  return sending;
}

// Keeps which records Telegram's message `message_id` carried, so a press of
// one of its buttons finds them all (chat/buttons.h). The message went out:
// failing to note it only narrows a press to the main alert, so it is a warning.
void note_message_id(const std::vector<const Outgoing*>& sent_items, std::int64_t message_id,
                     AlertStore& store) {
  std::vector<std::int64_t> ids;
  for (const Outgoing* item : sent_items) ids.push_back(item->record.id);
  if (auto noted = store.set_message_id(ids, message_id); !noted.ok()) {
    spdlog::warn("alert: {}; its buttons act on the main alert only", noted.error().message);
  }
}

// Counts and records the outcome of one message for each of its alerts.
void settle(const std::vector<const Outgoing*>& sent_items, const Result<std::int64_t>& sent,
            AlertStore* store, const date::time_zone* zone, std::set<AlertKey>& blocked,
            AlertRunReport& report) {
  if (sent.ok()) ++report.messages;
  if (!sent.ok()) {
    const std::size_t others = sent_items.size() - 1;
    report.failures.push_back(fmt::format(
        "{}{}: {}", what(sent_items.front()->record, zone),
        others == 0 ? "" : fmt::format(" (and {} more alert(s) in its message)", others),
        sent.error().message));
  }
  for (const Outgoing* item : sent_items) {
    if (sent.ok()) {
      ++report.delivered;
      if (item->earlier) ++report.resent;
    } else {
      ++report.undelivered;
      blocked.insert(item->record.evaluation.key);
    }
    if (store == nullptr) continue;
    const std::string error = sent.ok() ? "" : sent.error().message;
    if (auto marked = store->mark_delivered(item->record.id, sent.ok(), error); !marked.ok()) {
      report.failures.push_back(marked.error().message);
    }
  }
  if (store != nullptr && sent.ok() && *sent > 0) note_message_id(sent_items, *sent, *store);
}

}  // namespace

std::vector<OutgoingGroup> delivery_queue(std::vector<AlertRecord> pending,
                                          const std::vector<AlertRecord>& fresh,
                                          AlertGrouping grouping) {
  std::stable_sort(pending.begin(), pending.end(), [](const AlertRecord& a, const AlertRecord& b) {
    const EpochSeconds x = a.evaluation.bucket, y = b.evaluation.bucket;
    return x != y ? x < y : a.id < b.id;
  });
  std::vector<Outgoing> queue;
  for (auto& record : pending) queue.push_back({std::move(record), true});
  for (const auto& record : fresh) {
    if (record.action != AlertAction::kNone && !record.silenced) queue.push_back({record, false});
  }
  std::vector<OutgoingGroup> groups;
  std::map<std::pair<EpochSeconds, std::string>, std::size_t> group_of;
  for (auto& item : queue) {
    const Evaluation& e = item.record.evaluation;
    if (grouping == AlertGrouping::kAlert) {
      groups.push_back({std::move(item)});
      continue;
    }
    const std::string metric = grouping == AlertGrouping::kMetric ? e.key.metric : "";
    auto [it, added] = group_of.try_emplace({e.bucket, metric}, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(std::move(item));
  }
  return groups;
}

void deliver_queue(const std::vector<OutgoingGroup>& queue, AlertStore* store, AlertSink& sink,
                   const MessageFor& message_for, const date::time_zone* zone,
                   AlertRunReport& report) {
  std::set<AlertKey> blocked;  // alerts with an earlier message not delivered in this run
  for (const OutgoingGroup& group : queue) {
    const auto sending = claim_group(group, store, zone, blocked, report);
    if (sending.empty()) continue;
    const Result<std::int64_t> sent = sink.deliver(resumable_message(sending, message_for, store, report));
    settle(sending, sent, store, zone, blocked, report);
  }
}

}  // namespace vigil
