#include "cli/detect_csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include <fmt/format.h>

namespace vigil {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool equals_nocase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char c = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (c != b[i]) return false;
  }
  return true;
}

enum class ValueKind { kNumber, kMissing, kBad };

// A value field: a finite number, or missing (empty, nan, null, \N).
ValueKind parse_value(std::string_view field, double& out) {
  std::string_view v = trim(field);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = trim(v.substr(1, v.size() - 2));
  if (v.empty() || v == "\\N" || equals_nocase(v, "nan") || equals_nocase(v, "null")) {
    out = std::nan("");
    return ValueKind::kMissing;
  }
  if (v.front() == '+') v.remove_prefix(1);
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc{} || end != v.data() + v.size() || !std::isfinite(out)) {
    return ValueKind::kBad;
  }
  return ValueKind::kNumber;
}

}  // namespace

void append_number(std::string& out, double v, int significant) {
  if (std::isnan(v)) return;
  char buf[64];
  std::to_chars_result r;
  const double a = std::fabs(v);
  if (a == 0) {
    out += '0';
    return;
  }
  if (std::isinf(v) || a < 1e-6 || a >= 1e15) {
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, significant);
    out.append(buf, r.ptr);
    return;
  }
  int int_digits = 0;  // digits before the point, or minus the leading zeros after it
  if (a >= 1) {
    for (double p = 1; a >= p * 10 && int_digits < 15; p *= 10) ++int_digits;
    ++int_digits;
  } else {
    for (double p = 0.1; a < p && int_digits > -8; p /= 10) --int_digits;
  }
  const int decimals = std::max(0, significant - int_digits);
  r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  char* end = r.ptr;
  if (decimals > 0) {
    while (end[-1] == '0') --end;
    if (end[-1] == '.') --end;
  }
  out.append(buf, end);
}

Result<std::optional<DetectRow>> parse_line(std::string_view line, long line_no, double& value) {
  auto bad = [&](const std::string& why) {
    return Error::usage(fmt::format("stdin:{}: {}", line_no, why));
  };
  if (trim(line).empty()) return std::optional<DetectRow>();
  const auto comma = line.find(',');
  if (comma == std::string_view::npos) return bad("expected timestamp,value (no comma)");
  const std::string_view timestamp = line.substr(0, comma);
  const std::string_view field = line.substr(comma + 1);
  if (field.find(',') != std::string_view::npos) {
    return bad(fmt::format("expected 2 fields timestamp,value, got {}",
                           2 + std::count(field.begin(), field.end(), ',')));
  }
  const ValueKind kind = parse_value(field, value);
  if (kind == ValueKind::kBad) {
    // The first line may be a header (timestamp,value or similar).
    const std::string_view t = trim(timestamp);
    if (line_no == 1 && !t.empty() && !(t.front() >= '0' && t.front() <= '9')) {
      return std::optional<DetectRow>();
    }
    return bad(fmt::format("bad value '{}': expected a number, or empty for a missing bucket",
                           trim(field).substr(0, 40)));
  }
  if (trim(timestamp).empty()) return bad("empty timestamp");
  DetectRow row;
  row.timestamp = timestamp;
  if (kind == ValueKind::kNumber) row.value = trim(field);
  return std::optional<DetectRow>(row);
}

std::string_view bare_timestamp(std::string_view timestamp) {
  std::string_view t = trim(timestamp);
  if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = trim(t.substr(1, t.size() - 2));
  return t;
}

void VerdictCsv::take(std::span<const DetectRow> rows, std::span<const Verdict> verdicts,
                      std::string& out) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].filler) continue;
    const Verdict& v = verdicts[i];
    out.append(rows[i].timestamp);
    out += ',';
    out.append(rows[i].value);
    out += v.anomaly ? ",1," : ",0,";
    if (v.ready) append_number(out, v.score, 4);
    out += ',';
    append_number(out, v.lower);
    out += ',';
    append_number(out, v.upper);
    out += '\n';
  }
}

}  // namespace vigil
