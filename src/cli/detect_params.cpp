#include "cli/detect_params.h"

#include <fmt/format.h>

namespace vigil {

Result<DetectorParams> detect_params(const DetectOptions& options) {
  DetectorParams params;
  for (const auto& text : options.params) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error::usage(fmt::format("--param '{}': expected name=value", text));
    }
    const std::string key = text.substr(0, eq);
    if (params.count(key)) return Error::usage(fmt::format("--param {} given twice", key));
    params[key] = text.substr(eq + 1);
  }
  const std::pair<const char*, const std::string*> flags[] = {
      {"direction", &options.direction}, {"sensitivity", &options.sensitivity}};
  for (const auto& [name, value] : flags) {
    if (value->empty()) continue;
    if (params.count(name)) {
      return Error::usage(fmt::format("--{0} and --param {0}=... both given: keep one", name));
    }
    params[name] = *value;
  }
  return params;
}

}  // namespace vigil
