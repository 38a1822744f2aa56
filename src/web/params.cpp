#include "web/params.h"

#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/strings.h"
#include "config/config.h"

namespace vigil {
namespace {

// Parameter values are echoed in messages: keep them short.
std::string shown(const std::string& value) {
  return value.size() > 40 ? std::string(utf8_prefix(value, 40)) + "..." : value;
}

bool two_digits(const std::string& text, size_t at, int& out) {
  if (!std::isdigit(static_cast<unsigned char>(text[at])) ||
      !std::isdigit(static_cast<unsigned char>(text[at + 1]))) {
    return false;
  }
  out = (text[at] - '0') * 10 + (text[at + 1] - '0');
  return true;
}

}  // namespace

std::optional<std::string> param(const QueryParams& params, const std::string& name) {
  std::optional<std::string> value;
  const auto [first, last] = params.equal_range(name);
  for (auto it = first; it != last; ++it) {
    if (!it->second.empty()) value = it->second;
  }
  return value;
}

Result<Days> day_param(const QueryParams& params, const std::string& name, Days fallback) {
  const auto text = param(params, name);
  if (!text) return fallback;
  auto day = parse_date(*text);
  const date::year year = date::year_month_day(day.ok() ? *day : Days{}).year();
  if (!day.ok() || text->size() != 10 || year < date::year{1971} || year > date::year{2099}) {
    return Error::usage(fmt::format("{}: '{}' is not a date: use YYYY-MM-DD, e.g. {}", name,
                                    shown(*text), format_date(fallback)));
  }
  return *day;
}

Result<std::string> metric_param(const QueryParams& params, const std::string& fallback) {
  const auto text = param(params, "metric");
  if (!text) {
    if (!fallback.empty()) return fallback;
    return Error::usage(fmt::format("metric: missing: give one of {}", fmt::join(alert_metric_names(), ", ")));
  }
  for (const auto& name : alert_metric_names()) {
    if (name == *text) return name;
  }
  return Error::usage(fmt::format("metric: unknown metric '{}': use one of {}", shown(*text),
                                  fmt::join(alert_metric_names(), ", ")));
}

Result<std::optional<int>> time_param(const QueryParams& params, int bucket_minutes) {
  const auto text = param(params, "time");
  if (!text) return std::optional<int>{};
  int hours = -1, minutes = -1;
  const bool shaped = text->size() == 5 && (*text)[2] == ':' && two_digits(*text, 0, hours) &&
                      two_digits(*text, 3, minutes);
  if (!shaped || hours < 0 || hours > 23 || minutes < 0 || minutes > 59) {
    return Error::usage(fmt::format("time: '{}' is not a time: use HH:MM, e.g. 09:45", shown(*text)));
  }
  if (minutes % bucket_minutes != 0) {
    return Error::usage(fmt::format("time: {} is not the start of a {}-minute bucket", *text,
                                    bucket_minutes));
  }
  return std::optional<int>{hours * 60 + minutes};
}

Result<std::string> slice_param(const QueryParams& params) {
  const auto text = param(params, "slice");
  if (!text) return std::string();
  const auto eq = text->find('=');
  const std::string dimension = text->substr(0, eq);
  const bool known = dimension == "os" || dimension == "gender" || dimension == "age";
  if (eq == std::string::npos || !known || eq + 1 == text->size() || text->size() > 80) {
    return Error::usage(fmt::format(
        "slice: '{}' is not a slice: use os=<os>, gender=<code> or age=<bucket> (e.g. os=iOS), "
        "or leave it out for all users",
        shown(*text)));
  }
  return *text;
}

Result<std::string> choice_param(const QueryParams& params, const std::string& name,
                                 const std::vector<std::string>& choices,
                                 const std::string& fallback) {
  const auto text = param(params, name);
  if (!text) return fallback;
  for (const auto& choice : choices) {
    if (choice == *text) return choice;
  }
  return Error::usage(
      fmt::format("{}: '{}' is not allowed: use one of {}", name, shown(*text), fmt::join(choices, ", ")));
}

Status check_utf8(const QueryParams& params) {
  for (const auto& [name, value] : params) {
    if (!valid_utf8(name) || !valid_utf8(value)) {
      return Error::usage(fmt::format("a query parameter{} is not valid UTF-8: percent-encode "
                                      "UTF-8 text",
                                      valid_utf8(name) ? " (" + shown(name) + ")" : ""));
    }
  }
  return {};
}

Result<int> int_param(const QueryParams& params, const std::string& name, int fallback, int low,
                      int high) {
  const auto text = param(params, name);
  if (!text) return fallback;
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size() || value < low || value > high) {
    return Error::usage(
        fmt::format("{}: '{}' is not a number from {} to {}", name, shown(*text), low, high));
  }
  return value;
}

}  // namespace vigil
