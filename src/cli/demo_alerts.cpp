// The alert part of `vigil demo`: the last simulated day replayed bucket by
// bucket through the live alert path (`run_alerts`, the same as `vigil alert`),
// into Telegram when a token is set, else into out_dir/alerts.
#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "alert/run.h"
#include "alert/store.h"
#include "cli/cli.h"
#include "cli/delivery.h"
#include "cli/demo.h"

namespace vigil {

Result<std::string> demo_alerts(AppContext& ctx, Days day) {
  // The alert store the dashboard reads, started afresh each demo so that
  // re-running the demo alerts again (the demo's data is new each time too).
  const std::string state_path = alert_state_path(ctx.config);
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(state_path + suffix, ignored);
  auto store = open_sqlite_alert_store(state_path);
  if (!store.ok()) return store.error();
  const std::string dir = ctx.config.out_dir + "/alerts";
  if (ctx.config.telegram.token.empty()) std::filesystem::remove_all(dir, ignored);
  auto delivery = make_alert_delivery(ctx.config, ctx.zone, false, dir);
  if (!delivery.ok()) return delivery.error();
  auto& sink = *delivery->sink;
  const bool to_telegram = delivery->to_telegram;
  const int bs = ctx.config.alerts.interval_minutes * 60;
  const EpochSeconds begin = day_start(day, ctx.zone);
  const EpochSeconds end = day_start(day + date::days{1}, ctx.zone);
  int fired = 0, resolved = 0, messages = 0;
  for (EpochSeconds at = begin + bs; at <= end; at += bs) {
    auto run = run_alerts(*ctx.clickhouse, ctx.config, ctx.zone, **store, sink,
                          chart::default_renderer(), {at, false}, system_now);
    if (!run.ok()) return run.error();
    fired += run->fired;
    resolved += run->resolved;
    messages += run->messages;
    if (!run->failures.empty()) return Error::failure(run->failures.front());
  }
  spdlog::info("demo: alerts replayed over {}: {} fired, {} back to normal", format_date(day),
               fired, resolved);
  return fmt::format("{} fired and {} back to normal for {}, in {} messages {}", fired, resolved,
                     format_date(day), messages,
                     to_telegram ? "sent to Telegram" : "in " + dir + "/ (.html text, .png chart)");
}

}  // namespace vigil
