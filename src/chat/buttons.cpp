// Button presses under alert messages. See buttons.h.
#include "chat/buttons.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "alert/buttons.h"
#include "alert/feedback.h"
#include "telegram/text.h"

namespace vigil {
namespace {

// The alerts the pressed message carried; the button's own record when the
// store does not know the message (its id was not noted).
Result<std::vector<AlertRecord>> pressed_records(AlertStore& store, const TelegramUpdate& press,
                                                 std::int64_t record_id) {
  if (press.message_id > 0) {
    auto carried = store.records_of_message(press.message_id);
    if (!carried.ok() || !carried->empty()) return carried;
  }
  return store.records({record_id});
}

const AlertRecord& main_record(const std::vector<AlertRecord>& records, std::int64_t record_id) {
  const auto it = std::find_if(records.begin(), records.end(),
                               [&](const AlertRecord& r) { return r.id == record_id; });
  return it != records.end() ? *it : records.front();
}

// An active silence that covers `key` now, if any.
std::optional<Silence> silence_now(const std::vector<Silence>& silences, const AlertKey& key,
                                   const ChatContext& context) {
  const EpochSeconds bucket = silence_start_now(context.now, context.config.alerts.interval_minutes);
  const Silence* covering = covering_silence(silences, key, bucket);
  return covering != nullptr ? std::optional<Silence>(*covering) : std::nullopt;
}

// The keyboard's marks, from the state: a silence covering the main alert
// now, and the latest verdict on it.
ButtonMarks marks_of(AlertStore& store, const AlertRecord& main, const ChatContext& context) {
  ButtonMarks marks;
  if (auto silences = store.silences(context.now); silences.ok()) {
    if (auto silence = silence_now(*silences, main.evaluation.key, context)) {
      marks.silenced_until = silence->ends;
      marks.silenced_by = silence->created_by;
    }
  }
  const EpochSeconds bucket = main.evaluation.bucket;
  if (auto judged = store.feedback(bucket, bucket + 1); judged.ok()) {
    const auto latest = latest_feedback(*judged);
    if (const auto it = latest.find(main.id); it != latest.end()) {
      marks.real = it->second.verdict == FeedbackVerdict::kReal;
      marks.judged_by = it->second.by;
    }
  }
  return marks;
}

std::string silence_toast(const std::vector<AlertRecord>& records, ButtonVerb verb, AlertStore& store,
                          const std::string& by, const ChatContext& context) {
  const EpochSeconds ends = verb == ButtonVerb::kSilenceHour ? context.now + 3600
                                                              : next_morning(context.now, context.zone);
  const EpochSeconds starts = silence_start_now(context.now, context.config.alerts.interval_minutes);
  const EpochSeconds bucket_seconds = context.config.alerts.interval_minutes * 60;
  auto existing = store.silences(context.now);
  if (!existing.ok()) return existing.error().message;
  std::vector<std::string> silenced;
  for (const Silence& silence : press_silences(records, starts, ends, by, context.now)) {
    const AlertKey key{silence.metric, silence.slice.value_or("")};
    if (auto held = silence_now(*existing, key, context); held && held->ends + bucket_seconds >= ends) continue;
    auto added = store.add_silence(silence);
    if (!added.ok()) return added.error().message;
    spdlog::info("chat: silence #{} on {} by a button, by user {}", added->id, silence.metric, by);
    silenced.push_back(silence.metric + (silence.slice ? " (" + *silence.slice + ")" : ""));
  }
  if (silenced.empty()) return "Already silenced at least that long";
  return fmt::format("🔕 Silenced {} until {}", fmt::join(silenced, ", "), format_local_hhmm(ends, context.zone));
}

std::string feedback_toast(const std::vector<AlertRecord>& records, ButtonVerb verb, AlertStore& store,
                           const std::string& by, const ChatContext& context) {
  const FeedbackVerdict verdict = verb == ButtonVerb::kReal ? FeedbackVerdict::kReal : FeedbackVerdict::kFalseAlarm;
  int judged = 0;
  for (const AlertRecord& record : records) {
    if (!is_alerting(record.action)) continue;  // a "back to normal" line is not judged
    Feedback feedback{0, record.id, verdict, by, context.now, kFeedbackFromChat};
    if (auto added = store.add_feedback(feedback); !added.ok()) return added.error().message;
    ++judged;
  }
  spdlog::info("chat: {} alert(s) marked {} by {}", judged, verdict_name(verdict), by);
  return verdict == FeedbackVerdict::kReal ? "✅ Marked real. Thanks!"
                                           : "✅ Marked a false alarm: kept for tuning (vigil backtest)";
}

std::string silence_info(const AlertRecord& main, AlertStore& store, const ChatContext& context) {
  auto silences = store.silences(context.now);
  if (!silences.ok()) return silences.error().message;
  const auto silence = silence_now(*silences, main.evaluation.key, context);
  if (!silence) return "Not silenced now";
  return fmt::format("Silenced until {} by {} (#{}): /unsilence {} ends it", format_local_hhmm(silence->ends, context.zone),
                     silence->created_by, silence->id, silence->id);
}

}  // namespace

std::vector<Silence> press_silences(const std::vector<AlertRecord>& records, EpochSeconds starts,
                                    EpochSeconds ends, const std::string& by, EpochSeconds now) {
  std::vector<std::string> metrics;
  std::map<std::string, std::set<std::string>> slices;  // per metric: "" = all users
  for (const AlertRecord& record : records) {
    const AlertKey& key = record.evaluation.key;
    if (!slices.count(key.metric)) metrics.push_back(key.metric);
    slices[key.metric].insert(key.slice);
  }
  std::vector<Silence> silences;
  for (const std::string& metric : metrics) {
    Silence silence;
    silence.metric = metric;
    const auto& of_metric = slices[metric];
    if (of_metric.size() == 1 && !of_metric.begin()->empty()) silence.slice = *of_metric.begin();
    silence.starts = starts;
    silence.ends = ends;
    silence.comment = "from an alert's button";
    silence.created_by = by;
    silence.created_at = now;
    silences.push_back(std::move(silence));
  }
  return silences;
}

PressOutcome act_on_press(const TelegramUpdate& press, AlertStore& store, const ChatContext& context) {
  const auto parsed = parse_button_data(press.callback_data);
  if (!parsed) return {"This button is not one of vigil's", std::nullopt};
  auto records = pressed_records(store, press, parsed->record_id);
  if (!records.ok()) return {trim_caption(records.error().message, kTelegramMaxCallbackText), std::nullopt};
  if (records->empty()) return {"That alert is no longer in vigil's history", std::nullopt};
  const AlertRecord& main = main_record(*records, parsed->record_id);
  const std::string by = sender_name(press);
  std::string toast;
  switch (parsed->verb) {
    case ButtonVerb::kSilenceHour:
    case ButtonVerb::kSilenceMorning:
      toast = silence_toast(*records, parsed->verb, store, by, context);
      break;
    case ButtonVerb::kReal:
    case ButtonVerb::kFalseAlarm:
      toast = feedback_toast(*records, parsed->verb, store, by, context);
      break;
    case ButtonVerb::kShowSilence:
      toast = silence_info(main, store, context);
      break;
  }
  return {trim_caption(toast, kTelegramMaxCallbackText), alert_keyboard(main.id, marks_of(store, main, context), context.zone)};
}

}  // namespace vigil
