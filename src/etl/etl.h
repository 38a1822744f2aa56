// The daily ETL steps, run against ClickHouse. All heavy work happens in the
// server; vigil only sends SQL and reads counts. Each step is safe to re-run:
// staging tables are rebuilt from scratch, load replaces the date's partition.
// On a cluster (`[clickhouse] cluster`) the extracts read the Distributed source
// tables (each shard aggregates its users, the partial states meet on the node
// vigil talks to), the staging tables stay on that node, and load replaces the
// day on every shard.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/file_lock.h"
#include "base/result.h"
#include "base/time.h"
#include "clickhouse/client.h"
#include "clickhouse/layout.h"
#include "config/config.h"
#include "etl/etl_sql.h"

namespace vigil {

enum class EtlStep { kExtractFeed, kExtractMessages, kTransform, kLoad, kAll };

// "extract-feed" ... "all"; error lists the valid names.
Result<EtlStep> parse_etl_step(const std::string& name);
std::string etl_step_name(EtlStep step);

// The lock file of the staging table `step` writes for `day` (transform and load
// share one): under state_dir/locks, removed when released.
std::string etl_lock_path(const Config& config, Days day, EtlStep step);

struct EtlDayReport {
  Days day;
  long long rows = 0;       // rows of the date in the target after load (or in staging)
  double seconds = 0;
};

class Etl {
 public:
  Etl(ClickHouse& clickhouse, const Config& config, const date::time_zone* zone);

  // Runs one step (or all four) for one business day. A step is refused (with
  // the holder's pid) while another process on this state dir runs it for the day.
  Result<EtlDayReport> run(Days day, EtlStep step);

  // Runs `step` for each day in [from, to], logging progress (date i of n,
  // rows, seconds). Stops at the first failure.
  Result<std::vector<EtlDayReport>> run_range(Days from, Days to, EtlStep step);

 private:
  Status prepare_target();
  Status extract_feed(const EtlSqlContext& ctx);
  Status extract_messages(const EtlSqlContext& ctx);
  // Both extracts side by side (they read and write different tables; the
  // client may be shared by threads). Fails with the feed's error if both fail.
  Status extract_both(const EtlSqlContext& ctx);
  // Runs `body` as `step` of `day`, logging its seconds when it succeeds.
  Status timed_step(Days day, EtlStep step, const std::function<Status()>& body);
  Result<long long> transform(const EtlSqlContext& ctx);
  Result<long long> load(const EtlSqlContext& ctx);
  // The cluster's load: the day's partition dropped ON CLUSTER, then the staged
  // rows inserted through the Distributed target, complete on every shard.
  Status load_on_cluster(const EtlSqlContext& ctx, const std::string& staged_table,
                         long long staged_rows);
  // Waits until no part replaced by this load could come back on a server
  // restart (see resurrectable_parts), so a finished load stays finished.
  Status wait_for_replaced_parts(const EtlSqlContext& ctx);
  // The lock of `day`'s staging table that `step` writes (state_dir/locks).
  Result<FileLock> lock_step(Days day, EtlStep step) const;
  Result<EtlDayReport> run_locked(Days day, EtlStep step);
  Status require_table(const std::string& table, const std::string& step_to_run, Days day);
  // Builds staging table `kind` (feed, messages, slices): runs `create_sql(tmp)`
  // under the temporary name, then renames it, so the table either does not
  // exist or is complete.
  Status build_staging(const EtlSqlContext& ctx, std::string StagingTables::*kind,
                       const std::function<std::vector<std::string>(const std::string&)>& create_sql);
  EtlSqlContext context_for(Days day) const;

  ClickHouse& clickhouse_;
  const Config& config_;
  TableLayout layout_;
  int insert_quorum_ = 1;  // on a cluster: the replicas every shard must write
  const date::time_zone* zone_;
  bool target_ready_ = false;
};

}  // namespace vigil
