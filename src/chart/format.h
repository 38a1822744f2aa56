// Number and label formatting shared by chart labels and the report/alert text, so a value
// reads the same in the message and on the picture. Pure, locale-independent (std::to_chars),
// ASCII-only output except the "—" shown for a missing value.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/value_format.h"

namespace vigil::chart {

// How a panel's values are written (base/value_format.h).
using ValueFormat = vigil::ValueFormat;

// Text for a missing (NaN/inf) value.
inline constexpr const char* kMissingText = "\xE2\x80\x94";  // U+2014 em dash

// Rounded to an integer with a space between thousands groups: 1234567 -> "1 234 567".
std::string format_number(double value);

// Three significant digits with a K/M/B suffix from 10 000 up: 1234567 -> "1.23M",
// 20134 -> "20.1K", 987 -> "987". For when the full number does not fit.
std::string format_compact(double value);

// A fraction as percent: 0.045 -> "4.5%" (decimals after the point, default 1).
std::string format_percent(double fraction, int decimals = 1);

// A ratio with fixed decimals: 1.0234 -> "1.02".
std::string format_ratio(double value, int decimals = 2);

// The full form of a value in the given format (format_number / format_percent / format_ratio).
std::string format_value(double value, ValueFormat format);

// The same with `decimals` digits for kPercent/kRatio (kInteger ignores it).
std::string format_value(double value, ValueFormat format, int decimals);

// The short form: compact for integers, the same as format_value otherwise.
std::string format_value_short(double value, ValueFormat format, int decimals);

// Decimals for labels of values that spread over `spread` (max - min), so neighbours that
// differ read differently (CTR 4.496% vs 4.505% -> "4.50%", "4.51%"): the format's default
// (percent 1, ratio 2) or more, at most 4.
int decimals_for_spread(double spread, ValueFormat format);

// Labels for evenly spaced axis ticks, all in one unit and with just enough decimals to tell
// them apart: {1.8e6, 1.9e6, 2e6} -> "1.8M", "1.9M", "2.0M"; {18000, 19000} -> "18 000",
// "19 000"; percent {0.0445, 0.045} -> "4.45%", "4.50%".
std::vector<std::string> format_ticks(const std::vector<double>& ticks, ValueFormat format);

// "Mon 18.11": the x label of a day in the 7-day report charts.
std::string day_label(std::chrono::year_month_day day);

// X labels for `count` buckets of `bucket_minutes` from midnight: "HH:00" on whole hours, ""
// between ("00:00", "", "", "", "01:00", ...); the layout thins them to a readable step
// (every 3 hours on a 1280 px chart of 96 quarter-hours).
std::vector<std::string> time_of_day_labels(int count, int bucket_minutes);

}  // namespace vigil::chart
