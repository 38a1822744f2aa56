// make_detector: method names and text parameters -> a configured detector.
#include "detect/detector.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <string_view>
#include <system_error>
#include <type_traits>

#include <fmt/format.h>

#include "detect/methods.h"

namespace vigil {
namespace {

// One settable parameter: its name and how to read it into the config.
struct ParamSpec {
  const char* name;
  std::function<Status(std::string_view text)> set;
};

Result<double> parse_number(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    return Error::usage("not a number");
  }
  return value;
}

// A number in [lo, hi] (lo excluded if `open_lo`; an integer if T is), into `out`.
template <class T>
std::function<Status(std::string_view)> number(const std::string& method, const char* name,
                                               T& out, double lo, double hi,
                                               bool open_lo = false) {
  return [&out, method, name, lo, hi, open_lo](std::string_view text) -> Status {
    constexpr bool kInteger = std::is_integral_v<T>;
    auto value = parse_number(text);
    const bool ok = value.ok() && (open_lo ? *value > lo : *value >= lo) && *value <= hi &&
                    (!kInteger || *value == std::floor(*value));
    if (!ok) {
      const std::string range = kInteger ? fmt::format("an integer {}..{}", lo, hi)
                                : open_lo ? fmt::format("a number > {}", lo)
                                          : fmt::format("a number >= {}", lo);
      return Error::usage(
          fmt::format("{} parameter {}='{}': expected {}", method, name, text, range));
    }
    out = static_cast<T>(*value);
    return {};
  };
}

// One of a few words, into `out` as its index in `words`.
std::function<Status(std::string_view)> choice(const std::string& method, const char* name,
                                               int& out, std::vector<std::string> words) {
  return [&out, method, name, words = std::move(words)](std::string_view text) -> Status {
    for (std::size_t i = 0; i < words.size(); ++i) {
      if (text == words[i]) {
        out = static_cast<int>(i);
        return {};
      }
    }
    return Error::usage(fmt::format("{} parameter {}='{}': expected {}", method, name, text,
                                    fmt::join(words, ", ")));
  };
}

// Any method's anomalies, kept only in the watched direction.
class DirectionFilter final : public Detector {
 public:
  DirectionFilter(std::unique_ptr<Detector> inner, Direction direction)
      : inner_(std::move(inner)), direction_(direction) {}
  Verdict evaluate(std::span<const double> history, double current) const override {
    return filter(inner_->evaluate(history, current));
  }
  std::size_t history_needed() const override { return inner_->history_needed(); }
  void evaluate_range(std::span<const double> series, std::size_t begin,
                      std::span<Verdict> out) const override {
    inner_->evaluate_range(series, begin, out);
    for (Verdict& v : out) v = filter(v);
  }

 private:
  Verdict filter(Verdict v) const {
    if (v.anomaly && ((direction_ == Direction::kUp && !(v.score > 0)) ||
                      (direction_ == Direction::kDown && !(v.score < 0)))) {
      v.anomaly = false;
    }
    return v;
  }
  std::unique_ptr<Detector> inner_;
  Direction direction_;
};

Status apply(const std::string& method, const DetectorParams& params,
             const std::vector<ParamSpec>& specs) {
  for (const auto& [key, text] : params) {
    const ParamSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (key == s.name) spec = &s;
    }
    if (spec == nullptr) {
      std::vector<std::string> names;
      for (const auto& s : specs) names.emplace_back(s.name);
      names.emplace_back("direction");  // every method's, see make_detector
      return Error::usage(fmt::format("unknown parameter '{}' for method {} (valid: {})", key,
                                      method, fmt::join(names, ", ")));
    }
    VIGIL_TRY(spec->set(text));
  }
  return {};
}

}  // namespace

void Detector::evaluate_range(std::span<const double> series, std::size_t begin,
                              std::span<Verdict> out) const {
  const std::size_t needed = history_needed();
  for (std::size_t t = begin; t < series.size(); ++t) {
    const std::size_t have = std::min(t, needed);
    out[t - begin] = evaluate(series.subspan(t - have, have), series[t]);
  }
}

std::string detector_problem(const std::string& method, const DetectorParams& params,
                             int buckets_per_day) {
  auto detector = make_detector(method, params, buckets_per_day);
  return detector.ok() ? std::string() : detector.error().message;
}

const std::vector<std::string>& detector_methods() {
  static const std::vector<std::string> kMethods = {"seasonal", "iqr", "dayago"};
  return kMethods;
}

namespace {

Result<std::unique_ptr<Detector>> make_method(const std::string& method,
                                              const DetectorParams& params, int buckets_per_day) {
  if (buckets_per_day < 1 || buckets_per_day > 1440) {
    return Error::usage(fmt::format("buckets per day {}: expected 1..1440", buckets_per_day));
  }
  if (method == "iqr") {
    detect::IqrConfig c;
    VIGIL_TRY(apply(method, params,
                    {{"n", number(method, "n", c.n, 2, 10000)},
                     {"a", number(method, "a", c.a, 0, 1e300)}}));
    return detect::make_iqr(c);
  }
  if (method == "dayago") {
    detect::DayAgoConfig c;
    c.buckets_per_day = buckets_per_day;
    VIGIL_TRY(apply(method, params, {{"threshold", number(method, "threshold", c.threshold, 0, 1e300, true)}}));
    return detect::make_dayago(c);
  }
  if (method == "seasonal") {
    detect::SeasonalConfig c;
    c.buckets_per_day = buckets_per_day;
    VIGIL_TRY(apply(method, params,
                    {{"days", number(method, "days", c.days, 1, 28)},
                     {"weeks", number(method, "weeks", c.weeks, 0, 4)},
                     {"min_days", number(method, "min_days", c.min_days, 1, 32)},
                     {"level", number(method, "level", c.level, 1, 96)},
                     {"noise_window", number(method, "noise_window", c.noise_window, 1, 16)},
                     {"k", number(method, "k", c.k, 0, 1e300, true)},
                     {"floor", number(method, "floor", c.floor, 0, 1e300)},
                     {"poisson", number(method, "poisson", c.poisson, 0, 1e300)},
                     {"min_volume", number(method, "min_volume", c.min_volume, 0, 1e300)},
                     {"sensitivity", choice(method, "sensitivity", c.sensitivity,
                                            {"low", "normal", "high"})},
                     {"k_min", number(method, "k_min", c.k_min, 0, 1e300, true)},
                     {"margin", number(method, "margin", c.margin, 0, 100)},
                     {"rank", number(method, "rank", c.rank, 1, 20)},
                     {"calibration_days",
                      number(method, "calibration_days", c.calibration_days, 0, 28)},
                     {"model",
                      choice(method, "model", c.model, {"auto", "daily", "weekly", "local"})}}));
    if (c.min_days > c.days + c.weeks) {
      return Error::usage(fmt::format(
          "seasonal parameter min_days={}: expected at most days + weeks = {}", c.min_days,
          c.days + c.weeks));
    }
    return detect::make_seasonal(c);
  }
  return Error::usage(fmt::format("unknown detection method '{}' (valid: {})", method,
                                  fmt::join(detector_methods(), ", ")));
}

}  // namespace

Result<std::unique_ptr<Detector>> make_detector(const std::string& method,
                                                const DetectorParams& params,
                                                int buckets_per_day) {
  DetectorParams rest = params;
  int direction = 0;
  if (auto it = rest.find("direction"); it != rest.end()) {
    VIGIL_TRY(choice(method, "direction", direction, {"both", "up", "down"})(it->second));
    rest.erase(it);
  }
  auto detector = make_method(method, rest, buckets_per_day);
  if (!detector.ok() || direction == 0) return detector;
  return std::unique_ptr<Detector>(std::make_unique<DirectionFilter>(
      std::move(*detector), static_cast<Direction>(direction)));
}

}  // namespace vigil
