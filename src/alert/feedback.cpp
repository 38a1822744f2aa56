#include "alert/feedback.h"

#include <fmt/format.h>

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

}  // namespace vigil
