// Who may read the dashboard (pure): on loopback everyone on the machine;
// otherwise only requests that carry VIGIL_DASHBOARD_TOKEN, as a bearer token,
// a `token` query parameter (once: it is swapped for a cookie) or the cookie.
// Comparisons take the same time whatever the guess.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace vigil {

inline constexpr std::size_t kMinDashboardTokenLength = 16;
inline constexpr const char* kDashboardCookie = "vigil_session";

// Whether serving on this address is allowed with this token: loopback needs
// none; elsewhere a token of at least kMinDashboardTokenLength characters.
Status check_dashboard_access(const std::string& listen, bool loopback, const std::string& token);

// Constant-time equality of two secrets (SHA-256 of each, then CRYPTO_memcmp),
// so neither the content nor the length of `expected` leaks through timing.
bool secrets_equal(std::string_view expected, std::string_view given);

// The cookie value that stands for the token (hex SHA-256 of a label and the
// token), so the browser never stores the token itself.
std::string session_cookie_value(std::string_view token);

// How a request proved itself, from its Authorization and Cookie headers and
// its `token` query parameter (any may be empty).
enum class Access { kDenied, kGranted, kGrantedByQuery };
Access check_request(std::string_view token, std::string_view authorization,
                     std::string_view cookie_header, std::string_view query_token);

}  // namespace vigil
