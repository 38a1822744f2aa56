// [schedule] and [serve] in vigil.toml.
#include <gtest/gtest.h>

#include "config/config.h"

namespace vigil {
namespace {

std::string error_of(const std::string& toml) {
  auto config = parse_config(toml, "vigil.toml");
  return config.ok() ? "(parsed)" : config.error().message;
}

TEST(ConfigSchedule, DefaultsWhenAbsent) {
  auto config = parse_config("", "vigil.toml");
  ASSERT_TRUE(config.ok());
  const auto& s = config->schedule;
  EXPECT_EQ(s.etl, "0 2 * * *");
  EXPECT_EQ(s.report, "0 11 * * *");
  EXPECT_EQ(s.alerts, "*/15 * * * *");
  EXPECT_EQ(s.retries, 3);
  EXPECT_EQ(s.retry_backoff_seconds, 60);
  EXPECT_EQ(s.catchup_days, 7);
  EXPECT_EQ(config->serve.listen, "127.0.0.1:8765");
}

TEST(ConfigSchedule, EveryKey) {
  auto config = parse_config(R"(
[schedule]
etl = "30 3 * * *"
report = "0 9 * * MON-FRI"
alerts = ""
retries = 0
retry_backoff_seconds = 5
catchup_days = 2

[serve]
listen = "[::1]:9100"
)",
                             "vigil.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const auto& s = config->schedule;
  EXPECT_EQ(s.etl, "30 3 * * *");
  EXPECT_EQ(s.report, "0 9 * * MON-FRI");
  EXPECT_EQ(s.alerts, "");
  EXPECT_EQ(s.retries, 0);
  EXPECT_EQ(s.retry_backoff_seconds, 5);
  EXPECT_EQ(s.catchup_days, 2);
  EXPECT_EQ(config->serve.listen, "[::1]:9100");
}

TEST(ConfigSchedule, ABadCronIsAFileLineError) {
  EXPECT_EQ(error_of("[schedule]\netl = \"0 2 * *\"\n"),
            "vigil.toml:2: schedule.etl: bad cron schedule '0 2 * *': expected 5 fields (minute "
            "hour day-of-month month day-of-week), got 4");
  EXPECT_EQ(error_of("[schedule]\n\nalerts = \"*/15 25 * * *\"\n"),
            "vigil.toml:3: schedule.alerts: bad cron schedule '*/15 25 * * *': hour 25 is out of "
            "range 0-23");
  EXPECT_EQ(error_of("[schedule]\nreport = 11\n"),
            "vigil.toml:2: schedule.report: expected a string, got integer");
}

TEST(ConfigSchedule, NumbersAreRangeChecked) {
  EXPECT_EQ(error_of("[schedule]\nretries = -1\n"),
            "vigil.toml:2: schedule.retries: must be between 0 and 20, got -1");
  EXPECT_EQ(error_of("[schedule]\nretry_backoff_seconds = 0\n"),
            "vigil.toml:2: schedule.retry_backoff_seconds: must be between 1 and 86400, got 0");
  EXPECT_EQ(error_of("[schedule]\ncatchup_days = 400\n"),
            "vigil.toml:2: schedule.catchup_days: must be between 0 and 366, got 400");
  EXPECT_EQ(error_of("[schedule]\ncatchup = 1\n"),
            "vigil.toml:2: schedule.catchup: unknown key (valid keys in [schedule]: etl, report, "
            "alerts, retries, retry_backoff_seconds, catchup_days)");
}

TEST(ConfigSchedule, ListenErrors) {
  EXPECT_EQ(error_of("[serve]\nlisten = \"127.0.0.1:99999\"\n"),
            "vigil.toml:2: serve.listen: '127.0.0.1:99999' has an invalid port '99999': expected a "
            "number from 1 to 65535");
  EXPECT_EQ(error_of("[serve]\nlisten = \"8765\"\n"),
            "vigil.toml:2: serve.listen: '8765' is not HOST:PORT: expected for example "
            "127.0.0.1:8765");
  EXPECT_EQ(error_of("[serve]\nlisten = \"http://x:80\"\n").find("invalid host") !=
                std::string::npos,
            true);
  EXPECT_EQ(error_of("[serve]\nport = 1\n"),
            "vigil.toml:2: serve.port: unknown key (valid keys in [serve]: listen, public_url)");
  EXPECT_EQ(error_of("[serve]\nlisten = \"\"\n"), "(parsed)");
  EXPECT_EQ(error_of("[serve]\nlisten = \"0.0.0.0:8765\"\n"), "(parsed)");
  // The dashboard token is a secret: never in the file.
  EXPECT_NE(error_of("[serve]\ntoken = \"abc\"\n").find("VIGIL_DASHBOARD_TOKEN"),
            std::string::npos);
}

TEST(ConfigSchedule, ListenAddresses) {
  auto v4 = parse_listen_address("127.0.0.2:8765");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.2");
  EXPECT_EQ(v4->port, 8765);
  EXPECT_TRUE(v4->loopback);
  auto v6 = parse_listen_address("[::1]:9100");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9100);
  EXPECT_TRUE(v6->loopback);
  auto name = parse_listen_address("localhost:1");
  ASSERT_TRUE(name.ok());
  EXPECT_TRUE(name->loopback);
  // Anything else is reachable from other machines: allowed, but flagged so
  // serve asks for the dashboard token.
  for (const char* other : {"0.0.0.0:80", "[::]:80", "192.168.1.5:80", "example.com:80",
                            "127.1:80", "127.0.0.256:80"}) {
    auto address = parse_listen_address(other);
    ASSERT_TRUE(address.ok()) << other;
    EXPECT_FALSE(address->loopback) << other;
  }
  EXPECT_EQ(parse_listen_address("[::]:80")->host, "::");
}

TEST(ConfigSchedule, DashboardLinksDefaultToServe) {
  auto config = parse_config("[serve]\nlisten = \"127.0.0.1:9000\"\n", "vigil.toml");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->report.dashboard_url, "http://127.0.0.1:9000/overview?date={date}");
  EXPECT_EQ(config->alerts.dashboard_url,
            "http://127.0.0.1:9000/metric?metric={metric}&date={date}&time={time}&slice={slice}");
  // A public URL (a proxy) wins; a team's own dashboard wins over both.
  config = parse_config(
      "[serve]\npublic_url = \"https://vigil.example.com/\"\n[report]\n"
      "dashboard_url = \"https://bi.example.com/d?day={date}\"\n",
      "vigil.toml");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->report.dashboard_url, "https://bi.example.com/d?day={date}");
  EXPECT_EQ(config->alerts.dashboard_url.rfind("https://vigil.example.com/metric?", 0), 0u);
  // A wildcard address has no name readers could use: no default links.
  config = parse_config("[serve]\nlisten = \"0.0.0.0:8765\"\n", "vigil.toml");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->report.dashboard_url, "");
  EXPECT_EQ(config->alerts.dashboard_url, "");
  config = parse_config("[serve]\nlisten = \"\"\n", "vigil.toml");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->report.dashboard_url, "");
  EXPECT_EQ(dashboard_base_url({"[::1]:8765", "", ""}), "http://[::1]:8765");
}

TEST(ConfigSchedule, DefaultsTextParsesToTheDefaults) {
  auto config = parse_config(default_config_text(), "defaults.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const Config defaults;
  EXPECT_EQ(config->schedule.etl, defaults.schedule.etl);
  EXPECT_EQ(config->schedule.report, defaults.schedule.report);
  EXPECT_EQ(config->schedule.alerts, defaults.schedule.alerts);
  EXPECT_EQ(config->schedule.retries, defaults.schedule.retries);
  EXPECT_EQ(config->schedule.retry_backoff_seconds, defaults.schedule.retry_backoff_seconds);
  EXPECT_EQ(config->schedule.catchup_days, defaults.schedule.catchup_days);
  EXPECT_EQ(config->serve.listen, defaults.serve.listen);
  EXPECT_NE(default_config_text().find("[schedule]\n"), std::string::npos);
}

}  // namespace
}  // namespace vigil
