// How a metric's values are written (a count, a percent, a ratio): a vocabulary type
// shared by the metric catalogue (config/metric_catalog.h), which names each metric's
// format, and the chart/text formatting (chart/format.h), which writes it. Here, below
// both, so the catalogue does not depend on the charts.
#pragma once

namespace vigil {

enum class ValueFormat {
  kInteger,  // counts: 1234567 -> "1 234 567" (compact "1.23M")
  kPercent,  // a fraction shown as percent: 0.045 -> "4.5%"
  kRatio,    // a plain ratio with 2 decimals: 1.0234 -> "1.02"
};

}  // namespace vigil
