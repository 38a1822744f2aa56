// The alert buttons: callback data round trip, its 64-byte limit, the
// keyboard's marks, and the end of "until 09:00 tomorrow".
#include <gtest/gtest.h>

#include "alert/buttons.h"

namespace vigil {
namespace {

const date::time_zone* moscow() { return *find_zone("Europe/Moscow"); }

EpochSeconds at(const char* local) { return *parse_local_time(local, moscow()); }

TEST(AlertButtons, DataRoundTripsEveryVerb) {
  for (ButtonVerb verb : {ButtonVerb::kSilenceHour, ButtonVerb::kSilenceMorning, ButtonVerb::kReal,
                          ButtonVerb::kFalseAlarm, ButtonVerb::kShowSilence}) {
    const std::string data = button_data(verb, 9223372036854775807LL);
    ASSERT_LE(data.size(), 64u) << data;  // the Bot API's limit on callback data
    const auto press = parse_button_data(data);
    ASSERT_TRUE(press.has_value()) << data;
    EXPECT_EQ(press->verb, verb);
    EXPECT_EQ(press->record_id, 9223372036854775807LL);
  }
}

TEST(AlertButtons, ForeignDataIsNotAPress) {
  for (const char* data : {"", "real", "real:", "real:x", "real:-3", "real:0", "snooze:12", ":12", "real:12:1"}) {
    EXPECT_FALSE(parse_button_data(data).has_value()) << data;
  }
}

TEST(AlertButtons, FreshKeyboardOffersAllFourButtons) {
  const InlineKeyboard keyboard = alert_keyboard(42, {}, moscow());
  ASSERT_EQ(keyboard.size(), 2u);
  ASSERT_EQ(keyboard[0].size(), 2u);
  ASSERT_EQ(keyboard[1].size(), 2u);
  EXPECT_EQ(keyboard[0][0].text, "Silence 1h");
  EXPECT_EQ(keyboard[0][1].text, "Silence until 09:00 tomorrow");
  EXPECT_EQ(keyboard[1][0].text, "Real");
  EXPECT_EQ(keyboard[1][1].text, "False alarm");
  EXPECT_EQ(parse_button_data(keyboard[0][0].callback_data)->verb, ButtonVerb::kSilenceHour);
  EXPECT_EQ(parse_button_data(keyboard[0][1].callback_data)->verb, ButtonVerb::kSilenceMorning);
  EXPECT_EQ(parse_button_data(keyboard[1][1].callback_data)->verb, ButtonVerb::kFalseAlarm);
  for (const auto& row : keyboard) {
    for (const auto& button : row) EXPECT_EQ(parse_button_data(button.callback_data)->record_id, 42);
  }
}

TEST(AlertButtons, MarksShowTheSilenceAndTheVerdictWithWho) {
  ButtonMarks marks;
  marks.silenced_until = at("2026-12-03 14:57");
  marks.silenced_by = "@ann";
  marks.real = false;
  marks.judged_by = "Bob";
  const InlineKeyboard keyboard = alert_keyboard(7, marks, moscow());
  ASSERT_EQ(keyboard.size(), 2u);
  ASSERT_EQ(keyboard[0].size(), 1u);
  EXPECT_EQ(keyboard[0][0].text, "🔕 Silenced until 14:57 by @ann");
  EXPECT_EQ(parse_button_data(keyboard[0][0].callback_data)->verb, ButtonVerb::kShowSilence);
  EXPECT_EQ(keyboard[1][0].text, "Real");
  EXPECT_EQ(keyboard[1][1].text, "✅ False alarm · Bob");
  marks.real = true;
  EXPECT_EQ(alert_keyboard(7, marks, moscow())[1][0].text, "✅ Real · Bob");
}

TEST(AlertButtons, NextMorningIsTomorrowsNineOrThisMorningsAtNight) {
  EXPECT_EQ(next_morning(at("2026-12-03 14:10"), moscow()), at("2026-12-04 09:00"));
  EXPECT_EQ(next_morning(at("2026-12-03 09:30"), moscow()), at("2026-12-04 09:00"));
  EXPECT_EQ(next_morning(at("2026-12-03 23:59"), moscow()), at("2026-12-04 09:00"));
  EXPECT_EQ(next_morning(at("2026-12-04 02:00"), moscow()), at("2026-12-04 09:00"));
  // Across a DST change (New York springs forward on 2026-03-08).
  const date::time_zone* ny = *find_zone("America/New_York");
  EXPECT_EQ(next_morning(*parse_local_time("2026-03-07 18:00", ny), ny),
            *parse_local_time("2026-03-08 09:00", ny));
}

}  // namespace
}  // namespace vigil
