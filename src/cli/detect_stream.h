// `vigil detect`'s pipeline: stdin is read block by block, split into lines
// (next_line, pure), each line parsed into a
// row and placed on the bucket grid (cli/detect_input), the block judged by the
// detector (in parallel: each bucket depends only on the values before it), and the
// rows with their verdicts handed to a sink that writes them: one CSV line per row
// (cli/detect_csv's VerdictCsv) or the alert messages (cli/detect_alerts). Only the
// history the detector reads is kept, so memory does not grow with the input.
#pragma once

#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "cli/detect_input.h"
#include "detect/detector.h"

namespace vigil {

// One input row as judged.
struct DetectRow {
  std::string_view timestamp;  // as given (quotes kept), for the output
  std::string_view value;      // as given, trimmed; empty when missing
  long long bucket = 0;        // start of its bucket on the grid, seconds since the epoch
  bool filler = false;         // a bucket no row gave: judged as missing, never written
};

// Where judged rows go.
class RowSink {
 public:
  virtual ~RowSink() = default;
  // The first line of the output (with its newline).
  virtual std::string header() const = 0;
  // Whether take() may run on several threads at once, each given its own
  // consecutive part of a block (a stateless formatter); else it gets whole blocks
  // in order on one thread.
  virtual bool concurrent() const = 0;
  // Rows in input order with their verdicts; appends the text to write to `out`.
  virtual void take(std::span<const DetectRow> rows, std::span<const Verdict> verdicts,
                    std::string& out) = 0;
};

struct StreamOptions {
  bool keep_leading_zeros = false;  // cli/detect_input's LeadingZeros
  unsigned threads = 1;             // judging threads for large blocks
  std::FILE* in = stdin;            // tests read and write temporary files
  std::FILE* out = stdout;
  std::size_t read_block = 1 << 20;  // bytes read at once (grows for a longer line)
};

// One line at the start of the input buffer: its text without "\n" or "\r\n",
// and the bytes it takes with its newline.
struct BufferedLine {
  std::string_view text;
  std::size_t consumed = 0;
};

// The first line of `data` (pure). Without a '\n' in `data`, the rest is a line
// only `at_end` of the input (the last line may lack its newline); otherwise, or
// when `data` is empty, nullopt: read more.
std::optional<BufferedLine> next_line(std::string_view data, bool at_end);

// Streams options.in to options.out through `detector` and `sink`, placing rows
// with `order` (which keeps its count of snapped rows for the caller). A bad row
// is a usage error "stdin:LINE: ..." returned after the output of the rows before
// it; an I/O problem is a failure.
Status stream_detect(const Detector& detector, BucketOrder& order, RowSink& sink,
                     const StreamOptions& options);

}  // namespace vigil
