#include "alert/deliver.h"

#include <algorithm>
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

// The message of `record`, resuming a two-part send (text, then chart) whose
// text went out before. With a store, the text is recorded as sent between the
// two calls, so a retry sends only the chart; if that record fails, the send
// goes on (a retry may then repeat the text).
AlertMessage resumable_message(const AlertRecord& record, const MessageFor& message_for,
                               AlertStore* store, AlertRunReport& report) {
  AlertMessage message = message_for(record);
  message.text_sent = record.text_sent;
  if (store != nullptr) {
    message.on_text_sent = [store, id = record.id, &report] {
      if (auto noted = store->mark_text_sent(id); !noted.ok()) {
        report.failures.push_back(noted.error().message);
      }
    };
  }
  return message;
}

}  // namespace

std::vector<Outgoing> delivery_queue(std::vector<AlertRecord> pending,
                                     const std::vector<AlertRecord>& fresh) {
  std::stable_sort(pending.begin(), pending.end(), [](const AlertRecord& a, const AlertRecord& b) {
    const EpochSeconds x = a.evaluation.bucket, y = b.evaluation.bucket;
    return x != y ? x < y : a.id < b.id;
  });
  std::vector<Outgoing> queue;
  for (auto& record : pending) queue.push_back({std::move(record), true});
  for (const auto& record : fresh) {
    if (record.action != AlertAction::kNone) queue.push_back({record, false});
  }
  return queue;
}

void deliver_queue(const std::vector<Outgoing>& queue, AlertStore* store, AlertSink& sink,
                   const MessageFor& message_for, const date::time_zone* zone,
                   AlertRunReport& report) {
  std::set<AlertKey> blocked;  // alerts with an earlier message not delivered in this run
  for (const Outgoing& item : queue) {
    const AlertRecord& record = item.record;
    const AlertKey& key = record.evaluation.key;
    if (blocked.count(key)) {
      ++report.undelivered;
      report.failures.push_back(fmt::format("{}: {}", what(record, zone), kHeld));
      // Say why in the history (the dashboard shows it); a record whose send
      // was cut short keeps that mark instead.
      if (store != nullptr && !record.sending) {
        if (auto noted = store->mark_delivered(record.id, false, kHeld); !noted.ok()) {
          report.failures.push_back(noted.error().message);
        }
      }
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
    const Status sent = sink.deliver(resumable_message(record, message_for, store, report));
    if (sent.ok()) {
      ++report.delivered;
      if (item.earlier) ++report.resent;
    } else {
      ++report.undelivered;
      blocked.insert(key);
      report.failures.push_back(fmt::format("{}: {}", what(record, zone), sent.error().message));
    }
    if (store == nullptr) continue;
    const std::string error = sent.ok() ? "" : sent.error().message;
    if (auto marked = store->mark_delivered(record.id, sent.ok(), error); !marked.ok()) {
      report.failures.push_back(marked.error().message);
    }
  }
}

}  // namespace vigil
