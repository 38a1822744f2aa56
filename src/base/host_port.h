// Host and port as written in URLs and listen addresses ("HOST[:PORT]"), and
// the one loopback rule. Shared by the dashboard's listen address, the check of
// [clickhouse] url and the managed ClickHouse's host, so they agree on brackets,
// ports and which hosts only this machine can reach: off loopback the dashboard
// asks for a token and the managed server refuses to start.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace vigil {

struct HostPort {
  std::string host;         // IPv6 without its brackets
  std::optional<int> port;  // 1 to 65535, when written
};

// Parses "HOST", "HOST:PORT", "[IPV6]" or "[IPV6]:PORT". A port is 1 to 5
// digits, 1 to 65535; the host is not empty and holds none of " /?#@[]", nor a
// ':' outside brackets. Errors (usage) are a phrase for the caller to put after
// the quoted text, e.g. "has an invalid port '99999': expected a number from 1
// to 65535".
Result<HostPort> parse_host_port(std::string_view text);

// Whether only this machine can reach `host` (as parse_host_port returns it):
// "localhost", "::1", or 127.0.0.0/8 written as four decimal parts of 0 to 255
// without leading zeros ("127.0.0.2"). Strict on purpose: "127.1",
// "127.0.0.010", "127.0.0.1.example.com",
// "0:0:0:0:0:0:0:1" or "::ffff:127.0.0.1" are not, since a host wrongly taken
// for loopback would open the dashboard without a token, while one wrongly
// refused only asks for it.
bool is_loopback_host(std::string_view host);

}  // namespace vigil
