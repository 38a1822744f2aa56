// The tables people write beside the alert state, for store.cpp's SQLite store:
// silences (`vigil silence`, the chat's /silence) and feedback on alerts (the
// chat's buttons, `vigil feedback`). Kept apart so store.cpp stays about the
// state machine's state and history. Errors follow SqliteDb's wording.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "alert/feedback.h"
#include "alert/silence.h"
#include "base/result.h"
#include "base/sqlite.h"

namespace vigil {

// AlertStore::add_silence, silences, expire_silence on `db`.
Result<Silence> insert_silence(const SqliteDb& db, const Silence& silence);
Result<std::vector<Silence>> select_silences(const SqliteDb& db,
                                             std::optional<EpochSeconds> after);
Result<Silence> expire_silence_row(const SqliteDb& db, std::int64_t id, EpochSeconds now);

// AlertStore::add_feedback and feedback on `db` (the record is checked by the caller).
Result<Feedback> insert_feedback(const SqliteDb& db, const Feedback& feedback);
Result<std::vector<Feedback>> select_feedback(const SqliteDb& db,
                                              std::optional<EpochSeconds> from,
                                              std::optional<EpochSeconds> to);

}  // namespace vigil
