#include "detect/calibrate.h"

#include <algorithm>
#include <cmath>

namespace vigil::detect {
namespace {

constexpr int kBinsPerDoubling = 8;
constexpr int kLowestPower = -4;  // bin 0 holds everything below 2^-4

}  // namespace

int PeakRecord::bin_of(double peak) {
  if (!(peak > 0)) return 0;
  const double position = (std::log2(peak) - kLowestPower) * kBinsPerDoubling;
  if (position <= 0) return 0;
  if (position >= kBins - 1) return kBins - 1;
  return static_cast<int>(position);
}

// Each bin's value, its geometric middle; computed once (largest() runs for
// every bucket judged).
const std::array<double, PeakRecord::kBins>& bin_values() {
  static const std::array<double, PeakRecord::kBins> kValues = [] {
    std::array<double, PeakRecord::kBins> v{};
    for (int b = 0; b < PeakRecord::kBins; ++b) {
      v[b] = std::exp2(kLowestPower + (b + 0.5) / kBinsPerDoubling);
    }
    return v;
  }();
  return kValues;
}

double PeakRecord::largest(int rank) const {
  if (total_ < rank) return 0;
  int seen = 0;
  for (int b = top_; b >= 0; --b) {
    seen += counts_[b];
    if (seen >= rank) return bin_values()[b];
  }
  return 0;
}

double calibrated_threshold(const PeakRecord& record, int judged_buckets,
                            const Calibration& calibration) {
  if (judged_buckets < calibration.min_history) return std::nan("");
  const double young = std::max(0.0, 1.0 - static_cast<double>(judged_buckets) /
                                               std::max(1, calibration.full_record));
  const double floor =
      calibration.k_min + std::max(0.0, calibration.k_prior - calibration.k_min) * young;
  return std::max(floor, calibration.margin * record.largest(calibration.rank));
}

}  // namespace vigil::detect
