// `vigil detect`: streams a `timestamp,value` CSV from stdin through a detector and
// writes `timestamp,value,is_anomaly,score,lower,upper` to stdout. Timestamps must
// rise bucket by bucket on the --interval-minutes grid (cli/detect_input); a skipped
// bucket, or an empty value, is a missing bucket, and so are the zeros before the
// first non-zero value (no data yet; --keep-leading-zeros reads them as values:
// cli/detect_input's LeadingZeros). Timestamps and values are copied
// through as given. Only the history the detector reads is kept, so memory does not
// grow with the input. No config, no ClickHouse.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "base/log.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "cli/detect_input.h"
#include "detect/detector.h"

namespace vigil {
namespace {

constexpr std::size_t kReadBlock = 1 << 20;
constexpr std::size_t kWriteBlock = 4 << 20;
// Blocks with fewer rows are judged on one thread.
constexpr std::size_t kParallelRows = 4096;

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

struct Row {
  std::string_view timestamp;
  std::string_view value;  // as given, trimmed; empty when missing
  bool filler = false;     // a bucket no row gave: judged as missing, not written
};

// One input line as a row and its value; nullopt for a blank line or a header. A bad
// line is a usage error "stdin:LINE: ...".
Result<std::optional<Row>> parse_line(std::string_view line, long line_no, double& value) {
  auto bad = [&](const std::string& why) {
    return Error::usage(fmt::format("stdin:{}: {}", line_no, why));
  };
  if (trim(line).empty()) return std::optional<Row>();
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
      return std::optional<Row>();
    }
    return bad(fmt::format("bad value '{}': expected a number, or empty for a missing bucket",
                           trim(field).substr(0, 40)));
  }
  if (trim(timestamp).empty()) return bad("empty timestamp");
  return std::optional<Row>(
      Row{timestamp, kind == ValueKind::kNumber ? trim(field) : std::string_view{}});
}

// The timestamp's text without blanks and CSV quotes, for parsing.
std::string_view bare(std::string_view timestamp) {
  std::string_view t = trim(timestamp);
  if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = trim(t.substr(1, t.size() - 2));
  return t;
}

// Formats rows [begin, end) of a block with their verdicts.
void format_rows(const std::vector<Row>& rows, const std::vector<Verdict>& verdicts,
                 std::size_t begin, std::size_t end, std::string& out) {
  for (std::size_t i = begin; i < end; ++i) {
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

// Streams stdin to stdout block by block: parse the complete lines read so far, judge
// them (in parallel: each bucket depends only on the values before it), write them.
// Returns an error for a bad row (after writing the rows before it) or an I/O failure.
Status stream(const Detector& detector, int interval_minutes, bool keep_leading_zeros,
              unsigned threads) {
  const std::size_t needed = detector.history_needed();
  // series: the last `needed` values (or fewer at the start), then the current block.
  std::vector<double> series;
  std::vector<Row> rows;
  std::vector<Verdict> verdicts;
  std::vector<std::string> outs(threads);
  for (auto& o : outs) o.reserve(kWriteBlock);
  auto write = [](const std::string& text) -> Status {
    if (!text.empty() && std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
      return Error::failure(fmt::format("writing stdout: {}", std::strerror(errno)));
    }
    return {};
  };
  VIGIL_TRY(write("timestamp,value,is_anomaly,score,lower,upper\n"));

  std::vector<char> buf(kReadBlock);
  std::size_t filled = 0;  // bytes in buf not yet consumed, from its start
  long line_no = 0;
  bool eof = false;
  std::optional<Error> bad_row;
  BucketOrder order(interval_minutes);
  LeadingZeros leading(keep_leading_zeros);
  while (!eof && !bad_row) {
    const std::size_t got = std::fread(buf.data() + filled, 1, buf.size() - filled, stdin);
    if (got == 0) {
      if (std::ferror(stdin)) {
        return Error::failure(fmt::format("reading stdin: {}", std::strerror(errno)));
      }
      eof = true;
    }
    filled += got;

    // Parse every complete line (and the last one at the end of the input).
    const std::size_t history = series.size();
    rows.clear();
    std::size_t pos = 0;
    while (pos < filled) {
      const char* start = buf.data() + pos;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', filled - pos));
      if (nl == nullptr && !eof) break;
      const char* end = nl ? nl : buf.data() + filled;
      pos = static_cast<std::size_t>(end - buf.data()) + (nl ? 1 : 0);
      ++line_no;
      std::string_view line(start, static_cast<std::size_t>(end - start));
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // BOM
      double value = 0;
      auto row = parse_line(line, line_no, value);
      if (!row.ok()) {
        bad_row = row.error();
        break;
      }
      if (!row->has_value()) continue;
      auto missing = order.next(bare((*row)->timestamp), line_no);
      if (!missing.ok()) {
        bad_row = missing.error();
        break;
      }
      // The detector reads at most `needed` values back: more missing ones change nothing.
      const long long fill = std::min<long long>(*missing, static_cast<long long>(needed));
      for (long long i = 0; i < fill; ++i) {
        rows.push_back({{}, {}, true});
        series.push_back(std::nan(""));
      }
      rows.push_back(**row);
      series.push_back(leading.admit(value));
    }
    if (!eof && !bad_row && rows.empty() && pos == 0 && filled == buf.size()) {
      buf.resize(buf.size() * 2);  // a line longer than the buffer
      continue;
    }

    // Judge and format the block, split into contiguous parts, one per thread.
    const std::size_t count = rows.size();
    verdicts.resize(count);
    auto work = [&](unsigned part, unsigned parts) {
      const std::size_t begin = count * part / parts, end = count * (part + 1) / parts;
      // Bucket i of the block is series[history + i].
      detector.evaluate_range(std::span<const double>(series.data(), history + end),
                              history + begin,
                              std::span<Verdict>(verdicts.data() + begin, end - begin));
      outs[part].clear();
      format_rows(rows, verdicts, begin, end, outs[part]);
    };
    const unsigned parts = count >= kParallelRows ? threads : 1;
    std::vector<std::thread> workers;
    unsigned spawned = 1;
    try {
      for (; spawned < parts; ++spawned) workers.emplace_back(work, spawned, parts);
    } catch (const std::system_error&) {
      // No more threads: this one does the remaining parts.
    }
    work(0, parts);
    for (unsigned t = spawned; t < parts; ++t) work(t, parts);
    for (auto& w : workers) w.join();
    for (unsigned t = 0; t < parts; ++t) VIGIL_TRY(write(outs[t]));

    // Keep only the history the detector reads, and the unfinished line.
    if (series.size() > needed) series.erase(series.begin(), series.end() - static_cast<long>(needed));
    std::memmove(buf.data(), buf.data() + pos, filled - pos);
    filled -= pos;
  }
  if (std::fflush(stdout) != 0) {
    return Error::failure(fmt::format("writing stdout: {}", std::strerror(errno)));
  }
  if (bad_row) return *bad_row;
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
  const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
  auto status = stream(**detector, options.interval_minutes, options.keep_leading_zeros, threads);
  if (!status.ok()) {
    std::fflush(stdout);
    return fail(status.error());
  }
  return 0;
}

}  // namespace vigil
