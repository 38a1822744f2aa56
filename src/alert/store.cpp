#include "alert/store.h"

#include <algorithm>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "alert/store_notes.h"
#include "base/sqlite.h"

namespace vigil {
namespace {

constexpr int kSchemaVersion = 5;

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
  silenced INTEGER NOT NULL DEFAULT 0,
  message_id INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS alert_history_bucket ON alert_history(bucket);
CREATE INDEX IF NOT EXISTS alert_history_metric_bucket ON alert_history(metric, bucket);
CREATE INDEX IF NOT EXISTS alert_history_message ON alert_history(message_id);
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
CREATE TABLE IF NOT EXISTS feedback(
  id INTEGER PRIMARY KEY,
  record_id INTEGER NOT NULL REFERENCES alert_history(id),
  verdict TEXT NOT NULL CHECK(verdict IN ('real', 'false')),
  given_by TEXT NOT NULL,
  given_at INTEGER NOT NULL,
  source TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS feedback_record ON feedback(record_id);
)sql";

// Version 1 had no `sending` column (a send started and not finished), version
// 2 no `text_sent` (the text of a two-part message went out), version 3 no
// silences, version 4 no message ids and no feedback. The columns are added in
// order from the version found; the new tables and indexes then come from
// kCreateSchema (all IF NOT EXISTS).
constexpr const char* kMigrateFrom1 =
    "ALTER TABLE alert_history ADD COLUMN sending INTEGER NOT NULL DEFAULT 0;";
constexpr const char* kMigrateFrom2 =
    "ALTER TABLE alert_history ADD COLUMN text_sent INTEGER NOT NULL DEFAULT 0;";
constexpr const char* kMigrateFrom3 =
    "ALTER TABLE alert_history ADD COLUMN silenced INTEGER NOT NULL DEFAULT 0;";
constexpr const char* kMigrateFrom4 =
    "ALTER TABLE alert_history ADD COLUMN message_id INTEGER NOT NULL DEFAULT 0;";

constexpr const char* kLoadStates =
    "SELECT metric, slice, firing, streak, fired_at, last_sent, last_bucket FROM alert_state";
constexpr const char* kUpsertState =
    "INSERT INTO alert_state(metric, slice, firing, streak, fired_at, last_sent, last_bucket) "
    "VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(metric, slice) DO UPDATE SET "
    "firing = excluded.firing, streak = excluded.streak, fired_at = excluded.fired_at, "
    "last_sent = excluded.last_sent, last_bucket = excluded.last_bucket";
constexpr const char* kInsertRecord =
    "INSERT INTO alert_history(metric, slice, bucket, value, lower, upper, expected, score, "
    "anomaly, ready, action, delivered, error, recorded_at, silenced, message_id) "
    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kMarkDelivered =
    "UPDATE alert_history SET delivered = ?, error = ?, sending = 0 WHERE id = ?";
constexpr const char* kBeginSending =
    "UPDATE alert_history SET sending = 1 WHERE id = ? AND delivered = 0";
constexpr const char* kMarkTextSent = "UPDATE alert_history SET text_sent = 1 WHERE id = ?";
constexpr const char* kSetMessageId = "UPDATE alert_history SET message_id = ? WHERE id = ?";
constexpr const char* kIsRecord = "SELECT 1 FROM alert_history WHERE id = ?";
constexpr const char* kRecordColumns =
    "SELECT id, metric, slice, bucket, value, lower, upper, expected, score, anomaly, ready, "
    "action, delivered, error, recorded_at, sending, text_sent, silenced, message_id "
    "FROM alert_history";

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
  record.message_id = row.integer_at(18);
  return record;
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

// Creates the schema once, or upgrades an older file.
Status ensure_schema(const SqliteDb& db) {
  return db.ensure_schema(kCreateSchema, kSchemaVersion, [&](int found) -> Status {
    if (found < 2) VIGIL_TRY(migrate_step(db, kMigrateFrom1));
    if (found < 3) VIGIL_TRY(migrate_step(db, kMigrateFrom2));
    if (found < 4) VIGIL_TRY(migrate_step(db, kMigrateFrom3));
    VIGIL_TRY(migrate_step(db, kMigrateFrom4));
    return migrate_step(db, kCreateSchema);
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
                                                 {&set_message_id_, kSetMessageId},
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
  Result<std::vector<AlertRecord>> records(const std::vector<std::int64_t>& ids) override;
  Status set_message_id(const std::vector<std::int64_t>& record_ids,
                        std::int64_t message_id) override;
  Result<std::vector<AlertRecord>> records_of_message(std::int64_t message_id) override;
  Result<Silence> add_silence(const Silence& silence) override {
    return insert_silence(db_, silence);
  }
  Result<std::vector<Silence>> silences(std::optional<EpochSeconds> after) override {
    return select_silences(db_, after);
  }
  Result<Silence> expire_silence(std::int64_t id, EpochSeconds now) override {
    return expire_silence_row(db_, id, now);
  }
  Result<Feedback> add_feedback(const Feedback& feedback) override;
  Result<std::vector<Feedback>> feedback(std::optional<EpochSeconds> from,
                                         std::optional<EpochSeconds> to) override {
    return select_feedback(db_, from, to);
  }

 private:
  Result<bool> is_record(std::int64_t id);
  Status save_state(const AlertKey& key, const AlertState& state);
  Result<std::int64_t> append(const AlertRecord& record);
  Result<std::vector<AlertRecord>> read_records(Use& use);

  Error no_record(std::int64_t id) const {
    return Error::failure(fmt::format("alert state {} has no alert record {}", db_.path(), id));
  }

  SqliteDb db_;
  SqliteStmt load_states_, upsert_state_, insert_record_, mark_delivered_, begin_sending_,
      mark_text_sent_, set_message_id_, is_record_;
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
  use.integer(record.silenced ? 1 : 0).integer(record.message_id);
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
  auto there = is_record(id);
  if (!there) return there.error();
  if (*there) return false;  // there, and delivered already
  return no_record(id);
}

Result<bool> SqliteAlertStore::is_record(std::int64_t id) {
  Use use(is_record_.get());
  use.integer(id);
  const int rc = use.step();
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) return db_.error("read", rc);
  return false;
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

Result<std::vector<AlertRecord>> SqliteAlertStore::records(
    const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return std::vector<AlertRecord>{};
  // One placeholder per id (fixed pieces only); the ids are bound below.
  std::string sql = std::string(kRecordColumns) + " WHERE id IN (?";
  for (std::size_t i = 1; i < ids.size(); ++i) sql += ", ?";
  sql += ") ORDER BY id";
  auto stmt = db_.prepare(sql, "read");
  if (!stmt) return stmt.error();
  Use use(stmt->get());
  for (std::int64_t id : ids) use.integer(id);
  return read_records(use);
}

Status SqliteAlertStore::set_message_id(const std::vector<std::int64_t>& record_ids,
                                        std::int64_t message_id) {
  VIGIL_TRY(db_.exec("BEGIN IMMEDIATE", "update"));
  SqliteTransaction transaction(db_);
  for (std::int64_t id : record_ids) {
    Use use(set_message_id_.get());
    use.integer(message_id).integer(id);
    const int rc = use.step();
    if (rc != SQLITE_DONE) return db_.error("update", rc);
    if (sqlite3_changes(db_.get()) == 0) return no_record(id);
  }
  return transaction.commit("update");
}

Result<std::vector<AlertRecord>> SqliteAlertStore::records_of_message(std::int64_t message_id) {
  if (message_id == 0) return std::vector<AlertRecord>{};  // 0 is "unknown", not a message
  auto stmt = db_.prepare(std::string(kRecordColumns) + " WHERE message_id = ? ORDER BY id",
                          "read");
  if (!stmt) return stmt.error();
  Use use(stmt->get());
  use.integer(message_id);
  return read_records(use);
}

Result<Feedback> SqliteAlertStore::add_feedback(const Feedback& feedback) {
  auto found = records({feedback.record_id});
  if (!found) return found.error();
  if (found->empty()) {
    return Error::usage(fmt::format(
        "no alert record #{} in {}: the dashboard's Alerts page shows the records and their ids",
        feedback.record_id, db_.path()));
  }
  if (const AlertAction action = found->front().action; !is_alerting(action)) {
    return Error::usage(
        fmt::format("record #{} is no alert (its action: {}): judge the fire or a reminder of it",
                    feedback.record_id, alert_action_name(action)));
  }
  return insert_feedback(db_, feedback);
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
