// Loopback networking of the managed server (which hosts count as loopback is
// base/host_port's rule): the address to listen on, whether a port is free, and GET /ping. Kept apart
// from server.cpp with the public find_free_port and parse_http_host_port
// (server_net.cpp), which are the same kind of code. Internal to src/clickhouse.
#pragma once

#include <string>

namespace vigil::ch_internal {

// The address to listen on for `host` ("localhost" -> 127.0.0.1).
std::string listen_address(const std::string& host);

// `address` as the host part of a URL: IPv6 in brackets.
std::string url_host(const std::string& address);

// Tries to bind `port` on `address`; true if nothing else listens there.
bool port_free(const std::string& address, int port);

// GET http://address:port/ping; true if the answer is "Ok.".
bool ping(const std::string& address, int port);

}  // namespace vigil::ch_internal
