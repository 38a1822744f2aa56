// The fake Bot API's text rules. See fake_telegram_text.h.
#include "support/fake_telegram_text.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <map>
#include <vector>

#include <fmt/format.h>

namespace vigil::fake_telegram {
namespace {

constexpr std::size_t kMaxText = 4096;
constexpr std::size_t kMaxCaption = 1024;


// Strict UTF-8 decoding of the character at `i`; 0 if invalid.
std::size_t utf8_char(std::string_view s, std::size_t i, char32_t& cp) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool valid_utf8(std::string_view s) {
  char32_t cp = 0;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_char(s, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// UTF-16 code units of valid UTF-8.
std::size_t count_utf16(std::string_view s) {
  std::size_t units = 0;
  char32_t cp = 0;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_char(s, i, cp);
    i += n == 0 ? 1 : n;
    units += cp >= 0x10000 ? 2 : 1;
  }
  return units;
}

// Decodes the entity at s[i] == '&' into `out`; returns its length, or 0 if
// there is none (then '&' is an ordinary character, as in Telegram).
std::size_t decode_entity(std::string_view s, std::size_t i, std::string& out) {
  static const std::pair<std::string_view, char> kNamed[] = {
      {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}};
  for (const auto& [name, c] : kNamed) {
    if (s.compare(i, name.size(), name) == 0) {
      out += c;
      return name.size();
    }
  }
  if (i + 3 >= s.size() || s[i + 1] != '#') return 0;
  const bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
  std::size_t j = i + (hex ? 3 : 2);
  const std::size_t start = j;
  while (j < s.size() && j - start < 8 &&
         (hex ? std::isxdigit(static_cast<unsigned char>(s[j])) : std::isdigit(static_cast<unsigned char>(s[j])))) {
    ++j;
  }
  if (j == start || j >= s.size() || s[j] != ';') return 0;
  const unsigned long cp = std::stoul(std::string(s.substr(start, j - start)), nullptr, hex ? 16 : 10);
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  append_utf8(out, static_cast<char32_t>(cp));
  return j + 1 - i;
}

std::string decode_entities(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = s[i] == '&' ? decode_entity(s, i, out) : 0;
    if (n > 0) {
      i += n;
    } else {
      out += s[i++];
    }
  }
  return out;
}

bool is_telegram_tag(const std::string& name) {
  static const char* const kTags[] = {"b",   "strong", "i",    "em",         "u",          "ins",
                                      "s",   "strike", "del",  "a",          "code",       "pre",
                                      "span", "tg-spoiler", "blockquote", "tg-emoji"};
  return std::any_of(std::begin(kTags), std::end(kTags), [&](const char* tag) { return name == tag; });
}

// Parses Telegram HTML into the plain text it shows; on error returns the
// description after "can't parse entities: ".
std::optional<std::string> parse_html(std::string_view s, std::string& plain) {
  std::vector<std::string> open;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == '&') {
      const std::size_t n = decode_entity(s, i, plain);
      if (n == 0) plain += s[i++];
      else i += n;
      continue;
    }
    if (s[i] != '<') {
      plain += s[i++];
      continue;
    }
    const std::size_t tag_start = i;
    std::size_t j = i + 1;
    const bool closing = j < s.size() && s[j] == '/';
    if (closing) ++j;
    const std::size_t name_start = j;
    while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '-')) ++j;
    const std::string name = lower(s.substr(name_start, j - name_start));
    if (name.empty() || !is_telegram_tag(name)) {
      return fmt::format("Unsupported {} tag \"{}\" at byte offset {}", closing ? "end" : "start", name, tag_start);
    }
    std::map<std::string, std::string> attributes;
    while (true) {
      while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      if (j >= s.size()) return fmt::format("Unclosed start tag at byte offset {}", tag_start);
      if (s[j] == '>') {
        ++j;
        break;
      }
      const std::size_t attr_start = j;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '-' || s[j] == '_')) ++j;
      if (j == attr_start) return fmt::format("Unexpected character in the tag at byte offset {}", tag_start);
      const std::string attr = lower(s.substr(attr_start, j - attr_start));
      std::string value;
      while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      if (j < s.size() && s[j] == '=') {
        ++j;
        while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
        if (j < s.size() && (s[j] == '"' || s[j] == '\'')) {
          const std::size_t end = s.find(s[j], j + 1);
          if (end == std::string_view::npos) return fmt::format("Unclosed start tag at byte offset {}", tag_start);
          value = decode_entities(s.substr(j + 1, end - j - 1));
          j = end + 1;
        } else {
          const std::size_t start = j;
          while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])) && s[j] != '>') ++j;
          value = decode_entities(s.substr(start, j - start));
        }
      }
      attributes[attr] = value;
    }
    if (closing) {
      if (!attributes.empty()) return fmt::format("End tag at byte offset {} has attributes", tag_start);
      if (open.empty()) return fmt::format("Unexpected end tag at byte offset {}", tag_start);
      if (open.back() != name) {
        return fmt::format("Unmatched end tag at byte offset {}, expected \"</{}>\", found \"</{}>\"", tag_start,
                           open.back(), name);
      }
      open.pop_back();
    } else {
      if (name == "span" && attributes["class"] != "tg-spoiler") {
        return fmt::format("Tag \"span\" must have class \"tg-spoiler\" at byte offset {}", tag_start);
      }
      open.push_back(name);
    }
    i = j;
  }
  if (!open.empty()) return fmt::format("Can't find end tag corresponding to start tag \"{}\"", open.back());
  return std::nullopt;
}

}  // namespace

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text, std::string_view blanks) {
  const std::size_t start = text.find_first_not_of(blanks);
  if (start == std::string_view::npos) return {};
  const std::size_t end = text.find_last_not_of(blanks);
  return text.substr(start, end + 1 - start);
}


std::size_t utf16_units(std::string_view text) { return count_utf16(text); }

std::string field(const Fields& fields, const std::string& name) {
  const auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

bool truthy(const Fields& fields, const std::string& name) {
  const auto it = fields.find(name);
  return it != fields.end() && (it->second == "true" || it->second == "1" || it->second == "True");
}

std::optional<std::string> check_text(const std::string& text, const std::string& parse_mode, bool caption) {
  if (!valid_utf8(text)) return "Bad Request: strings must be encoded in UTF-8";
  std::string plain;
  if (parse_mode.empty()) {
    plain = text;
  } else if (lower(parse_mode) == "html") {
    if (auto error = parse_html(text, plain)) return "Bad Request: can't parse entities: " + *error;
  } else {
    return "Bad Request: unsupported parse_mode";
  }
  if (!caption && trim(plain).empty()) return "Bad Request: message text is empty";
  if (count_utf16(plain) > (caption ? kMaxCaption : kMaxText)) {
    return caption ? "Bad Request: message caption is too long" : "Bad Request: message is too long";
  }
  return std::nullopt;
}

}  // namespace vigil::fake_telegram
