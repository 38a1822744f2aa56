#include "chart/format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace vigil::chart {
namespace {

// `value` with `decimals` digits after the point, never "-0".
std::string fixed(double value, int decimals) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, decimals);
  if (ec != std::errc()) return kMissingText;
  std::string text(buf, end);
  if (text.front() == '-' && text.find_first_not_of("-0.") == std::string::npos) text.erase(0, 1);
  return text;
}

// Inserts a space between groups of three digits of the integer part.
std::string group_thousands(const std::string& digits) {
  std::size_t start = digits.front() == '-' ? 1 : 0;
  std::size_t int_end = digits.find('.');
  if (int_end == std::string::npos) int_end = digits.size();
  std::string out = digits.substr(0, start);
  for (std::size_t i = start; i < int_end; ++i) {
    if (i > start && (int_end - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return out + digits.substr(int_end);
}

// Digits after the point needed to tell multiples of `step` apart.
int decimals_for_step(double step) {
  if (!(step > 0) || !std::isfinite(step)) return 0;
  int decimals = static_cast<int>(std::ceil(-std::log10(step) - 1e-6));
  return std::max(0, std::min(decimals, 12));
}

}  // namespace

std::string format_number(double value) {
  if (!std::isfinite(value)) return kMissingText;
  return group_thousands(fixed(std::round(value), 0));
}

std::string format_compact(double value) {
  if (!std::isfinite(value)) return kMissingText;
  static constexpr const char* kSuffixes[] = {"", "K", "M", "B", "T"};
  double magnitude = std::fabs(value);
  if (std::round(magnitude) < 10000) return format_number(value);
  int unit = 0;
  double scaled = magnitude;
  while (scaled >= 1000 && unit < 4) {
    scaled /= 1000;
    ++unit;
  }
  // Three significant digits; rounding may carry into the next unit (999 999 -> "1.00M").
  int decimals = scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2;
  double rounded = std::round(scaled * std::pow(10, decimals)) / std::pow(10, decimals);
  if (rounded >= 1000 && unit < 4) {
    rounded /= 1000;
    ++unit;
    decimals = 2;
  }
  std::string sign = value < 0 ? "-" : "";
  return sign + fixed(rounded, decimals) + kSuffixes[unit];
}

std::string format_percent(double fraction, int decimals) {
  if (!std::isfinite(fraction)) return kMissingText;
  return fixed(fraction * 100, decimals) + "%";
}

std::string format_ratio(double value, int decimals) {
  if (!std::isfinite(value)) return kMissingText;
  return fixed(value, decimals);
}

std::string format_value(double value, ValueFormat format) {
  return format_value(value, format, format == ValueFormat::kPercent ? 1 : 2);
}

std::string format_value(double value, ValueFormat format, int decimals) {
  switch (format) {
    case ValueFormat::kInteger: return format_number(value);
    case ValueFormat::kPercent: return format_percent(value, decimals);
    case ValueFormat::kRatio: return format_ratio(value, decimals);
  }
  return format_number(value);
}

std::string format_value_short(double value, ValueFormat format, int decimals) {
  return format == ValueFormat::kInteger ? format_compact(value)
                                         : format_value(value, format, decimals);
}

int decimals_for_spread(double spread, ValueFormat format) {
  if (format == ValueFormat::kInteger) return 0;
  int base = format == ValueFormat::kPercent ? 1 : 2;
  double unit = format == ValueFormat::kPercent ? spread * 100 : spread;
  if (!(unit > 0) || !std::isfinite(unit)) return base;
  return std::clamp(decimals_for_step(unit / 5), base, 4);
}

std::vector<std::string> format_ticks(const std::vector<double>& ticks, ValueFormat format) {
  double step = ticks.size() > 1 ? std::fabs(ticks[1] - ticks[0]) : 1;
  double largest = 0;
  for (double t : ticks) largest = std::max(largest, std::fabs(t));
  std::vector<std::string> out;
  for (double t : ticks) {
    if (!std::isfinite(t)) {
      out.emplace_back(kMissingText);
    } else if (format == ValueFormat::kPercent) {
      out.push_back(format_percent(t, decimals_for_step(step * 100)));
    } else if (format == ValueFormat::kRatio) {
      out.push_back(format_ratio(t, decimals_for_step(step)));
    } else if (largest >= 1e6 && step >= 1e4) {
      double unit = largest >= 1e9 && step >= 1e7 ? 1e9 : 1e6;
      out.push_back(t == 0 ? "0" : fixed(t / unit, decimals_for_step(step / unit)) +
                                       (unit == 1e9 ? "B" : "M"));
    } else {
      out.push_back(group_thousands(fixed(t, decimals_for_step(step))));
    }
  }
  return out;
}

std::string day_label(std::chrono::year_month_day day) {
  static constexpr const char* kNames[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  std::chrono::weekday weekday{std::chrono::sys_days{day}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s %02u.%02u", kNames[weekday.c_encoding() % 7],
                static_cast<unsigned>(day.day()), static_cast<unsigned>(day.month()));
  return buf;
}

std::vector<std::string> time_of_day_labels(int count, int bucket_minutes) {
  std::vector<std::string> labels;
  for (int i = 0; i < count; ++i) {
    int minutes = (i * bucket_minutes) % (24 * 60);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:00", minutes / 60);
    labels.emplace_back(minutes % 60 == 0 ? buf : "");
  }
  return labels;
}

}  // namespace vigil::chart
