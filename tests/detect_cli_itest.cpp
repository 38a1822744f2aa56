// `vigil detect` end to end: the real binary reading a CSV on stdin (no server, no
// config file needed).
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "support/clickhouse_fixture.h"

namespace vigil {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out, err;
  long max_rss_kb = 0;  // with measure_rss
};

class DetectCliTest : public ::testing::Test {
 protected:
  // Runs `vigil detect ARGS < input` in an empty directory (so no vigil.toml).
  // With measure_rss, runs it under /usr/bin/time for the peak resident set size.
  CliRun detect(const std::string& input, const std::string& args = "",
                bool measure_rss = false) {
    const std::string in = dir_.path() + "/in.csv", out = dir_.path() + "/out.csv",
                      err = dir_.path() + "/err.txt", rss = dir_.path() + "/rss.txt";
    EXPECT_TRUE(write_file(in, input).ok());
    const std::string timer = measure_rss ? fmt::format("/usr/bin/time -f %M -o '{}' ", rss) : "";
    const std::string command =
        fmt::format("cd '{}' && {}'{}' detect {} < '{}' > '{}' 2> '{}'", dir_.path(), timer,
                    VIGIL_BINARY, args, in, out, err);
    const int status = std::system(command.c_str());
    CliRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = read_file(out).ok() ? *read_file(out) : "";
    run.err = read_file(err).ok() ? *read_file(err) : "";
    if (measure_rss && read_file(rss).ok()) run.max_rss_kb = std::atol(read_file(rss)->c_str());
    return run;
  }

  std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
      const auto nl = text.find('\n', start);
      out.push_back(text.substr(start, nl - start));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    return out;
  }

  TempDir dir_{"vigil-detect-itest-"};
};

TEST_F(DetectCliTest, IqrBandsForASmallSeriesWithHeaderAndMissingValue) {
  const std::string input =
      "timestamp,value\n"
      "2026-03-09 00:00,12\n"
      "2026-03-09 00:15,14\n"
      "2026-03-09 00:30,10\n"
      "2026-03-09 00:45,13\n"
      "2026-03-09 01:00,11\n"
      "2026-03-09 01:15,20\n"
      "2026-03-09 01:30,\n"
      "2026-03-09 01:45,12.5\r\n";
  const CliRun run = detect(input, "--method iqr");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(lines(run.out), (std::vector<std::string>{
                                "timestamp,value,is_anomaly,score,lower,upper",
                                "2026-03-09 00:00,12,0,,,",
                                "2026-03-09 00:15,14,0,,,",
                                "2026-03-09 00:30,10,0,,,",
                                // 12 14 10: Q1 11, Q3 13, median 12: band 5..19.
                                "2026-03-09 00:45,13,0,0.5,5,19",
                                // 12 14 10 13: Q1 11.5, Q3 13.25.
                                "2026-03-09 01:00,11,0,-0.8571,6.25,18.5",
                                // 12 14 10 13 11: Q1 11, Q3 13, median 12.
                                "2026-03-09 01:15,20,1,4,5,19",
                                // Missing: band, no score, never an anomaly.
                                "2026-03-09 01:30,,0,,2,23",
                                // 10 13 11 20 and a gap: Q1 10.75, Q3 14.75.
                                "2026-03-09 01:45,12.5,0,0.125,-1.25,26.75",
                            }));
}

TEST_F(DetectCliTest, HeaderIsOptionalAndTimestampsAreCopied) {
  // Unix seconds, the first line data (it starts with a digit), not a header; the
  // timestamps come out as written (a quoted one too).
  std::string input;
  for (int i = 0; i < 200; ++i) input += fmt::format("{},{}\n", 1773014400 + i * 900, 100 + (i % 2));
  input += "\"1773194400\",100\n";
  const CliRun run = detect(input, "--method dayago --param threshold=0.2");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto out = lines(run.out);
  ASSERT_EQ(out.size(), 202u);
  EXPECT_EQ(out[1], "1773014400,100,0,,,");
  EXPECT_EQ(out[97], "1773100800,100,0,0,80,120");
  EXPECT_EQ(out[200], "1773193500,101,0,0,80.8,121.2");
  EXPECT_EQ(out[201], "\"1773194400\",100,0,0,80,120");
}

TEST_F(DetectCliTest, SeasonalIsTheDefaultAndFindsADrop) {
  std::string input = "timestamp,value\n";
  for (int i = 0; i < 96 * 10; ++i) {
    const double hour = (i % 96) / 4.0;
    double value = std::round(1000 * (1.2 + std::sin(2 * M_PI * (hour - 9) / 24)) +
                              20 * std::sin(i * 1.7));
    if (i == 96 * 9 + 60) value = std::round(value * 0.4);
    input += fmt::format("{},{}\n", 1773003600 + i * 900, value);
  }
  const CliRun run = detect(input);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto out = lines(run.out);
  ASSERT_EQ(out.size(), 96u * 10 + 1);
  std::vector<std::string> alarms;
  for (const auto& line : out) {
    if (line.find(",1,") != std::string::npos) alarms.push_back(line.substr(0, 10));
  }
  EXPECT_EQ(alarms, (std::vector<std::string>{fmt::format("{}", 1773003600 + (96 * 9 + 60) * 900)}));
}

TEST_F(DetectCliTest, BadRowsStopWithTheLineNumber) {
  struct Case {
    std::string input, message;
  };
  const std::vector<Case> cases = {
      {"timestamp,value\n0,2\n900,abc\n1800,4\n",
       "vigil: stdin:3: bad value 'abc': expected a number, or empty for a missing bucket\n"},
      {"0,2\n900,3,4\n", "vigil: stdin:2: expected 2 fields timestamp,value, got 3\n"},
      {"0,2\n\n900\n", "vigil: stdin:3: expected timestamp,value (no comma)\n"},
      {"0,2\n,5\n", "vigil: stdin:2: empty timestamp\n"},
      {"0,2\n900,inf\n", "vigil: stdin:2: bad value 'inf': expected a number, or empty for a missing bucket\n"},
      {"2026-01-01,x\n", "vigil: stdin:1: bad value 'x': expected a number, or empty for a missing bucket\n"},
  };
  for (const auto& c : cases) {
    const CliRun run = detect(c.input, "--method iqr");
    EXPECT_EQ(run.exit_code, 2) << c.input;
    EXPECT_EQ(run.err, c.message) << c.input;
  }
  // The rows before the bad one were written.
  const CliRun partial = detect("0,2\n900,3\n1800,x\n", "--method iqr");
  EXPECT_EQ(lines(partial.out).size(), 3u);
}

TEST_F(DetectCliTest, UsageErrorsExitTwo) {
  CliRun run = detect("1,2\n", "--method zscore");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "vigil: unknown detection method 'zscore' (valid: seasonal, iqr, dayago)\n");
  run = detect("1,2\n", "--method iqr --param n=1");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "vigil: iqr parameter n='1': expected an integer 2..10000\n");
  run = detect("1,2\n", "--method iqr --param window=3");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "vigil: unknown parameter 'window' for method iqr (valid: n, a)\n");
  run = detect("1,2\n", "--param k");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "vigil: --param 'k': expected name=value\n");
  run = detect("1,2\n", "--interval-minutes 7");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "vigil: --interval-minutes 7: expected a divisor of 1440 (a day), e.g. 15\n");
}

TEST_F(DetectCliTest, UnsortedRepeatedAndOffGridTimestampsStopWithTheLineNumber) {
  struct Case {
    std::string input, message;
  };
  const std::vector<Case> cases = {
      {"timestamp,value\n2026-03-09 00:00,1\n2026-03-09 00:30,2\n2026-03-09 00:15,3\n",
       "vigil: stdin:4: timestamp '2026-03-09 00:15' is before line 3 ('2026-03-09 00:30'): sort "
       "the rows by time\n"},
      {"2026-03-09 00:00,1\n2026-03-09 00:15,2\n2026-03-09 00:15,3\n",
       "vigil: stdin:3: timestamp '2026-03-09 00:15' repeats line 2 ('2026-03-09 00:15'): give "
       "each bucket once\n"},
      {"2026-03-09 00:00,1\n2026-03-09 00:20,2\n",
       "vigil: stdin:2: timestamp '2026-03-09 00:20' is not on the 15-minute grid: buckets start "
       "every 15 minutes from midnight (check --interval-minutes)\n"},
      {"0,1\n1000,2\n",
       "vigil: stdin:2: timestamp '1000' is not on the 15-minute grid: buckets start every 15 "
       "minutes from midnight (check --interval-minutes)\n"},
      {"t0,1\n",
       "vigil: stdin:1: timestamp 't0': expected YYYY-MM-DD HH:MM[:SS] (T between them, Z or an "
       "offset like +03:00 after them are fine), YYYY-MM-DD or Unix seconds\n"},
  };
  for (const auto& c : cases) {
    const CliRun run = detect(c.input, "--method iqr");
    EXPECT_EQ(run.exit_code, 2) << c.input;
    EXPECT_EQ(run.err, c.message) << c.input;
  }
}

// A CSV exported over a window that starts before the metric existed: zeros for
// 4 days, then a daily curve, and a real outage (4 buckets of 0) on the last day.
// The leading zeros are "no data yet" (issue 13): the first days of data fire
// nothing, the outage does. Read as values (--keep-leading-zeros, what detect did
// before) they halve the references and the level comes out doubled.
TEST_F(DetectCliTest, LeadingZerosAreNoDataYetButALaterZeroIsAnOutage) {
  constexpr int kZeroDays = 4, kDays = 12, kOutage = 96 * 11 + 76;
  std::string input = "timestamp,value\n";
  for (int i = 0; i < 96 * kDays; ++i) {
    const double hour = (i % 96) / 4.0;
    double value = std::round(1000 * (1.2 + std::sin(2 * M_PI * (hour - 9) / 24)) +
                              20 * std::sin(i * 1.7));
    if (i < 96 * kZeroDays || (i >= kOutage && i < kOutage + 4)) value = 0;
    input += fmt::format("{},{}\n", 1793480400 + i * 900, value);
  }
  auto alarms = [&](const CliRun& run) {
    std::vector<int> out;
    const auto rows = lines(run.out);
    for (std::size_t i = 1; i < rows.size(); ++i) {
      if (rows[i].find(",1,") != std::string::npos) out.push_back(static_cast<int>(i) - 1);
    }
    return out;
  };
  const CliRun run = detect(input);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto out = lines(run.out);
  ASSERT_EQ(out.size(), 96u * kDays + 1);
  // A leading zero is written as given, never judged.
  EXPECT_EQ(out[1], "1793480400,0,0,,,");
  EXPECT_EQ(out[96 * kZeroDays], fmt::format("{},0,0,,,", 1793480400 + (96 * kZeroDays - 1) * 900));
  const auto found = alarms(run);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.front(), kOutage) << run.out.substr(0, 2000);
  for (int i : found) EXPECT_TRUE(i >= kOutage && i < kOutage + 4) << "false alarm at row " << i;

  const CliRun kept = detect(input, "--keep-leading-zeros");
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  int before_outage = 0;
  for (int i : alarms(kept)) before_outage += i < kOutage;
  EXPECT_GT(before_outage, 0) << "read as values, the leading zeros should mislead seasonal";
}

TEST_F(DetectCliTest, AMissingRowIsAMissingBucket) {
  // The same series with 00:45 given empty and with its row left out: the rows both
  // have are judged alike (not shifted by one bucket), and no row is invented.
  const std::vector<std::pair<std::string, int>> values = {
      {"00:00", 10}, {"00:15", 12}, {"00:30", 11}, {"00:45", -1}, {"01:00", 13},
      {"01:15", 12}, {"01:30", 30}, {"01:45", 11}, {"02:00", 12}};
  std::string with_empty, without_row;
  for (const auto& [time, value] : values) {
    const std::string text = value < 0 ? "" : std::to_string(value);
    with_empty += fmt::format("2026-03-09 {},{}\n", time, text);
    if (value >= 0) without_row += fmt::format("2026-03-09 {},{}\n", time, text);
  }
  const CliRun a = detect(with_empty, "--method iqr --param n=4");
  const CliRun b = detect(without_row, "--method iqr --param n=4");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::vector<std::string> expected = lines(a.out);
  expected.erase(std::find_if(expected.begin(), expected.end(), [](const std::string& line) {
    return line.rfind("2026-03-09 00:45,", 0) == 0;
  }));
  EXPECT_EQ(lines(b.out), expected);
  // Day-long gaps too: a day later, dayago compares with the bucket a day before.
  const CliRun c = detect("2026-03-09 10:00,100\n2026-03-10 10:00,300\n",
                          "--method dayago --param threshold=0.5");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(lines(c.out).back(), "2026-03-10 10:00,300,1,2,50,150");
}

TEST_F(DetectCliTest, LongInputStreamsInBoundedMemory) {
  // 2.5 M rows (40 MB in, 70 MB out): many read blocks, judged in parallel; the output
  // is complete and in order, and the process stays far below the data's size.
  constexpr long kRows = 2500000;
  std::string input;
  input.reserve(kRows * 17);
  for (long i = 0; i < kRows; ++i) input += fmt::format("{},{}\n", i * 900, 1000 + (i * 7919) % 97);
  const CliRun run = detect(input, "--method iqr --param n=8", /*measure_rss=*/true);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), kRows + 1);
  long expected_row = -1;  // the header
  bool in_order = true;
  for (std::size_t pos = 0; pos < run.out.size();) {
    const auto nl = run.out.find('\n', pos);
    if (expected_row >= 0) {
      in_order = in_order && run.out.compare(pos, run.out.find(',', pos) - pos,
                                             std::to_string(expected_row * 900)) == 0;
    }
    ++expected_row;
    pos = nl + 1;
  }
  EXPECT_TRUE(in_order);
  EXPECT_GT(run.max_rss_kb, 0);
  EXPECT_LT(run.max_rss_kb, 48 * 1024) << "peak RSS in KB";
}

}  // namespace
}  // namespace vigil
