// `vigil detect`: streams a `timestamp,value` CSV from stdin through a detector and
// writes `timestamp,value,is_anomaly,score,lower,upper` to stdout. Rows are taken as
// consecutive buckets of --interval-minutes (an empty value marks a missing bucket);
// timestamps and values are copied through as given. Only the history the detector
// reads is kept, so memory does not grow with the input. No config, no ClickHouse.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "base/log.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "detect/detector.h"

namespace vigil {
namespace {

constexpr std::size_t kReadBlock = 1 << 20;
constexpr std::size_t kWriteBlock = 1 << 20;

Result<DetectorParams> parse_params(const std::vector<std::string>& texts) {
  DetectorParams params;
  for (const auto& text : texts) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error::usage(fmt::format("--param '{}': expected name=value", text));
    }
    const std::string key = text.substr(0, eq);
    if (params.count(key)) return Error::usage(fmt::format("--param {} given twice", key));
    params[key] = text.substr(eq + 1);
  }
  return params;
}

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

// Appends `v` with about 7 significant digits, without an exponent for ordinary
// magnitudes; nothing for NaN.
void append_number(std::string& out, double v, int significant = 7) {
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

// Streams stdin to stdout; returns an error for a bad row or a write failure.
Status stream(const Detector& detector) {
  const std::size_t needed = detector.history_needed();
  // History: the last `needed` values at the end of `history`, compacted now and then.
  std::vector<double> history;
  const std::size_t capacity = needed + std::max<std::size_t>(needed, 1 << 16);
  history.reserve(capacity);

  std::string out;
  out.reserve(kWriteBlock + 4096);
  out += "timestamp,value,is_anomaly,score,lower,upper\n";
  auto flush = [&]() -> Status {
    if (!out.empty() && std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) {
      return Error::failure(fmt::format("writing stdout: {}", std::strerror(errno)));
    }
    out.clear();
    return {};
  };

  std::vector<char> buf(kReadBlock);
  std::size_t filled = 0;  // bytes in buf not yet consumed, from its start
  long line_no = 0;
  bool eof = false;
  while (!eof) {
    const std::size_t got = std::fread(buf.data() + filled, 1, buf.size() - filled, stdin);
    if (got == 0) {
      if (std::ferror(stdin)) {
        return Error::failure(fmt::format("reading stdin: {}", std::strerror(errno)));
      }
      eof = true;
    }
    filled += got;
    std::size_t pos = 0;
    while (pos < filled) {
      const char* start = buf.data() + pos;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', filled - pos));
      if (nl == nullptr && !eof) {
        if (pos == 0 && filled == buf.size()) buf.resize(buf.size() * 2);  // a huge line
        break;
      }
      const char* end = nl ? nl : buf.data() + filled;
      pos = static_cast<std::size_t>(end - buf.data()) + (nl ? 1 : 0);
      ++line_no;
      std::string_view line(start, static_cast<std::size_t>(end - start));
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (trim(line).empty()) continue;

      auto bad = [&](const std::string& why) {
        return Error::usage(fmt::format("stdin:{}: {}", line_no, why));
      };
      const auto comma = line.find(',');
      if (comma == std::string_view::npos) {
        return bad("expected timestamp,value (no comma)");
      }
      const std::string_view timestamp = line.substr(0, comma);
      const std::string_view field = line.substr(comma + 1);
      if (field.find(',') != std::string_view::npos) {
        return bad(fmt::format("expected 2 fields timestamp,value, got {}",
                               2 + std::count(field.begin(), field.end(), ',')));
      }
      double value = 0;
      const ValueKind kind = parse_value(field, value);
      if (kind == ValueKind::kBad) {
        // The first line may be a header (timestamp,value or similar).
        const std::string_view t = trim(timestamp);
        if (line_no == 1 && !t.empty() && !(t.front() >= '0' && t.front() <= '9')) continue;
        std::string shown(trim(field).substr(0, 40));
        return bad(fmt::format("bad value '{}': expected a number, or empty for a missing bucket",
                               shown));
      }
      if (trim(timestamp).empty()) return bad("empty timestamp");

      const std::size_t have = std::min(history.size(), needed);
      const Verdict v = detector.evaluate(
          std::span<const double>(history.data() + history.size() - have, have), value);

      out.append(timestamp.data(), timestamp.size());
      out += ',';
      if (kind == ValueKind::kNumber) out.append(trim(field));
      out += v.anomaly ? ",1," : ",0,";
      if (v.ready) append_number(out, v.score, 4);
      out += ',';
      append_number(out, v.lower);
      out += ',';
      append_number(out, v.upper);
      out += '\n';
      if (out.size() >= kWriteBlock) VIGIL_TRY(flush());

      if (history.size() == capacity) {
        std::copy(history.end() - static_cast<long>(needed), history.end(), history.begin());
        history.resize(needed);
      }
      history.push_back(value);
    }
    // Keep the unfinished line at the front of the buffer.
    std::memmove(buf.data(), buf.data() + pos, filled - pos);
    filled -= pos;
  }
  VIGIL_TRY(flush());
  if (std::fflush(stdout) != 0) {
    return Error::failure(fmt::format("writing stdout: {}", std::strerror(errno)));
  }
  return {};
}

}  // namespace

int run_detect(const GlobalOptions& global, const DetectOptions& options) {
  init_logging(global.quiet ? Verbosity::kQuiet
                            : (global.verbose ? Verbosity::kVerbose : Verbosity::kNormal));
  if (options.interval_minutes < 1 || options.interval_minutes > 1440 ||
      1440 % options.interval_minutes != 0) {
    return fail(Error::usage(fmt::format(
        "--interval-minutes {}: expected a divisor of 1440 (a day), e.g. 15",
        options.interval_minutes)));
  }
  auto params = parse_params(options.params);
  if (!params.ok()) return fail(params.error());
  auto detector = make_detector(options.method, *params, 1440 / options.interval_minutes);
  if (!detector.ok()) return fail(detector.error());
  auto status = stream(**detector);
  if (!status.ok()) {
    std::fflush(stdout);
    return fail(status.error());
  }
  return 0;
}

}  // namespace vigil
