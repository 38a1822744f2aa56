// `vigil silence add|list|expire`: quiet a known problem (a release, an outage)
// for a while; the silences live with the alert state (alerts.sqlite).
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "alert/silence.h"
#include "alert/store.h"
#include "cli/cli.h"
#include "cli/context.h"

namespace vigil {
namespace {

// The silence `options` describe, from `now` by default.
Result<Silence> silence_of(const SilenceOptions& options, const Config& config,
                           const date::time_zone* zone, EpochSeconds now) {
  VIGIL_TRY(check_silence_metric(options.metric));
  if (options.slice && options.slice->find('=') == std::string::npos) {
    return Error::usage(fmt::format(
        "bad --slice '{}': give dimension=value, e.g. os=Android or age=18-24", *options.slice));
  }
  if (options.for_duration.empty() == options.until.empty()) {
    return Error::usage("give how long: --for DURATION (90m, 2h, 1d) or --until \"YYYY-MM-DD HH:MM\"");
  }
  Silence s;
  s.metric = options.metric;
  s.slice = options.slice;
  s.comment = options.comment;
  s.created_at = now;
  const char* user = std::getenv("USER");
  s.created_by = !options.by.empty() ? options.by : (user != nullptr && *user ? user : "unknown");
  if (options.from.empty()) {
    s.starts = silence_start_now(now, config.alerts.interval_minutes);
  } else {
    auto from = parse_local_time(options.from, zone);
    if (!from.ok()) return from.error();
    s.starts = *from;
  }
  if (!options.for_duration.empty()) {
    auto length = parse_silence_duration(options.for_duration);
    if (!length.ok()) return length.error();
    s.ends = (options.from.empty() ? now : s.starts) + *length;
  } else {
    auto until = parse_local_time(options.until, zone);
    if (!until.ok()) return until.error();
    s.ends = *until;
  }
  if (s.ends <= s.starts) return Error::usage("--until must be after the start (--from or now)");
  if (s.ends <= now) return Error::usage("that silence would be over already: nothing to do");
  return s;
}

}  // namespace

int run_silence(const GlobalOptions& global, const SilenceOptions& options) {
  auto ctx = make_context(global);
  if (!ctx.ok()) return fail(ctx.error());
  auto store = open_sqlite_alert_store(alert_state_path(ctx->config));
  if (!store.ok()) return fail(store.error());
  const EpochSeconds now = system_now();
  if (options.action == "add") {
    auto silence = silence_of(options, ctx->config, ctx->zone, now);
    if (!silence.ok()) return fail(silence.error());
    auto saved = (*store)->add_silence(*silence);
    if (!saved.ok()) return fail(saved.error());
    std::cout << "silenced: " << silences_text({*saved}, now, ctx->zone);
    return 0;
  }
  if (options.action == "expire") {
    auto expired = (*store)->expire_silence(options.id, now);
    if (!expired.ok()) return fail(expired.error());
    std::cout << "expired: " << silences_text({*expired}, now, ctx->zone);
    return 0;
  }
  auto silences = (*store)->silences(options.all ? std::nullopt : std::optional(now));
  if (!silences.ok()) return fail(silences.error());
  std::cout << silences_text(*silences, now, ctx->zone);
  return 0;
}

}  // namespace vigil
