// The text of `vigil detect` (pure): an input line as a row and its value, and the
// numbers and lines of the output.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "cli/detect_stream.h"

namespace vigil {

// One input line as a row (bucket not set) and its value (NaN when missing: empty,
// nan, null, \N); nullopt for a blank line or a first-line header. A bad line is a
// usage error "stdin:LINE: ...".
Result<std::optional<DetectRow>> parse_line(std::string_view line, long line_no, double& value);

// The timestamp's text without blanks and CSV quotes, for parsing.
std::string_view bare_timestamp(std::string_view timestamp);

// Appends `v` with about `significant` digits, without an exponent for ordinary
// magnitudes; nothing for NaN.
void append_number(std::string& out, double v, int significant = 7);

// The default output: `timestamp,value,is_anomaly,score,lower,upper` per row given,
// timestamp and value as in the input, score empty when the detector could not judge.
class VerdictCsv : public RowSink {
 public:
  std::string header() const override { return "timestamp,value,is_anomaly,score,lower,upper\n"; }
  bool concurrent() const override { return true; }
  void take(std::span<const DetectRow> rows, std::span<const Verdict> verdicts,
            std::string& out) override;
};

}  // namespace vigil
