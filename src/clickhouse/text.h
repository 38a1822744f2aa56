// Small string helpers shared by the files of the ClickHouse client (client,
// response, errors) and the managed server. Internal to src/clickhouse; kept
// in a namespace of their own so they cannot clash with helpers of other modules.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/strings.h"  // trim, one_line

namespace vigil::ch_internal {

bool starts_with(std::string_view text, std::string_view prefix);


// Appends as much of `text` to `out` as keeps `out` within `limit` bytes.
void append_bounded(std::string& out, std::string_view text, std::size_t limit);

}  // namespace vigil::ch_internal
