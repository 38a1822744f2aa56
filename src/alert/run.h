// `vigil alert`: one live run. Evaluates the last complete bucket before `at`
// for every watched metric and slice (one ClickHouse query for the whole
// history window), advances the alert states, commits them with the history
// BEFORE sending (so a crash cannot make the next run repeat a message), then
// delivers each message and marks it delivered. Messages left undelivered by a
// crash or an outage are sent first by the next run, even one for the same
// bucket (a retry), and per alert in order (see deliver.h). One run at a time
// per state directory (run_lock.h), so two runs never send the same message.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "alert/run_lock.h"
#include "alert/state.h"
#include "alert/store.h"
#include "base/result.h"
#include "chart/chart.h"
#include "clickhouse/client.h"
#include "config/config.h"
#include "telegram/telegram.h"

namespace vigil {

struct AlertMessage {
  Evaluation evaluation;         // the main alert of the message
  AlertAction action = AlertAction::kNone;
  std::string html;              // the incident's message: main alert first (alert/incident.h)
  std::optional<Photo> chart;   // absent if it failed to render
  // A text too long for a caption goes as two calls, the text then the chart:
  bool text_sent = false;        // the text went out before: send only the chart
  std::function<void()> on_text_sent = {};  // called once Telegram accepted the text
  // Under the message (alert/buttons.h); empty for a dry run, whose records have no ids.
  InlineKeyboard buttons = {};
};

// Where messages go: Telegram, or a directory (dry run / no token).
class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // Telegram's id of the message that carries the buttons (0 if none: a
  // directory), so a press can be traced back to the alerts it carried.
  virtual Result<std::int64_t> deliver(const AlertMessage& message) = 0;
};

// Photo with the text as caption (text alone without a chart); a text too long
// for a caption goes first as a message (unless `text_sent`), then the photo.
// The buttons go on the last of them.
std::unique_ptr<AlertSink> make_telegram_alert_sink(Telegram& telegram);
// alert-<metric>[-<slice>]-<YYYYmmdd-HHMM>-<action>.html/.png in `dir`.
std::unique_ptr<AlertSink> make_directory_alert_sink(const std::string& dir,
                                                     const date::time_zone* zone);

struct AlertRunReport {
  EpochSeconds bucket = 0;
  int checked = 0;
  int fired = 0, repeated = 0, resolved = 0;
  // Counted per alert (one message may carry several: alert/incident.h):
  int delivered = 0;     // alerts that went out in this run, resent ones included
  int resent = 0;        // of those, left undelivered by an earlier run
  int undelivered = 0;   // alerts whose message failed or that were held behind one
  int messages = 0;      // messages that went out
  int silenced = 0;      // actions a silence held back (alert/silence.h)
  std::vector<std::string> failures;   // one line each (also store errors)
};

struct AlertRunOptions {
  EpochSeconds at = 0;          // evaluate the last complete bucket before this instant
  bool dry_run = false;         // deliver to the sink but keep no state (and no lock)
  bool evaluate = true;         // false: only send what earlier runs left undelivered
  std::chrono::milliseconds lock_wait = kAlertLockWait;  // for a run that holds the state
};

// `now` (the wall clock, epoch seconds) stamps the records' recorded_at: cli
// passes the system clock, tests a fixed one.
Result<AlertRunReport> run_alerts(ClickHouse& clickhouse, const Config& config,
                                  const date::time_zone* zone, AlertStore& store, AlertSink& sink,
                                  const chart::Renderer& render, const AlertRunOptions& options,
                                  const std::function<EpochSeconds()>& now);

// "3 series checked, 1 fired, 0 repeated, 0 resolved, 2 delivered (1 from an
// earlier run), 1 not delivered" (the last two parts only when not zero);
// "30 delivered in 1 message" when messages carried several alerts.
std::string alert_run_summary(const AlertRunReport& report);

// Ok when nothing failed; else one line: how many messages did not go out, the
// first reason, and that a rerun for the same time sends them.
Status alert_run_status(const AlertRunReport& report);

// The last complete bucket before `at`.
EpochSeconds last_complete_bucket(EpochSeconds at, int bucket_seconds);

}  // namespace vigil
