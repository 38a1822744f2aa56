// Telegram HTML text: measuring and cutting. See text.h.
//
// Everything works on tokens: a whole tag, a whole entity or one UTF-8
// character. Cuts happen only between tokens, so a piece never holds half a
// tag, half an entity or half a character.
#include "telegram/text.h"

#include <cctype>
#include <cstdint>

namespace vigil {
namespace {

struct Token {
  enum class Kind { kText, kOpen, kClose };
  Kind kind = Kind::kText;
  std::string_view raw;   // the bytes in the input
  std::size_t units = 0;  // visible UTF-16 units (text only)
  char32_t cp = 0;        // text: the character shown
  std::string name;       // tags: lower-case name

  bool text() const { return kind == Kind::kText; }
  bool space() const { return text() && (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r'); }
  bool newline() const { return text() && cp == '\n'; }
};

std::size_t units_of(char32_t cp) { return cp >= 0x10000 ? 2 : 1; }

// Decodes the UTF-8 character at `i`; returns its byte length (1 for an invalid
// byte, which becomes U+FFFD).
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  std::size_t n = 0;
  char32_t min = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07, min = 0x10000;
  } else {
    cp = 0xFFFD;
    return 1;
  }
  if (i + n > s.size()) {
    cp = 0xFFFD;
    return 1;
  }
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      cp = 0xFFFD;
      return 1;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    cp = 0xFFFD;
    return 1;
  }
  return n;
}

// Length of the entity at `i` (s[i] == '&') and the character it stands for,
// or 0 if there is no entity Telegram knows there.
std::size_t match_entity(std::string_view s, std::size_t i, char32_t& cp) {
  std::string_view rest = s.substr(i);
  static constexpr struct {
    std::string_view text;
    char32_t cp;
  } kNamed[] = {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}};
  for (const auto& named : kNamed) {
    if (rest.substr(0, named.text.size()) == named.text) {
      cp = named.cp;
      return named.text.size();
    }
  }
  if (rest.size() < 4 || rest[1] != '#') return 0;
  const bool hex = rest[2] == 'x' || rest[2] == 'X';
  std::size_t j = hex ? 3 : 2;
  std::uint32_t value = 0;
  std::size_t digits = 0;
  for (; j < rest.size() && digits < 8; ++j, ++digits) {
    const char c = rest[j];
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) break;
    value = value * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
  }
  if (digits == 0 || j >= rest.size() || rest[j] != ';') return 0;
  if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  cp = value;
  return j + 1;
}

// Length of the tag at `i` (s[i] == '<'), or 0 if '<' starts no tag there.
// Quoted attribute values may contain '>'.
std::size_t match_tag(std::string_view s, std::size_t i, bool& closing, std::string& name) {
  std::size_t j = i + 1;
  closing = j < s.size() && s[j] == '/';
  if (closing) ++j;
  const std::size_t name_start = j;
  while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '-')) ++j;
  if (j == name_start) return 0;
  name.assign(s.substr(name_start, j - name_start));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  char quote = 0;
  for (; j < s.size(); ++j) {
    const char c = s[j];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return j + 1 - i;
    }
  }
  return 0;
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> tokens;
  tokens.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    Token t;
    std::size_t length = 0;
    if (s[i] == '<') {
      bool closing = false;
      length = match_tag(s, i, closing, t.name);
      if (length > 0) t.kind = closing ? Token::Kind::kClose : Token::Kind::kOpen;
    } else if (s[i] == '&') {
      length = match_entity(s, i, t.cp);
      if (length > 0) t.units = units_of(t.cp);
    }
    if (length == 0) {  // one character (a '<' or '&' that starts nothing counts as itself)
      t = Token{};
      length = decode_utf8(s, i, t.cp);
      t.units = units_of(t.cp);
    }
    t.raw = s.substr(i, length);
    tokens.push_back(std::move(t));
    i += length;
  }
  return tokens;
}

// Characters that belong to the one before them (a cut before them would tear
// an emoji or an accented letter apart).
bool extends_previous(char32_t cp) {
  return cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x0300 && cp <= 0x036F) ||
         (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xE0020 && cp <= 0xE007F) || cp == 0x20E3;
}

// Moves a hard cut at `k` (tokens [i, k) kept) back so it does not separate a
// character from its modifiers, keeping at least one token.
std::size_t back_off_cut(const std::vector<Token>& t, std::size_t i, std::size_t k) {
  std::size_t cut = k;
  while (cut > i + 1 && cut < t.size() && t[cut].text() &&
         (extends_previous(t[cut].cp) || (t[cut - 1].text() && t[cut - 1].cp == 0x200D))) {
    --cut;
  }
  return cut;
}

// Accumulates one piece: tracks its visible length and the tags open in it.
class PieceBuilder {
 public:
  std::size_t units() const { return units_; }
  bool visible() const { return visible_; }
  const std::string& text() const { return piece_; }

  void add(const Token& t) {
    piece_ += t.raw;
    if (!t.space()) kept_ = piece_.size();
    switch (t.kind) {
      case Token::Kind::kText:
        units_ += t.units;
        if (!t.space()) visible_ = true;
        break;
      case Token::Kind::kOpen: open_.push_back(&t); break;
      case Token::Kind::kClose:
        for (std::size_t k = open_.size(); k-- > 0;) {
          if (open_[k]->name == t.name) {
            open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(k), open_.end());
            break;
          }
        }
        break;
    }
  }

  std::string closing_tags() const {
    std::string out;
    for (std::size_t k = open_.size(); k-- > 0;) out += "</" + open_[k]->name + ">";
    return out;
  }

  // Ends the piece (kept only if it shows something; trailing whitespace
  // dropped) and starts the next one with the still-open tags reopened.
  void finish(std::vector<std::string>& out) {
    if (visible_) out.push_back(piece_.substr(0, kept_) + closing_tags());
    piece_.clear();
    for (const Token* t : open_) piece_ += t->raw;
    kept_ = piece_.size();
    units_ = 0;
    visible_ = false;
  }

 private:
  std::string piece_;
  std::size_t kept_ = 0;  // length without trailing whitespace
  std::size_t units_ = 0;
  bool visible_ = false;
  std::vector<const Token*> open_;
};

}  // namespace

std::size_t utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  char32_t cp = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    i += decode_utf8(utf8, i, cp);
    units += units_of(cp);
  }
  return units;
}

std::size_t visible_length(std::string_view html) {
  std::size_t units = 0;
  for (const Token& t : tokenize(html)) units += t.units;
  return units;
}

std::vector<std::string> split_message(std::string_view html, std::size_t limit) {
  const std::vector<Token> t = tokenize(html);
  std::vector<std::string> pieces;
  PieceBuilder piece;
  std::vector<std::size_t> before(t.size() + 1, 0);  // units of tokens [0, k)
  for (std::size_t k = 0; k < t.size(); ++k) before[k + 1] = before[k] + t[k].units;
  auto units_in = [&](std::size_t a, std::size_t b) { return before[b] - before[a]; };

  std::size_t line_start = 0;
  while (line_start <= t.size()) {
    std::size_t line_end = line_start;
    while (line_end < t.size() && !t[line_end].newline()) ++line_end;
    const std::size_t line_units = units_in(line_start, line_end);

    if (line_start > 0 && piece.visible()) {  // the newline before this line (dropped at a piece's start)
      const Token& newline = t[line_start - 1];
      if (piece.units() + newline.units + line_units <= limit) {
        piece.add(newline);
      } else {
        piece.finish(pieces);  // cut here; the newline is dropped
      }
    }

    std::size_t i = line_start;
    while (i < line_end) {
      if (piece.units() + units_in(i, line_end) <= limit) {
        for (; i < line_end; ++i) piece.add(t[i]);
        break;
      }
      // The rest of the line does not fit: take what fits, preferably up to a space.
      const std::size_t cap = piece.units() >= limit ? 0 : limit - piece.units();
      std::size_t acc = 0;
      std::size_t k = i;
      std::size_t space = t.size();
      for (; k < line_end; ++k) {
        if (!t[k].text()) continue;
        if (acc + t[k].units > cap) {
          if (t[k].space() && acc > 0) space = k;  // the line is full exactly at a word's end
          break;
        }
        if (t[k].space() && acc > 0 && 2 * acc >= cap) space = k;
        acc += t[k].units;
      }
      if (space < t.size()) {
        for (; i < space; ++i) piece.add(t[i]);
        ++i;  // the space at the cut is dropped
        piece.finish(pieces);
        continue;
      }
      k = back_off_cut(t, i, k);
      while (k > i && t[k - 1].kind == Token::Kind::kOpen) --k;  // a tag opened at the cut goes on
      if (k == i) {
        if (piece.units() > 0 || piece.visible()) {
          piece.finish(pieces);
          continue;
        }
        piece.add(t[i++]);  // limit below one character: take it anyway to make progress
      }
      for (; i < k; ++i) piece.add(t[i]);
      piece.finish(pieces);
    }
    line_start = line_end + 1;
  }
  piece.finish(pieces);
  return pieces;
}

std::string trim_caption(std::string_view html, std::size_t limit) {
  const std::vector<Token> t = tokenize(html);
  std::size_t total = 0;
  for (const Token& token : t) total += token.units;
  if (total <= limit) return std::string(html);
  if (limit == 0) return {};

  const std::string_view kEllipsis = "…";  // U+2026, one unit
  const std::size_t budget = limit - 1;
  std::size_t acc = 0;
  std::size_t k = 0;
  std::size_t space = t.size();
  for (; k < t.size(); ++k) {
    if (!t[k].text()) continue;
    if (acc + t[k].units > budget) {
      if (t[k].space() && acc > 0) space = k;
      break;
    }
    if (t[k].space() && acc > 0 && 2 * acc >= budget) space = k;
    acc += t[k].units;
  }
  std::size_t cut = space < t.size() ? space : back_off_cut(t, 0, k);
  while (cut > 0 && (t[cut - 1].space() || t[cut - 1].kind == Token::Kind::kOpen)) --cut;

  PieceBuilder piece;
  for (std::size_t i = 0; i < cut; ++i) piece.add(t[i]);
  return piece.text() + piece.closing_tags() + std::string(kEllipsis);
}

}  // namespace vigil
