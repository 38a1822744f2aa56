// The live DashboardSource: ClickHouse for the metrics and the slice table,
// the state directory's SQLite files for alerts and runs.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <tuple>

#include <fmt/format.h>

#include "base/parse.h"
#include "etl/etl_sql.h"
#include "metrics/breakdown.h"
#include "metrics/bucket_table.h"
#include "web/cache.h"
#include "web/dashboard.h"

namespace vigil {
namespace {

class LiveDashboardSource final : public DashboardSource {
 public:
  LiveDashboardSource(const Config& config, const date::time_zone* zone,
                      std::string alert_store_path, std::string run_history_path)
      : config_(config), zone_(zone), alert_store_path_(std::move(alert_store_path)),
        run_history_path_(std::move(run_history_path)) {}

  Result<std::vector<DailyMetrics>> daily(Days first, Days last) override {
    return daily_cache_.get({first, last}, [&]() -> Result<std::vector<DailyMetrics>> {
      auto clickhouse = client();
      return query_daily_metrics(*clickhouse, config_, zone_, first, last);
    });
  }

  Result<std::vector<SliceRow>> slices(Days day, std::vector<std::string>& columns) override {
    columns.clear();
    std::string select = "dimension, dimension_value";
    for (const auto& [name, type] : target_columns()) {
      if (name == "event_date" || name == "dimension" || name == "dimension_value") continue;
      columns.push_back(name);
      select += ", " + sql_ident(name);
    }
    return slices_cache_.get(day, [&] { return query_slices(day, select, columns); });
  }

  Result<BucketSeries> series(EpochSeconds begin, EpochSeconds end,
                              const std::string& dimension) override {
    return series_cache_.get({begin, end, dimension}, [&]() -> Result<BucketSeries> {
      Config config = config_;
      config.alerts.slices.clear();
      if (!dimension.empty()) config.alerts.slices.push_back(dimension);
      auto clickhouse = client();
      // The alerts' bucket table where it has the window (a past day), else raw events.
      return query_series_cached(*clickhouse, config, alert_series_request(config), begin, end);
    });
  }

  Result<BucketSeries> breakdown(EpochSeconds begin, EpochSeconds end,
                                 const std::string& metric) override {
    return series_cache_.get({begin, end, "breakdown of " + metric}, [&]() -> Result<BucketSeries> {
      auto clickhouse = client();
      return query_breakdown(*clickhouse, config_, config_.alerts.explain_by, {metric}, begin, end);
    });
  }

  Result<std::vector<AlertRecord>> alerts(const HistoryFilter& filter) override {
    // No store yet (no alert run so far): no alerts, and no file made for it.
    if (!std::filesystem::exists(alert_store_path_)) return std::vector<AlertRecord>{};
    auto store = open_sqlite_alert_store(alert_store_path_);
    if (!store.ok()) return store.error();
    return (*store)->history(filter);
  }

  Result<std::vector<Silence>> silences(EpochSeconds after) override {
    if (!std::filesystem::exists(alert_store_path_)) return std::vector<Silence>{};
    auto store = open_sqlite_alert_store(alert_store_path_);
    if (!store.ok()) return store.error();
    return (*store)->silences(after);
  }

  Result<std::vector<Feedback>> feedback(EpochSeconds from, EpochSeconds to) override {
    if (!std::filesystem::exists(alert_store_path_)) return std::vector<Feedback>{};
    auto store = open_sqlite_alert_store(alert_store_path_);
    if (!store.ok()) return store.error();
    return (*store)->feedback(from, to);
  }

  Result<std::vector<RunRecord>> runs(const RunFilter& filter) override {
    if (!std::filesystem::exists(run_history_path_)) return std::vector<RunRecord>{};
    auto history = open_run_history(run_history_path_);
    if (!history.ok()) return history.error();
    return (*history)->list(filter);
  }

 private:
  Result<std::vector<SliceRow>> query_slices(Days day, const std::string& select,
                                             const std::vector<std::string>& columns) const {
    auto clickhouse = client();
    auto rows = clickhouse->query_rows(
        fmt::format("SELECT {} FROM {} WHERE event_date = '{}'", select,
                    sql_table(config_.clickhouse.database, config_.etl.target_table),
                    format_date(day)));
    if (!rows.ok()) return rows.error();
    std::vector<SliceRow> out;
    const std::string source =
        fmt::format("slices from {}.{}", config_.clickhouse.database, config_.etl.target_table);
    for (const Row& row : *rows) {
      CellReader cells(row, source);
      SliceRow slice{cells.text(0, "dimension"), cells.text(1, "dimension_value"), {}};
      for (size_t i = 0; i < columns.size(); ++i) {
        slice.values[columns[i]] = cells.int64(i + 2, columns[i]);
      }
      if (cells.error()) return *cells.error();
      out.push_back(std::move(slice));
    }
    return out;
  }

  std::unique_ptr<ClickHouse> client() const {
    // A reader waits a minute at most, however long the jobs may take.
    auto connection = config_.clickhouse;
    connection.query_timeout_seconds = std::min(connection.query_timeout_seconds, 60);
    return make_qualified_clickhouse(connection);
  }

  const Config& config_;
  const date::time_zone* zone_;
  std::string alert_store_path_, run_history_path_;
  TtlCache<std::pair<Days, Days>, std::vector<DailyMetrics>> daily_cache_{std::chrono::seconds(60)};
  TtlCache<std::tuple<EpochSeconds, EpochSeconds, std::string>, BucketSeries> series_cache_{
      std::chrono::seconds(60)};
  // Not kept (the ETL rewrites it), only shared by readers asking at the same time.
  TtlCache<Days, std::vector<SliceRow>> slices_cache_{std::chrono::seconds(0)};
};

}  // namespace

std::unique_ptr<DashboardSource> make_live_dashboard_source(const Config& config,
                                                            const date::time_zone* zone,
                                                            std::string alert_store_path,
                                                            std::string run_history_path) {
  return std::make_unique<LiveDashboardSource>(config, zone, std::move(alert_store_path),
                                               std::move(run_history_path));
}

}  // namespace vigil
