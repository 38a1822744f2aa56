// The dashboard's HTML building blocks (pure): the page shell with navigation
// and style, escaping, and the small pieces every page uses. No JavaScript:
// forms are GET forms and sorting is done by the server.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "chart/format.h"

namespace vigil::html {

// & < > " escaped, for text and double-quoted attributes.
std::string esc(std::string_view text);

// A whole page: <title>, the navigation with `active` ("overview", "metric",
// "alerts", "runs") marked, then `body`.
std::string page(const std::string& title, const std::string& active, const std::string& body);

// A value in its format ("1 234", "4.51%", "1.02"), or an em dash when missing.
std::string value(std::optional<double> value, chart::ValueFormat format, int decimals = -1);

// <select name=..> with `options` (value, label) and `selected` chosen.
std::string select(const std::string& name,
                   const std::vector<std::pair<std::string, std::string>>& options,
                   const std::string& selected);

// A day picker plus links to the day before and after, for pages keyed by date.
// `keep` is the rest of the query string (already encoded) kept by the links.
std::string day_nav(const std::string& path, Days day, const std::string& keep);

}  // namespace vigil::html
