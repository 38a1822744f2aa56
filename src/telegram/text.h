// Text for Telegram's HTML parse mode (pure: no I/O).
//
// Telegram limits a message to 4096 and a caption to 1024 characters, counted
// in UTF-16 code units of the text left after parsing the HTML: tags do not
// count, an entity (&lt; &gt; &amp; &quot; &#NNN; &#xHH;) counts as the
// character it stands for, an emoji outside the BMP counts 2. These functions
// measure that way and cut messages so Telegram accepts every piece.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"  // html_escape: text and attribute values in HTML parse mode

namespace vigil {

inline constexpr std::size_t kTelegramMaxText = 4096;
inline constexpr std::size_t kTelegramMaxCaption = 1024;

// UTF-16 code units of UTF-8 text (BMP character = 1, astral = 2; an invalid
// byte counts 1, as the replacement character it becomes).
std::size_t utf16_length(std::string_view utf8);

// UTF-16 length of the text Telegram counts: tags removed, the entities above
// decoded. Any other '&' counts as itself.
std::size_t visible_length(std::string_view html);

// Splits `html` into pieces of at most `limit` visible UTF-16 units each,
// preferably at line breaks (the newline at a cut is dropped). A line longer
// than `limit` is cut at the last space that keeps at least half a piece, else
// at a character boundary. Never cuts inside a tag or an entity; tags open at
// a cut (<b>, <a href=...>, <pre> ...) are closed at the end of the piece and
// reopened at the start of the next one. Blank lines at the start and
// whitespace at the end of a piece are dropped, and pieces with no visible
// non-space text left out, so "" gives no pieces. `limit` must be at least 2
// (one astral character); with less, a piece may hold one character over it.
std::vector<std::string> split_message(std::string_view html, std::size_t limit = kTelegramMaxText);

// `html` unchanged if it fits `limit`; otherwise cut (at a space if that keeps
// at least half, else at a character boundary; trailing spaces dropped), open
// tags closed, and "…" appended, so the result is at most `limit` units.
std::string trim_caption(std::string_view html, std::size_t limit = kTelegramMaxCaption);

}  // namespace vigil
