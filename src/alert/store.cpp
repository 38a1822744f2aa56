#include "alert/store.h"

#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <system_error>
#include <utility>

#include <fmt/format.h>

namespace vigil {
namespace {

constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 5000;

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
  recorded_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS alert_history_bucket ON alert_history(bucket);
CREATE INDEX IF NOT EXISTS alert_history_metric_bucket ON alert_history(metric, bucket);
PRAGMA user_version = 1;
)sql";

constexpr const char* kLoadStates =
    "SELECT metric, slice, firing, streak, fired_at, last_sent, last_bucket FROM alert_state";
constexpr const char* kUpsertState =
    "INSERT INTO alert_state(metric, slice, firing, streak, fired_at, last_sent, last_bucket) "
    "VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(metric, slice) DO UPDATE SET "
    "firing = excluded.firing, streak = excluded.streak, fired_at = excluded.fired_at, "
    "last_sent = excluded.last_sent, last_bucket = excluded.last_bucket";
constexpr const char* kInsertRecord =
    "INSERT INTO alert_history(metric, slice, bucket, value, lower, upper, expected, score, "
    "anomaly, ready, action, delivered, error, recorded_at) "
    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kMarkDelivered =
    "UPDATE alert_history SET delivered = ?, error = ? WHERE id = ?";
constexpr const char* kRecordColumns =
    "SELECT id, metric, slice, bucket, value, lower, upper, expected, score, anomaly, ready, "
    "action, delivered, error, recorded_at FROM alert_history";

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// What SQLite said, on one line.
std::string sqlite_message(sqlite3* db, int rc) {
  std::string text = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

// `doing` is a verb ("open", "read", "save"); the message ends with the next step.
Error store_error(const std::string& path, const std::string& doing, sqlite3* db, int rc) {
  const std::string message = sqlite_message(db, rc);
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Error::failure(fmt::format(
          "alert state {} is not a vigil state database ({}): move it away", path, message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::failure(fmt::format(
          "cannot {} alert state {}: {}: another vigil process holds it; try again", doing,
          path, message));
    case SQLITE_FULL:
      return Error::failure(fmt::format("cannot {} alert state {}: {}: free some disk space",
                                        doing, path, message));
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_IOERR:
      return Error::failure(
          fmt::format("cannot {} alert state {}: {}: check that the state directory is writable",
                      doing, path, message));
    default:
      return Error::failure(fmt::format("cannot {} alert state {}: {}", doing, path, message));
  }
}

// A prepared statement in use: binds by position and resets when it goes out of
// scope, so the statement can be reused.
class Use {
 public:
  explicit Use(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Use() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;

  Use& text(const std::string& value) {
    sqlite3_bind_text(stmt_, ++index_, value.data(), static_cast<int>(value.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }
  Use& integer(std::int64_t value) {
    sqlite3_bind_int64(stmt_, ++index_, value);
    return *this;
  }
  // NaN (a missing value) is stored as NULL; SQLite would do so anyway.
  Use& real(double value) {
    if (std::isnan(value)) {
      sqlite3_bind_null(stmt_, ++index_);
    } else {
      sqlite3_bind_double(stmt_, ++index_, value);
    }
    return *this;
  }
  int step() { return sqlite3_step(stmt_); }

  std::string text_at(int column) const {
    const auto* data = sqlite3_column_text(stmt_, column);
    return data == nullptr ? std::string()
                           : std::string(reinterpret_cast<const char*>(data),
                                         static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::int64_t integer_at(int column) const { return sqlite3_column_int64(stmt_, column); }
  double real_at(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) {
      return std::numeric_limits<double>::quiet_NaN();
    }
    return sqlite3_column_double(stmt_, column);
  }

 private:
  sqlite3_stmt* stmt_;
  int index_ = 0;
};

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
  return record;
}

Result<Stmt> prepare(sqlite3* db, const std::string& path, const std::string& sql,
                     const char* doing) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
  Stmt stmt(raw);
  if (rc != SQLITE_OK) return store_error(path, doing, db, rc);
  return stmt;
}

// Runs constant SQL (no values), possibly several statements.
Status exec(sqlite3* db, const std::string& path, const char* sql, const char* doing) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return store_error(path, doing, db, rc);
  return {};
}

// Rolls back an open transaction unless it was committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Status commit(const std::string& path, const char* doing) {
    VIGIL_TRY(exec(db_, path, "COMMIT", doing));
    done_ = true;
    return {};
  }

 private:
  sqlite3* db_;
  bool done_ = false;
};

Result<int> user_version(sqlite3* db, const std::string& path) {
  auto stmt = prepare(db, path, "PRAGMA user_version", "open");
  if (!stmt) return stmt.error();
  Use use(stmt->get());
  const int rc = use.step();
  if (rc != SQLITE_ROW) return store_error(path, "open", db, rc);
  return static_cast<int>(use.integer_at(0));
}

// A file without vigil's schema version must be a new, empty database: never
// add tables to somebody else's.
Status refuse_foreign_tables(sqlite3* db, const std::string& path) {
  auto stmt = prepare(db, path, "SELECT count(*) FROM sqlite_master", "open");
  if (!stmt) return stmt.error();
  Use use(stmt->get());
  const int rc = use.step();
  if (rc != SQLITE_ROW) return store_error(path, "open", db, rc);
  if (use.integer_at(0) == 0) return {};
  return Error::failure(fmt::format(
      "alert state {} is not a vigil state database (it holds other tables): move it away",
      path));
}

// Creates the schema once; a second process opening at the same time waits on
// the write lock and then finds it done.
Status ensure_schema(sqlite3* db, const std::string& path) {
  auto version = user_version(db, path);
  if (!version) return version.error();
  if (*version == kSchemaVersion) return {};
  VIGIL_TRY(exec(db, path, "BEGIN IMMEDIATE", "open"));
  Transaction transaction(db);
  version = user_version(db, path);
  if (!version) return version.error();
  if (*version > kSchemaVersion) {
    return Error::failure(fmt::format(
        "alert state {} has schema version {}, newer than this vigil knows ({}): upgrade vigil "
        "or move the file away",
        path, *version, kSchemaVersion));
  }
  if (*version == 0) {
    VIGIL_TRY(refuse_foreign_tables(db, path));
    VIGIL_TRY(exec(db, path, kCreateSchema, "open"));
  }
  return transaction.commit(path, "open");
}

Status ensure_parent_dir(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return {};
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    return Error::failure(fmt::format(
        "cannot open alert state {}: cannot create directory {}: {}: check that the state "
        "directory is writable",
        path, parent.string(), ec.message()));
  }
  return {};
}

Result<Db> open_database(const std::string& path) {
  VIGIL_TRY(ensure_parent_dir(path));
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                 nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return store_error(path, "open", db.get(), rc);
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  // The first statement reads the file header: a file that is not SQLite fails here.
  VIGIL_TRY(exec(db.get(), path, "PRAGMA journal_mode = WAL", "open"));
  VIGIL_TRY(ensure_schema(db.get(), path));
  return db;
}

class SqliteAlertStore final : public AlertStore {
 public:
  SqliteAlertStore(std::string path, Db db) : path_(std::move(path)), db_(std::move(db)) {}

  // Prepares the fixed statements; a table with other columns (a file that is
  // SQLite but not vigil's) fails here.
  Status prepare_all() {
    const std::pair<Stmt*, const char*> all[] = {{&load_states_, kLoadStates},
                                                 {&upsert_state_, kUpsertState},
                                                 {&insert_record_, kInsertRecord},
                                                 {&mark_delivered_, kMarkDelivered}};
    for (const auto& [stmt, sql] : all) {
      sqlite3_stmt* raw = nullptr;
      const int rc = sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr);
      stmt->reset(raw);
      if ((rc & 0xff) == SQLITE_ERROR) {
        return Error::failure(fmt::format(
            "alert state {} is not a vigil state database ({}): move it away", path_,
            sqlite_message(db_.get(), rc)));
      }
      if (rc != SQLITE_OK) return store_error(path_, "open", db_.get(), rc);
    }
    return {};
  }

  Result<std::map<AlertKey, AlertState>> load_states() override;
  Result<std::vector<AlertRecord>> commit(const std::map<AlertKey, AlertState>& states,
                                          const std::vector<AlertRecord>& records) override;
  Status mark_delivered(std::int64_t id, bool delivered, const std::string& error) override;
  Result<std::vector<AlertRecord>> undelivered(EpochSeconds since) override;
  Result<std::vector<AlertRecord>> history(const HistoryFilter& filter) override;

 private:
  Status save_state(const AlertKey& key, const AlertState& state);
  Result<std::int64_t> append(const AlertRecord& record);
  Result<std::vector<AlertRecord>> read_records(Use& use);

  std::string path_;
  Db db_;
  Stmt load_states_, upsert_state_, insert_record_, mark_delivered_;
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
  if (rc != SQLITE_DONE) return store_error(path_, "read", db_.get(), rc);
  return states;
}

Status SqliteAlertStore::save_state(const AlertKey& key, const AlertState& state) {
  Use use(upsert_state_.get());
  use.text(key.metric).text(key.slice).integer(state.firing ? 1 : 0).integer(state.streak);
  use.integer(state.fired_at).integer(state.last_sent).integer(state.last_bucket);
  const int rc = use.step();
  if (rc != SQLITE_DONE) return store_error(path_, "save", db_.get(), rc);
  return {};
}

Result<std::int64_t> SqliteAlertStore::append(const AlertRecord& record) {
  const Evaluation& e = record.evaluation;
  Use use(insert_record_.get());
  use.text(e.key.metric).text(e.key.slice).integer(e.bucket);
  use.real(e.value).real(e.lower).real(e.upper).real(e.expected).real(e.score);
  use.integer(e.anomaly ? 1 : 0).integer(e.ready ? 1 : 0).text(alert_action_name(record.action));
  use.integer(record.delivered ? 1 : 0).text(record.error).integer(record.recorded_at);
  const int rc = use.step();
  if (rc != SQLITE_DONE) return store_error(path_, "save", db_.get(), rc);
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_.get()));
}

Result<std::vector<AlertRecord>> SqliteAlertStore::commit(
    const std::map<AlertKey, AlertState>& states, const std::vector<AlertRecord>& records) {
  // IMMEDIATE takes the write lock up front, so a concurrent writer waits for
  // the busy timeout instead of failing halfway.
  VIGIL_TRY(exec(db_.get(), path_, "BEGIN IMMEDIATE", "save"));
  Transaction transaction(db_.get());
  for (const auto& [key, state] : states) VIGIL_TRY(save_state(key, state));
  std::vector<AlertRecord> saved = records;
  for (AlertRecord& record : saved) {
    auto id = append(record);
    if (!id) return id.error();
    record.id = *id;
  }
  VIGIL_TRY(transaction.commit(path_, "save"));
  return saved;
}

Status SqliteAlertStore::mark_delivered(std::int64_t id, bool delivered,
                                        const std::string& error) {
  Use use(mark_delivered_.get());
  use.integer(delivered ? 1 : 0).text(error).integer(id);
  const int rc = use.step();
  if (rc != SQLITE_DONE) return store_error(path_, "update", db_.get(), rc);
  if (sqlite3_changes(db_.get()) == 0) {
    return Error::failure(fmt::format("alert state {} has no alert record {}", path_, id));
  }
  return {};
}

Result<std::vector<AlertRecord>> SqliteAlertStore::read_records(Use& use) {
  std::vector<AlertRecord> records;
  int rc;
  while ((rc = use.step()) == SQLITE_ROW) records.push_back(read_record(use));
  if (rc != SQLITE_DONE) return store_error(path_, "read", db_.get(), rc);
  return records;
}

Result<std::vector<AlertRecord>> SqliteAlertStore::undelivered(EpochSeconds since) {
  auto stmt = prepare(db_.get(), path_,
                      std::string(kRecordColumns) +
                          " WHERE action != 'none' AND delivered = 0 AND bucket >= ?"
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
  auto stmt = prepare(db_.get(), path_, sql, "read");
  if (!stmt) return stmt.error();
  Use use(stmt->get());
  if (filter.metric) use.text(*filter.metric);
  if (filter.from) use.integer(*filter.from);
  if (filter.to) use.integer(*filter.to);
  use.integer(filter.limit > 0 ? filter.limit : -1);  // SQLite: a negative limit means none
  return read_records(use);
}

}  // namespace

Result<std::unique_ptr<AlertStore>> open_sqlite_alert_store(const std::string& path) {
  auto db = open_database(path);
  if (!db) return db.error();
  auto store = std::make_unique<SqliteAlertStore>(path, std::move(*db));
  VIGIL_TRY(store->prepare_all());
  return std::unique_ptr<AlertStore>(std::move(store));
}

}  // namespace vigil
