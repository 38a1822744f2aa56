#include "web/html.h"

#include <cmath>

#include <fmt/format.h>

#include "telegram/text.h"

namespace vigil::html {
namespace {

constexpr const char* kStyle = R"(
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{background:#1d2330;color:#fff;padding:10px 24px;display:flex;gap:24px;align-items:center}
header b{font-size:18px;margin-right:12px}
header a{color:#c9d3e6;text-decoration:none}header a.on{color:#fff;border-bottom:2px solid #5b9cf2}
main{padding:16px 24px;max-width:1320px}
h1{font-size:22px;margin:8px 0 16px}h2{font-size:17px;margin:24px 0 8px}
form.filters{display:flex;gap:12px;align-items:end;flex-wrap:wrap;margin-bottom:12px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#555;gap:2px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px}
.tile{background:#fff;border-radius:6px;padding:10px 14px;box-shadow:0 1px 2px #0002}
.tile a{color:#1d2330;text-decoration:none;font-size:13px;display:block;min-height:2.6em}.tile .value{font-size:24px;font-weight:bold;display:block;margin:4px 0}
.tile .change{font-size:12px;color:#555;display:block}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0002;font-size:13px}
th,td{padding:4px 10px;border-bottom:1px solid #e3e6ea;text-align:left;white-space:nowrap}
th a{color:#1d2330}td.num,th.num{text-align:right}
tr.anomaly td{background:#fde8e6}tr.marked td{border-top:2px solid #e8590c;border-bottom:2px solid #e8590c;font-weight:bold}tr:target td{background:#fff3bf}
.status-failed,.status-abandoned,.action-fire{color:#c92a2a;font-weight:bold}.status-ok,.action-resolve{color:#2b8a3e}
img.chart{max-width:100%;background:#fff;box-shadow:0 1px 2px #0002;margin-bottom:12px}
.error{background:#fff5f5;border:1px solid #ffa8a8;padding:10px 14px;border-radius:6px}
.muted{color:#777}.nav-days a{margin:0 6px}
)";

}  // namespace

std::string esc(std::string_view text) { return html_escape(text); }

std::string page(const std::string& title, const std::string& active, const std::string& body) {
  std::string nav;
  for (const auto& [id, label] : std::vector<std::pair<std::string, std::string>>{
           {"overview", "Overview"}, {"metric", "Metric"}, {"alerts", "Alerts"}, {"runs", "Runs"}}) {
    nav += fmt::format("<a href=\"/{}\"{}>{}</a>", id, id == active ? " class=\"on\"" : "", label);
  }
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<link rel=\"icon\" href=\"data:,\"><title>{} · vigil</title><style>{}</style></head>"
      "<body><header><b>vigil</b>{}</header><main>\n{}\n</main></body></html>\n",
      esc(title), kStyle, nav, body);
}

std::string value(std::optional<double> v, chart::ValueFormat format, int decimals) {
  if (!v || !std::isfinite(*v)) return chart::kMissingText;
  return decimals < 0 ? chart::format_value(*v, format) : chart::format_value(*v, format, decimals);
}

std::string select(const std::string& name,
                   const std::vector<std::pair<std::string, std::string>>& options,
                   const std::string& selected) {
  std::string out = fmt::format("<select name=\"{}\">", esc(name));
  for (const auto& [value, label] : options) {
    out += fmt::format("<option value=\"{}\"{}>{}</option>", esc(value),
                       value == selected ? " selected" : "", esc(label));
  }
  return out + "</select>";
}

std::string day_nav(const std::string& path, Days day, const std::string& keep) {
  auto link = [&](Days d, const char* label) {
    return fmt::format("<a href=\"{}?date={}{}\">{}</a>", path, format_date(d),
                       keep.empty() ? "" : "&amp;" + esc(keep), label);
  };
  return fmt::format("<span class=\"nav-days\">{}{}</span>", link(day - date::days{1}, "◀ day before"),
                     link(day + date::days{1}, "day after ▶"));
}

}  // namespace vigil::html
