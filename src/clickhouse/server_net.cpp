// Loopback networking of the managed server. See server_net.h; the public
// find_free_port and parse_http_host_port are declared in server.h.
#include "clickhouse/server_net.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "base/curl_init.h"
#include "base/host_port.h"
#include "clickhouse/server.h"
#include "clickhouse/text.h"

namespace vigil {
namespace ch_internal {
namespace {

size_t collect_body(char* data, size_t size, size_t count, void* user) {
  append_bounded(*static_cast<std::string*>(user), std::string_view(data, size * count), 4096);
  return size * count;
}

}  // namespace

std::string listen_address(const std::string& host) { return host == "localhost" ? "127.0.0.1" : host; }

std::string url_host(const std::string& address) {
  return address.find(':') != std::string::npos ? "[" + address + "]" : address;
}

bool port_free(const std::string& address, int port) {
  const bool v6 = address.find(':') != std::string::npos;
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc;
  if (v6) {
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET6, address.c_str(), &addr.sin6_addr);
    rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } else {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
    rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  if (rc == 0) rc = ::listen(fd, 1);
  ::close(fd);
  return rc == 0;
}

bool ping(const std::string& address, int port) {
  global_curl_init();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return false;
  std::string body;
  const std::string url = fmt::format("http://{}:{}/ping", url_host(address), port);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 2000L);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, 1000L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &collect_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  if (curl_easy_perform(curl.get()) != CURLE_OK) return false;
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  return status == 200 && body.rfind("Ok.", 0) == 0;
}

}  // namespace ch_internal

Result<int> find_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error::failure(fmt::format("cannot create a socket: {}", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    const int err = errno;
    ::close(fd);
    return Error::failure(fmt::format("cannot find a free port on 127.0.0.1: {}", std::strerror(err)));
  }
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

Result<std::pair<std::string, int>> parse_http_host_port(const std::string& url) {
  std::string rest;
  int default_port = 8123;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
    default_port = 8443;
  } else {
    return Error::usage(fmt::format("ClickHouse url '{}' must start with http:// (e.g. http://127.0.0.1:8123)", url));
  }
  rest = rest.substr(0, rest.find_first_of("/?#"));
  auto at = rest.rfind('@');
  if (at != std::string::npos) rest = rest.substr(at + 1);
  auto parsed = parse_host_port(rest);
  if (!parsed.ok()) return Error::usage(fmt::format("ClickHouse url '{}' {}", url, parsed.error().message));
  return std::make_pair(std::move(parsed->host), parsed->port.value_or(default_port));
}

}  // namespace vigil
