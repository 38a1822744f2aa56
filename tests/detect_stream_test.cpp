// cli/detect_stream: `vigil detect`'s pipeline on its own, over temporary files
// instead of stdin and stdout: lines split from the read buffer (next_line),
// rows placed with fillers for skipped buckets, a bad row after the output
// before it, and the same output whatever the number of judging threads.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli/detect_csv.h"
#include "cli/detect_stream.h"

namespace vigil {
namespace {

TEST(NextLine, SplitsCompleteLinesAndTheLastOneOnlyAtTheEnd) {
  auto first = next_line("a,1\nb,2", false);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->text, "a,1");
  EXPECT_EQ(first->consumed, 4u);
  EXPECT_FALSE(next_line("b,2", false).has_value());  // more may come
  auto last = next_line("b,2", true);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->text, "b,2");
  EXPECT_EQ(last->consumed, 3u);
  EXPECT_FALSE(next_line("", true).has_value());
  auto crlf = next_line("a,1\r\nb", false);
  ASSERT_TRUE(crlf.has_value());
  EXPECT_EQ(crlf->text, "a,1");
  EXPECT_EQ(crlf->consumed, 5u);
  auto blank = next_line("\n", false);
  ASSERT_TRUE(blank.has_value());
  EXPECT_EQ(blank->text, "");
  EXPECT_EQ(blank->consumed, 1u);
  EXPECT_EQ(next_line("x\r", true)->text, "x");
}

// Runs the pipeline over `input` with an iqr detector on 15-minute buckets.
struct Streamed {
  std::string output;
  Status status;
};

Streamed run_stream(const std::string& input, RowSink& sink, unsigned threads = 1,
               std::size_t read_block = 1 << 20) {
  std::FILE* in = std::tmpfile();
  std::FILE* out = std::tmpfile();
  std::fwrite(input.data(), 1, input.size(), in);
  std::rewind(in);
  auto detector = make_detector("iqr", {}, 96);
  EXPECT_TRUE(detector.ok());
  BucketOrder order(15);
  StreamOptions options;
  options.threads = threads;
  options.in = in;
  options.out = out;
  options.read_block = read_block;
  Streamed run{"", stream_detect(**detector, order, sink, options)};
  std::rewind(out);
  char chunk[4096];
  std::size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, out)) > 0) run.output.append(chunk, got);
  std::fclose(in);
  std::fclose(out);
  return run;
}

// Writes "bucket filler timestamp" per row, whole blocks on one thread.
class RecordingSink : public RowSink {
 public:
  std::string header() const override { return "rows\n"; }
  bool concurrent() const override { return false; }
  void take(std::span<const DetectRow> rows, std::span<const Verdict>,
            std::string& out) override {
    for (const DetectRow& row : rows) {
      out += fmt::format("{} {} {}\n", row.bucket, row.filler ? "filler" : "row", row.timestamp);
    }
  }
};

TEST(StreamDetect, ABomCrLfLongLinesAndALastLineWithoutNewline) {
  VerdictCsv csv;
  // A read block shorter than a line: the buffer grows instead of cutting it.
  const Streamed run = run_stream(
      "\xEF\xBB\xBFtimestamp,value\r\n2026-03-09 00:00,1\r\n2026-03-09 00:15,2", csv, 1, 8);
  ASSERT_TRUE(run.status.ok()) << run.status.error().message;
  EXPECT_EQ(run.output,
            "timestamp,value,is_anomaly,score,lower,upper\n"
            "2026-03-09 00:00,1,0,,,\n"
            "2026-03-09 00:15,2,0,,,\n");
}

TEST(StreamDetect, SkippedBucketsAreJudgedAsMissingButNotWritten) {
  RecordingSink sink;
  const Streamed run = run_stream("1773014400,1\n1773018000,2\n", sink);
  ASSERT_TRUE(run.status.ok()) << run.status.error().message;
  EXPECT_EQ(run.output,
            "rows\n"
            "1773014400 row 1773014400\n"
            "1773015300 filler \n"
            "1773016200 filler \n"
            "1773017100 filler \n"
            "1773018000 row 1773018000\n");
}

TEST(StreamDetect, ABadRowStopsAfterTheRowsBeforeIt) {
  RecordingSink sink;
  const Streamed run = run_stream("1773014400,1\n1773015300,2\nnot a time,3\n1773016200,4\n", sink);
  ASSERT_FALSE(run.status.ok());
  EXPECT_EQ(run.status.error().message.rfind("stdin:3: ", 0), 0u) << run.status.error().message;
  EXPECT_EQ(run.output, "rows\n1773014400 row 1773014400\n1773015300 row 1773015300\n");
}

TEST(StreamDetect, ThreadsDoNotChangeTheOutput) {
  std::string input = "timestamp,value\n";
  for (int i = 0; i < 6000; ++i) {
    input += fmt::format("{},{}\n", 1773014400 + 900LL * i, (i * 37) % 101 + (i % 500 == 0) * 900);
  }
  VerdictCsv csv;
  const Streamed one = run_stream(input, csv, 1);
  const Streamed four = run_stream(input, csv, 4);
  ASSERT_TRUE(one.status.ok() && four.status.ok());
  EXPECT_EQ(one.output, four.output);
  EXPECT_EQ(std::count(one.output.begin(), one.output.end(), '\n'), 6001);
}

}  // namespace
}  // namespace vigil
