// String helpers of src/clickhouse. See text.h.
#include "clickhouse/text.h"

#include <cctype>

namespace vigil::ch_internal {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

void append_bounded(std::string& out, std::string_view text, std::size_t limit) {
  const std::size_t room = limit > out.size() ? limit - out.size() : 0;
  out.append(text.substr(0, room));
}

}  // namespace vigil::ch_internal
