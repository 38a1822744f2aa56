// The bot's commands. See commands.h.
#include "chat/commands.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "alert/message.h"
#include "alert/silence.h"
#include "base/strings.h"
#include "config/metric_catalog.h"

namespace vigil {
namespace {

constexpr const char* kHelp =
    "<b>vigil</b> commands:\n"
    "/status — what is firing now\n"
    "/silence METRIC DURATION [dimension=value] [comment] — e.g. /silence likes 2h release "
    "(METRIC may be all; DURATION 90m, 2h, 1d)\n"
    "/silences — silences not over yet\n"
    "/unsilence ID — end a silence now\n"
    "/report [YYYY-MM-DD] — send that day's report now (yesterday's by default)\n"
    "/help — this list";

constexpr const char* kSilenceUsage =
    "usage: /silence METRIC DURATION [dimension=value] [comment], e.g. /silence likes 2h release";

// A word of the message and where the text after it starts.
struct Word {
  std::string text;
  std::size_t end = 0;
};

std::vector<Word> words_of(std::string_view text) {
  std::vector<Word> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.push_back({std::string(text.substr(start, i - start)), i});
  }
  return words;
}

std::string trimmed(std::string_view text) {
  const std::size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return "";
  return std::string(text.substr(start, text.find_last_not_of(" \t\r\n") + 1 - start));
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string problem(const Error& error) { return "⚠️ " + html_escape(error.message); }

std::string silence_lines(const std::vector<Silence>& silences, const ChatContext& context) {
  return html_escape(trimmed(silences_text(silences, context.now, context.zone)));
}

// The latest evaluation of `key` at `bucket`, if the store has it.
std::optional<Evaluation> evaluation_at(AlertStore& store, const AlertKey& key, EpochSeconds bucket) {
  HistoryFilter filter;
  filter.metric = key.metric;
  filter.from = bucket;
  filter.to = bucket + 1;
  auto rows = store.history(filter);
  if (!rows.ok()) return std::nullopt;
  for (const AlertRecord& row : *rows) {
    if (row.evaluation.key == key) return row.evaluation;
  }
  return std::nullopt;
}

// One line of /status: what fires, since when, its last value, a link.
std::string firing_line(AlertStore& store, const AlertKey& key, const AlertState& state,
                        const std::vector<Silence>& silences, const ChatContext& context) {
  const std::string since = format_local_hhmm(state.fired_at, context.zone);
  std::string line = fmt::format("🚨 <b>{}</b> ({}) since {}", html_escape(metric_title(key.metric)),
                                 key.slice.empty() ? "all users" : html_escape(key.slice), since);
  if (const auto last = evaluation_at(store, key, state.last_bucket)) {
    line += fmt::format(": <b>{}</b>, expected {} – {}", metric_value_text(key.metric, last->value),
                        metric_value_text(key.metric, last->lower),
                        metric_value_text(key.metric, last->upper));
  }
  if (const Silence* quiet = covering_silence(silences, key, context.now)) {
    line += fmt::format(" (silenced by #{})", quiet->id);
  }
  const std::string& url = context.config.alerts.dashboard_url;
  if (!url.empty()) {
    line += fmt::format(" · <a href=\"{}\">chart</a>",
                        html_escape(alert_link(url, key.metric, key.slice, state.last_bucket, context.zone)));
  }
  return line;
}

std::string status_reply(AlertStore& store, const ChatContext& context) {
  auto states = store.load_states();
  if (!states.ok()) return problem(states.error());
  auto silences = store.silences(context.now);
  if (!silences.ok()) return problem(silences.error());
  std::vector<std::string> lines;
  EpochSeconds latest = -1;
  for (const auto& [key, state] : *states) {
    latest = std::max(latest, state.last_bucket);
    if (state.firing) lines.push_back(firing_line(store, key, state, *silences, context));
  }
  const std::string as_of =
      latest < 0 ? "no alert run yet"
                 : "last bucket checked " + format_local_time(latest, context.zone).substr(0, 16);
  if (lines.empty()) return fmt::format("✅ Nothing is firing ({}).", as_of);
  return fmt::format("Firing now ({}, {}):\n{}", lines.size(), as_of, fmt::join(lines, "\n"));
}

// /silence METRIC DURATION [dimension=value] [comment]
std::string silence_reply(const TelegramUpdate& message, const std::vector<Word>& words,
                          AlertStore& store, const ChatContext& context) {
  if (words.size() < 3) return html_escape(kSilenceUsage);
  Silence silence;
  silence.metric = lowercase(words[1].text);
  if (auto known = check_silence_metric(silence.metric); !known.ok()) return problem(known.error());
  auto length = parse_silence_duration(words[2].text);
  if (!length.ok()) return problem(length.error());
  std::size_t comment_from = words[2].end;
  if (words.size() > 3) {
    const std::string& third = words[3].text;
    const std::size_t eq = third.find('=');
    if (eq != std::string::npos && eq > 0 && eq + 1 < third.size()) {
      silence.slice = third;
      comment_from = words[3].end;
    }
  }
  silence.comment = trimmed(std::string_view(message.text).substr(comment_from));
  silence.starts = silence_start_now(context.now, context.config.alerts.interval_minutes);
  silence.ends = context.now + *length;
  silence.created_at = context.now;
  silence.created_by = sender_name(message);
  auto saved = store.add_silence(silence);
  if (!saved.ok()) return problem(saved.error());
  return "🔕 Silenced: " + silence_lines({*saved}, context);
}

std::string silences_reply(AlertStore& store, const ChatContext& context) {
  auto silences = store.silences(context.now);
  if (!silences.ok()) return problem(silences.error());
  if (silences->empty()) return "No silences: every alert goes out.";
  return "🔕 Silences:\n" + silence_lines(*silences, context);
}

std::string unsilence_reply(const std::vector<Word>& words, AlertStore& store, const ChatContext& context) {
  std::string id = words.size() == 2 ? words[1].text : "";
  if (!id.empty() && id.front() == '#') id.erase(0, 1);
  if (id.empty() || id.size() > 15 ||
      id.find_first_not_of("0123456789") != std::string::npos) {
    return "usage: /unsilence ID, e.g. /unsilence 3 (the ids are in /silences)";
  }
  auto expired = store.expire_silence(std::stoll(id), context.now);
  if (!expired.ok()) return problem(expired.error());
  return "🔔 Ended: " + silence_lines({*expired}, context);
}

// /report [YYYY-MM-DD]: that day's report now; yesterday by default.
std::string report_reply(const std::vector<Word>& words, const ChatContext& context) {
  const Days today = local_date(context.now, context.zone);
  Days day = today - date::days{1};
  if (words.size() > 2) return "usage: /report [YYYY-MM-DD] (yesterday's by default)";
  if (words.size() == 2) {
    auto parsed = parse_date(words[1].text);
    if (!parsed.ok()) return problem(parsed.error());
    day = *parsed;
  }
  if (day > today) return fmt::format("⚠️ {} has not begun yet: no report for it", format_date(day));
  if (!context.send_report) {
    return fmt::format("The report is not sent from the chat here: run <code>vigil report --date {}</code>.",
                       format_date(day));
  }
  auto sent = context.send_report(day);
  if (!sent.ok()) {
    return fmt::format("⚠️ report for {} not sent: {}", format_date(day), html_escape(sent.error().message));
  }
  return "📊 " + html_escape(*sent);  // it names the day and where it went
}

}  // namespace

std::string sender_name(const TelegramUpdate& message) {
  if (!message.username.empty()) return "@" + message.username;
  if (!message.first_name.empty()) return message.first_name;
  return message.user_id != 0 ? fmt::format("user {}", message.user_id) : "the chat";
}

std::optional<std::string> answer_command(const TelegramUpdate& message, AlertStore& store,
                                          const ChatContext& context) {
  const std::vector<Word> words = words_of(message.text);
  if (words.empty() || words[0].text.size() < 2 || words[0].text.front() != '/') return std::nullopt;
  std::string command = words[0].text.substr(1);
  if (const std::size_t at = command.find('@'); at != std::string::npos) {
    const std::string addressee = command.substr(at + 1);
    if (!context.bot_username.empty() && lowercase(addressee) != lowercase(context.bot_username)) {
      return std::nullopt;  // for another bot in the group
    }
    command.erase(at);
  }
  command = lowercase(command);
  if (command == "status") return status_reply(store, context);
  if (command == "silence") return silence_reply(message, words, store, context);
  if (command == "silences") return silences_reply(store, context);
  if (command == "unsilence") return unsilence_reply(words, store, context);
  if (command == "report") return report_reply(words, context);
  if (command == "help" || command == "start") return std::string(kHelp);
  return fmt::format("Unknown command /{}: /help lists the commands.", html_escape(command));
}

}  // namespace vigil
