// The fake Bot API's text rules and form fields (internal to
// tests/support/fake_telegram*): Telegram HTML parsed and measured as Telegram
// does, written independently of src/telegram/text.cpp so the client's own
// measuring is checked against a second implementation.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::fake_telegram {

// A request's parameters by name (query string, JSON body, form fields).
using Fields = std::map<std::string, std::string>;
std::string field(const Fields& fields, const std::string& name);  // "" if absent
bool truthy(const Fields& fields, const std::string& name);         // "true", "True" or "1"

std::string lower(std::string_view text);
std::string_view trim(std::string_view text, std::string_view blanks = " \t\r\n");

// UTF-16 code units of UTF-8 text (an invalid byte counts 1).
std::size_t utf16_units(std::string_view text);

// A text (`caption` false: ≤ 4096, not blank) or caption (≤ 1024) checked as
// Telegram does after parsing it with `parse_mode` ("" or HTML): the error
// description ("Bad Request: ..."), or nullopt if Telegram takes it.
std::optional<std::string> check_text(const std::string& text, const std::string& parse_mode, bool caption);

}  // namespace vigil::fake_telegram
