// [alerts] and [alerts.metrics.<name>] in vigil.toml.
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "detect/detector.h"

namespace vigil {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ConfigAlerts, DefaultsWhenAbsent) {
  auto config = parse_config("", "vigil.toml");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->alerts.interval_minutes, 15);
  EXPECT_EQ(config->alerts.history_days, 15);
  EXPECT_EQ(config->alerts.method, "seasonal");
  EXPECT_EQ(config->alerts.consecutive, 1);
  EXPECT_EQ(config->alerts.repeat_every_minutes, 60);
  EXPECT_TRUE(config->alerts.slices.empty());
  EXPECT_EQ(config->alerts.explain_by,
            (std::vector<std::string>{"os", "gender", "age", "source", "country"}));
  EXPECT_TRUE(config->alerts.metrics.empty());
  EXPECT_EQ(config->alerts.bucket_table, "alert_buckets");
  EXPECT_EQ(config->alerts.late_buckets, 4);
}

TEST(ConfigAlerts, EveryKeyAndAPerMetricTable) {
  auto config = parse_config(R"(
[alerts]
interval_minutes = 30
history_days = 20
method = "iqr"
consecutive = 2
repeat_every_minutes = 120
slices = ["os", "age"]
explain_by = ["country", "source"]
history_table = "alert_history"
bucket_table = ""
late_buckets = 8
dashboard_url = "http://127.0.0.1:8080/metric/{metric}?date={date}&time={time}"

[alerts.metrics.ctr]
method = "dayago"
consecutive = 3
repeat_every_minutes = 45
params = { threshold = 0.3, note = "x", n = 4 }

[alerts.metrics.views]
enabled = false
)",
                             "vigil.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const auto& a = config->alerts;
  EXPECT_EQ(a.interval_minutes, 30);
  EXPECT_EQ(a.history_days, 20);
  EXPECT_EQ(a.method, "iqr");
  EXPECT_EQ(a.consecutive, 2);
  EXPECT_EQ(a.repeat_every_minutes, 120);
  EXPECT_EQ(a.slices, (std::vector<std::string>{"os", "age"}));
  EXPECT_EQ(a.explain_by, (std::vector<std::string>{"country", "source"}));
  EXPECT_EQ(a.history_table, "alert_history");
  EXPECT_EQ(a.bucket_table, "");
  EXPECT_EQ(a.late_buckets, 8);
  EXPECT_TRUE(contains(a.dashboard_url, "{metric}"));
  const auto& ctr = a.metrics.at("ctr");
  EXPECT_TRUE(ctr.enabled);
  EXPECT_EQ(ctr.method, "dayago");
  EXPECT_EQ(ctr.consecutive, 3);
  EXPECT_EQ(ctr.repeat_every_minutes, 45);
  EXPECT_EQ(ctr.params.at("threshold"), "0.3");
  EXPECT_EQ(ctr.params.at("n"), "4");
  EXPECT_EQ(ctr.params.at("note"), "x");
  EXPECT_FALSE(a.metrics.at("views").enabled);
}

TEST(ConfigAlerts, ErrorsNameFileLineAndKey) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"[alerts]\ninterval_minutes = 7\n", "vigil.toml:2: alerts.interval_minutes: must divide 60"},
      {"[alerts]\nslices = [\"country\"]\n", "vigil.toml:2: alerts.slices: unknown slice 'country'"},
      {"[alerts]\nexplain_by = [\"os\", \"city\"]\n",
       "vigil.toml:2: alerts.explain_by: unknown dimension 'city': expected os, gender, age, "
       "source or country"},
      {"[alerts]\nexplain_by = \"os\"\n", "vigil.toml:2: alerts.explain_by: expected an array"},
      {"[alerts.metrics.clicks]\nmethod = \"iqr\"\n", "vigil.toml:1: alerts.metrics.clicks: unknown metric"},
      {"[alerts.metrics.ctr]\nwindow = 3\n", "vigil.toml:2: alerts.metrics.ctr.window: unknown key"},
      {"[alerts.metrics.ctr]\nenabled = \"yes\"\n", "vigil.toml:2: alerts.metrics.ctr.enabled: expected true or false"},
      {"[alerts.metrics.ctr]\nparams = { n = [1] }\n", "alerts.metrics.ctr.params.n: expected a number or a string"},
      {"[alerts]\nhistory_table = \"bad-name\"\n", "vigil.toml:2: alerts.history_table:"},
      {"[alerts]\nbucket_table = \"a.b\"\n", "vigil.toml:2: alerts.bucket_table:"},
      {"[alerts]\nlate_buckets = -1\n", "vigil.toml:2: alerts.late_buckets:"},
  };
  for (const auto& c : cases) {
    auto config = parse_config(c.text, "vigil.toml");
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_TRUE(contains(config.error().message, c.expected))
        << "got: " << config.error().message << "\nwanted: " << c.expected;
    EXPECT_EQ(config.error().exit_code(), 2);
  }
}

TEST(ConfigAlerts, AnEmptyExplainByTurnsTheWhereLineOff) {
  auto config = parse_config("[alerts]\nexplain_by = []\n", "vigil.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->alerts.explain_by.empty());
}

TEST(ConfigAlerts, DetectorCheckJudgesTheParametersTogether) {
  // min_days = 9 alone is more than the default days + weeks (8); with days = 10 it is fine.
  const char* valid = "[alerts.metrics.views]\nparams = { min_days = 9, days = 10 }\n";
  EXPECT_TRUE(parse_config(valid, "vigil.toml", detector_problem).ok());
  const char* invalid = "[alerts.metrics.views]\nparams = { min_days = 9, days = 3 }\n";
  auto config = parse_config(invalid, "vigil.toml", detector_problem);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "vigil.toml:2: alerts.metrics.views.params: seasonal parameter min_days=9: expected "
            "at most days + weeks = 4");
  EXPECT_EQ(config.error().exit_code(), 2);
  // Without a check the config module knows nothing of detectors.
  EXPECT_TRUE(parse_config(invalid, "vigil.toml").ok());
}

TEST(ConfigAlerts, DetectorCheckSeesTheMethodEachMetricUses) {
  std::vector<std::string> seen;
  const DetectorCheck record = [&](const std::string& method,
                                   const std::map<std::string, std::string>& params, int per_day) {
    seen.push_back(fmt::format("{} {} {}", method, params.size(), per_day));
    return std::string();
  };
  auto config = parse_config(
      "[alerts]\nmethod = \"dayago\"\ninterval_minutes = 30\n"
      "[alerts.metrics.views]\nparams = { threshold = 0.2 }\n"
      "[alerts.metrics.likes]\nmethod = \"iqr\"\nparams = { n = 4, a = 2 }\n",
      "vigil.toml", record);
  ASSERT_TRUE(config.ok()) << config.error().message;
  // [alerts] method, then per metric (in key order): likes' method and its params,
  // views' params under [alerts] method.
  EXPECT_EQ(seen, (std::vector<std::string>{"dayago 0 48", "iqr 0 48", "iqr 2 48", "dayago 1 48"}));
}

TEST(ConfigAlerts, SensitivityAndDirectionDefaultsAndOverrides) {
  auto defaults = parse_config("", "vigil.toml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->alerts.sensitivity, "normal");
  EXPECT_EQ(defaults->alerts.direction, "both");

  auto config = parse_config(R"(
[alerts]
sensitivity = "high"
direction = "up"

[alerts.metrics.ctr]
direction = "down"
sensitivity = "low"

[alerts.metrics.likes]
consecutive = 2
)",
                             "vigil.toml", detector_problem);
  ASSERT_TRUE(config.ok()) << config.error().message;
  const auto& a = config->alerts;
  EXPECT_EQ(a.sensitivity, "high");
  EXPECT_EQ(a.direction, "up");
  EXPECT_EQ(a.metrics.at("ctr").direction, "down");
  EXPECT_EQ(a.metrics.at("ctr").sensitivity, "low");
  // Unset per metric: "" (make_watches then takes [alerts]'s).
  EXPECT_EQ(a.metrics.at("likes").direction, "");
  EXPECT_EQ(a.metrics.at("likes").sensitivity, "");
}

TEST(ConfigAlerts, GroupDefaultsToOneMessagePerBucketAndIsChecked) {
  auto defaults = parse_config("", "vigil.toml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->alerts.group, "bucket");
  auto metric = parse_config("[alerts]\ngroup = \"metric\"\n", "vigil.toml");
  ASSERT_TRUE(metric.ok()) << metric.error().message;
  EXPECT_EQ(metric->alerts.group, "metric");
  auto bad = parse_config("[alerts]\ngroup = \"incident\"\n", "vigil.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "vigil.toml:2: alerts.group: expected bucket, metric or alert, got 'incident'");
}

TEST(ConfigAlerts, SensitivityAndDirectionErrorsAtTheirLine) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"[alerts]\nmethod = \"iqr\"\nsensitivity = \"extreme\"\n",
       "vigil.toml:3: alerts.sensitivity: expected low, normal or high, got 'extreme'"},
      {"[alerts]\n\ndirection = \"sideways\"\n",
       "vigil.toml:3: alerts.direction: expected up, down or both, got 'sideways'"},
      {"[alerts]\ndirection = 1\n", "vigil.toml:2: alerts.direction: expected a string"},
      {"[alerts.metrics.ctr]\nconsecutive = 2\ndirection = \"Down\"\n",
       "vigil.toml:3: alerts.metrics.ctr.direction: expected up, down or both, got 'Down'"},
      {"[alerts.metrics.views]\nsensitivity = \"medium\"\n",
       "vigil.toml:2: alerts.metrics.views.sensitivity: expected low, normal or high, got "
       "'medium'"},
      {"[alerts.metrics.ctr]\nparams = { direction = \"up\" }\ndirection = \"down\"\n",
       "vigil.toml:3: alerts.metrics.ctr.direction: given twice, as direction and as "
       "params.direction: keep one"},
      {"[alerts.metrics.likes]\nsensitivity = \"low\"\nparams = { sensitivity = \"high\" }\n",
       "vigil.toml:2: alerts.metrics.likes.sensitivity: given twice, as sensitivity and as "
       "params.sensitivity: keep one"},
      // A metric's own sensitivity must fit its method; [alerts]'s is only used by seasonal.
      {"[alerts]\nsensitivity = \"low\"\n[alerts.metrics.likes]\nmethod = \"iqr\"\n"
       "sensitivity = \"high\"\n",
       "vigil.toml:5: alerts.metrics.likes.sensitivity: unknown parameter 'sensitivity' for "
       "method iqr"},
      // A direction in params is checked by the detector, at its line.
      {"[alerts.metrics.ctr]\nparams = { direction = \"sideways\" }\n",
       "vigil.toml:2: alerts.metrics.ctr.params.direction:"},
  };
  for (const auto& c : cases) {
    auto config = parse_config(c.text, "vigil.toml", detector_problem);
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_TRUE(contains(config.error().message, c.expected))
        << "got: " << config.error().message << "\nwanted: " << c.expected;
    EXPECT_EQ(config.error().exit_code(), 2);
  }
  // [alerts] sensitivity with a method that has none, and a direction given once in
  // params, are fine.
  EXPECT_TRUE(parse_config("[alerts]\nmethod = \"dayago\"\nsensitivity = \"high\"\n",
                           "vigil.toml", detector_problem)
                  .ok());
  EXPECT_TRUE(parse_config("[alerts.metrics.ctr]\nparams = { direction = \"down\" }\n",
                           "vigil.toml", detector_problem)
                  .ok());
}

TEST(ConfigAlerts, DefaultTextStillParses) {
  auto config = parse_config(default_config_text(), "defaults.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->alerts.method, "seasonal");
  const std::string text = default_config_text();
  EXPECT_TRUE(contains(text, "\nsensitivity = \"normal\"\n"));
  EXPECT_TRUE(contains(text, "\ndirection = \"both\"\n"));
}

}  // namespace
}  // namespace vigil
