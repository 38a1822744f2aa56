// Who may read the dashboard: loopback is open, anything else needs the token.
#include <gtest/gtest.h>

#include "web/auth.h"
#include "base/strings.h"
#include "web/params.h"

namespace vigil {
namespace {

constexpr const char* kToken = "0123456789abcdef-secret";

TEST(DashboardAuth, LoopbackNeedsNoTokenElsewhereALongOne) {
  EXPECT_TRUE(check_dashboard_access("127.0.0.1:8765", true, "").ok());
  auto none = check_dashboard_access("0.0.0.0:8765", false, "");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("set VIGIL_DASHBOARD_TOKEN"), std::string::npos);
  auto short_one = check_dashboard_access("0.0.0.0:8765", false, "short");
  ASSERT_FALSE(short_one.ok());
  EXPECT_NE(short_one.error().message.find("5 characters"), std::string::npos);
  EXPECT_EQ(short_one.error().message.find("short"), std::string::npos) << "no secret in errors";
  EXPECT_TRUE(check_dashboard_access("0.0.0.0:8765", false, kToken).ok());
}

TEST(DashboardAuth, SecretsCompareWhole) {
  EXPECT_TRUE(secrets_equal(kToken, kToken));
  EXPECT_FALSE(secrets_equal(kToken, "0123456789abcdef-secreT"));
  EXPECT_FALSE(secrets_equal(kToken, "0123456789abcdef"));  // a prefix
  EXPECT_FALSE(secrets_equal(kToken, ""));
}

TEST(DashboardAuth, RequestsProveThemselvesThreeWays) {
  EXPECT_EQ(check_request(kToken, "", "", ""), Access::kDenied);
  EXPECT_EQ(check_request(kToken, std::string("Bearer ") + kToken, "", ""), Access::kGranted);
  EXPECT_EQ(check_request(kToken, "Bearer wrong", "", ""), Access::kDenied);
  EXPECT_EQ(check_request(kToken, std::string("Basic ") + kToken, "", ""), Access::kDenied);
  const std::string cookie = "theme=dark; vigil_session=" + session_cookie_value(kToken);
  EXPECT_EQ(check_request(kToken, "", cookie, ""), Access::kGranted);
  EXPECT_EQ(check_request(kToken, "", "vigil_session=" + std::string(kToken), ""),
            Access::kDenied) << "the cookie holds a derived value, not the token";
  EXPECT_EQ(check_request("another-token-0123456", "", cookie, ""), Access::kDenied);
  EXPECT_EQ(check_request(kToken, "", "", kToken), Access::kGrantedByQuery);
  EXPECT_EQ(check_request(kToken, "", "", "guess"), Access::kDenied);
  EXPECT_EQ(session_cookie_value(kToken).size(), 64u);
  EXPECT_EQ(session_cookie_value(kToken).find(kToken), std::string::npos);
}

TEST(DashboardParams, DatesTimesSlicesNumbers) {
  const QueryParams params = {{"date", "2026-11-24"}, {"time", "09:45"}, {"slice", "age=18-24"},
                              {"limit", "25"},         {"empty", ""},     {"date2", "2026-2-1"}};
  const Days fallback = *parse_date("2026-01-01");
  EXPECT_EQ(format_date(*day_param(params, "date", fallback)), "2026-11-24");
  EXPECT_EQ(*day_param(params, "empty", fallback), fallback);
  EXPECT_EQ(*day_param(params, "missing", fallback), fallback);
  EXPECT_FALSE(day_param(params, "date2", fallback).ok());
  EXPECT_EQ(**time_param(params, 15), 9 * 60 + 45);
  EXPECT_FALSE(time_param({{"time", "09:45"}}, 30).ok());
  EXPECT_FALSE(time_param({{"time", "9:45"}}, 15).ok());
  EXPECT_FALSE(time_param({{"time", "24:00"}}, 15).ok());
  EXPECT_EQ(*slice_param(params), "age=18-24");
  EXPECT_FALSE(slice_param({{"slice", "os="}}).ok());
  EXPECT_FALSE(slice_param({{"slice", "iOS"}}).ok());
  EXPECT_EQ(*int_param(params, "limit", 1, 1, 100), 25);
  EXPECT_FALSE(int_param(params, "limit", 1, 1, 10).ok());
  EXPECT_EQ(*metric_param({}, "views"), "views");
  auto missing = metric_param({}, "");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("feed_users"), std::string::npos);
  EXPECT_FALSE(time_param({{"time", "-1:-5"}}, 15).ok());
  EXPECT_FALSE(time_param({{"time", "+9:45"}}, 15).ok());
  EXPECT_FALSE(int_param({{"limit", "-3"}}, "limit", 1, 1, 10).ok());
  // Parameters reach JSON, HTML and chart titles: UTF-8 only.
  EXPECT_TRUE(check_utf8({{"slice", "os=Линукс"}}).ok());
  EXPECT_FALSE(check_utf8({{"slice", "os=\xFF"}}).ok());
  EXPECT_FALSE(check_utf8({{"\xC3", "x"}}).ok());
  // The last non-empty value of a repeated parameter wins.
  EXPECT_EQ(*param({{"a", "1"}, {"a", "2"}, {"a", ""}}, "a"), "2");
}

TEST(Utf8, ValidAndPrefixes) {
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("é € 𝄞"));
  EXPECT_FALSE(valid_utf8("\xC3"));              // cut short
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(valid_utf8("a\x80" "b"));          // a lone continuation byte
  EXPECT_EQ(utf8_prefix("aéb", 2), "a");          // never half of é
  EXPECT_EQ(utf8_prefix("aéb", 3), "aé");
  EXPECT_EQ(utf8_prefix("ab", 5), "ab");
}

}  // namespace
}  // namespace vigil
