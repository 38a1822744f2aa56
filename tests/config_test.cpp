#include "config/config.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace vigil {
namespace {

::testing::AssertionResult StartsWith(const std::string& text, const std::string& prefix) {
  if (text.compare(0, prefix.size(), prefix) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\n  text: " << text << "\n  does not start with: "
                                       << prefix;
}

::testing::AssertionResult HasSubstr(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\n  text: " << text << "\n  does not contain: "
                                       << part;
}

// Compares every field; Config has no operator== of its own.
void expect_same_config(const Config& a, const Config& b) {
  EXPECT_EQ(a.timezone, b.timezone);
  EXPECT_EQ(a.state_dir, b.state_dir);
  EXPECT_EQ(a.out_dir, b.out_dir);
  EXPECT_EQ(a.clickhouse.url, b.clickhouse.url);
  EXPECT_EQ(a.clickhouse.user, b.clickhouse.user);
  EXPECT_EQ(a.clickhouse.password, b.clickhouse.password);
  EXPECT_EQ(a.clickhouse.database, b.clickhouse.database);
  EXPECT_EQ(a.clickhouse.connect_timeout_seconds, b.clickhouse.connect_timeout_seconds);
  EXPECT_EQ(a.clickhouse.query_timeout_seconds, b.clickhouse.query_timeout_seconds);
  EXPECT_EQ(a.clickhouse.read_retries, b.clickhouse.read_retries);
  EXPECT_EQ(a.source.database, b.source.database);
  EXPECT_EQ(a.source.feed_table, b.source.feed_table);
  EXPECT_EQ(a.source.message_table, b.source.message_table);
  EXPECT_EQ(a.etl.target_table, b.etl.target_table);
  EXPECT_EQ(a.etl.age_buckets, b.etl.age_buckets);
  EXPECT_EQ(a.etl.demographics_lookback_days, b.etl.demographics_lookback_days);
  EXPECT_EQ(a.alerts.explain_by, b.alerts.explain_by);
}

// The documented defaults, written out independently of the header's initializers.
void expect_documented_defaults(const Config& c) {
  EXPECT_EQ(c.timezone, "Europe/Moscow");
  EXPECT_EQ(c.state_dir, ".vigil");
  EXPECT_EQ(c.out_dir, "vigil-out");
  EXPECT_EQ(c.clickhouse.url, "http://127.0.0.1:8123");
  EXPECT_EQ(c.clickhouse.user, "default");
  EXPECT_EQ(c.clickhouse.password, "");
  EXPECT_EQ(c.clickhouse.database, "vigil");
  EXPECT_EQ(c.clickhouse.connect_timeout_seconds, 5);
  EXPECT_EQ(c.clickhouse.query_timeout_seconds, 600);
  EXPECT_EQ(c.clickhouse.read_retries, 3);
  EXPECT_EQ(c.source.database, "simulator");
  EXPECT_EQ(c.source.feed_table, "feed_actions");
  EXPECT_EQ(c.source.message_table, "message_actions");
  EXPECT_EQ(c.etl.target_table, "user_slices_daily");
  EXPECT_EQ(c.etl.age_buckets, (std::vector<int>{18, 25, 35, 45}));
  EXPECT_EQ(c.etl.demographics_lookback_days, 30);
}

// Parses text that must be rejected; returns the message after checking it is a usage error.
std::string parse_error(const std::string& text) {
  auto result = parse_config(text, "vigil.toml");
  EXPECT_FALSE(result.ok()) << "accepted:\n" << text;
  if (result.ok()) return "";
  EXPECT_EQ(result.error().kind, Error::Kind::kUsage);
  EXPECT_EQ(result.error().exit_code(), 2);
  return result.error().message;
}

Config parse_ok(const std::string& text) {
  auto result = parse_config(text, "vigil.toml");
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? result.value() : Config{};
}

TEST(ConfigParse, ClusterIsEmptyForOneServerOrAnIdentifier) {
  EXPECT_EQ(Config{}.clickhouse.cluster, "");
  EXPECT_EQ(parse_ok("[clickhouse]\ncluster = \"\"\n").clickhouse.cluster, "");
  EXPECT_EQ(parse_ok("[clickhouse]\ncluster = \"analytics\"\n").clickhouse.cluster, "analytics");
  EXPECT_NE(parse_error("[clickhouse]\ncluster = \"a b\"\n").find("clickhouse.cluster"),
            std::string::npos);
}

TEST(ConfigParse, GoodFileSetsEveryKey) {
  Config c = parse_ok(R"(
timezone = "Asia/Tokyo"
state_dir = "/var/lib/vigil"
out_dir = "/tmp/out"

[clickhouse]
url = "https://ch.example.com:8443/"
user = "analyst"
database = "metrics"
connect_timeout_seconds = 7
query_timeout_seconds = 120
read_retries = 0

[source]
database = "app_events"
feed_table = "feed"
message_table = "messages_v2"

[etl]
target_table = "slices"
age_buckets = [21, 30, 60]
demographics_lookback_days = 0
)");
  EXPECT_EQ(c.timezone, "Asia/Tokyo");
  EXPECT_EQ(c.state_dir, "/var/lib/vigil");
  EXPECT_EQ(c.out_dir, "/tmp/out");
  EXPECT_EQ(c.clickhouse.url, "https://ch.example.com:8443/");
  EXPECT_EQ(c.clickhouse.user, "analyst");
  EXPECT_EQ(c.clickhouse.password, "");
  EXPECT_EQ(c.clickhouse.database, "metrics");
  EXPECT_EQ(c.clickhouse.connect_timeout_seconds, 7);
  EXPECT_EQ(c.clickhouse.query_timeout_seconds, 120);
  EXPECT_EQ(c.clickhouse.read_retries, 0);
  EXPECT_EQ(c.source.database, "app_events");
  EXPECT_EQ(c.source.feed_table, "feed");
  EXPECT_EQ(c.source.message_table, "messages_v2");
  EXPECT_EQ(c.etl.target_table, "slices");
  EXPECT_EQ(c.etl.age_buckets, (std::vector<int>{21, 30, 60}));
  EXPECT_EQ(c.etl.demographics_lookback_days, 0);
}

TEST(ConfigParse, EmptyTextGivesDefaults) {
  expect_documented_defaults(parse_ok(""));
  expect_documented_defaults(parse_ok("# only a comment\n\n"));
}

TEST(ConfigParse, EmptyTablesGiveDefaults) {
  expect_documented_defaults(parse_ok("[clickhouse]\n[source]\n[etl]\n"));
}

TEST(ConfigParse, PartialFileKeepsOtherDefaults) {
  Config c = parse_ok("[clickhouse]\nread_retries = 10\n");
  EXPECT_EQ(c.clickhouse.read_retries, 10);
  EXPECT_EQ(c.clickhouse.url, "http://127.0.0.1:8123");
  EXPECT_EQ(c.timezone, "Europe/Moscow");
  EXPECT_EQ(c.etl.age_buckets, (std::vector<int>{18, 25, 35, 45}));
}

TEST(ConfigParse, InlineTablesAndBoundaryValuesAreAccepted) {
  Config c = parse_ok(
      "clickhouse = { url = \"http://[::1]:8123\", read_retries = 10 }\n"
      "etl = { age_buckets = [1, 150], demographics_lookback_days = 366 }\n"
      "timezone = \"UTC\"\n");
  EXPECT_EQ(c.clickhouse.url, "http://[::1]:8123");
  EXPECT_EQ(c.clickhouse.read_retries, 10);
  EXPECT_EQ(c.etl.age_buckets, (std::vector<int>{1, 150}));
  EXPECT_EQ(c.etl.demographics_lookback_days, 366);
  EXPECT_EQ(c.timezone, "UTC");
}

TEST(ConfigParse, AcceptsPlainHostUrls) {
  EXPECT_EQ(parse_ok("[clickhouse]\nurl = \"http://clickhouse\"\n").clickhouse.url,
            "http://clickhouse");
  EXPECT_EQ(parse_ok("[clickhouse]\nurl = \"http://10.0.0.5:8123/\"\n").clickhouse.url,
            "http://10.0.0.5:8123/");
}

TEST(ConfigDefaultText, ParsesToTheDefaults) {
  auto result = parse_config(default_config_text(), "defaults.toml");
  ASSERT_TRUE(result.ok()) << result.error().message;
  expect_documented_defaults(*result);
  expect_same_config(*result, Config{});
}

TEST(ConfigDefaultText, ListsEveryKeyWithItsValue) {
  const std::string text = default_config_text();
  for (const char* line :
       {"timezone = \"Europe/Moscow\"", "state_dir = \".vigil\"", "out_dir = \"vigil-out\"",
        "[clickhouse]", "url = \"http://127.0.0.1:8123\"", "user = \"default\"",
        "database = \"vigil\"", "connect_timeout_seconds = 5", "query_timeout_seconds = 600",
        "read_retries = 3", "[source]", "database = \"simulator\"",
        "feed_table = \"feed_actions\"", "message_table = \"message_actions\"", "[etl]",
        "target_table = \"user_slices_daily\"", "age_buckets = [18, 25, 35, 45]",
        "demographics_lookback_days = 30",
        "explain_by = [\"os\", \"gender\", \"age\", \"source\", \"country\"]"}) {
    EXPECT_TRUE(HasSubstr(text, line));
  }
  EXPECT_TRUE(HasSubstr(text, "#"));
  EXPECT_TRUE(HasSubstr(text, "VIGIL_CLICKHOUSE_PASSWORD"));
  // The password is documented as coming from the environment, never as a key.
  EXPECT_EQ(text.find("\npassword"), std::string::npos);
}

TEST(ConfigErrors, SyntaxErrorNamesFileAndLine) {
  std::string message = parse_error("timezone = \"UTC\"\n\nout_dir = \n");
  EXPECT_TRUE(StartsWith(message, "vigil.toml:3: "));
  std::string unclosed = parse_error("[clickhouse]\nurl = \"http://x\n");
  EXPECT_TRUE(StartsWith(unclosed, "vigil.toml:2: "));
}

TEST(ConfigErrors, DuplicateKeyIsASyntaxError) {
  EXPECT_TRUE(StartsWith(parse_error("out_dir = \"a\"\nout_dir = \"b\"\n"), "vigil.toml:2: "));
}

TEST(ConfigErrors, UnknownTopLevelKey) {
  std::string message = parse_error("timezone = \"UTC\"\n\ncolour = \"blue\"\n");
  EXPECT_TRUE(StartsWith(message, "vigil.toml:3: colour: unknown key"));
}

TEST(ConfigErrors, UnknownKeyInTable) {
  std::string message =
      parse_error("[clickhouse]\nurl = \"http://localhost:8123\"\nhost = \"localhost\"\n");
  EXPECT_TRUE(StartsWith(message, "vigil.toml:3: clickhouse.host: unknown key"));
  // Lists what would have been valid.
  EXPECT_TRUE(HasSubstr(message, "url"));
  EXPECT_TRUE(StartsWith(parse_error("[etl]\n\n\nage_bucket = [18]\n"),
      "vigil.toml:4: etl.age_bucket: unknown key"));
}

TEST(ConfigErrors, UnknownTable) {
  EXPECT_TRUE(StartsWith(parse_error("out_dir = \"o\"\n[telegraph]\ntoken = \"x\"\n"),
      "vigil.toml:2: telegraph: unknown table"));
  EXPECT_TRUE(StartsWith(parse_error("[clickhouse]\n[clickhouse.tls]\n"),
      "vigil.toml:2: clickhouse.tls: unknown table"));
}

TEST(ConfigErrors, WrongTypes) {
  EXPECT_EQ(parse_error("timezone = \"UTC\"\n\n[clickhouse]\nuser = \"u\"\n\n[etl]\n"
                        "age_buckets = \"18,25\"\n"),
            "vigil.toml:7: etl.age_buckets: expected an array of integers, got string");
  EXPECT_TRUE(StartsWith(parse_error("[clickhouse]\nread_retries = \"3\"\n"),
      "vigil.toml:2: clickhouse.read_retries: expected an integer, got string"));
  EXPECT_TRUE(StartsWith(parse_error("[clickhouse]\nconnect_timeout_seconds = 5.0\n"),
      "vigil.toml:2: clickhouse.connect_timeout_seconds: expected an integer"));
  EXPECT_TRUE(StartsWith(parse_error("timezone = 3\n"),
      "vigil.toml:1: timezone: expected a string, got integer"));
  EXPECT_TRUE(StartsWith(parse_error("\nclickhouse = 5\n"),
      "vigil.toml:2: clickhouse: expected a table, got integer"));
  EXPECT_TRUE(StartsWith(parse_error("[source]\nfeed_table = true\n"),
      "vigil.toml:2: source.feed_table: expected a string, got boolean"));
}

TEST(ConfigErrors, WrongElementTypeInAgeBucketsNamesItsLine) {
  std::string message = parse_error("[etl]\nage_buckets = [\n  18,\n  \"25\",\n]\n");
  EXPECT_TRUE(StartsWith(message, "vigil.toml:4: etl.age_buckets: expected an array of integers"));
}

TEST(ConfigErrors, BadTimeZone) {
  std::string message = parse_error("out_dir = \"o\"\ntimezone = \"Mars/Olympus_Mons\"\n");
  EXPECT_TRUE(StartsWith(message, "vigil.toml:2: timezone: "));
  EXPECT_TRUE(HasSubstr(message, "Mars/Olympus_Mons"));
  EXPECT_TRUE(HasSubstr(message, "IANA"));
}

TEST(ConfigErrors, BadUrl) {
  for (const char* url : {"ftp://localhost:8123", "localhost:8123", "http://", "http:///path",
                          "https://:8123", "http://host:99999", "http://host:port",
                          "http://user:secret@host:8123", "http://host name:8123", ""}) {
    std::string message =
        parse_error(std::string("[clickhouse]\n\nurl = \"") + url + "\"\n");
    EXPECT_TRUE(StartsWith(message, "vigil.toml:3: clickhouse.url: ")) << url;
    EXPECT_TRUE(HasSubstr(message, "http")) << url;
  }
}

TEST(ConfigErrors, UrlWithCredentialsPointsToTheEnvironment) {
  EXPECT_TRUE(HasSubstr(parse_error("[clickhouse]\nurl = \"http://u:p@host\"\n"),
      "VIGIL_CLICKHOUSE_PASSWORD"));
}

TEST(ConfigErrors, BadIdentifier) {
  for (const char* name : {"feed-actions", "1feed", "", "feed actions", "db.table", "x;DROP"}) {
    std::string message =
        parse_error(std::string("[source]\nfeed_table = \"") + name + "\"\n");
    EXPECT_TRUE(StartsWith(message, "vigil.toml:2: source.feed_table: ")) << name;
    EXPECT_TRUE(HasSubstr(message, "identifier")) << name;
  }
  EXPECT_TRUE(StartsWith(parse_error("[clickhouse]\ndatabase = \"my-db\"\n"),
      "vigil.toml:2: clickhouse.database: "));
  EXPECT_TRUE(StartsWith(parse_error("[source]\ndatabase = \"9\"\n"),
      "vigil.toml:2: source.database: "));
  EXPECT_TRUE(StartsWith(parse_error("[source]\nmessage_table = \"m-t\"\n"),
      "vigil.toml:2: source.message_table: "));
  EXPECT_TRUE(StartsWith(parse_error("[etl]\ntarget_table = \"t t\"\n"),
      "vigil.toml:2: etl.target_table: "));
}

TEST(ConfigErrors, AgeBucketsMustBeStrictlyAscending) {
  std::string message = parse_error("[etl]\nage_buckets = [18, 35, 25]\n");
  EXPECT_TRUE(StartsWith(message, "vigil.toml:2: etl.age_buckets: "));
  EXPECT_TRUE(HasSubstr(message, "ascending"));
  EXPECT_TRUE(HasSubstr(parse_error("[etl]\nage_buckets = [18, 18]\n"), "ascending"));
}

TEST(ConfigErrors, AgeBucketsRangeAndEmpty) {
  EXPECT_TRUE(StartsWith(parse_error("[etl]\nage_buckets = []\n"),
      "vigil.toml:2: etl.age_buckets: "));
  EXPECT_TRUE(StartsWith(parse_error("[etl]\nage_buckets = [0, 18]\n"),
      "vigil.toml:2: etl.age_buckets: "));
  EXPECT_TRUE(StartsWith(parse_error("[etl]\nage_buckets = [18, 151]\n"),
      "vigil.toml:2: etl.age_buckets: "));
}

TEST(ConfigErrors, IntegerRanges) {
  struct Case {
    const char* text;
    const char* prefix;
  };
  for (const Case& c : {
           Case{"[clickhouse]\nread_retries = 11\n", "vigil.toml:2: clickhouse.read_retries: "},
           Case{"[clickhouse]\nread_retries = -1\n", "vigil.toml:2: clickhouse.read_retries: "},
           Case{"[clickhouse]\nconnect_timeout_seconds = 0\n",
                "vigil.toml:2: clickhouse.connect_timeout_seconds: "},
           Case{"[clickhouse]\nquery_timeout_seconds = -5\n",
                "vigil.toml:2: clickhouse.query_timeout_seconds: "},
           Case{"[clickhouse]\nquery_timeout_seconds = 10000000000\n",
                "vigil.toml:2: clickhouse.query_timeout_seconds: "},
           Case{"[etl]\ndemographics_lookback_days = 367\n",
                "vigil.toml:2: etl.demographics_lookback_days: "},
           Case{"[etl]\ndemographics_lookback_days = -1\n",
                "vigil.toml:2: etl.demographics_lookback_days: "},
       }) {
    EXPECT_TRUE(StartsWith(parse_error(c.text), c.prefix)) << c.text;
  }
}

TEST(ConfigErrors, PasswordInFileIsRejectedWithoutEchoingIt) {
  std::string message =
      parse_error("[clickhouse]\nuser = \"u\"\npassword = \"hunter2\"\n");
  EXPECT_TRUE(StartsWith(message, "vigil.toml:3: clickhouse.password: "));
  EXPECT_TRUE(HasSubstr(message, "VIGIL_CLICKHOUSE_PASSWORD"));
  EXPECT_EQ(message.find("hunter2"), std::string::npos);
}

TEST(ConfigErrors, ReportsTheEarliestProblem) {
  std::string message = parse_error(
      "[etl]\ntarget_table = \"bad-name\"\n[clickhouse]\nread_retries = 99\n");
  EXPECT_TRUE(StartsWith(message, "vigil.toml:2: etl.target_table: "));
}

TEST(ConfigErrors, UsesTheGivenSourceName) {
  auto result = parse_config("\n\nbogus = 1\n", "/etc/vigil/prod.toml");
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(StartsWith(result.error().message, "/etc/vigil/prod.toml:3: bogus: "));
}

class ConfigLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "vigil_config_XXXXXX");
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(ConfigLoad, MissingOptionalFileGivesDefaults) {
  auto result = load_config(dir_ / "vigil.toml", false, {});
  ASSERT_TRUE(result.ok()) << result.error().message;
  expect_documented_defaults(*result);
}

TEST_F(ConfigLoad, MissingRequiredFileIsAUsageError) {
  std::string path = dir_ / "nope.toml";
  auto result = load_config(path, true, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().exit_code(), 2);
  EXPECT_TRUE(StartsWith(result.error().message, "config file " + path + " not found"));
}

TEST_F(ConfigLoad, ReadsTheFile) {
  std::string path = write("vigil.toml", "timezone = \"UTC\"\n[etl]\nage_buckets = [30]\n");
  for (bool must_exist : {false, true}) {
    auto result = load_config(path, must_exist, {});
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->timezone, "UTC");
    EXPECT_EQ(result->etl.age_buckets, (std::vector<int>{30}));
    EXPECT_EQ(result->clickhouse.password, "");
  }
}

TEST_F(ConfigLoad, ErrorsNameThePath) {
  std::string path = write("bad.toml", "out_dir = \"o\"\nwhat = 1\n");
  auto result = load_config(path, false, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().exit_code(), 2);
  EXPECT_TRUE(StartsWith(result.error().message, path + ":2: what: "));
}

TEST_F(ConfigLoad, PasswordComesFromTheEnvironment) {
  std::string path = write("vigil.toml", "[clickhouse]\nuser = \"etl\"\n");
  std::map<std::string, std::string> env = {{"VIGIL_CLICKHOUSE_PASSWORD", "s3cret"},
                                            {"VIGIL_TELEGRAM_TOKEN", "t"}};
  auto result = load_config(path, true, env);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->clickhouse.user, "etl");
  EXPECT_EQ(result->clickhouse.password, "s3cret");

  auto without_file = load_config(dir_ / "absent.toml", false, env);
  ASSERT_TRUE(without_file.ok()) << without_file.error().message;
  EXPECT_EQ(without_file->clickhouse.password, "s3cret");

  auto other_env = load_config(path, true, {{"CLICKHOUSE_PASSWORD", "x"}});
  ASSERT_TRUE(other_env.ok());
  EXPECT_EQ(other_env->clickhouse.password, "");
}

TEST_F(ConfigLoad, DirectoryIsAnError) {
  auto result = load_config(dir_, true, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().exit_code(), 2);
  EXPECT_TRUE(HasSubstr(result.error().message, dir_.string()));
}

TEST(AgeBucketLabels, DefaultBounds) {
  EXPECT_EQ(age_bucket_labels({18, 25, 35, 45}),
            (std::vector<std::string>{"0-17", "18-24", "25-34", "35-44", "45+"}));
}

TEST(AgeBucketLabels, CustomBounds) {
  EXPECT_EQ(age_bucket_labels({30}), (std::vector<std::string>{"0-29", "30+"}));
  EXPECT_EQ(age_bucket_labels({1, 21, 65}),
            (std::vector<std::string>{"0-0", "1-20", "21-64", "65+"}));
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

TEST(ConfigTelegram, AllowedUsersAreIdsOrUsernames) {
  const Config c = parse_ok("[telegram]\nallowed_users = [\"123456789\", \"@ann_ops\"]\n");
  EXPECT_EQ(c.telegram.allowed_users, (std::vector<std::string>{"123456789", "@ann_ops"}));
  EXPECT_TRUE(parse_ok("").telegram.allowed_users.empty());
  for (const char* bad : {"\"ann_ops\"", "\"@a b\"", "\"@ann\"", "\"\"", "\"-5\""}) {
    const std::string message = parse_error(fmt::format("[telegram]\nallowed_users = [{}]\n", bad));
    EXPECT_NE(message.find("telegram.allowed_users"), std::string::npos) << message;
    EXPECT_NE(message.find("@username"), std::string::npos) << message;
  }
  EXPECT_NE(parse_error("[telegram]\nallowed_users = \"@ann_ops\"\n").find("allowed_users"), std::string::npos);
}

}  // namespace
}  // namespace vigil
