#include "alert/store_notes.h"

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>

#include <fmt/format.h>

namespace vigil {
namespace {

using Use = SqliteUse;

constexpr const char* kSilenceColumns =
    "SELECT id, metric, slice, starts, ends, comment, created_by, created_at, expired_at "
    "FROM silences";

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

// Columns: id, record_id, verdict, given_by, given_at, source.
Feedback read_feedback(const Use& row) {
  Feedback f;
  f.id = row.integer_at(0);
  f.record_id = row.integer_at(1);
  // The table allows only the two names (CHECK).
  f.verdict = row.text_at(2) == verdict_name(FeedbackVerdict::kReal) ? FeedbackVerdict::kReal
                                                                     : FeedbackVerdict::kFalseAlarm;
  f.by = row.text_at(3);
  f.at = row.integer_at(4);
  f.source = row.text_at(5);
  return f;
}

// Every row of `sql`, its ? bound to `values` in order, read by `read`.
template <typename T>
Result<std::vector<T>> read_rows(const SqliteDb& db, const std::string& sql,
                                 std::initializer_list<std::int64_t> values,
                                 T (*read)(const Use&)) {
  auto stmt = db.prepare(sql, "read");
  if (!stmt) return stmt.error();
  Use use(stmt->get());
  for (std::int64_t value : values) use.integer(value);
  std::vector<T> out;
  int rc;
  while ((rc = use.step()) == SQLITE_ROW) out.push_back(read(use));
  if (rc != SQLITE_DONE) return db.error("read", rc);
  return out;
}

Result<std::vector<Silence>> read_silences(const SqliteDb& db, const std::string& where,
                                           std::int64_t value) {
  return read_rows(db, std::string(kSilenceColumns) + where + " ORDER BY starts, id", {value},
                   read_silence);
}

// Runs an INSERT of fixed SQL whose values `bind` binds; returns the new row's id.
Result<std::int64_t> insert_row(const SqliteDb& db, const char* sql,
                                const std::function<void(Use&)>& bind) {
  auto stmt = db.prepare(sql, "save");
  if (!stmt) return stmt.error();
  Use use(stmt->get());
  bind(use);
  const int rc = use.step();
  if (rc != SQLITE_DONE) return db.error("save", rc);
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db.get()));
}

}  // namespace

Result<std::vector<Silence>> select_silences(const SqliteDb& db,
                                             std::optional<EpochSeconds> after) {
  return read_silences(db, " WHERE ends > ?",
                       after.value_or(std::numeric_limits<std::int64_t>::min()));
}

Result<Silence> insert_silence(const SqliteDb& db, const Silence& silence) {
  auto id = insert_row(
      db,
      "INSERT INTO silences(metric, slice, starts, ends, comment, created_by, created_at) "
      "VALUES(?, ?, ?, ?, ?, ?, ?)",
      [&](Use& use) {
        use.text(silence.metric);
        if (silence.slice) use.text(*silence.slice); else use.null();
        use.integer(silence.starts).integer(silence.ends).text(silence.comment);
        use.text(silence.created_by).integer(silence.created_at);
      });
  if (!id) return id.error();
  Silence saved = silence;
  saved.id = *id;
  return saved;
}

Result<Silence> expire_silence_row(const SqliteDb& db, std::int64_t id, EpochSeconds now) {
  auto found = read_silences(db, " WHERE id = ?", id);
  if (!found) return found.error();
  if (found->empty()) {
    return Error::usage(fmt::format("no silence #{} in {}: `vigil silence list --all` shows them",
                                    id, db.path()));
  }
  Silence silence = found->front();
  if (silence.ends <= now) {
    return Error::usage(fmt::format("silence #{} is over already; nothing to expire", id));
  }
  auto stmt = db.prepare("UPDATE silences SET ends = ?, expired_at = ? WHERE id = ?", "update");
  if (!stmt) return stmt.error();
  Use use(stmt->get());
  use.integer(std::max(now, silence.starts)).integer(now).integer(id);
  const int rc = use.step();
  if (rc != SQLITE_DONE) return db.error("update", rc);
  silence.ends = std::max(now, silence.starts);
  silence.expired_at = now;
  return silence;
}

Result<Feedback> insert_feedback(const SqliteDb& db, const Feedback& feedback) {
  auto id = insert_row(db,
                       "INSERT INTO feedback(record_id, verdict, given_by, given_at, source) "
                       "VALUES(?, ?, ?, ?, ?)",
                       [&](Use& use) {
                         use.integer(feedback.record_id).text(verdict_name(feedback.verdict));
                         use.text(feedback.by).integer(feedback.at).text(feedback.source);
                       });
  if (!id) return id.error();
  Feedback saved = feedback;
  saved.id = *id;
  return saved;
}

Result<std::vector<Feedback>> select_feedback(const SqliteDb& db,
                                              std::optional<EpochSeconds> from,
                                              std::optional<EpochSeconds> to) {
  return read_rows(db,
                   "SELECT f.id, f.record_id, f.verdict, f.given_by, f.given_at, f.source "
                   "FROM feedback f JOIN alert_history h ON h.id = f.record_id "
                   "WHERE h.bucket >= ? AND h.bucket < ? ORDER BY f.given_at, f.id",
                   {from.value_or(std::numeric_limits<std::int64_t>::min()),
                    to.value_or(std::numeric_limits<std::int64_t>::max())},
                   read_feedback);
}

}  // namespace vigil
