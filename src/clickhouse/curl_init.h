// libcurl's process-wide initialisation, done once however many callers ask:
// the HTTP client (client.cpp) and the managed server's /ping (server_net.cpp)
// both use libcurl and must not race on curl_global_init. Internal to src/clickhouse.
#pragma once

#include <curl/curl.h>

#include <mutex>

namespace vigil::ch_internal {

inline void global_curl_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace vigil::ch_internal
