// Alert message buttons. See buttons.h.
#include "alert/buttons.h"

#include <array>

#include <fmt/format.h>

#include "base/parse.h"

namespace vigil {
namespace {

struct VerbName {
  ButtonVerb verb;
  std::string_view name;
};

constexpr std::array<VerbName, 5> kVerbs{{{ButtonVerb::kSilenceHour, "s1h"},
                                          {ButtonVerb::kSilenceMorning, "s9"},
                                          {ButtonVerb::kReal, "real"},
                                          {ButtonVerb::kFalseAlarm, "false"},
                                          {ButtonVerb::kShowSilence, "info"}}};

constexpr int kMorningHour = 9;
constexpr int kNightEndsHour = 5;

std::string verdict_label(const char* label, bool chosen, const std::string& by) {
  if (!chosen) return label;
  return by.empty() ? fmt::format("✅ {}", label) : fmt::format("✅ {} · {}", label, by);
}

}  // namespace

std::string button_data(ButtonVerb verb, std::int64_t record_id) {
  for (const VerbName& v : kVerbs) {
    if (v.verb == verb) return fmt::format("{}:{}", v.name, record_id);
  }
  return {};
}

std::optional<ButtonPress> parse_button_data(std::string_view data) {
  const auto colon = data.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto id = parse_int64(data.substr(colon + 1));
  if (!id.ok() || *id <= 0) return std::nullopt;
  for (const VerbName& v : kVerbs) {
    if (v.name == data.substr(0, colon)) return ButtonPress{v.verb, *id};
  }
  return std::nullopt;
}

InlineKeyboard alert_keyboard(std::int64_t record_id, const ButtonMarks& marks,
                              const date::time_zone* zone) {
  InlineKeyboard keyboard;
  if (marks.silenced_until) {
    const std::string until = format_local_hhmm(*marks.silenced_until, zone);
    keyboard.push_back({{marks.silenced_by.empty()
                             ? fmt::format("🔕 Silenced until {}", until)
                             : fmt::format("🔕 Silenced until {} by {}", until, marks.silenced_by),
                         button_data(ButtonVerb::kShowSilence, record_id)}});
  } else {
    keyboard.push_back({{"Silence 1h", button_data(ButtonVerb::kSilenceHour, record_id)},
                        {"Silence until 09:00 tomorrow", button_data(ButtonVerb::kSilenceMorning, record_id)}});
  }
  const bool judged = marks.real.has_value();
  keyboard.push_back(
      {{verdict_label("Real", judged && *marks.real, marks.judged_by), button_data(ButtonVerb::kReal, record_id)},
       {verdict_label("False alarm", judged && !*marks.real, marks.judged_by),
        button_data(ButtonVerb::kFalseAlarm, record_id)}});
  return keyboard;
}

EpochSeconds next_morning(EpochSeconds now, const date::time_zone* zone) {
  Days day = local_date(now, zone);
  const EpochSeconds hour = (now - day_start(day, zone)) / 3600;
  if (hour >= kNightEndsHour) day += date::days{1};
  auto morning = parse_local_time(fmt::format("{} {:02}:00", format_date(day), kMorningHour), zone);
  return morning.ok() ? *morning : day_start(day, zone) + kMorningHour * 3600;
}

}  // namespace vigil
