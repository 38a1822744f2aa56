// The dashboard's query parameters, checked (pure): each parser returns the
// value or a one-line message naming the parameter and what it accepts, which
// the dashboard answers with 400.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"

namespace vigil {

using QueryParams = std::multimap<std::string, std::string>;

// The last value given for `name`, if any (an empty value counts as absent).
std::optional<std::string> param(const QueryParams& params, const std::string& name);

// YYYY-MM-DD between 1971 and 2099, or `fallback` when absent.
Result<Days> day_param(const QueryParams& params, const std::string& name, Days fallback);

// One of alert_metric_names(), or `fallback` when absent ("" = required).
Result<std::string> metric_param(const QueryParams& params, const std::string& fallback);

// "HH:MM" on a bucket boundary (`bucket_minutes`) -> minutes after midnight.
Result<std::optional<int>> time_param(const QueryParams& params, int bucket_minutes);

// "" (all users) or "<dimension>=<value>" with dimension os, gender or age.
Result<std::string> slice_param(const QueryParams& params);

// One of `choices`, or `fallback` when absent.
Result<std::string> choice_param(const QueryParams& params, const std::string& name,
                                 const std::vector<std::string>& choices,
                                 const std::string& fallback);

// Every name and value is UTF-8 (they end up in JSON, HTML and chart titles).
Status check_utf8(const QueryParams& params);

// An integer in [low, high], or `fallback` when absent.
Result<int> int_param(const QueryParams& params, const std::string& name, int fallback, int low,
                      int high);

}  // namespace vigil
