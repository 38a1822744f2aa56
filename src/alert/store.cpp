#include "alert/store.h"

#include <algorithm>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "base/sqlite.h"

namespace vigil {
namespace {

constexpr int kSchemaVersion = 4;

// Constant SQL only: every value goes through a bound parameter.
constexpr const char* kCreateSchema = R"sql(
CREATE TABLE IF NOT EXISTS alert_state(
  metric TEXT NOT NULL,
  slice TEXT NOT NULL,
  firing INTEGER NOT NULL,
  streak INTEGER NOT NULL,
  fired_at INTEGER NOT NULL,
  last_sent INTEGER NOT NULL,
  last_bucket INTEGER NOT NULL,
  PRIMARY KEY(metric, slice));
CREATE TABLE IF NOT EXISTS alert_history(
  id INTEGER PRIMARY KEY,
  metric TEXT NOT NULL,
  slice TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  value REAL, lower REAL, upper REAL, expected REAL, score REAL,
  anomaly INTEGER NOT NULL,
  ready INTEGER NOT NULL,
  action TEXT NOT NULL,
  delivered INTEGER NOT NULL,
  error TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  sending INTEGER NOT NULL DEFAULT 0,
  text_sent INTEGER NOT NULL DEFAULT 0,
  silenced INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS alert_history_bucket ON alert_history(bucket);
CREATE INDEX IF NOT EXISTS alert_history_metric_bucket ON alert_history(metric, bucket);
CREATE TABLE IF NOT EXISTS silences(
  id INTEGER PRIMARY KEY,
  metric TEXT NOT NULL,
  slice TEXT,
  starts INTEGER NOT NULL,
  ends INTEGER NOT NULL,
  comment TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expired_at INTEGER);
)sql";

// Version 1 had no `sending` column (a send started and not finished), version
// 2 no `text_sent` (the text of a two-part message went out), version 3 no
// silences. Run in order from the version found.
constexpr const char* kMigrateFrom1 =
    "ALTER TABLE alert_history ADD COLUMN sending INTEGER NOT NULL DEFAULT 0;";
constexpr const char* kMigrateFrom2 =
    "ALTER TABLE alert_history ADD COLUMN text_sent INTEGER NOT NULL DEFAULT 0;";
constexpr const char* kMigrateFrom3 =
    "ALTER TABLE alert_history ADD COLUMN silenced INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE IF NOT EXISTS silences(id INTEGER PRIMARY KEY, metric TEXT NOT NULL, "
    "slice TEXT, starts INTEGER NOT NULL, ends INTEGER NOT NULL, comment TEXT NOT NULL, "
    "created_by TEXT NOT NULL, created_at INTEGER NOT NULL, expired_at INTEGER);";

constexpr const char* kLoadStates =
    "SELECT metric, slice, firing, streak, fired_at, last_sent, last_bucket FROM alert_state";
constexpr const char* kUpsertState =
    "INSERT INTO alert_state(metric, slice, firing, streak, fired_at, last_sent, last_bucket) "
    "VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(metric, slice) DO UPDATE SET "
    "firing = excluded.firing, streak = excluded.streak, fired_at = excluded.fired_at, "
    "last_sent = excluded.last_sent, last_bucket = excluded.last_bucket";
constexpr const char* kInsertRecord =
    "INSERT INTO alert_history(metric, slice, bucket, value, lower, upper, expected, score, "
    "anomaly, ready, action, delivered, error, recorded_at, silenced) "
    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kMarkDelivered =
    "UPDATE alert_history SET delivered = ?, error = ?, sending = 0 WHERE id = ?";
constexpr const char* kBeginSending =
    "UPDATE alert_history SET sending = 1 WHERE id = ? AND delivered = 0";
constexpr const char* kMarkTextSent = "UPDATE alert_history SET text_sent = 1 WHERE id = ?";
constexpr const char* kIsRecord = "SELECT 1 FROM alert_history WHERE id = ?";
constexpr const char* kRecordColumns =
    "SELECT id, metric, slice, bucket, value, lower, upper, expected, score, anomaly, ready, "
    "action, delivered, error, recorded_at, sending, text_sent, silenced FROM alert_history";
constexpr const char* kSilenceColumns =
    "SELECT id, metric, slice, starts, ends, comment, created_by, created_at, expired_at "
    "FROM silences";

using Use = SqliteUse;

AlertAction parse_action(const std::string& name) {
  for (AlertAction action : {AlertAction::kFire, AlertAction::kRepeat, AlertAction::kResolve}) {
    if (name == alert_action_name(action)) return action;
  }
  return AlertAction::kNone;
}

// Columns in the order of kRecordColumns.
AlertRecord read_record(const Use& row) {
  AlertRecord record;
  record.id = row.integer_at(0);
  Evaluation& e = record.evaluation;
  e.key = {row.text_at(1), row.text_at(2)};
  e.bucket = row.integer_at(3);
  e.value = row.real_at(4);
  e.lower = row.real_at(5);
  e.upper = row.real_at(6);
  e.expected = row.real_at(7);
  e.score = row.real_at(8);
  e.anomaly = row.integer_at(9) != 0;
  e.ready = row.integer_at(10) != 0;
  record.action = parse_action(row.text_at(11));
  record.delivered = row.integer_at(12) != 0;
  record.error = row.text_at(13);
  record.recorded_at = row.integer_at(14);
  record.sending = row.integer_at(15) != 0;
  record.text_sent = row.integer_at(16) != 0;
  record.silenced = row.integer_at(17) != 0;
  return record;
}

// Columns in the order of kSilenceColumns.
Silence read_silence(const Use& row) {
  Silence s;
  s.id = row.integer_at(0);
  s.metric = row.text_at(1);
  if (!row.null_at(2)) s.slice = row.text_at(2);
  s.starts = row.integer_at(3);
  s.ends = row.integer_at(4);
  s.comment = row.text_at(5);
  s.created_by = row.text_at(6);
  s.created_at = row.integer_at(7);
  if (!row.null_at(8)) s.expired_at = row.integer_at(8);
  return s;
}

// Runs one migration step; a file whose alert_history is not ours is refused.
Status migrate_step(const SqliteDb& db, const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db.get(), sql, nullptr, nullptr, &message);
  const std::string why = message != nullptr ? message : "";
  sqlite3_free(message);
  if ((rc & 0xff) == SQLITE_ERROR) return db.not_vigil(why);  // no alert_history of ours
  if (rc != SQLITE_OK) return db.error("open", rc);
  return {};
}

// Creates the schema once, or upgrades a version-1 or -2 file.
Status ensure_schema(const SqliteDb& db) {
  return db.ensure_schema(kCreateSchema, kSchemaVersion, [&](int found) -> Status {
    if (found < 2) VIGIL_TRY(migrate_step(db, kMigrateFrom1));
    if (found < 3) VIGIL_TRY(migrate_step(db, kMigrateFrom2));
    return migrate_step(db, kMigrateFrom3);
  });
}

Result<SqliteDb> open_database(const std::string& path) {
  auto db = SqliteDb::open({path, "alert state", "state database"});
  if (!db) return db.error();
  VIGIL_TRY(ensure_schema(*db));
  return db;
}

class SqliteAlertStore final : public AlertStore {
 public:
  explicit SqliteAlertStore(SqliteDb db) : db_(std::move(db)) {}

  // Prepares the fixed statements; a table with other columns (a file that is
  // SQLite but not vigil's) fails here.
  Status prepare_all() {
    const std::pair<SqliteStmt*, const char*> all[] = {{&load_states_, kLoadStates},
                                                 {&upsert_state_, kUpsertState},
                                                 {&insert_record_, kInsertRecord},
                                                 {&mark_delivered_, kMarkDelivered},
                                                 {&begin_sending_, kBeginSending},
                                                 {&mark_text_sent_, kMarkTextSent},
                                                 {&is_record_, kIsRecord}};
    for (const auto& [stmt, sql] : all) {
      sqlite3_stmt* raw = nullptr;
      const int rc = sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr);
      stmt->reset(raw);
      if ((rc & 0xff) == SQLITE_ERROR) {
        return db_.not_vigil(sqlite_message(db_.get(), rc));
      }
      if (rc != SQLITE_OK) return db_.error("open", rc);
    }
    return {};
  }

  Result<std::map<AlertKey, AlertState>> load_states() override;
  Result<std::vector<AlertRecord>> commit(const std::map<AlertKey, AlertState>& states,
                                          const std::vector<AlertRecord>& records) override;
  Result<bool> begin_sending(std::int64_t id) override;
  Status mark_delivered(std::int64_t id, bool delivered, const std::string& error) override;
  Status mark_text_sent(std::int64_t id) override;
  Result<std::vector<AlertRecord>> undelivered(EpochSeconds since) override;
  Result<std::vector<AlertRecord>> history(const HistoryFilter& filter) override;
  Result<Silence> add_silence(const Silence& silence) override;
  Result<std::vector<Silence>> silences(std::optional<EpochSeconds> after) override;
  Result<Silence> expire_silence(std::int64_t id, EpochSeconds now) override;

 private:
  Result<std::vector<Silence>> read_silences(const std::string& where, std::int64_t value);
  Status save_state(const AlertKey& key, const AlertState& state);
  Result<std::int64_t> append(const AlertRecord& record);
  Result<std::vector<AlertRecord>> read_records(Use& use);

  Error no_record(std::int64_t id) const {
    return Error::failure(fmt::format("alert state {} has no alert record {}", db_.path(), id));
  }

  SqliteDb db_;
  SqliteStmt load_states_, upsert_state_, insert_record_, mark_delivered_, begin_sending_,
      mark_text_sent_, is_record_;
};

Result<std::map<AlertKey, AlertState>> SqliteAlertStore::load_states() {
  std::map<AlertKey, AlertState> states;
  Use use(load_states_.get());
  int rc;
  while ((rc = use.step()) == SQLITE_ROW) {
    AlertState& state = states[AlertKey{use.text_at(0), use.text_at(1)}];
    state.firing = use.integer_at(2) != 0;
    state.streak = static_cast<int>(use.integer_at(3));
    state.fired_at = use.integer_at(4);
    state.last_sent = use.integer_at(5);
    state.last_bucket = use.integer_at(6);
  }
  if (rc != SQLITE_DONE) return db_.error("read", rc);
  return states;
}

Status SqliteAlertStore::save_state(const AlertKey& key, const AlertState& state) {
  Use use(upsert_state_.get());
  use.text(key.metric).text(key.slice).integer(state.firing ? 1 : 0).integer(state.streak);
  use.integer(state.fired_at).integer(state.last_sent).integer(state.last_bucket);
  const int rc = use.step();
  if (rc != SQLITE_DONE) return db_.error("save", rc);
  return {};
}

Result<std::int64_t> SqliteAlertStore::append(const AlertRecord& record) {
  const Evaluation& e = record.evaluation;
  Use use(insert_record_.get());
  use.text(e.key.metric).text(e.key.slice).integer(e.bucket);
  use.real(e.value).real(e.lower).real(e.upper).real(e.expected).real(e.score);
  use.integer(e.anomaly ? 1 : 0).integer(e.ready ? 1 : 0).text(alert_action_name(record.action));
  use.integer(record.delivered ? 1 : 0).text(record.error).integer(record.recorded_at);
  use.integer(record.silenced ? 1 : 0);
  const int rc = use.step();
  if (rc != SQLITE_DONE) return db_.error("save", rc);
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_.get()));
}

Result<std::vector<AlertRecord>> SqliteAlertStore::commit(
    const std::map<AlertKey, AlertState>& states, const std::vector<AlertRecord>& records) {
  // IMMEDIATE takes the write lock up front, so a concurrent writer waits for
  // the busy timeout instead of failing halfway.
  VIGIL_TRY(db_.exec("BEGIN IMMEDIATE", "save"));
  SqliteTransaction transaction(db_);
  for (const auto& [key, state] : states) VIGIL_TRY(save_state(key, state));
  std::vector<AlertRecord> saved = records;
  for (AlertRecord& record : saved) {
    auto id = append(record);
    if (!id) return id.error();
    record.id = *id;
  }
  VIGIL_TRY(transaction.commit("save"));
  return saved;
}

Status SqliteAlertStore::mark_delivered(std::int64_t id, bool delivered,
                                        const std::string& error) {
  Use use(mark_delivered_.get());
  use.integer(delivered ? 1 : 0).text(error).integer(id);
  const int rc = use.step();
  if (rc != SQLITE_DONE) return db_.error("update", rc);
  if (sqlite3_changes(db_.get()) == 0) return no_record(id);
  return {};
}

Status SqliteAlertStore::mark_text_sent(std::int64_t id) {
  Use use(mark_text_sent_.get());
  use.integer(id);
  const int rc = use.step();
  if (rc != SQLITE_DONE) return db_.error("update", rc);
  if (sqlite3_changes(db_.get()) == 0) return no_record(id);
  return {};
}

Result<bool> SqliteAlertStore::begin_sending(std::int64_t id) {
  {
    Use use(begin_sending_.get());
    use.integer(id);
    const int rc = use.step();
    if (rc != SQLITE_DONE) return db_.error("update", rc);
    if (sqlite3_changes(db_.get()) > 0) return true;
  }
  Use use(is_record_.get());
  use.integer(id);
  const int rc = use.step();
  if (rc == SQLITE_ROW) return false;  // there, and delivered already
  if (rc != SQLITE_DONE) return db_.error("read", rc);
  return no_record(id);
}

Result<std::vector<AlertRecord>> SqliteAlertStore::read_records(Use& use) {
  std::vector<AlertRecord> records;
  int rc;
  while ((rc = use.step()) == SQLITE_ROW) records.push_back(read_record(use));
  if (rc != SQLITE_DONE) return db_.error("read", rc);
  return records;
}

Result<std::vector<AlertRecord>> SqliteAlertStore::undelivered(EpochSeconds since) {
  auto stmt = db_.prepare(std::string(kRecordColumns) +
                              " WHERE action != 'none' AND delivered = 0 AND silenced = 0 AND bucket >= ?"
                              " ORDER BY bucket, id",
                          "read");
  if (!stmt) return stmt.error();
  Use use(stmt->get());
  use.integer(since);
  return read_records(use);
}

Result<std::vector<AlertRecord>> SqliteAlertStore::history(const HistoryFilter& filter) {
  // The text is assembled from fixed pieces only; the values are bound below in
  // the same order.
  std::string sql = std::string(kRecordColumns) + " WHERE 1 = 1";
  if (filter.metric) sql += " AND metric = ?";
  if (filter.from) sql += " AND bucket >= ?";
  if (filter.to) sql += " AND bucket < ?";
  if (filter.actions_only) sql += " AND action != 'none'";
  sql += " ORDER BY bucket DESC, id DESC LIMIT ?";
  auto stmt = db_.prepare(sql, "read");
  if (!stmt) return stmt.error();
  Use use(stmt->get());
  if (filter.metric) use.text(*filter.metric);
  if (filter.from) use.integer(*filter.from);
  if (filter.to) use.integer(*filter.to);
  use.integer(filter.limit > 0 ? filter.limit : -1);  // SQLite: a negative limit means none
  return read_records(use);
}

Result<std::vector<Silence>> SqliteAlertStore::read_silences(const std::string& where,
                                                             std::int64_t value) {
  auto stmt = db_.prepare(std::string(kSilenceColumns) + where + " ORDER BY starts, id", "read");
  if (!stmt) return stmt.error();
  Use use(stmt->get());
  use.integer(value);
  std::vector<Silence> out;
  int rc;
  while ((rc = use.step()) == SQLITE_ROW) out.push_back(read_silence(use));
  if (rc != SQLITE_DONE) return db_.error("read", rc);
  return out;
}

Result<std::vector<Silence>> SqliteAlertStore::silences(std::optional<EpochSeconds> after) {
  return read_silences(" WHERE ends > ?", after.value_or(std::numeric_limits<std::int64_t>::min()));
}

Result<Silence> SqliteAlertStore::add_silence(const Silence& silence) {
  auto stmt = db_.prepare(
      "INSERT INTO silences(metric, slice, starts, ends, comment, created_by, created_at) "
      "VALUES(?, ?, ?, ?, ?, ?, ?)",
      "save");
  if (!stmt) return stmt.error();
  Use use(stmt->get());
  use.text(silence.metric);
  if (silence.slice) use.text(*silence.slice); else use.null();
  use.integer(silence.starts).integer(silence.ends).text(silence.comment);
  use.text(silence.created_by).integer(silence.created_at);
  const int rc = use.step();
  if (rc != SQLITE_DONE) return db_.error("save", rc);
  Silence saved = silence;
  saved.id = sqlite3_last_insert_rowid(db_.get());
  return saved;
}

Result<Silence> SqliteAlertStore::expire_silence(std::int64_t id, EpochSeconds now) {
  auto found = read_silences(" WHERE id = ?", id);
  if (!found) return found.error();
  if (found->empty()) {
    return Error::usage(fmt::format("no silence #{} in {}: `vigil silence list --all` shows them",
                                    id, db_.path()));
  }
  Silence silence = found->front();
  if (silence.ends <= now) {
    return Error::usage(fmt::format("silence #{} is over already; nothing to expire", id));
  }
  auto stmt = db_.prepare("UPDATE silences SET ends = ?, expired_at = ? WHERE id = ?", "update");
  if (!stmt) return stmt.error();
  Use use(stmt->get());
  use.integer(std::max(now, silence.starts)).integer(now).integer(id);
  const int rc = use.step();
  if (rc != SQLITE_DONE) return db_.error("update", rc);
  silence.ends = std::max(now, silence.starts);
  silence.expired_at = now;
  return silence;
}

}  // namespace

Result<std::unique_ptr<AlertStore>> open_sqlite_alert_store(const std::string& path) {
  auto db = open_database(path);
  if (!db) return db.error();
  auto store = std::make_unique<SqliteAlertStore>(std::move(*db));
  VIGIL_TRY(store->prepare_all());
  return std::unique_ptr<AlertStore>(std::move(store));
}

}  // namespace vigil
