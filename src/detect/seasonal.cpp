// `seasonal`: vigil's default detector. Per bucket t:
//   1. Three forecasts (each with a spread): daily (seasonal_model.cpp: the same
//      time on previous days and a week ago, scaled to today's level), weekly (the
//      same model over a day, a week and two weeks ago) and local
//      (local_model.cpp: the median of the last `level` buckets).
//   2. Floors: when the recent values are whole numbers >= 0 (counts), the scale is
//      at least sqrt(poisson x E) and floor x E, and below E = min_volume single
//      buckets are not judged; other series (ratios, percentages, temperatures,
//      prices) have none unless the parameters are given. Score z = (x - E) / scale.
//   3. Thresholds per model and per side from the series' own record (calibrate.h):
//      episodes (runs of z beyond kEpisodeBase, one peak each) of the last
//      `calibration_days` days (at least 672 buckets). In two rounds: the first
//      from every episode with a more liberal rank; the second leaves out the
//      episodes that crossed the first (incidents), so the record is of what is
//      routine. No threshold before 48 judged buckets (half a day at least); a
//      floor falling from k to k_min over the first three days judged.
//   4. Model choice from the series' own history: over the last day (at least 96
//      buckets), the mean share of each model's band width (threshold x scale)
//      against the daily one's; another model replaces the daily one when its
//      share is below kChangeShare (1.25 times narrower). The weekly one also
//      takes over when the daily one kept alarming over the last week (kCalmer).
//      The local one also
//      judges a series the daily one cannot follow at all (values <= 0) once it
//      has three days of values; nothing judges the first days of a series.
//   5. Band E - down x scale .. E + max(up x scale, rel_up x |E|), rel_up from the
//      relative size of the same routine episodes above (a burst 3x the forecast
//      scores more scales at busy hours than at night); anomaly outside it. For counts, a
//      sustained drop (low_counts.cpp) is an anomaly even where single buckets
//      are too small to judge.
// Every statistic is over a fixed window of past values (counts and sums in a
// fixed order), so evaluate() and evaluate_range() agree exactly, and nothing
// after bucket t changes its verdict.
#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "detect/calibrate.h"
#include "detect/methods.h"

namespace vigil::detect {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
// Another model replaces the daily one when its mean share of their band widths
// (in thousandths) is below this: 444 = its band 1.25 times narrower.
constexpr long kChangeShare = 444;
// The first round of thresholds, which tells incidents from routine episodes,
// counts this many more episodes as routine than the second (a more liberal
// threshold), so that a record with a few incidents still names them.
constexpr int kRoundOneExtraRank = 2;
// The weekly forecast replaces the daily one when, over the record window, its
// first-round alarms x kCalmer + kCalmerSlack are at most the daily one's: a
// series with weekly steps keeps surprising the daily forecast.
constexpr long kCalmer = 2;
constexpr long kCalmerSlack = 4;

// The forecasts: the same time on previous days (and a week ago), the same time
// of the same weekday on previous weeks, the median of the last `level` buckets.
constexpr int kDaily = 0, kWeekly = 1, kLocal = 2, kModels = 3;
// A series the daily forecast cannot follow (values <= 0) is judged by the local
// one once it has shown this many days of values (most of them present).
constexpr long kYoungDays = 3;

// The weekly forecast's reference: the median of the same time a day, a week and
// two weeks ago (one unusual week, or yesterday's other weekday, is outvoted).
SeasonalConfig weekly(SeasonalConfig config) {
  config.days = 1;
  config.weeks = 2;
  config.min_days = 3;
  return config;
}

// Sensitivity presets for low, normal, high.
constexpr double kPresetKMin[3] = {6.5, 5.0, 4.0};
constexpr double kPresetMargin[3] = {2.0, 1.5, 1.2};

bool count_value(double x) { return x >= 0 && x == std::floor(x); }

// One model's judgement of one bucket, floors applied.
struct Judged {
  double expected = kNan, scale = kNan, z = kNan;
  bool usable = false;  // a forecast above the minimum volume with a positive scale
};

// One model's record for the threshold over a sliding window: the episodes
// (runs of |z| above kEpisodeBase) that ended in it, by peak, and how many
// buckets in it the model judged. An episode is entered with the bucket after
// its end (the one that shows it ended) and leaves with it, so that a run still
// going on at t is not in t's record. `skip` excludes an episode by its end.
class ModelRecord {
 public:
  // `track_relative`: also keep `relative` (only the upper final round reads it).
  ModelRecord(const std::vector<Judged>& judged, long first, long end, int sign,
              std::function<bool(long)> skip, bool track_relative)
      : z_(judged),
        first_(first),
        end_(end),
        sign_(sign),
        skip_(std::move(skip)),
        track_relative_(track_relative) {}

  void enter(long p) { update(p, +1); }
  void leave(long p) { update(p, -1); }

  PeakRecord peaks;      // by |z|
  PeakRecord relative;   // the same episodes by |x - E| / |E| at their peak
  int judged = 0;

 private:
  bool above(long p) const {
    return p >= first_ && p < end_ && sign_ * z_[p - first_].z > kEpisodeBase;
  }
  void update(long p, int sign) {
    if (!std::isnan(z_[p - first_].z)) judged += sign;
    const long e = p - 1;  // the episode's last bucket
    if (!above(e) || above(p) || (skip_ && skip_(e))) return;
    double peak = 0, peak_relative = 0;  // over its last kEpisodeReach buckets
    for (long q = e; q > e - kEpisodeReach && above(q); --q) {
      const Judged& j = z_[q - first_];
      peak = std::max(peak, sign_ * j.z);
      if (track_relative_ && j.expected != 0) {
        peak_relative = std::max(peak_relative, sign_ * j.z * j.scale / std::fabs(j.expected));
      }
    }
    const int bin = PeakRecord::bin_of(peak), rel_bin = PeakRecord::bin_of(peak_relative);
    sign > 0 ? peaks.add(bin) : peaks.remove(bin);
    if (!track_relative_) return;
    sign > 0 ? relative.add(rel_bin) : relative.remove(rel_bin);
  }

  const std::vector<Judged>& z_;
  long first_, end_;
  int sign_;  // +1: episodes above the forecast, -1: below
  std::function<bool(long)> skip_;
  bool track_relative_;
};

// Per bucket, model b's share of the band widths (threshold x scale) of models
// a and b, in thousandths (500: as wide as each other; below: b narrower), -1
// when either cannot judge. Integers, so that sums over windows are exact.
template <class C>
std::vector<int> width_shares(const C& a, const C& b, long first, long from, long end) {
  std::vector<int> out(static_cast<std::size_t>(end - from), -1);
  for (long p = from; p < end; ++p) {
    const Judged& ja = a.judged[p - first];
    const Judged& jb = b.judged[p - first];
    const double ta = a.up[p - from] + a.down[p - from], tb = b.up[p - from] + b.down[p - from];
    if (!ja.usable || !jb.usable || std::isnan(ta) || std::isnan(tb)) continue;
    const double wa = ta * ja.scale, wb = tb * jb.scale;
    out[p - from] = wa + wb > 0 ? static_cast<int>(std::lround(1000 * wb / (wa + wb))) : 500;
  }
  return out;
}

// One forecast model's view of a run of buckets.
struct Candidate {
  std::vector<Judged> judged;     // from `first`
  std::vector<double> up, down;   // thresholds, from `from`
  std::vector<double> rel_up;     // the upper relative ones, from `from`
  std::vector<int> share;         // band width share against the daily model, from `from`
                                  // (empty for the daily model itself)
  std::vector<char> alarm;        // crossed a first-round threshold, from `first`
  long alarms = 0;                // of them over the record window before t
  long share_sum = 0, compared = 0, usable = 0;  // over the choice window before t
};

class Seasonal final : public Detector {
 public:
  explicit Seasonal(const SeasonalConfig& config)
      : config_(config),
        models_{make_seasonal_model(config), make_seasonal_model(weekly(config)),
                make_local_model(config.level)} {
    const int b = config.buckets_per_day;
    record_window_ = config.calibration_days * std::max(b, 96);
    choice_window_ = std::max(b, 96);
    calibration_.k_min = std::isnan(config.k_min) ? kPresetKMin[config.sensitivity] : config.k_min;
    calibration_.margin =
        std::isnan(config.margin) ? kPresetMargin[config.sensitivity] : config.margin;
    calibration_.min_history = std::max(b / 2, 48);
    calibration_.rank = config.rank;
    calibration_.k_prior = config.k;
    calibration_.full_record = static_cast<int>(std::min<long>(record_window_, kYoungDays * b));
  }

  Verdict evaluate(std::span<const double> history, double current) const override {
    std::vector<double> series(history.begin(), history.end());
    series.push_back(current);
    Verdict out;
    evaluate_range(series, series.size() - 1, std::span<Verdict>(&out, 1));
    return out;
  }

  std::size_t history_needed() const override {
    long models = 0;
    for (const auto& m : models_) models = std::max(models, m->history_needed());
    return static_cast<std::size_t>(models + choice_window_ +
                                    2 * (record_window_ + kEpisodeReach));
  }

  void evaluate_range(std::span<const double> series, std::size_t begin,
                      std::span<Verdict> out) const override;

 private:
  Judged judge(const Forecast& f, double x, bool counts) const;
  // Thresholds for buckets [from, end) from records over [t - W, t) (W the record
  // window), not before `floor`; judged[i] is bucket first + i; episodes with
  // skip(end) true are left out.
  std::vector<double> thresholds(const std::vector<Judged>& judged, long first, long floor,
                                 long from, long end, int sign, const Calibration& calibration,
                                 std::function<bool(long)> skip,
                                 std::vector<double>* relative_out = nullptr) const;
  // Thresholds for [begin, end) of one side (sign +1: above the forecast, -1:
  // below), each side from its own episodes: a series whose bursts are routine
  // still alarms when it drops.
  // `relative_out` receives the relative thresholds (margin x the largest routine
  // episode's |x - E| / |E|; 0 with none).
  // `alarms`, if given (sized end - first), gets 1 where the first round's
  // threshold was crossed on this side.
  std::vector<double> model_thresholds(const std::vector<Judged>& judged, long first,
                                       long begin, long end, int sign,
                                       std::vector<double>* relative_out,
                                       std::vector<char>* alarms = nullptr) const;
  std::vector<Judged> judge_all(const ForecastModel& model, const double* h, long first,
                                long end, const std::vector<char>& counts) const;
  std::vector<char> count_flags(const double* h, long first, long end) const;
  // Every model judged over [first, end), its thresholds and width shares over
  // [from, end); a model `model` rules out is never usable.
  std::vector<Candidate> candidates(const double* h, const std::vector<char>& counts,
                                    long first, long from, long end) const;
  // The model judging a bucket (kDaily, kWeekly, kLocal; -1: none), from the
  // candidates' sums over the windows before it: another model replaces the daily
  // one when its mean band width share is below kChangeShare, the weekly one also
  // when the daily one kept alarming (kCalmer). `ok(m)`: model m can judge this bucket.
  int choose(const std::vector<Candidate>& c, long present_recent,
             const std::function<bool(int)>& ok) const;

  SeasonalConfig config_;
  std::unique_ptr<ForecastModel> models_[kModels];
  Calibration calibration_;
  long record_window_ = 0;
  long choice_window_ = 0;
};

Judged Seasonal::judge(const Forecast& f, double x, bool counts) const {
  Judged j;
  if (!present(f.expected) || !present(f.spread)) return j;
  const double e = f.expected;
  const auto pick = [counts](double given, double count_default) {
    return std::isnan(given) ? (counts ? count_default : 0.0) : given;
  };
  const double poisson = pick(config_.poisson, 1.0);
  const double floor = pick(config_.floor, 0.05);
  const double min_volume = pick(config_.min_volume, 10.0);
  j.expected = e;
  j.scale = std::max({f.spread, std::sqrt(std::max(0.0, poisson * e)), floor * std::fabs(e),
                      1e-9 * std::fabs(e)});
  j.usable = j.scale > 0 && (min_volume > 0 ? e >= min_volume : true) && (!counts || e > 0);
  if (j.usable && present(x)) j.z = (x - e) / j.scale;
  return j;
}

std::vector<double> Seasonal::thresholds(const std::vector<Judged>& judged, long first,
                                         long floor, long from, long end, int sign,
                                         const Calibration& calibration,
                                         std::function<bool(long)> skip,
                                         std::vector<double>* relative_out) const {
  std::vector<double> out(static_cast<std::size_t>(std::max(0L, end - from)), config_.k);
  if (relative_out != nullptr) relative_out->assign(out.size(), 0.0);
  if (record_window_ == 0) return out;  // not calibrated: always k
  ModelRecord record(judged, first, end, sign, std::move(skip), relative_out != nullptr);
  for (long p = std::max(floor, from - record_window_); p < from; ++p) record.enter(p);
  for (long t = from; t < end; ++t) {
    out[t - from] = calibrated_threshold(record.peaks, record.judged, calibration);
    if (relative_out != nullptr) {
      (*relative_out)[t - from] = calibration.margin * record.relative.largest(calibration.rank);
    }
    record.enter(t);
    if (t - record_window_ >= floor) record.leave(t - record_window_);
  }
  return out;
}

std::vector<Judged> Seasonal::judge_all(const ForecastModel& model, const double* h,
                                        long first, long end,
                                        const std::vector<char>& counts) const {
  std::vector<Forecast> forecasts(static_cast<std::size_t>(end - first));
  model.forecast_range(h, first, end, forecasts.data());
  std::vector<Judged> out(forecasts.size());
  for (long p = first; p < end; ++p) {
    out[p - first] = judge(forecasts[p - first], h[p], counts[p - first] != 0);
  }
  return out;
}

std::vector<double> Seasonal::model_thresholds(const std::vector<Judged>& j, long first,
                                               long begin, long end, int sign,
                                               std::vector<double>* relative_out,
                                               std::vector<char>* alarms) const {
  // Two rounds: the first from every episode of the record; the second leaves out
  // the episodes that were anomalies by the first (the record is of what is
  // routine for the series, not of its incidents).
  const long round_one = std::max(first, begin - record_window_ - kEpisodeReach);
  Calibration liberal = calibration_;
  liberal.rank += kRoundOneExtraRank;
  const auto first_round = thresholds(j, first, first, round_one, end, sign, liberal, nullptr);
  const auto alarmed = [&](long e) {
    for (long q = e; q > e - kEpisodeReach && q >= round_one; --q) {
      const double z = sign * j[q - first].z;
      if (!(z > kEpisodeBase)) return false;
      if (z > first_round[q - round_one]) return true;
    }
    return false;
  };
  if (alarms != nullptr) {
    for (long q = round_one; q < end; ++q) {
      if (sign * j[q - first].z > first_round[q - round_one]) (*alarms)[q - first] = 1;
    }
  }
  return thresholds(j, first, round_one, begin, end, sign, calibration_, alarmed, relative_out);
}

// Whether each bucket's recent values h[p - level, p) are all counts (whole
// numbers >= 0), at least one of them present.
std::vector<char> Seasonal::count_flags(const double* h, long first, long end) const {
  std::vector<char> out(static_cast<std::size_t>(end - first));
  int non_counts = 0, present_recent = 0;
  const long level = config_.level;
  const auto slide = [&](long p, int sign) {
    if (p >= 0 && present(h[p])) present_recent += sign, non_counts += sign * !count_value(h[p]);
  };
  for (long p = first - level; p < first; ++p) slide(p, +1);
  for (long p = first; p < end; ++p) {
    out[p - first] = present_recent > 0 && non_counts == 0;
    slide(p, +1);
    slide(p - level, -1);
  }
  return out;
}

std::vector<Candidate> Seasonal::candidates(const double* h, const std::vector<char>& counts,
                                            long first, long from, long end) const {
  std::vector<Candidate> c(kModels);
  for (int m = 0; m < kModels; ++m) {
    if (config_.model != 0 && config_.model != m + 1) {
      c[m].judged.resize(static_cast<std::size_t>(end - first));
      c[m].alarm.assign(static_cast<std::size_t>(end - first), 0);
      c[m].up = c[m].down = std::vector<double>(end - from, kNan);
      c[m].rel_up = std::vector<double>(end - from, 0.0);
      continue;
    }
    c[m].judged = judge_all(*models_[m], h, first, end, counts);
    c[m].alarm.assign(static_cast<std::size_t>(end - first), 0);
    c[m].up = model_thresholds(c[m].judged, first, from, end, +1, &c[m].rel_up, &c[m].alarm);
    c[m].down = model_thresholds(c[m].judged, first, from, end, -1, nullptr, &c[m].alarm);
  }
  for (int m = kDaily + 1; m < kModels; ++m) {  // the daily model is the yardstick
    c[m].share = width_shares(c[kDaily], c[m], first, from, end);
  }
  return c;
}

void Seasonal::evaluate_range(std::span<const double> series, std::size_t begin_index,
                              std::span<Verdict> out) const {
  const double* h = series.data();
  const long begin = static_cast<long>(begin_index);
  const long end = static_cast<long>(series.size());
  // Thresholds from `from` (the choice window before `begin`), scores from two
  // record windows (and episode reaches) before that: the second round of
  // thresholds looks back at the first round's verdicts.
  const long from = std::max(0L, begin - choice_window_);
  const long first = std::max(0L, from - 2 * (record_window_ + kEpisodeReach));
  const auto counts = count_flags(h, first, end);
  std::vector<Candidate> c = candidates(h, counts, first, from, end);
  const auto slide = [&](long p, int sign) {
    if (p < from) return;
    for (auto& m : c) {
      const int share = m.share.empty() ? -1 : m.share[p - from];
      if (share >= 0) m.share_sum += sign * share, m.compared += sign;
      m.usable += sign * m.judged[p - first].usable;
    }
  };
  for (long p = begin - choice_window_; p < begin; ++p) slide(p, +1);
  // First-round alarms over the record window before t (not before `first`).
  const auto slide_alarms = [&](long p, int sign) {
    if (p < first) return;
    for (auto& m : c) m.alarms += sign * m.alarm[p - first];
  };
  for (long p = begin - record_window_; p < begin; ++p) slide_alarms(p, +1);
  // Present values over the last kYoungDays days (not before `first`).
  const long young_window = kYoungDays * config_.buckets_per_day;
  long present_recent = 0;
  for (long p = std::max(first, begin - young_window); p < begin; ++p) {
    present_recent += present(h[p]);
  }

  for (long t = begin; t < end; ++t) {
    if (t > begin) {
      slide(t - 1, +1), slide(t - 1 - choice_window_, -1);
      slide_alarms(t - 1, +1), slide_alarms(t - 1 - record_window_, -1);
      present_recent += present(h[t - 1]);
      if (t - 1 - young_window >= first) present_recent -= present(h[t - 1 - young_window]);
    }
    const int m = choose(c, present_recent, [&](int k) {
      return c[k].judged[t - first].usable && !std::isnan(c[k].up[t - from]) &&
             !std::isnan(c[k].down[t - from]);
    });
    Verdict& v = out[static_cast<std::size_t>(t - begin)];
    if (m < 0) {
      v = not_ready();
    } else {
      const Judged& j = c[m].judged[t - first];
      const double up = c[m].up[t - from], down = c[m].down[t - from];
      // A burst must beat both the series' routine in scales and in relative size:
      // a burst 3x the expectation at a busy hour scores far more scales than at
      // night, but is as routine. (Drops are judged in scales only: a series'
      // routine drops say little about an outage.)
      const double e = j.expected, size = std::fabs(e);
      v.expected = e;
      v.lower = e - down * j.scale;
      v.upper = std::max(e + up * j.scale, e + c[m].rel_up[t - from] * size);
      v.score = j.z;
      v.ready = present(h[t]);
      v.anomaly = v.ready && (h[t] > v.upper || h[t] < v.lower);
    }
    if (!v.anomaly && counts[t - first]) {
      sustained_drop(h, first, t, config_.buckets_per_day, config_.days, config_.min_days,
                     config_.k, v);
    }
  }
}

int Seasonal::choose(const std::vector<Candidate>& c, long present_recent,
                     const std::function<bool(int)>& ok) const {
  // Mean width share against the daily model, in thousandths; 1000 = no case.
  const auto mean = [&](const Candidate& m) {
    return m.compared >= choice_window_ / 4 ? m.share_sum / m.compared : 1000;
  };
  // The daily forecast kept alarming where the weekly one did not: weekly steps.
  const bool weekly_calmer =
      c[kWeekly].alarms * kCalmer + kCalmerSlack <= c[kDaily].alarms;
  const long weekly = weekly_calmer ? 0 : mean(c[kWeekly]);
  long local = mean(c[kLocal]);
  // A series the daily model cannot follow at all (values <= 0), once it has
  // shown enough days to show a daily cycle if it had one.
  if (c[kDaily].usable == 0 &&
      present_recent >= kYoungDays * config_.buckets_per_day * 4 / 5) {
    local = 0;
  }
  int best = kDaily;
  long best_share = kChangeShare;
  if (ok(kWeekly) && weekly < best_share) best = kWeekly, best_share = weekly;
  if (ok(kLocal) && local < best_share) best = kLocal;
  if (ok(best)) return best;
  return ok(kWeekly) && best != kLocal ? kWeekly : -1;
}

}  // namespace

std::unique_ptr<Detector> make_seasonal(const SeasonalConfig& config) {
  return std::make_unique<Seasonal>(config);
}

}  // namespace vigil::detect
