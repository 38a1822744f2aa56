// `vigil detect`: streams a `timestamp,value` CSV from stdin through a detector
// (cli/detect_stream) and writes `timestamp,value,is_anomaly,score,lower,upper` per
// row (cli/detect_csv), or with --alerts the messages vigil's alert rules would have
// sent (cli/detect_alerts). Rows go on the --interval-minutes grid from the first
// row's time, an off-grid one on the nearest free bucket (cli/detect_input); a
// skipped bucket, or an empty value, is a missing bucket, and so are the zeros
// before the first non-zero value (no data yet; --keep-leading-zeros reads them as
// values). Timestamps and values are copied through as given. No config, no
// ClickHouse.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/log.h"
#include "cli/cli.h"
#include "cli/context.h"
#include "cli/detect_alerts.h"
#include "cli/detect_csv.h"
#include "cli/detect_input.h"
#include "cli/detect_params.h"
#include "cli/detect_stream.h"
#include "detect/detector.h"

namespace vigil {

int run_detect(const GlobalOptions& global, const DetectOptions& options) {
  init_logging(global.quiet ? Verbosity::kQuiet
                            : (global.verbose ? Verbosity::kVerbose : Verbosity::kNormal));
  if (options.interval_minutes < 1 || options.interval_minutes > 1440 ||
      1440 % options.interval_minutes != 0) {
    return fail(Error::usage(fmt::format(
        "--interval-minutes {}: expected a divisor of 1440 (a day), e.g. 15",
        options.interval_minutes)));
  }
  auto params = detect_params(options);
  if (!params.ok()) return fail(params.error());
  auto detector = make_detector(options.method, *params, 1440 / options.interval_minutes);
  if (!detector.ok()) return fail(detector.error());
  auto policy = detect_alert_policy(options.consecutive, options.repeat_every_minutes);
  if (!policy.ok()) return fail(policy.error());

  VerdictCsv rows;
  std::optional<AlertReplay> alerts;
  if (options.alerts) alerts.emplace(*policy, options.interval_minutes);
  RowSink& sink = alerts ? static_cast<RowSink&>(*alerts) : rows;
  BucketOrder order(options.interval_minutes);
  StreamOptions stream;
  stream.keep_leading_zeros = options.keep_leading_zeros;
  stream.threads = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
  auto status = stream_detect(**detector, order, sink, stream);
  if (!status.ok()) {
    std::fflush(stdout);
    return fail(status.error());
  }
  if (order.snapped() > 0) {
    spdlog::info("detect: {} row{} off the {}-minute grid {} put on the nearest free bucket",
                 order.snapped(), order.snapped() == 1 ? "" : "s", options.interval_minutes,
                 order.snapped() == 1 ? "was" : "were");
  }
  if (alerts) spdlog::info("detect: {}", describe(alerts->summary()));
  return 0;
}

}  // namespace vigil
