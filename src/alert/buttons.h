// The buttons under an alert message, pure: what each carries and how the
// keyboard shows what was done. Telegram sends back only a button's
// callback data (at most 64 bytes), so the data names the verb and the alert
// record; the chat module acts on a press (chat/buttons.h).
//
//   [Silence 1h] [Silence until 09:00 tomorrow]
//   [Real] [False alarm]
//
// After a press the keyboard is redrawn from the state: an active silence
// replaces the first row with "🔕 Silenced until 14:57 by @ann", a verdict
// marks its button "✅ Real · @ann", so the message shows who did what.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"
#include "telegram/keyboard.h"  // InlineKeyboard

namespace vigil {

enum class ButtonVerb { kSilenceHour, kSilenceMorning, kReal, kFalseAlarm, kShowSilence };

struct ButtonPress {
  ButtonVerb verb = ButtonVerb::kReal;
  std::int64_t record_id = 0;  // the message's main alert record (alert/store.h)
};

// "s1h:123", "s9:123", "real:123", "false:123", "info:123": short, versionless
// (an unknown verb reads as nullopt, so an old keyboard cannot do harm).
std::string button_data(ButtonVerb verb, std::int64_t record_id);
std::optional<ButtonPress> parse_button_data(std::string_view data);

// What the keyboard shows besides the buttons.
struct ButtonMarks {
  std::optional<EpochSeconds> silenced_until;  // an active silence covers the alert
  std::string silenced_by;
  std::optional<bool> real;                    // the latest verdict: true real, false false alarm
  std::string judged_by;
};

// The keyboard of the message whose main record is `record_id`; the times in
// the zone of the business.
InlineKeyboard alert_keyboard(std::int64_t record_id, const ButtonMarks& marks,
                              const date::time_zone* zone);

// Where "Silence until 09:00 tomorrow" pressed at `now` ends: 09:00 of the next
// day, or of this day when pressed before 05:00 (the night belongs to the
// evening before, and "tomorrow" then means this morning).
EpochSeconds next_morning(EpochSeconds now, const date::time_zone* zone);

}  // namespace vigil
