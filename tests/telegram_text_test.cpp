// Telegram HTML text: escaping, UTF-16 lengths, visible lengths, splitting and
// trimming. Expected values are written out by hand; the property test checks
// the pieces with a small decoder written here, not with the module's own.
#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "telegram/text.h"

namespace vigil {
namespace {

using Pieces = std::vector<std::string>;

// ---------------------------------------------------------------- test oracles

// The text Telegram shows, decoded independently: tags dropped (quoted
// attribute values may hold '>'), the four named entities and decimal ones decoded.
std::u32string shown_text(std::string_view html) {
  std::string utf8;
  for (std::size_t i = 0; i < html.size();) {
    if (html[i] == '<') {
      char quote = 0;
      std::size_t j = i + 1;
      for (; j < html.size(); ++j) {
        if (quote) {
          if (html[j] == quote) quote = 0;
        } else if (html[j] == '"') {
          quote = '"';
        } else if (html[j] == '>') {
          break;
        }
      }
      i = j + 1;
      continue;
    }
    bool matched = false;
    for (auto [entity, c] : {std::pair<std::string_view, char>{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'},
                             {"&quot;", '"'}}) {
      if (html.substr(i, entity.size()) == entity) {
        utf8 += c;
        i += entity.size();
        matched = true;
        break;
      }
    }
    if (!matched && html.substr(i, 2) == "&#") {  // decimal only; that is all the tests use
      const std::size_t semi = html.find(';', i);
      char32_t cp = static_cast<char32_t>(std::stoul(std::string(html.substr(i + 2, semi - i - 2))));
      if (cp < 0x80) {
        utf8 += static_cast<char>(cp);
      } else if (cp < 0x800) {
        utf8 += static_cast<char>(0xC0 | (cp >> 6));
        utf8 += static_cast<char>(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        utf8 += static_cast<char>(0xE0 | (cp >> 12));
        utf8 += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        utf8 += static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        utf8 += static_cast<char>(0xF0 | (cp >> 18));
        utf8 += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        utf8 += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        utf8 += static_cast<char>(0x80 | (cp & 0x3F));
      }
      i = semi + 1;
      matched = true;
    }
    if (!matched) utf8 += html[i++];
  }
  std::u32string out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    const int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    out += cp;
    i += n;
  }
  return out;
}

std::size_t units(const std::u32string& text) {
  std::size_t n = 0;
  for (char32_t c : text) n += c >= 0x10000 ? 2 : 1;
  return n;
}

std::u32string without_whitespace(std::u32string text) {
  std::erase_if(text, [](char32_t c) { return c == ' ' || c == '\n' || c == '\t'; });
  return text;
}

// Every tag complete and closed in the same piece, in order.
::testing::AssertionResult well_formed(const std::string& piece) {
  std::vector<std::string> open;
  for (std::size_t i = 0; i < piece.size(); ++i) {
    if (piece[i] == '&') {
      const std::string_view rest = std::string_view(piece).substr(i);
      const bool numeric = rest.substr(0, 2) == "&#" && rest.find(';') != std::string_view::npos &&
                           rest.find_first_not_of("0123456789", 2) == rest.find(';');
      if (rest.substr(0, 4) != "&lt;" && rest.substr(0, 4) != "&gt;" && rest.substr(0, 5) != "&amp;" &&
          rest.substr(0, 6) != "&quot;" && !numeric) {
        return ::testing::AssertionFailure() << "broken entity at " << i << " in: " << piece;
      }
    }
    if (piece[i] != '<') continue;
    const std::size_t end = piece.find('>', i);
    if (end == std::string::npos) return ::testing::AssertionFailure() << "half a tag in: " << piece;
    std::string tag = piece.substr(i + 1, end - i - 1);
    if (tag.find('<') != std::string::npos) return ::testing::AssertionFailure() << "half a tag in: " << piece;
    if (tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1)) {
        return ::testing::AssertionFailure() << "unmatched </" << tag.substr(1) << "> in: " << piece;
      }
      open.pop_back();
    } else {
      open.push_back(tag.substr(0, tag.find(' ')));
    }
    i = end;
  }
  if (!open.empty()) return ::testing::AssertionFailure() << "<" << open.back() << "> left open in: " << piece;
  return ::testing::AssertionSuccess();
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// ---------------------------------------------------------------- escaping and lengths

TEST(TelegramText, EscapesTheFourHtmlSpecialCharacters) {
  EXPECT_EQ(html_escape("a<b> & \"c\" 'd'"), "a&lt;b&gt; &amp; &quot;c&quot; 'd'");
  EXPECT_EQ(html_escape("&amp;"), "&amp;amp;");
  EXPECT_EQ(html_escape("Привет 😀"), "Привет 😀");
  EXPECT_EQ(html_escape(""), "");
}

TEST(TelegramText, Utf16LengthCountsAstralCharactersTwice) {
  EXPECT_EQ(utf16_length(""), 0u);
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("Привет"), 6u);  // 12 bytes
  EXPECT_EQ(utf16_length("€"), 1u);       // 3 bytes, BMP
  EXPECT_EQ(utf16_length("日本"), 2u);
  EXPECT_EQ(utf16_length("😀"), 2u);       // 4 bytes, U+1F600
  EXPECT_EQ(utf16_length("a😀b"), 4u);
  EXPECT_EQ(utf16_length("👍🏽"), 4u);      // thumbs up + skin tone: two astral code points
  EXPECT_EQ(utf16_length("DAU 📈 +5%"), 10u);
  EXPECT_EQ(utf16_length("\xff" "a"), 2u);  // an invalid byte counts as one replacement character
}

TEST(TelegramText, VisibleLengthIgnoresTagsAndDecodesEntities) {
  EXPECT_EQ(visible_length("<b>bold</b>"), 4u);
  EXPECT_EQ(visible_length("&lt;tag&gt;"), 5u);
  EXPECT_EQ(visible_length("&amp;"), 1u);
  EXPECT_EQ(visible_length("say &quot;hi&quot;"), 8u);
  EXPECT_EQ(visible_length("<a href=\"https://x.y/?a=1&amp;b=2\">link</a>"), 4u);
  EXPECT_EQ(visible_length("<a href=\"https://x.y/?q=a>b\">x</a>"), 1u);  // '>' inside a quoted attribute
  EXPECT_EQ(visible_length("😀 <i>Привет</i>"), 9u);
  EXPECT_EQ(visible_length("&#128512;"), 2u);  // numeric entity for 😀
  EXPECT_EQ(visible_length("&#x41;&#65;"), 2u);
  EXPECT_EQ(visible_length("AT&T"), 4u);       // a bare '&' is a character
  EXPECT_EQ(visible_length("&nbsp;"), 6u);     // Telegram knows no other named entities
  EXPECT_EQ(visible_length("a < b"), 5u);      // '<' that starts no tag
  EXPECT_EQ(visible_length("<pre>x\ny</pre>"), 3u);
  EXPECT_EQ(visible_length(""), 0u);
}

// ---------------------------------------------------------------- split_message

TEST(TelegramSplit, ShortTextIsOnePieceAndEmptyTextNone) {
  EXPECT_EQ(split_message("hello"), Pieces{"hello"});
  EXPECT_EQ(split_message("<b>a</b>\nb", 3), Pieces{"<b>a</b>\nb"});
  EXPECT_EQ(split_message(""), Pieces{});
  EXPECT_EQ(split_message("\n \n", 10), Pieces{});
}

TEST(TelegramSplit, SplitsAtLineBreaksAndDropsTheBreak) {
  EXPECT_EQ(split_message("aaa\nbbb\nccc", 7), (Pieces{"aaa\nbbb", "ccc"}));
  EXPECT_EQ(split_message("aaa\nbbb\nccc", 6), (Pieces{"aaa", "bbb", "ccc"}));
  EXPECT_EQ(split_message("aaa\n\n\nbbb", 3), (Pieces{"aaa", "bbb"}));
}

TEST(TelegramSplit, ClosesAndReopensTagsOpenAtACut) {
  EXPECT_EQ(split_message("<b>aaa\nbbb</b>", 4), (Pieces{"<b>aaa</b>", "<b>bbb</b>"}));
  EXPECT_EQ(split_message("<pre>line1\nline2\nline3</pre>", 11),
            (Pieces{"<pre>line1\nline2</pre>", "<pre>line3</pre>"}));
  EXPECT_EQ(split_message("<b><i>abcdef</i></b>", 3), (Pieces{"<b><i>abc</i></b>", "<b><i>def</i></b>"}));
  const std::string a = "<a href=\"https://x.y/?a=1&amp;b=2\">";
  EXPECT_EQ(split_message(a + "one two</a>", 4), (Pieces{a + "one</a>", a + "two</a>"}));
}

TEST(TelegramSplit, LongLinesAreCutAtASpaceElseAtACharacter) {
  EXPECT_EQ(split_message("aaaa bbbb cccc", 10), (Pieces{"aaaa bbbb", "cccc"}));
  EXPECT_EQ(split_message("aaaa bbbb cccc", 9), (Pieces{"aaaa bbbb", "cccc"}));
  EXPECT_EQ(split_message("abcdefghij", 4), (Pieces{"abcd", "efgh", "ij"}));
  // A space too early in the piece (less than half) is not worth it.
  EXPECT_EQ(split_message("a bcdefghij", 6), (Pieces{"a bcde", "fghij"}));
}

TEST(TelegramSplit, NeverCutsEntitiesOrCharacters) {
  EXPECT_EQ(split_message("&lt;&lt;&lt;&lt;", 3), (Pieces{"&lt;&lt;&lt;", "&lt;"}));
  EXPECT_EQ(split_message("😀😀😀", 3), (Pieces{"😀", "😀", "😀"}));
  EXPECT_EQ(split_message("😀😀😀", 4), (Pieces{"😀😀", "😀"}));
  EXPECT_EQ(split_message("ПриветМир", 4), (Pieces{"Прив", "етМи", "р"}));
  // The skin tone stays with its hand (cutting after 6 units would separate them).
  EXPECT_EQ(split_message("👍🏽👍🏽", 6), (Pieces{"👍🏽", "👍🏽"}));
}

TEST(TelegramSplit, DefaultLimitIsTelegrams4096) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += std::string(99, 'x') + "\n";  // 100 lines of 100 units with the break
  const Pieces pieces = split_message(text);
  ASSERT_EQ(pieces.size(), 3u);  // 40 + 40 + 20 lines
  EXPECT_EQ(pieces[0].size(), 40u * 100 - 1);
  EXPECT_EQ(pieces[2].size(), 20u * 100 - 1);
}

// Generated documents with tags spanning lines, entities, emoji and Cyrillic:
// every piece fits, is well formed and valid UTF-8, and together the pieces
// show the same text apart from the whitespace dropped at the cuts.
TEST(TelegramSplit, PiecesOfGeneratedDocumentsFitAndKeepTheText) {
  const std::vector<std::string> words = {
      "DAU",  "12&#8239;345",  "&#128512;",  "&lt;b&gt;",   "AT&amp;T", "😀",    "Привет", "<i>italic words</i>",
      "📈+5%", "&quot;q&quot;", "<code>x&lt;y</code>", "<a href=\"https://e.x/?q=1&amp;r=2\">dashboard link</a>",
      "averyveryverylongwordwithoutanyspaces", "mid", "—", "👍🏽"};
  std::mt19937 random(20261124);
  for (int document = 0; document < 40; ++document) {
    std::string html;
    const int paragraphs = 1 + static_cast<int>(random() % 6);
    for (int p = 0; p < paragraphs; ++p) {
      const char* wrap = std::vector<const char*>{"", "b", "pre", "blockquote"}[random() % 4];
      if (*wrap) html += std::string("<") + wrap + ">";
      const int lines = 1 + static_cast<int>(random() % 5);
      for (int l = 0; l < lines; ++l) {
        const int n = static_cast<int>(random() % 12);
        for (int w = 0; w < n; ++w) html += (w ? " " : "") + words[random() % words.size()];
        if (l + 1 < lines) html += "\n";
      }
      if (*wrap) html += std::string("</") + wrap + ">";
      html += "\n";
    }
    for (std::size_t limit : {5u, 7u, 16u, 50u, 300u, 4096u}) {
      SCOPED_TRACE("limit " + std::to_string(limit) + ", document:\n" + html);
      const Pieces pieces = split_message(html, limit);
      std::u32string joined;
      for (const std::string& piece : pieces) {
        EXPECT_LE(units(shown_text(piece)), limit) << piece;
        EXPECT_TRUE(well_formed(piece));
        EXPECT_TRUE(valid_utf8(piece)) << piece;
        EXPECT_FALSE(without_whitespace(shown_text(piece)).empty()) << "empty piece";
        joined += shown_text(piece);
      }
      EXPECT_EQ(without_whitespace(joined), without_whitespace(shown_text(html)));
    }
  }
}

// ---------------------------------------------------------------- trim_caption

TEST(TelegramTrim, LeavesCaptionsThatFitAlone) {
  EXPECT_EQ(trim_caption("short", 10), "short");
  EXPECT_EQ(trim_caption("<b>exactly10</b>!", 10), "<b>exactly10</b>!");
  const std::string full(1024, 'a');
  EXPECT_EQ(trim_caption(full), full);
}

TEST(TelegramTrim, CutsCleanlyAndEndsWithAnEllipsis) {
  EXPECT_EQ(trim_caption("abcdefghij", 5), "abcd…");
  EXPECT_EQ(trim_caption("<b>abcdefghij</b>", 5), "<b>abcd</b>…");
  EXPECT_EQ(trim_caption("hello world again", 13), "hello world…");
  EXPECT_EQ(trim_caption("<a href=\"https://x.y/\">click here please</a>", 11), "<a href=\"https://x.y/\">click here</a>…");
  EXPECT_EQ(trim_caption("&amp;&amp;&amp;&amp;&amp;&amp;", 4), "&amp;&amp;&amp;…");
  EXPECT_EQ(trim_caption("😀😀😀", 4), "😀…");
  EXPECT_EQ(trim_caption("abc <b>def</b>", 5), "abc…");  // no empty <b></b> left at the cut
  EXPECT_EQ(trim_caption(std::string(1025, 'a')), std::string(1023, 'a') + "…");
  EXPECT_EQ(utf16_length("…"), 1u);
}

TEST(TelegramTrim, ResultAlwaysFitsAndIsWellFormed) {
  const std::string caption =
      "<b>Alert</b>: DAU 😀 fell to 1&amp;234 (expected <i>1 500 – 1 900</i>) at 10:15 "
      "<a href=\"https://dash.example/?m=dau&amp;s=all\">dashboard</a> Привет мир";
  const std::size_t full = units(shown_text(caption));
  for (std::size_t limit = 1; limit <= full + 1; ++limit) {
    const std::string trimmed = trim_caption(caption, limit);
    EXPECT_LE(units(shown_text(trimmed)), limit) << trimmed;
    EXPECT_TRUE(well_formed(trimmed));
    EXPECT_TRUE(valid_utf8(trimmed)) << trimmed;
    if (limit < full) {
      EXPECT_EQ(trimmed.substr(trimmed.size() - 3), "…") << trimmed;
    } else {
      EXPECT_EQ(trimmed, caption);
    }
  }
}

}  // namespace
}  // namespace vigil
