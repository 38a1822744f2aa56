// libcurl's process-wide initialisation, done once however many callers ask:
// the ClickHouse client, the managed server's /ping and the Telegram client all
// use libcurl and must not race on curl_global_init.
#pragma once

#include <curl/curl.h>

#include <mutex>

namespace vigil {

inline void global_curl_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace vigil
