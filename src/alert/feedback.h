// Feedback, pure: people tell vigil whether an alert was real or a false alarm
// (the chat's Real / False alarm buttons, `vigil feedback add`). Every press is
// kept with who and when; a record's verdict is its latest feedback (a person
// may change their mind). Counted per metric over the fired alerts, it gives
// the precision the alerts had in practice, for `vigil backtest` and the
// dashboard; exported, it is the labels CSV a later tuning reads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "alert/state.h"
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

struct AlertRecord;  // alert/store.h (which holds Feedback)

// The last word on each judged record: its latest feedback (by `at`, then id).
std::map<std::int64_t, Feedback> latest_feedback(const std::vector<Feedback>& feedback);

// The fired alerts (records with action fire) among `records`, by id, each with
// its verdict: the latest feedback on it or on a reminder of it (a repeat of its
// metric and slice after it and before that key's next fire, among `records`:
// a button on a reminder judges the alert it reminds of). Fires nobody judged
// are not in the map.
std::map<std::int64_t, Feedback> fire_verdicts(const std::vector<AlertRecord>& records,
                                               const std::vector<Feedback>& feedback);

struct FeedbackCounts {
  int real = 0, false_alarm = 0, unjudged = 0;
  int alerts() const { return real + false_alarm + unjudged; }
  // real / (real + false_alarm): the share of judged alerts that were real;
  // NaN when none was judged.
  double precision() const;
};

// "67%", or "n/a" when none was judged.
std::string precision_text(const FeedbackCounts& counts);

// Per metric, the fired alerts among `records` by their verdict (fire_verdicts).
std::map<std::string, FeedbackCounts> feedback_counts(const std::vector<AlertRecord>& records,
                                                      const std::vector<Feedback>& feedback);

// The table `vigil backtest` prints: one row per metric (alerts fired live,
// marked real, marked false, unjudged, precision) and a row "all" when there
// are several; "no alerts fired" when there are none.
std::string feedback_counts_text(const std::map<std::string, FeedbackCounts>& counts);

// The factor of the label a judged alert becomes (the simulator's anomalies
// CSV, which `vigil backtest --labels` reads): a real one, value / expected
// rounded to 2 decimals but never exactly 1 (1.01 or 0.99 by the direction;
// 2 or 0.5 when the ratio is not a number or negative); a false alarm, exactly 1, "known
// normal here".
double label_factor(const Evaluation& evaluation, FeedbackVerdict verdict);

}  // namespace vigil
