#include "cli/detect_stream.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "cli/detect_csv.h"

namespace vigil {
namespace {

constexpr std::size_t kWriteBlock = 4 << 20;
// Blocks with fewer rows are judged on one thread.
constexpr std::size_t kParallelRows = 4096;

Status write_out(std::FILE* out, const std::string& text) {
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
    return Error::failure(fmt::format("writing stdout: {}", std::strerror(errno)));
  }
  return {};
}

class DetectStream {
 public:
  DetectStream(const Detector& detector, BucketOrder& order, RowSink& sink,
               const StreamOptions& options)
      : detector_(detector), order_(order), sink_(sink), threads_(std::max(options.threads, 1u)),
        needed_(detector.history_needed()), leading_(options.keep_leading_zeros),
        in_(options.in), out_(options.out), outs_(threads_),
        buf_(std::max<std::size_t>(options.read_block, 1)) {
    for (auto& o : outs_) o.reserve(kWriteBlock);
  }

  Status run() {
    VIGIL_TRY(write_out(out_, sink_.header()));
    while (!eof_ && !bad_row_) {
      VIGIL_TRY(read_more());
      const std::size_t history = series_.size();
      rows_.clear();
      const std::size_t used = parse_lines();
      if (!eof_ && !bad_row_ && rows_.empty() && used == 0 && filled_ == buf_.size()) {
        buf_.resize(buf_.size() * 2);  // a line longer than the buffer
        continue;
      }
      VIGIL_TRY(judge_and_write(history));
      // Keep only the history the detector reads, and the unfinished line.
      if (series_.size() > needed_) {
        series_.erase(series_.begin(), series_.end() - static_cast<long>(needed_));
      }
      std::memmove(buf_.data(), buf_.data() + used, filled_ - used);
      filled_ -= used;
    }
    if (std::fflush(out_) != 0) {
      return Error::failure(fmt::format("writing stdout: {}", std::strerror(errno)));
    }
    if (bad_row_) return *bad_row_;
    return {};
  }

 private:
  Status read_more() {
    const std::size_t got = std::fread(buf_.data() + filled_, 1, buf_.size() - filled_, in_);
    if (got == 0) {
      if (std::ferror(in_)) {
        return Error::failure(fmt::format("reading stdin: {}", std::strerror(errno)));
      }
      eof_ = true;
    }
    filled_ += got;
    return {};
  }

  // Parses every complete line in the buffer (and the last one at the end of the
  // input) into rows_ and series_; stops at a bad row. Returns the bytes used.
  std::size_t parse_lines() {
    std::size_t pos = 0;
    while (auto next = next_line(std::string_view(buf_.data() + pos, filled_ - pos), eof_)) {
      pos += next->consumed;
      std::string_view line = next->text;
      if (++line_no_ == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // BOM
      if (auto status = add_line(line); !status.ok()) {
        bad_row_ = status.error();
        break;
      }
    }
    return pos;
  }

  Status add_line(std::string_view line) {
    double value = 0;
    auto row = parse_line(line, line_no_, value);
    if (!row.ok()) return row.error();
    if (!row->has_value()) return {};
    auto place = order_.next(bare_timestamp((*row)->timestamp), line_no_);
    if (!place.ok()) return place.error();
    // The detector reads at most `needed` values back: more missing ones change nothing.
    const long long fill = std::min<long long>(place->missing, static_cast<long long>(needed_));
    for (long long i = fill; i > 0; --i) {
      DetectRow filler;
      filler.filler = true;
      filler.bucket = place->bucket - i * order_.interval_seconds();
      rows_.push_back(filler);
      series_.push_back(std::nan(""));
    }
    (*row)->bucket = place->bucket;
    rows_.push_back(**row);
    series_.push_back(leading_.admit(value));
    return {};
  }

  // Judges the block's rows (bucket i of the block is series_[history + i]) and writes
  // what the sink makes of them.
  Status judge_and_write(std::size_t history) {
    const std::size_t count = rows_.size();
    verdicts_.resize(count);
    const bool concurrent = sink_.concurrent();
    auto work = [&](unsigned part, unsigned parts) {
      const std::size_t begin = count * part / parts, end = count * (part + 1) / parts;
      detector_.evaluate_range(std::span<const double>(series_.data(), history + end),
                               history + begin,
                               std::span<Verdict>(verdicts_.data() + begin, end - begin));
      outs_[part].clear();
      if (concurrent) {
        sink_.take(std::span<const DetectRow>(rows_).subspan(begin, end - begin),
                   std::span<const Verdict>(verdicts_).subspan(begin, end - begin), outs_[part]);
      }
    };
    const unsigned parts = count >= kParallelRows ? threads_ : 1;
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
    if (!concurrent) sink_.take(rows_, verdicts_, outs_[0]);
    for (unsigned t = 0; t < parts; ++t) VIGIL_TRY(write_out(out_, outs_[t]));
    return {};
  }

  const Detector& detector_;
  BucketOrder& order_;
  RowSink& sink_;
  const unsigned threads_;
  const std::size_t needed_;
  LeadingZeros leading_;
  std::FILE* const in_;
  std::FILE* const out_;
  // The last needed_ values (or fewer at the start), then the current block.
  std::vector<double> series_;
  std::vector<DetectRow> rows_;  // the current block
  std::vector<Verdict> verdicts_;
  std::vector<std::string> outs_;  // text per judging thread
  std::vector<char> buf_;
  std::size_t filled_ = 0;  // bytes in buf_ not yet consumed, from its start
  long line_no_ = 0;
  bool eof_ = false;
  std::optional<Error> bad_row_;
};

}  // namespace

std::optional<BufferedLine> next_line(std::string_view data, bool at_end) {
  if (data.empty()) return std::nullopt;
  const std::size_t nl = data.find('\n');
  if (nl == std::string_view::npos && !at_end) return std::nullopt;
  BufferedLine line{data.substr(0, nl), nl == std::string_view::npos ? data.size() : nl + 1};
  if (!line.text.empty() && line.text.back() == '\r') line.text.remove_suffix(1);
  return line;
}

Status stream_detect(const Detector& detector, BucketOrder& order, RowSink& sink,
                     const StreamOptions& options) {
  return DetectStream(detector, order, sink, options).run();
}

}  // namespace vigil
