#include "base/backoff.h"

#include <algorithm>
#include <cmath>

namespace vigil {

double Backoff::delay(int retry) const {
  if (!(first_seconds > 0)) return 0;
  // 2^1023 is the largest finite power; beyond it the product would be inf.
  const double grown = first_seconds * std::exp2(std::clamp(retry, 0, 1023));
  return std::min(grown, max_seconds);
}

}  // namespace vigil
