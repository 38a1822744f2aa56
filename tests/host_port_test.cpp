// base/host_port: the one HOST[:PORT] parser and the one loopback rule.
#include <gtest/gtest.h>

#include "base/host_port.h"

namespace vigil {
namespace {

std::string error_of(std::string_view text) {
  auto parsed = parse_host_port(text);
  return parsed.ok() ? "(parsed)" : parsed.error().message;
}

TEST(HostPort, HostsWithAndWithoutPorts) {
  auto v4 = parse_host_port("127.0.0.1:8123");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8123);
  auto name = parse_host_port("clickhouse.example");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->host, "clickhouse.example");
  EXPECT_FALSE(name->port.has_value());
  auto v6 = parse_host_port("[::1]:9000");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
  auto v6_bare = parse_host_port("[fe80::1]");
  ASSERT_TRUE(v6_bare.ok());
  EXPECT_EQ(v6_bare->host, "fe80::1");
  EXPECT_FALSE(v6_bare->port.has_value());
  EXPECT_EQ(parse_host_port("h:1")->port, 1);
  EXPECT_EQ(parse_host_port("h:65535")->port, 65535);
}

TEST(HostPort, BadPortsAreRefused) {
  EXPECT_EQ(error_of("host:99999"), "has an invalid port '99999': expected a number from 1 to 65535");
  EXPECT_EQ(error_of("host:0"), "has an invalid port '0': expected a number from 1 to 65535");
  EXPECT_EQ(error_of("host:"), "has an invalid port '': expected a number from 1 to 65535");
  for (const char* text : {"host:12ab", "host:+80", "host:-1", "host: 80", "host:000080",
                           "host:65536", "[::1]:", "[::1]:x"}) {
    EXPECT_NE(error_of(text).find("has an invalid port"), std::string::npos) << text;
  }
}

TEST(HostPort, BadHostsAreRefused) {
  EXPECT_EQ(error_of(""), "has no host");
  EXPECT_EQ(error_of(":80"), "has no host");
  EXPECT_EQ(error_of("[]:80"), "has no host");
  EXPECT_EQ(error_of("[::1"), "has an unclosed '['");
  EXPECT_EQ(error_of("[::1]80"), "is malformed after ']': expected ':PORT'");
  EXPECT_EQ(error_of("::1:80"), "has an IPv6 host without brackets: expected e.g. [::1]:PORT");
  EXPECT_EQ(error_of("a b:80"),
            "has an invalid host 'a b': expected an address or a host name, e.g. 127.0.0.1 or "
            "[::1]");
  for (const char* text : {"http://x:80", "u@host:80", "a/b", "h?x", "h#x", "a]:80", "[a[b]:80"}) {
    EXPECT_NE(error_of(text).find("has an invalid host"), std::string::npos) << text;
  }
}

TEST(HostPort, LoopbackIsLocalhostOneColonOneOrA127DottedQuad) {
  for (const char* host : {"localhost", "::1", "127.0.0.1", "127.0.0.2", "127.255.255.255",
                           "127.1.2.3", "127.0.0.0"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host :
       {"", "0.0.0.0", "::", "192.168.1.5", "example.com", "127.1", "127.0.1", "127.0.0.1.",
        "127.0.0.256", "127.0.0.1.5", "127.0.0.1.example.com", "127.example.com", "127..0.1",
        "127.0.0.-1", "127.0.0.+1", "127.0.0.010", "0127.0.0.1", "128.0.0.1", "126.0.0.1",
        "0x7f.0.0.1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "[::1]", "LOCALHOST",
        "localhost.", "127.0.0.1 "}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

}  // namespace
}  // namespace vigil
