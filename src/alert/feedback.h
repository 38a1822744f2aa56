// Feedback, pure: people tell vigil whether an alert was real or a false alarm
// (the chat's Real / False alarm buttons, `vigil feedback add`). Every press is
// kept with who and when; a record's verdict is its latest feedback (a person
// may change their mind). Counted per metric over the fired alerts, it gives
// the precision the alerts had in practice, for `vigil backtest` and the
// dashboard; exported, it is the labels CSV a later tuning reads.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "base/time.h"

namespace vigil {

enum class FeedbackVerdict { kReal, kFalseAlarm };

// "real", "false" (the names stored and typed on the command line).
const char* verdict_name(FeedbackVerdict verdict);
// "real" or "false"; anything else is a usage error naming the text and both forms.
Result<FeedbackVerdict> parse_verdict(const std::string& text);

constexpr const char* kFeedbackFromChat = "chat";
constexpr const char* kFeedbackFromCli = "cli";

// One judgement of one alert record (store.h's history id).
struct Feedback {
  std::int64_t id = 0;         // assigned by the store
  std::int64_t record_id = 0;  // the alert record judged
  FeedbackVerdict verdict = FeedbackVerdict::kReal;
  std::string by;              // @username or first name in the chat; the user on the command line
  EpochSeconds at = 0;
  std::string source;          // kFeedbackFromChat or kFeedbackFromCli
};

}  // namespace vigil
