// Self-calibrated thresholds: a series is judged against its own record, so a
// routinely bursty series needs a bigger surprise before it alarms and a calm one
// alarms early. The record is of episodes, not buckets: a run of consecutive
// buckets with |score| above kEpisodeBase counts once, at its peak, so one long
// anomaly weighs as much as one short burst. Pure and exact: the record is a
// histogram of integer counts, so the same window always gives the same
// threshold whichever bucket a run started from.
#pragma once

#include <array>
#include <cstdint>

namespace vigil::detect {

// Scores above this (in scales) make an episode.
constexpr double kEpisodeBase = 3.0;
// An episode's peak is taken over at most its last kEpisodeReach buckets.
constexpr int kEpisodeReach = 16;

// Episode peaks of the recent past, binned on a log scale (8 bins per doubling
// from 1/16 to 4096; outside values go to the end bins).
class PeakRecord {
 public:
  static constexpr int kBins = 128;

  static int bin_of(double peak);
  void add(int bin) {
    ++counts_[bin], ++total_;
    if (bin > top_) top_ = bin;
  }
  void remove(int bin) {
    --counts_[bin], --total_;
    while (top_ > 0 && counts_[top_] == 0) --top_;
  }
  // The rank-th largest peak (1 = the largest; the bin's geometric middle), 0
  // when the record holds fewer.
  double largest(int rank) const;

 private:
  std::array<std::int32_t, kBins> counts_{};
  int total_ = 0;
  int top_ = 0;  // no non-empty bin above it
};

// threshold = max(floor, margin x the rank-th largest episode peak): a surprise
// the series has made `rank` times in its record is routine for it. The floor
// falls from k_prior to k_min as the record fills (`full_record` judged buckets):
// a young series has shown too little of itself to be judged tightly. With fewer
// than `min_history` judged buckets: NaN, no threshold yet (a series is not
// judged before it has shown some of its ordinary day).
struct Calibration {
  double k_prior = 7.0;
  double k_min = 5.0;
  double margin = 1.5;
  int rank = 1;
  int min_history = 48;
  int full_record = 672;
};

double calibrated_threshold(const PeakRecord& record, int judged_buckets,
                            const Calibration& calibration);

}  // namespace vigil::detect
