// Alert messages (Telegram HTML), pure: what fired, the value, the expected
// band, the deviation, the bucket time in the business zone and the link.
#pragma once

#include <string>

#include "alert/state.h"
#include "chart/format.h"
#include "base/time.h"
#include "config/metric_catalog.h"  // metric_title, metric_format

namespace vigil {

struct AlertMessageInput {
  Evaluation evaluation;
  AlertAction action = AlertAction::kFire;
  EpochSeconds fired_at = 0;       // bucket that started the alert (repeat, resolve)
  int bucket_seconds = 900;
  const date::time_zone* zone = nullptr;
  std::string dashboard_url;       // with {metric}, {slice}, {date}, {time}; "" = no link
  std::string where;               // HTML line saying which slices carry the change (alert/where.h)
  std::string more;                // the incident's other alerts, before the link (alert/incident.h)
};

// The value as people read it, in the metric's format (config/metric_catalog.h):
// counts grouped, CTR as a percent with 2 decimals; "no data" if not finite.
std::string metric_value_text(const std::string& metric, double value);

std::string alert_html(const AlertMessageInput& input);

// The dashboard link for this alert ({metric}, {slice} URL-encoded ("" = all
// users), {date} YYYY-MM-DD and {time} HH:MM of the bucket, in the business zone).
std::string alert_link(const std::string& url_template, const std::string& metric,
                       const std::string& slice, EpochSeconds bucket,
                       const date::time_zone* zone);

}  // namespace vigil
