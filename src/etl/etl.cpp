#include "etl/etl.h"

#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "base/backoff.h"
#include "base/file_lock.h"
#include "base/parse.h"
#include "clickhouse/ddl.h"
#include "etl/etl_sql.h"

namespace vigil {
namespace {

constexpr std::pair<EtlStep, const char*> kStepNames[] = {
    {EtlStep::kExtractFeed, "extract-feed"},
    {EtlStep::kExtractMessages, "extract-messages"},
    {EtlStep::kTransform, "transform"},
    {EtlStep::kLoad, "load"},
    {EtlStep::kAll, "all"}};

// How long a load waits for ClickHouse to delete the parts it replaced, and
// how often it looks: after 20 ms, 40, 80, ... then every second.
constexpr auto kReplacedPartsTimeout = std::chrono::seconds(120);
constexpr Backoff kReplacedPartsPoll{0.02, 1.0};
// A load's DROP PARTITION while a shard elects its leader (up to a ZooKeeper
// session timeout after a replica died): 0.5 s, 1, 2, 4, 4, ... about 24 s in all.
constexpr int kLeaderChangeRetries = 8;
constexpr Backoff kLeaderChangeBackoff{0.5, 4.0};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs a count_rows_sql / count_day_rows_sql.
Result<long long> count_rows(ClickHouse& ch, const std::string& sql) {
  auto value = ch.query_value(sql);
  if (!value.ok()) return value.error();
  auto count = parse_int64(*value);
  if (!count.ok()) return Error::failure(sql + ": " + count.error().message);
  return count;
}

}  // namespace

Result<EtlStep> parse_etl_step(const std::string& name) {
  for (const auto& [step, step_name] : kStepNames) {
    if (name == step_name) return step;
  }
  return Error::usage(fmt::format(
      "unknown ETL step '{}': use extract-feed, extract-messages, transform, load or all", name));
}

std::string etl_step_name(EtlStep step) {
  for (const auto& [s, name] : kStepNames) {
    if (s == step) return name;
  }
  return "?";
}

Etl::Etl(ClickHouse& clickhouse, const Config& config, const date::time_zone* zone)
    : clickhouse_(clickhouse), config_(config), layout_(config.clickhouse), zone_(zone) {}

EtlSqlContext Etl::context_for(Days day) const {
  EtlSqlContext ctx;
  ctx.source_database = config_.source.database;
  ctx.feed_table = config_.source.feed_table;
  ctx.message_table = config_.source.message_table;
  ctx.target_database = config_.clickhouse.database;
  ctx.target_table = config_.etl.target_table;
  ctx.age_buckets = config_.etl.age_buckets;
  ctx.day = day;
  ctx.day_begin = day_start(day, zone_);
  ctx.day_end = day_start(day + date::days{1}, zone_);
  ctx.lookback_begin =
      day_start(day - date::days{config_.etl.demographics_lookback_days}, zone_);
  return ctx;
}

Status Etl::prepare_target() {
  if (target_ready_) return {};
  auto quorum = insert_quorum(clickhouse_, layout_);
  if (!quorum.ok()) return quorum.error();
  insert_quorum_ = *quorum;
  const auto ctx = context_for(Days{});
  VIGIL_TRY(ensure_table(clickhouse_, layout_, target_table_spec(ctx)));
  // An existing table with another structure would fail later inside
  // REPLACE PARTITION with an obscure message; say it now.
  auto rows = clickhouse_.query_rows(actual_columns_sql(ctx));
  if (!rows.ok()) return rows.error();
  std::vector<Column> actual;
  for (const auto& row : *rows) {
    auto column = parse_column(row);
    if (!column.ok()) return column.error();
    actual.push_back(std::move(*column));
  }
  if (actual != target_columns()) {
    return Error::failure(fmt::format(
        "target table {} exists with other columns than vigil writes: drop or rename it, or "
        "set [etl] target_table to a new name",
        target_table_ref(ctx)));
  }
  target_ready_ = true;
  return {};
}

Status Etl::build_staging(
    const EtlSqlContext& ctx, std::string StagingTables::*kind,
    const std::function<std::vector<std::string>(const std::string&)>& create_sql) {
  const std::string table = staging_tables(ctx, "").*kind;
  const std::string tmp = staging_tables(ctx, "__tmp").*kind;
  // Another process building the same table drops and renames `tmp` under us.
  auto concurrent = [&](const Error& error) {
    if (error.message.find("__tmp") == std::string::npos) return error;
    return Error::failure(fmt::format(
        "another load of {} is running against the same ClickHouse (staging table {} changed "
        "under this one): wait for it to finish, then re-run if it failed",
        format_date(ctx.day), tmp));
  };
  VIGIL_TRY(clickhouse_.execute(drop_table_sql(tmp)));
  for (const auto& sql : create_sql(tmp)) {
    if (auto done = clickhouse_.execute(sql); !done.ok()) return concurrent(done.error());
  }
  VIGIL_TRY(clickhouse_.execute(drop_table_sql(table)));
  if (auto renamed = clickhouse_.execute(rename_table_sql(tmp, table)); !renamed.ok()) {
    return concurrent(renamed.error());
  }
  return {};
}

Status Etl::require_table(const std::string& table, const std::string& step_to_run, Days day) {
  auto exists = table_exists(clickhouse_, table);
  if (!exists.ok()) return exists.error();
  if (*exists) return {};
  return Error::failure(fmt::format(
      "staging table {} is missing: run `vigil etl --date {} --step {}` first (or --step all)",
      table, format_date(day), step_to_run));
}

Status Etl::extract_feed(const EtlSqlContext& ctx) {
  VIGIL_TRY(clickhouse_.execute(create_database_sql(config_.clickhouse.database)));
  return build_staging(ctx, &StagingTables::feed, [&](const std::string& tmp) {
    return std::vector<std::string>{create_feed_staging_sql(ctx, tmp)};
  });
}

Status Etl::extract_messages(const EtlSqlContext& ctx) {
  VIGIL_TRY(clickhouse_.execute(create_database_sql(config_.clickhouse.database)));
  return build_staging(ctx, &StagingTables::messages, [&](const std::string& tmp) {
    return std::vector<std::string>{create_messages_staging_sql(ctx, tmp)};
  });
}

Result<long long> Etl::transform(const EtlSqlContext& ctx) {
  const auto staging = staging_tables(ctx, "");
  VIGIL_TRY(prepare_target());
  VIGIL_TRY(require_table(staging.feed, "extract-feed", ctx.day));
  VIGIL_TRY(require_table(staging.messages, "extract-messages", ctx.day));
  VIGIL_TRY(build_staging(ctx, &StagingTables::slices, [&](const std::string& tmp) {
    return std::vector<std::string>{create_slices_staging_sql(ctx, tmp),
                                    transform_insert_sql(ctx, tmp)};
  }));
  return count_rows(clickhouse_, count_rows_sql(staging.slices));
}

Result<long long> Etl::load(const EtlSqlContext& ctx) {
  const auto staging = staging_tables(ctx, "");
  VIGIL_TRY(prepare_target());
  VIGIL_TRY(require_table(staging.slices, "transform", ctx.day));
  auto staged = count_rows(clickhouse_, count_rows_sql(staging.slices));
  if (!staged.ok()) return staged.error();
  if (layout_.clustered()) {
    VIGIL_TRY(load_on_cluster(ctx, staging.slices, *staged));
  } else {
    VIGIL_TRY(clickhouse_.execute(*staged == 0 ? drop_partition_sql(ctx)
                                               : replace_partition_sql(ctx, staging.slices)));
    VIGIL_TRY(wait_for_replaced_parts(ctx));
  }
  for (const auto& table : {staging.feed, staging.messages, staging.slices}) {
    VIGIL_TRY(clickhouse_.execute(drop_table_sql(table)));
  }
  return count_rows(clickhouse_, count_day_rows_sql(ctx));
}

Status Etl::load_on_cluster(const EtlSqlContext& ctx, const std::string& staged_table,
                            long long staged_rows) {
  // Not atomic across shards: until a load succeeds the day may be missing or
  // partial on some shards, and the staging table is kept for the re-run.
  auto failed = [&](const Error& error) {
    return Error::failure(fmt::format(
        "load of {} on cluster '{}' did not finish ({}): the day may be incomplete until a "
        "re-run; bring every shard and replica up, then run `vigil etl --date {} --step load`",
        format_date(ctx.day), layout_.cluster(), error.message, format_date(ctx.day)));
  };
  const std::string drop = layout_.drop_partition_sql(ctx.target_database, ctx.target_table,
                                                      format_date(ctx.day));
  // A replicated DROP PARTITION goes through the shard's leader; while a replica
  // that just came back takes part in the election, 18.16 answers "Leader was
  // suddenly changed" (code 292): transient, so it is tried again a few times.
  Status dropped = run_ddl(clickhouse_, layout_, drop);
  for (int retry = 0; !dropped.ok() && retry < kLeaderChangeRetries &&
                      dropped.error().message.find("Leader was suddenly changed") != std::string::npos;
       ++retry) {
    spdlog::info("etl {}: the leader of a shard changed during the drop; retrying",
                 format_date(ctx.day));
    std::this_thread::sleep_for(std::chrono::duration<double>(kLeaderChangeBackoff.delay(retry)));
    dropped = run_ddl(clickhouse_, layout_, drop);
  }
  if (!dropped.ok()) return failed(dropped.error());
  if (staged_rows > 0) {
    auto inserted = clickhouse_.execute_with(
        fmt::format("INSERT INTO {} SELECT * FROM {}", target_table_ref(ctx), staged_table),
        layout_.insert_settings(insert_quorum_));
    if (!inserted.ok()) return failed(inserted.error());
  }
  auto loaded = count_rows(clickhouse_, count_day_rows_sql(ctx));
  if (!loaded.ok()) return failed(loaded.error());
  if (*loaded != staged_rows) {
    return failed(Error::failure(fmt::format("{} rows staged, {} read back through {}",
                                             staged_rows, *loaded, target_table_ref(ctx))));
  }
  return {};
}

Status Etl::wait_for_replaced_parts(const EtlSqlContext& ctx) {
  const auto start = std::chrono::steady_clock::now();
  for (int attempt = 0;; ++attempt) {
    std::vector<TargetPart> parts;
    std::optional<Error> bad_row;
    VIGIL_TRY(clickhouse_.query(target_parts_sql(ctx), [&](const Row& row) {
      auto part = parse_target_part(row);
      if (part.ok()) parts.push_back(*part);
      else bad_row = part.error();
    }));
    if (bad_row) return *bad_row;
    const auto waiting = resurrectable_parts(parts);
    if (waiting.empty()) return {};
    if (std::chrono::steady_clock::now() - start > kReplacedPartsTimeout) {
      return Error::failure(fmt::format(
          "ClickHouse still keeps the replaced rows of {} for {} on disk after {} s (parts {}; "
          "a long query may hold them): the day is right now, but a server restart before they "
          "are deleted brings them back; re-run `vigil etl --date {}` once the queries end",
          target_table_ref(ctx), format_date(ctx.day), kReplacedPartsTimeout.count(),
          fmt::join(waiting, ", "), format_date(ctx.day)));
    }
    if (attempt == 10) {
      spdlog::info("etl {}: waiting for ClickHouse to delete the replaced parts {} (a restart "
                   "now would bring them back)",
                   format_date(ctx.day), fmt::join(waiting, ", "));
    }
    VIGIL_TRY(clickhouse_.execute(cleanup_replaced_parts_sql(ctx)));
    std::this_thread::sleep_for(std::chrono::duration<double>(kReplacedPartsPoll.delay(attempt)));
  }
}

std::string etl_lock_path(const Config& config, Days day, EtlStep step) {
  const char* part = step == EtlStep::kExtractFeed       ? "feed"
                     : step == EtlStep::kExtractMessages ? "messages"
                                                         : "slices";
  return fmt::format("{}/locks/etl-{}.{}-{}-{}.lock", config.state_dir, config.clickhouse.database,
                     config.etl.target_table, compact_date(day), part);
}

Result<FileLock> Etl::lock_step(Days day, EtlStep step) const {
  const std::string path = etl_lock_path(config_, day, step);
  auto lock = FileLock::try_lock(path, true);
  if (!lock.ok()) return lock.error();
  if (!lock->acquired()) {
    return Error::failure(fmt::format(
        "another vigil process (pid {}) is running the ETL of {} for {}.{} (lock {}): wait for "
        "it to finish, then re-run if it failed",
        lock->holder(), format_date(day), config_.clickhouse.database, config_.etl.target_table,
        path));
  }
  return lock;
}

Result<EtlDayReport> Etl::run(Days day, EtlStep step) {
  // One process per date and staging table: the two extracts may run side by side.
  std::vector<FileLock> locks;
  for (EtlStep part : {EtlStep::kExtractFeed, EtlStep::kExtractMessages, EtlStep::kTransform}) {
    const bool needed = step == EtlStep::kAll || step == part ||
                        (part == EtlStep::kTransform && step == EtlStep::kLoad);
    if (!needed) continue;
    auto lock = lock_step(day, part);
    if (!lock.ok()) return lock.error();
    locks.push_back(std::move(*lock));
  }
  return run_locked(day, step);
}

Status Etl::timed_step(Days day, EtlStep step, const std::function<Status()>& body) {
  const auto start = std::chrono::steady_clock::now();
  VIGIL_TRY(body());
  spdlog::debug("etl {} {}: {:.2f} s", format_date(day), etl_step_name(step),
                seconds_since(start));
  return {};
}

Status Etl::extract_both(const EtlSqlContext& ctx) {
  // Created once here, so the two extracts' CREATE DATABASE IF NOT EXISTS never race.
  VIGIL_TRY(clickhouse_.execute(create_database_sql(config_.clickhouse.database)));
  auto messages = std::async(std::launch::async, [&] {
    return timed_step(ctx.day, EtlStep::kExtractMessages, [&] { return extract_messages(ctx); });
  });
  const Status feed =
      timed_step(ctx.day, EtlStep::kExtractFeed, [&] { return extract_feed(ctx); });
  const Status messages_done = messages.get();
  VIGIL_TRY(feed);
  return messages_done;
}

Result<EtlDayReport> Etl::run_locked(Days day, EtlStep step) {
  const auto ctx = context_for(day);
  const auto start = std::chrono::steady_clock::now();
  EtlDayReport report{day, 0, 0};
  if (step == EtlStep::kAll) {
    VIGIL_TRY(extract_both(ctx));
  } else if (step == EtlStep::kExtractFeed) {
    VIGIL_TRY(timed_step(day, step, [&] { return extract_feed(ctx); }));
  } else if (step == EtlStep::kExtractMessages) {
    VIGIL_TRY(timed_step(day, step, [&] { return extract_messages(ctx); }));
  }
  // Transform and load both end with the rows of the date they wrote.
  auto counted = [&](EtlStep s, Result<long long> (Etl::*run_step)(const EtlSqlContext&)) {
    return timed_step(day, s, [&]() -> Status {
      auto rows = (this->*run_step)(ctx);
      if (!rows.ok()) return rows.error();
      report.rows = *rows;
      return {};
    });
  };
  if (step == EtlStep::kTransform || step == EtlStep::kAll) {
    VIGIL_TRY(counted(EtlStep::kTransform, &Etl::transform));
  }
  if (step == EtlStep::kLoad || step == EtlStep::kAll) {
    VIGIL_TRY(counted(EtlStep::kLoad, &Etl::load));
  }
  report.seconds = seconds_since(start);
  return report;
}

Result<std::vector<EtlDayReport>> Etl::run_range(Days from, Days to, EtlStep step) {
  if (to < from) {
    return Error::usage(fmt::format("empty date range: --from {} is after --to {}",
                                    format_date(from), format_date(to)));
  }
  const int total = (to - from).count() + 1;
  std::vector<EtlDayReport> reports;
  for (int i = 0; i < total; ++i) {
    const Days day = from + date::days{i};
    auto report = run(day, step);
    if (!report.ok()) {
      return Error::failure(fmt::format("etl {} ({}/{}) failed: {}", format_date(day), i + 1,
                                        total, report.error().message));
    }
    const bool counted = step == EtlStep::kTransform || step == EtlStep::kLoad ||
                         step == EtlStep::kAll;
    if (counted && report->rows == 0) {
      spdlog::warn("etl {}: no events in {}.{} / {}.{} for this day; the date has 0 rows",
                   format_date(day), config_.source.database, config_.source.feed_table,
                   config_.source.database, config_.source.message_table);
    }
    spdlog::info("etl {} [{}/{}] {}: {} rows, {:.2f} s", format_date(day), i + 1, total,
                 etl_step_name(step), counted ? std::to_string(report->rows) : "-",
                 report->seconds);
    reports.push_back(*report);
  }
  return reports;
}

}  // namespace vigil
