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
  EXPECT_EQ(run.err, "vigil: unknown parameter 'window' for method iqr (valid: n, a, direction)\n");
  run = detect("1,2\n", "--param k");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "vigil: --param 'k': expected name=value\n");
  run = detect("1,2\n", "--interval-minutes 7");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "vigil: --interval-minutes 7: expected a divisor of 1440 (a day), e.g. 15\n");
}

TEST_F(DetectCliTest, UnsortedRepeatedAndTooDenseTimestampsStopWithTheLineNumber) {
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
      // 5-minute rows read as 15-minute buckets: the eighth (00:35) finds the next
      // free bucket (01:45) more than 4 intervals after it.
      {"2026-03-09 00:00,1\n2026-03-09 00:05,2\n2026-03-09 00:10,3\n2026-03-09 00:15,4\n"
       "2026-03-09 00:20,5\n2026-03-09 00:25,6\n2026-03-09 00:30,7\n2026-03-09 00:35,8\n",
       "vigil: stdin:8: rows come faster than one per 15 minutes: timestamp '2026-03-09 00:35' "
       "finds no free bucket within 60 minutes of it after line 7 ('2026-03-09 00:30'); give "
       "the series' own --interval-minutes\n"},
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

// What vigil logs on stderr without the time stamp: "info detect: ...".
std::string log_text(const std::string& err) {
  return err.size() > 20 && err[4] == '-' && err[19] == ' ' ? err.substr(20) : err;
}

// A series at 5 minutes whose rows drift like a traffic sensor's (12:24, 12:27, 12:32,
// 12:36, ...), with gaps of hours: judged exactly as the same values on the grid
// (the drifted rows on the buckets nearest them), timestamps copied as written, and
// one note on stderr counting the rows put on a bucket.
TEST_F(DetectCliTest, DriftingRowsGoOnTheNearestBucketWithOneNote) {
  // Minutes past 12:24 of each row on the grid and as the sensor wrote it.
  std::vector<std::pair<int, int>> minutes;  // {grid, written}
  const int drift[] = {0, -2, 2, 1, -1, 0, 2};
  int snapped = 0;
  for (int i = 0; i < 400; ++i) {
    const int bucket = i < 200 ? i : i + 36;  // three hours without rows after row 200
    const int offset = i == 0 ? 0 : drift[i % 7];
    minutes.push_back({bucket * 5, bucket * 5 + offset});
    snapped += offset != 0;
  }
  auto stamp = [](int minutes_after) {
    const int m = 12 * 60 + 24 + minutes_after;
    return fmt::format("2015-09-{:02} {:02}:{:02}", 1 + m / 1440, m / 60 % 24, m % 60);
  };
  std::string on_grid = "timestamp,value\n", drifting = on_grid;
  for (std::size_t i = 0; i < minutes.size(); ++i) {
    const int value = 50 + static_cast<int>((i * 37) % 11) + (i == 300 ? 400 : 0);
    on_grid += fmt::format("{},{}\n", stamp(minutes[i].first), value);
    drifting += fmt::format("{},{}\n", stamp(minutes[i].second), value);
  }
  const std::string args = "--interval-minutes 5 --method iqr --param n=12";
  const CliRun grid = detect(on_grid, args), drifted = detect(drifting, args);
  ASSERT_EQ(grid.exit_code, 0) << grid.err;
  ASSERT_EQ(drifted.exit_code, 0) << drifted.err;
  EXPECT_EQ(grid.err, "");
  EXPECT_EQ(log_text(drifted.err),
            fmt::format("info detect: {} rows off the 5-minute grid were put on the nearest free "
                        "bucket\n",
                        snapped));
  const auto a = lines(grid.out), b = lines(drifted.out);
  ASSERT_EQ(a.size(), minutes.size() + 1);
  ASSERT_EQ(b.size(), a.size());
  int alarms = 0;
  for (std::size_t i = 1; i < a.size(); ++i) {
    EXPECT_EQ(b[i].substr(0, 16), stamp(minutes[i - 1].second));  // as written
    EXPECT_EQ(b[i].substr(16), a[i].substr(16)) << "row " << i;   // judged alike
    alarms += a[i].find(",1,") != std::string::npos;
  }
  EXPECT_GE(alarms, 1) << "the spike at row 300";
  // --quiet leaves the note out.
  EXPECT_EQ(detect(drifting, "--quiet " + args).err, "");
}

// A flat series over 4 days at 15 minutes (1000 .. 1040) with a spike (x3) of
// `spike_buckets` from 12:30 on the last day.
double spiky_value(int i, int spike_buckets) {
  const double value = 1000 + 10 * (i % 5);
  return i >= 96 * 3 + 50 && i < 96 * 3 + 50 + spike_buckets ? 3 * value : value;
}
std::string spiky_series(int spike_buckets) {
  std::string input = "timestamp,value\n";
  for (int i = 0; i < 96 * 4; ++i) {
    input += fmt::format("2026-03-{:02} {:02}:{:02},{}\n", 9 + i / 96, i % 96 / 4, i % 4 * 15,
                         spiky_value(i, spike_buckets));
  }
  return input;
}

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (auto comma = line.find(',');; comma = line.find(',', start)) {
    out.push_back(line.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

TEST_F(DetectCliTest, AlertsPrintWhatAChatWouldReceive) {
  const std::string args = "--method iqr --param n=16";
  const auto rows = lines(detect(spiky_series(1), args).out);
  const CliRun run = detect(spiky_series(1), args + " --alerts");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto out = lines(run.out);
  ASSERT_EQ(out.size(), 3u) << run.out;
  EXPECT_EQ(out[0], "action,timestamp,value,expected,lower,upper,score");
  // The spike at 12:30 on the 4th day fires, the bucket after it resolves.
  const int spike = 96 * 3 + 50;
  const auto fire = fields(out[1]), resolve = fields(out[2]);
  ASSERT_EQ(fire.size(), 7u);
  ASSERT_EQ(resolve.size(), 7u);
  EXPECT_EQ(fire[0] + "," + fire[1] + "," + fire[2],
            fmt::format("fire,2026-03-12 12:30,{}", spiky_value(spike, 1)));
  EXPECT_EQ(resolve[0] + "," + resolve[1] + "," + resolve[2],
            fmt::format("resolve,2026-03-12 12:45,{}", spiky_value(spike + 1, 1)));
  // Each message carries that row's verdict: the band and score of the per-row output
  // (timestamp,value,is_anomaly,score,lower,upper); iqr's expectation is inside the band.
  for (const auto& message : {fire, resolve}) {
    const auto row = std::find_if(rows.begin(), rows.end(), [&](const std::string& r) {
      return r.rfind(message[1] + ",", 0) == 0;
    });
    ASSERT_TRUE(row != rows.end()) << message[1];
    const auto r = fields(*row);
    ASSERT_EQ(r.size(), 6u);
    EXPECT_EQ(message[4] + "," + message[5] + "," + message[6], r[4] + "," + r[5] + "," + r[3]);
    EXPECT_GT(std::stod(message[3]), std::stod(message[4]));
    EXPECT_LT(std::stod(message[3]), std::stod(message[5]));
  }
  // 4 days, one episode: 1.75 a week.
  EXPECT_EQ(log_text(run.err),
            "info detect: alerts: 1 episode (2 messages) over 4.0 days: 1.75 episodes per week\n");
}

TEST_F(DetectCliTest, AlertsFollowConsecutiveAndRepeat) {
  const std::string args = "--method iqr --param n=16 --alerts";
  // One anomalous bucket is not two in a row.
  CliRun run = detect(spiky_series(1), args + " --consecutive 2");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "action,timestamp,value,expected,lower,upper,score\n");
  EXPECT_EQ(log_text(run.err),
            "info detect: alerts: 0 episodes (0 messages) over 4.0 days: 0.00 episodes per week\n");
  // Two are.
  run = detect(spiky_series(2), args + " --consecutive 2");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto out = lines(run.out);
  ASSERT_EQ(out.size(), 3u) << run.out;
  EXPECT_EQ(out[1].substr(0, 21), "fire,2026-03-12 12:45");
  EXPECT_EQ(out[2].substr(0, 24), "resolve,2026-03-12 13:00");
  // A spike of 3 buckets (12:30 .. 13:00) with reminders every 15 minutes.
  run = detect(spiky_series(3), args + " --repeat-every-minutes 15");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  out = lines(run.out);
  std::vector<std::string> actions;
  for (std::size_t i = 1; i < out.size(); ++i) {
    actions.push_back(out[i].substr(0, out[i].find(',', 8)));
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"fire,2026-03-12 12:30", "repeat,2026-03-12 12:45",
                                               "repeat,2026-03-12 13:00",
                                               "resolve,2026-03-12 13:15"}));
}

TEST_F(DetectCliTest, DirectionAndSensitivityFlags) {
  // A spike up is not an anomaly when only drops matter.
  CliRun run = detect(spiky_series(1), "--method iqr --param n=16 --alerts --direction down");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(lines(run.out).size(), 1u) << run.out;
  run = detect(spiky_series(1), "--method iqr --param n=16 --alerts --direction up");
  EXPECT_EQ(lines(run.out).size(), 3u) << run.out;
  run = detect("1,2\n", "--direction up --param direction=down");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "vigil: --direction and --param direction=... both given: keep one\n");
  run = detect("1,2\n", "--direction sideways");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("sideways"), std::string::npos) << run.err;
  run = detect("1,2\n", "--sensitivity high");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  run = detect("1,2\n", "--consecutive 2");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--alerts"), std::string::npos) << run.err;
  run = detect("1,2\n", "--alerts --consecutive 0");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err,
            "vigil: --consecutive 0: expected 1..96 anomalous buckets in a row before an alert\n");
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
