// Small string helpers shared by the HTTP clients (ClickHouse, Telegram) for
// error messages and logs.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil {

// `text` without leading and trailing white space.
std::string_view trim(std::string_view text);

// Collapses all whitespace runs (including newlines) into single spaces and
// cuts the result at about `limit` characters ("..." marks the cut): server
// answers become one log/error line.
std::string one_line(std::string_view text, std::size_t limit);

// `text` with every occurrence of `from` (not empty) replaced by `to`.
std::string replace_all(std::string text, std::string_view from, std::string_view to);

// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or values past
// U+10FFFF): request parameters are checked before they reach JSON or cairo.
bool valid_utf8(std::string_view text);

// `text` cut to at most `limit` bytes without splitting a UTF-8 character.
std::string_view utf8_prefix(std::string_view text, std::size_t limit);

// Escapes & < > " (text or a double-quoted attribute value in HTML or XML):
// Telegram's HTML parse mode, the dashboard, the managed server's XML config.
std::string html_escape(std::string_view text);

// Percent-encodes everything but A-Z a-z 0-9 - _ . ~ (a URL query value).
std::string url_encode(std::string_view text);

}  // namespace vigil
