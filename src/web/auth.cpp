#include "web/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fmt/format.h>

#include "base/strings.h"

namespace vigil {
namespace {

std::string sha256(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

// The value of cookie `name` in a Cookie header ("a=1; b=2").
std::string_view cookie(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = header.find(';');
    std::string_view pair = trim(header.substr(0, end));
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
  }
  return {};
}

}  // namespace

Status check_dashboard_access(const std::string& listen, bool loopback, const std::string& token) {
  if (loopback) return {};
  if (token.empty()) {
    return Error::usage(fmt::format(
        "[serve] listen = {} is reachable from other machines: set VIGIL_DASHBOARD_TOKEN to a "
        "long random secret (e.g. `openssl rand -hex 24`) so readers must give it, or listen on "
        "127.0.0.1",
        listen));
  }
  if (token.size() < kMinDashboardTokenLength) {
    return Error::usage(fmt::format(
        "VIGIL_DASHBOARD_TOKEN has {} characters: use at least {} random ones (e.g. `openssl "
        "rand -hex 24`)",
        token.size(), kMinDashboardTokenLength));
  }
  return {};
}

bool secrets_equal(std::string_view expected, std::string_view given) {
  const std::string a = sha256(expected);
  const std::string b = sha256(given);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string session_cookie_value(std::string_view token) {
  std::string hex;
  for (const unsigned char c : sha256(std::string("vigil dashboard session\n") + std::string(token))) {
    hex += fmt::format("{:02x}", c);
  }
  return hex;
}

Access check_request(std::string_view token, std::string_view authorization,
                     std::string_view cookie_header, std::string_view query_token) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.substr(0, kBearer.size()) == kBearer &&
      secrets_equal(token, trim(authorization.substr(kBearer.size())))) {
    return Access::kGranted;
  }
  const std::string_view session = cookie(cookie_header, kDashboardCookie);
  if (!session.empty() && secrets_equal(session_cookie_value(token), session)) {
    return Access::kGranted;
  }
  if (!query_token.empty() && secrets_equal(token, query_token)) return Access::kGrantedByQuery;
  return Access::kDenied;
}

}  // namespace vigil
