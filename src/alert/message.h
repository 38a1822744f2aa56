// Alert messages (Telegram HTML), pure: what fired, the value, the expected
// band, the deviation, the bucket time in the business zone and the link.
#pragma once

#include <string>

#include "alert/state.h"
#include "chart/format.h"
#include "base/time.h"

namespace vigil {

struct AlertMessageInput {
  Evaluation evaluation;
  AlertAction action = AlertAction::kFire;
  EpochSeconds fired_at = 0;       // bucket that started the alert (repeat, resolve)
  int bucket_seconds = 900;
  const date::time_zone* zone = nullptr;
  std::string dashboard_url;       // with {metric}, {slice}, {date}, {time}; "" = no link
};

// "Feed active users", "CTR", "Senders / receivers", ... for a metric name
// (the alert metrics and the report's sent_received_ratio).
std::string metric_title(const std::string& metric);

// How a metric's values are written: CTR as a percent, sent_received_ratio as
// a ratio, the rest as counts.
chart::ValueFormat metric_format(const std::string& metric);

// The value as people read it: counts grouped, CTR as a percent with 2 decimals.
std::string metric_value_text(const std::string& metric, double value);

std::string alert_html(const AlertMessageInput& input);

// The dashboard link for this alert ({metric}, {slice} URL-encoded ("" = all
// users), {date} YYYY-MM-DD and {time} HH:MM of the bucket, in the business zone).
std::string alert_link(const std::string& url_template, const std::string& metric,
                       const std::string& slice, EpochSeconds bucket,
                       const date::time_zone* zone);

}  // namespace vigil
