#include "config/alerts_config.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace vigil {

namespace config_reader {
namespace {

std::string check_slice(std::string_view value) {
  if (value == "os" || value == "gender" || value == "age") return "";
  return fmt::format("unknown slice '{}': expected os, gender or age", value);
}

std::string check_explain_dimension(std::string_view value) {
  if (value == "os" || value == "gender" || value == "age" || value == "source" ||
      value == "country") {
    return "";
  }
  return fmt::format("unknown dimension '{}': expected os, gender, age, source or country", value);
}

std::string check_interval(int minutes) {
  if (60 % minutes == 0) return "";
  return fmt::format("must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60), got {}", minutes);
}

std::string check_sensitivity(std::string_view value) {
  if (value == "low" || value == "normal" || value == "high") return "";
  return fmt::format("expected low, normal or high, got '{}'", value);
}

std::string check_direction(std::string_view value) {
  if (value == "up" || value == "down" || value == "both") return "";
  return fmt::format("expected up, down or both, got '{}'", value);
}

// A table name in clickhouse.database, or "" for off.
std::string check_optional_table(std::string_view value) {
  return value.empty() ? std::string() : check_identifier(value);
}

std::string check_group(std::string_view value) {
  if (value == "bucket" || value == "metric" || value == "alert") return "";
  return fmt::format("expected bucket, metric or alert, got '{}'", value);
}

// Detector parameters: a table of numbers or strings, kept as text for the detector
// (check_detectors below) to check.
void read_params(Reader& r, const toml::table& table, const std::string& prefix,
                 std::map<std::string, std::string>& out) {
  const toml::table* params = section(r, table, "params");
  if (params == nullptr) return;
  for (auto&& [key, node] : *params) {
    const std::string name = dotted(prefix + ".params", key.str());
    if (auto v = node.value<std::int64_t>(); v && node.is_integer()) {
      out[std::string(key.str())] = std::to_string(*v);
    } else if (auto d = node.value<double>(); d && node.is_floating_point()) {
      out[std::string(key.str())] = fmt::format("{}", *d);
    } else if (node.is_string()) {
      out[std::string(key.str())] = node.as_string()->get();
    } else {
      r.fail(where(key, node), name,
             fmt::format("expected a number or a string, got {}", type_name(node.type())));
    }
  }
}

// `direction` and `sensitivity` are keys of their own and also detector parameters:
// given both ways for one metric, which one is meant is unclear.
void check_given_once(Reader& r, const toml::table& t, const std::string& prefix,
                      const std::map<std::string, std::string>& params) {
  for (const char* name : {"sensitivity", "direction"}) {
    auto it = t.find(name);
    if (it == t.end() || !params.contains(name)) continue;
    r.fail(where(it->first, it->second), dotted(prefix, name),
           fmt::format("given twice, as {0} and as params.{0}: keep one", name));
  }
}

void read_metric(Reader& r, const toml::key& key, const toml::node& node, AlertsConfig& c) {
  const std::string prefix = dotted("alerts.metrics", key.str());
  const auto& names = alert_metric_names();
  if (std::find(names.begin(), names.end(), key.str()) == names.end()) {
    r.fail(key.source(), prefix,
           fmt::format("unknown metric (valid: {})", fmt::join(names, ", ")));
    return;
  }
  if (!node.is_table()) {
    r.fail(where(key, node), prefix,
           fmt::format("expected a table, got {}", type_name(node.type())));
    return;
  }
  const toml::table& t = *node.as_table();
  check_known_keys(r, t,
                   {prefix,
                    {"enabled", "method", "consecutive", "repeat_every_minutes", "sensitivity",
                     "direction"},
                    {"params"}});
  MetricAlertConfig m;
  read_bool(r, t, prefix, "enabled", m.enabled);
  read_string(r, t, prefix, "method", m.method, check_non_empty);
  read_int(r, t, prefix, "consecutive", m.consecutive, 1, kMaxConsecutive);
  read_int(r, t, prefix, "repeat_every_minutes", m.repeat_every_minutes, 1,
           kMaxRepeatEveryMinutes);
  read_string(r, t, prefix, "sensitivity", m.sensitivity, check_sensitivity);
  read_string(r, t, prefix, "direction", m.direction, check_direction);
  read_params(r, t, prefix, m.params);
  check_given_once(r, t, prefix, m.params);
  c.metrics[std::string(key.str())] = std::move(m);
}

// A failing detector check for one metric, at the line that caused it: the parameter
// whose check alone gives the same problem (unknown name, bad value), else the params
// table (a combination, such as min_days above days + weeks).
void check_params(Reader& r, const std::string& prefix, const toml::table& t,
                  const std::string& method, const std::map<std::string, std::string>& params,
                  const DetectorCheck& check, int buckets_per_day) {
  const std::string problem = check(method, params, buckets_per_day);
  if (problem.empty()) return;
  auto params_it = t.find("params");
  if (const toml::table* table = params_it->second.as_table()) {
    for (auto&& [key, node] : *table) {
      auto value = params.find(std::string(key.str()));
      if (value == params.end()) continue;
      if (check(method, {{value->first, value->second}}, buckets_per_day) == problem) {
        r.fail(where(key, node), dotted(prefix + ".params", key.str()), problem);
        return;
      }
    }
  }
  r.fail(where(params_it->first, params_it->second), prefix + ".params", problem);
}

// The detectors [alerts] and [alerts.metrics.<name>] name, resolved the way
// alert/evaluate's make_watches resolves them (a metric without a method uses
// [alerts] method), each checked by `check` and reported at its line.
void check_detectors(Reader& r, const toml::table& alerts, const AlertsConfig& c,
                     const DetectorCheck& check) {
  const int buckets_per_day = 24 * 60 / c.interval_minutes;
  bool default_ok = true;
  if (auto it = alerts.find("method"); it != alerts.end() && it->second.is_string()) {
    if (auto problem = check(c.method, {}, buckets_per_day); !problem.empty()) {
      r.fail(where(it->first, it->second), "alerts.method", problem);
      default_ok = false;
    }
  }
  const toml::table* metrics = alerts.get_as<toml::table>("metrics");
  if (metrics == nullptr) return;
  for (auto&& [key, node] : *metrics) {
    auto m = c.metrics.find(std::string(key.str()));
    if (m == c.metrics.end() || !node.is_table()) continue;  // reported by read_metric
    const toml::table& t = *node.as_table();
    const std::string prefix = dotted("alerts.metrics", key.str());
    std::string method = c.method;
    if (!m->second.method.empty()) {
      method = m->second.method;
      if (auto problem = check(method, {}, buckets_per_day); !problem.empty()) {
        auto it = t.find("method");
        r.fail(where(it->first, it->second), prefix + ".method", problem);
        continue;
      }
    } else if (!default_ok) {
      continue;
    }
    // [alerts] sensitivity applies where the method takes one; a metric's own must fit its method.
    if (!m->second.sensitivity.empty()) {
      auto problem = check(method, {{"sensitivity", m->second.sensitivity}}, buckets_per_day);
      if (!problem.empty()) {
        auto it = t.find("sensitivity");
        r.fail(where(it->first, it->second), prefix + ".sensitivity", problem);
      }
    }
    if (!m->second.params.empty()) {
      check_params(r, prefix, t, method, m->second.params, check, buckets_per_day);
    }
  }
}

}  // namespace

void read_alerts(Reader& r, const toml::table& root, AlertsConfig& c,
                 const DetectorCheck& check_detector) {
  const toml::table* t = section(r, root, "alerts");
  if (t == nullptr) return;
  check_known_keys(r, *t,
                   {"alerts",
                    {"interval_minutes", "history_days", "method", "sensitivity", "direction",
                     "consecutive", "repeat_every_minutes", "slices", "explain_by",
                     "history_table", "bucket_table", "late_buckets", "dashboard_url", "group",
                     "buttons"},
                    {"metrics"}});
  read_int(r, *t, "alerts", "interval_minutes", c.interval_minutes, 1, 60);
  if (auto it = t->find("interval_minutes"); it != t->end()) {
    if (auto problem = check_interval(c.interval_minutes); !problem.empty()) {
      r.fail(where(it->first, it->second), "alerts.interval_minutes", problem);
    }
  }
  read_int(r, *t, "alerts", "history_days", c.history_days, 1, 60);
  read_string(r, *t, "alerts", "method", c.method, check_non_empty);
  read_string(r, *t, "alerts", "sensitivity", c.sensitivity, check_sensitivity);
  read_string(r, *t, "alerts", "direction", c.direction, check_direction);
  read_int(r, *t, "alerts", "consecutive", c.consecutive, 1, kMaxConsecutive);
  read_int(r, *t, "alerts", "repeat_every_minutes", c.repeat_every_minutes, 1,
           kMaxRepeatEveryMinutes);
  read_string_array(r, *t, "alerts", "slices", c.slices, check_slice);
  read_string_array(r, *t, "alerts", "explain_by", c.explain_by, check_explain_dimension);
  read_string(r, *t, "alerts", "history_table", c.history_table,
              check_optional_table);
  read_string(r, *t, "alerts", "bucket_table", c.bucket_table,
              check_optional_table);
  read_int(r, *t, "alerts", "late_buckets", c.late_buckets, 0, 96);
  read_string(r, *t, "alerts", "dashboard_url", c.dashboard_url, check_optional_url);
  read_string(r, *t, "alerts", "group", c.group, check_group);
  read_bool(r, *t, "alerts", "buttons", c.buttons);
  if (const toml::table* metrics = section(r, *t, "metrics")) {
    for (auto&& [key, node] : *metrics) read_metric(r, key, node, c);
  }
  if (check_detector) check_detectors(r, *t, c, check_detector);
}

}  // namespace config_reader
}  // namespace vigil
