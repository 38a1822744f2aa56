// layout_chart: the frame of the picture (title, panel grid, panel headers and legends, y axis
// with nice ticks, thinned x labels). The data itself is drawn by layout_series.cpp.
#include <algorithm>
#include <cmath>
#include <optional>

#include "chart/layout_internal.h"

namespace vigil::chart {

using detail::Anchor;
using detail::VAnchor;

// ---------------------------------------------------------------- small public helpers

bool overlaps(const Rect& a, const Rect& b) {
  return a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom();
}

bool contains(const Rect& outer, const Rect& inner) {
  constexpr double kSlack = 1e-6;
  return inner.x >= outer.x - kSlack && inner.y >= outer.y - kSlack &&
         inner.right() <= outer.right() + kSlack && inner.bottom() <= outer.bottom() + kSlack;
}

double PanelGeometry::x_of(int index) const {
  return plot.x + (index + 0.5) * plot.w / std::max(count, 1);
}

double PanelGeometry::y_of(double value) const {
  double span = y_max - y_min;
  if (!(span > 0)) return plot.y + plot.h / 2;
  return plot.bottom() - (value - y_min) / span * plot.h;
}

TextMetrics FakeTextMeasurer::measure(std::string_view text, double size, bool) const {
  auto chars = std::count_if(text.begin(), text.end(),
                             [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  return {0.6 * size * static_cast<double>(chars), 0.75 * size, 0.25 * size};
}

std::vector<double> nice_ticks(double lo, double hi, int target, double min_step) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {};
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) hi = lo + std::max(min_step, 1.0);
  target = std::max(target, 1);
  double magnitude = std::pow(10.0, std::floor(std::log10((hi - lo) / target)));
  // Of 1, 2, 5 and 10 times the magnitude, the step whose interval count is closest to the
  // target (ties: fewer ticks).
  double step = 0;
  long long first = 0, last = 0;
  for (double factor : {10.0, 5.0, 2.0, 1.0}) {
    double candidate = std::max(factor * magnitude, min_step);
    auto f = static_cast<long long>(std::floor(lo / candidate + 1e-9));
    auto l = static_cast<long long>(std::ceil(hi / candidate - 1e-9));
    if (step == 0 || std::llabs(l - f - target) < std::llabs(last - first - target))
      step = candidate, first = f, last = l;
  }
  std::vector<double> ticks;
  for (long long k = first; k <= last && ticks.size() < 1000; ++k) {
    double value = static_cast<double>(k) * step;
    ticks.push_back(std::fabs(value) < step * 1e-9 ? 0.0 : value);
  }
  if (ticks.size() == 1) ticks.push_back(ticks.front() + step);
  return ticks;
}

LineStyle primary_line() { return {detail::kPrimaryColor, 4.5, false, true}; }
LineStyle secondary_line() { return {Color{120, 120, 120}, 2.5, false, false}; }
LineStyle dashed_line() { return {Color{168, 128, 96}, 2.5, true, false}; }

Status validate(const ChartSpec& spec) {
  if (spec.panels.empty()) return Error::failure("chart '" + spec.title + "' has no panels");
  if (spec.width < 320 || spec.width > 8000)
    return Error::failure("chart width " + std::to_string(spec.width) + " is outside 320..8000");
  if (spec.panel_height < 150 || spec.panel_height > 4000)
    return Error::failure("chart panel_height " + std::to_string(spec.panel_height) +
                          " is outside 150..4000");
  if (spec.columns < 1 || spec.columns > 8)
    return Error::failure("chart columns " + std::to_string(spec.columns) + " is outside 1..8");
  std::size_t count = spec.x_labels.size();
  auto size_error = [&](const std::string& what, std::size_t size) {
    return Error::failure(what + " has " + std::to_string(size) + " values but the chart has " +
                          std::to_string(count) + " x labels");
  };
  for (const Panel& panel : spec.panels) {
    std::string name = "panel '" + panel.title + "'";
    for (const Line& line : panel.lines)
      if (!line.values.empty() && line.values.size() != count)
        return size_error(name + " line '" + line.name + "'", line.values.size());
    if (panel.band && panel.band->lo.size() != count)
      return size_error(name + " band lo", panel.band->lo.size());
    if (panel.band && panel.band->hi.size() != count)
      return size_error(name + " band hi", panel.band->hi.size());
    if (panel.marker_index && (*panel.marker_index < 0 || *panel.marker_index >= int(count)))
      return Error::failure(name + " marker index " + std::to_string(*panel.marker_index) +
                            " is outside 0.." + std::to_string(int(count) - 1));
  }
  return {};
}

Result<ChartLayout> layout_chart(const ChartSpec& spec, const TextMeasurer& measurer) {
  VIGIL_TRY(validate(spec));
  return detail::Layouter(spec, measurer).run();
}

namespace detail {
namespace {

struct Range {
  double lo, hi;
};

// Min and max of every finite value of the lines and the band; nullopt if there is none.
std::optional<Range> data_range(const Panel& panel) {
  std::optional<Range> range;
  auto take = [&](const std::vector<double>& values) {
    for (double v : values) {
      if (!std::isfinite(v)) continue;
      if (!range) range = Range{v, v};
      range->lo = std::min(range->lo, v);
      range->hi = std::max(range->hi, v);
    }
  };
  for (const Line& line : panel.lines) take(line.values);
  if (panel.band) take(panel.band->lo), take(panel.band->hi);
  return range;
}

// The range the axis must cover: a margin around the data, wider with value labels (they sit
// above maxima and below minima), never below zero for non-negative data, and a made-up span
// for a flat series.
Range padded(Range r, bool labels) {
  Range out = r;
  double span = r.hi - r.lo;
  if (span > 0) {
    out.lo = r.lo - (labels ? 0.15 : 0.05) * span;
    out.hi = r.hi + (labels ? 0.22 : 0.08) * span;
  } else {
    double pad = std::fabs(r.lo) > 0 ? std::fabs(r.lo) * 0.1 : 1.0;
    out.lo = r.lo - pad;
    out.hi = r.hi + pad;
  }
  if (r.lo >= 0 && out.lo < 0) out.lo = 0;
  return out;
}

std::vector<std::string> split_first_space(const std::string& label) {
  auto space = label.find(' ');
  if (space == std::string::npos) return {label};
  return {label.substr(0, space), label.substr(space + 1)};
}

}  // namespace

Sizes sizes_for(int width) {
  double s = width / 1280.0;
  return Sizes{.scale = s, .pad = 28 * s, .gap = 16 * s, .title = 40 * s, .panel_title = 31 * s,
               .tick = 25 * s, .x_label = 25 * s, .value = 25 * s, .legend = 25 * s,
               .point_radius = 6.5 * s, .marker_radius = 14 * s};
}

Layouter::Layouter(const ChartSpec& spec, const TextMeasurer& measurer)
    : spec_(spec), measurer_(measurer), sizes_(sizes_for(spec.width)) {}

Text Layouter::make_text(std::string text, Point at, double size, bool bold, Color color,
                         Anchor anchor, VAnchor vanchor, Role role) const {
  TextMetrics m = measurer_.measure(text, size, bold);
  double x = anchor == Anchor::kLeft ? at.x : anchor == Anchor::kCenter ? at.x - m.width / 2
                                                                         : at.x - m.width;
  double baseline = at.y;
  if (vanchor == VAnchor::kTop) baseline = at.y + m.ascent;
  if (vanchor == VAnchor::kMiddle) baseline = at.y + (m.ascent - m.descent) / 2;
  if (vanchor == VAnchor::kBottom) baseline = at.y - m.descent;
  Rect box{x, baseline - m.ascent, m.width, m.ascent + m.descent};
  return Text{.text = std::move(text), .x = x, .baseline = baseline, .size = size, .bold = bold,
              .color = color, .halo = std::nullopt, .box = box, .role = role};
}

void Layouter::add_text(Text text) {
  text_boxes_.push_back(text.box);
  add(std::move(text));
}

// Shrinks the font down to 75 %, then cuts characters and appends "…", until it fits.
std::pair<std::string, double> Layouter::fit(std::string text, double size, bool bold,
                                             double max_width) const {
  for (double s = size; s >= size * 0.75 - 1e-9; s -= size * 0.05)
    if (measurer_.measure(text, s, bold).width <= max_width) return {text, s};
  double small = size * 0.75;
  while (!text.empty()) {
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80)
      text.pop_back();  // continuation bytes of the last UTF-8 character
    if (!text.empty()) text.pop_back();
    std::string cut = text + "\xE2\x80\xA6";
    if (measurer_.measure(cut, small, bold).width <= max_width) return {cut, small};
  }
  return {"", small};
}

Result<ChartLayout> Layouter::run() {
  int n = static_cast<int>(spec_.panels.size());
  int columns = std::min(spec_.columns, n);
  int rows = (n + columns - 1) / columns;
  double title_height = spec_.title.empty() ? 0 : sizes_.title * 1.3 + sizes_.gap;
  double row_gap = sizes_.pad * 1.2, col_gap = sizes_.pad * 1.6;
  double height = 2 * sizes_.pad + title_height + rows * spec_.panel_height + (rows - 1) * row_gap;
  out_.width = spec_.width;
  out_.height = static_cast<int>(std::ceil(height));
  add(FillRect{{0, 0, double(out_.width), double(out_.height)}, kBackground, Role::kBackground});
  double top = layout_title();
  double cell_w = (spec_.width - 2 * sizes_.pad - (columns - 1) * col_gap) / columns;
  std::vector<std::optional<YAxis>> axes;
  std::vector<double> label_width(columns, 0.0);
  for (int i = 0; i < n; ++i) {
    axes.push_back(plan_y_axis(spec_.panels[i]));
    double& widest = label_width[i % columns];
    if (axes.back()) widest = std::max(widest, axes.back()->label_width);
  }
  double narrowest = cell_w;
  for (double w : label_width) narrowest = std::min(narrowest, plot_width(cell_w, w));
  XLabels x_labels = choose_x_labels(narrowest);
  for (int i = 0; i < n; ++i) {
    Rect cell{sizes_.pad + (i % columns) * (cell_w + col_gap),
              top + (i / columns) * (spec_.panel_height + row_gap), cell_w,
              double(spec_.panel_height)};
    VIGIL_TRY(layout_panel(spec_.panels[i], cell, axes[i], label_width[i % columns], x_labels));
  }
  return std::move(out_);
}

// The chart title, top left; returns the y where panels start.
double Layouter::layout_title() {
  if (spec_.title.empty()) return sizes_.pad;
  auto [text, size] = fit(spec_.title, sizes_.title, true, spec_.width - 2 * sizes_.pad);
  add_text(make_text(text, {sizes_.pad, sizes_.pad}, size, true, kTitleColor, Anchor::kLeft,
                     VAnchor::kTop, Role::kTitle));
  return sizes_.pad + sizes_.title * 1.3 + sizes_.gap;
}

// The y axis of a panel before anything is placed, so that run() can give every panel of a
// column the same tick-label width (their plots then line up). nullopt: nothing to draw.
std::optional<YAxis> Layouter::plan_y_axis(const Panel& panel) const {
  std::optional<Range> range = data_range(panel);
  if (!range || spec_.x_labels.empty()) return std::nullopt;
  double chrome = sizes_.panel_title * 1.25 + sizes_.gap * 0.5 + sizes_.tick * 0.6 +
                  x_label_gap() + 2.4 * sizes_.x_label;
  double plot_estimate = spec_.panel_height - chrome;
  int target = std::clamp(static_cast<int>(plot_estimate / (sizes_.tick * 2.4)), 3, 6);
  bool labels = std::any_of(panel.lines.begin(), panel.lines.end(),
                            [](const Line& l) { return l.value_labels; });
  Range axis = padded(*range, labels);
  YAxis y;
  y.ticks = nice_ticks(axis.lo, axis.hi, target, panel.format == ValueFormat::kInteger ? 1 : 0);
  y.labels = format_ticks(y.ticks, panel.format);
  for (const std::string& label : y.labels)
    y.label_width = std::max(y.label_width, measurer_.measure(label, sizes_.tick, false).width);
  return y;
}

Status Layouter::layout_panel(const Panel& panel, const Rect& cell, const std::optional<YAxis>& y,
                              double label_width, const XLabels& x_labels) {
  PanelGeometry g;
  g.cell = cell;
  g.count = static_cast<int>(spec_.x_labels.size());
  point_boxes_.clear();
  segments_.clear();
  double top = layout_header(panel, cell);
  if (!y) {
    g.plot = {cell.x, top, cell.w, std::max(0.0, cell.bottom() - top)};
    add_text(make_text("no data", {g.plot.x + g.plot.w / 2, g.plot.y + g.plot.h / 2},
                       sizes_.panel_title, false, kMutedColor, Anchor::kCenter, VAnchor::kMiddle,
                       Role::kNoData));
    out_.panels.push_back(std::move(g));
    return {};
  }
  g.has_data = true;
  g.y_ticks = y->ticks;
  g.y_min = g.y_ticks.front();
  g.y_max = g.y_ticks.back();
  g.plot.y = top + sizes_.tick * 0.6;  // room for the top tick label's upper half
  double label_right = cell.x + label_width;
  g.plot.x = label_right + sizes_.gap * 0.7;
  g.plot.w = plot_width(cell.w, label_width);
  std::size_t lines = 0;
  for (const auto& r : x_labels.rows) lines = std::max(lines, r.size());
  double x_area = lines ? x_label_gap() + lines * x_labels.size * 1.2 : sizes_.tick * 0.6;
  g.plot.h = cell.bottom() - x_area - g.plot.y;
  if (g.plot.h < sizes_.tick * 2.5 || g.plot.w < sizes_.tick * 2.5)
    return Error::failure("chart panel '" + panel.title + "' does not fit: panel_height " +
                          std::to_string(spec_.panel_height) + " or width " +
                          std::to_string(spec_.width) + " is too small");
  layout_y_axis(*y, g, label_right);
  layout_x_labels(g, x_labels);
  if (panel.band) draw_band(*panel.band, g);
  for (auto it = panel.lines.rbegin(); it != panel.lines.rend(); ++it) draw_line(*it, g);
  for (auto it = panel.lines.rbegin(); it != panel.lines.rend(); ++it) draw_points(*it, g);
  draw_marker(panel, g);
  place_value_labels(panel, g);
  out_.panels.push_back(std::move(g));
  return {};
}

// Panel title top left and, when there is more than one series, a legend: on the title's row
// if it fits there, else wrapped onto rows below it. Returns the y below the header.
double Layouter::layout_header(const Panel& panel, const Rect& cell) {
  double title_right = cell.x;
  double y = cell.y;
  if (!panel.title.empty()) {
    auto [text, size] = fit(panel.title, sizes_.panel_title, true, cell.w);
    Text title = make_text(text, {cell.x, cell.y}, size, true, kTitleColor, Anchor::kLeft,
                           VAnchor::kTop, Role::kPanelTitle);
    title_right = title.box.right();
    add_text(std::move(title));
    y += sizes_.panel_title * 1.25;
  }
  return std::max(y, layout_legend(panel, cell, title_right, cell.y)) + sizes_.gap * 0.5;
}

double Layouter::layout_legend(const Panel& panel, const Rect& cell, double title_right,
                               double top) {
  struct Item {
    std::string name;
    const LineStyle* style;  // nullptr: the band
    double width;
  };
  const double size = sizes_.legend, swatch = size * 1.6, inner = size * 0.4, outer = size * 1.1;
  std::vector<Item> items;
  for (const Line& line : panel.lines)
    if (!line.name.empty()) items.push_back({line.name, &line.style, 0});
  if (panel.band && !panel.band->name.empty()) items.push_back({panel.band->name, nullptr, 0});
  if (items.size() < 2) return top;
  double total = -outer;
  for (Item& item : items) {
    item.width = swatch + inner + measurer_.measure(item.name, size, false).width;
    total += item.width + outer;
  }
  double row_h = size * 1.35;
  bool same_row = title_right + size * 1.5 + total <= cell.right();
  double x = same_row ? cell.right() - total : cell.x;
  double y = same_row ? top + (sizes_.panel_title * 1.25 - row_h) / 2
                      : top + (title_right > cell.x ? sizes_.panel_title * 1.25 : 0);
  for (const Item& item : items) {
    if (!same_row && x > cell.x && x + item.width > cell.right()) x = cell.x, y += row_h;
    double mid = y + row_h / 2;
    if (item.style) {
      add(Polyline{{{x, mid}, {x + swatch, mid}}, item.style->color,
                   std::min(stroke(*item.style), 5 * sizes_.scale), item.style->dashed,
                   Role::kLegend});
    } else {
      add(FillRect{{x, mid - size * 0.35, swatch, size * 0.7}, kBandColor, Role::kLegend});
    }
    add_text(make_text(item.name, {x + swatch + inner, mid}, size, false, kTextColor,
                       Anchor::kLeft, VAnchor::kMiddle, Role::kLegend));
    x += item.width + outer;
  }
  return y + row_h;
}

// Horizontal grid lines at the ticks, the baseline darker, tick labels right-aligned.
void Layouter::layout_y_axis(const YAxis& axis, PanelGeometry& g, double label_right) {
  for (std::size_t i = 0; i < g.y_ticks.size(); ++i) {
    double y = g.y_of(g.y_ticks[i]);
    bool base = i == 0;
    add(Polyline{{{g.plot.x, y}, {g.plot.right(), y}}, base ? kAxisColor : kGridColor,
                 (base ? 2.0 : 1.5) * sizes_.scale, false, base ? Role::kAxis : Role::kGrid});
    add_text(make_text(axis.labels[i], {label_right, y},
                       sizes_.tick, false, kMutedColor, Anchor::kRight, VAnchor::kMiddle,
                       Role::kTickLabel));
  }
}

// Picks which x labels to draw and how, once per chart (so all panels agree), for the
// narrowest plot: every label on one line if they fit, else on two lines (split at the first
// space: "Mon" over "18.11"), else the same at 90 or 80 % size, else every 2nd, 3rd, 4th, 6th, ...
// non-empty label at full size. When every point has a label (days), the thinning keeps the
// last one (the newest day is the one readers look for); sparse labels (hours) keep their own.
XLabels Layouter::choose_x_labels(double plot_width) const {
  const auto& labels = spec_.x_labels;
  int n = static_cast<int>(labels.size());
  double slot = plot_width / std::max(n, 1);
  bool has_spaces = std::any_of(labels.begin(), labels.end(),
                                [](const std::string& l) { return l.find(' ') != l.npos; });
  const bool dense = std::none_of(labels.begin(), labels.end(),
                                  [](const std::string& l) { return l.empty(); });
  std::vector<int> steps = {1, 2, 3, 4, 6, 8, 12, 16, 24};
  while (steps.back() < n) steps.push_back(steps.back() * 2);
  for (int step : steps) {
    for (double size : {sizes_.x_label, sizes_.x_label * 0.9, sizes_.x_label * 0.8}) {
      if (step > 1 && size < sizes_.x_label) continue;  // smaller text only to show them all
      for (bool two_lines : {false, true}) {
        if (two_lines && !has_spaces) continue;
        XLabels out{.indices = {}, .rows = {}, .size = size};
        std::vector<double> widths;
        for (int i = dense ? (n - 1) % step : 0; i < n; i += step) {
          if (labels[i].empty()) continue;
          out.indices.push_back(i);
          out.rows.push_back(two_lines ? split_first_space(labels[i]) : std::vector{labels[i]});
          double w = 0;
          for (const auto& row : out.rows.back())
            w = std::max(w, measurer_.measure(row, size, false).width);
          widths.push_back(w);
        }
        bool fits = true;
        for (std::size_t k = 1; k < out.indices.size() && fits; ++k)
          fits = (widths[k - 1] + widths[k]) / 2 + size * 0.4 <=
                 (out.indices[k] - out.indices[k - 1]) * slot;
        if (fits) return out;
      }
    }
  }
  return XLabels{.indices = {}, .rows = {}, .size = sizes_.x_label};
}

// The chosen x labels centred under their points (kept inside the cell), plus a faint vertical
// grid line at each when the labels were thinned out of a dense series.
void Layouter::layout_x_labels(PanelGeometry& g, const XLabels& labels) {
  bool vertical_grid = g.count > 24;
  g.x_label_indices = labels.indices;
  for (std::size_t k = 0; k < labels.indices.size(); ++k) {
    double x = g.x_of(labels.indices[k]);
    if (vertical_grid)
      add(Polyline{{{x, g.plot.y}, {x, g.plot.bottom()}}, kGridColor, 1.5 * sizes_.scale, false,
                   Role::kGrid});
    for (std::size_t line = 0; line < labels.rows[k].size(); ++line) {
      double y = g.plot.bottom() + x_label_gap() + line * labels.size * 1.2;
      Text text = make_text(labels.rows[k][line], {x, y}, labels.size, false,
                            line == 0 ? kTextColor : kMutedColor, Anchor::kCenter, VAnchor::kTop,
                            Role::kXLabel);
      double shift = std::max(0.0, g.cell.x - text.box.x) -
                     std::max(0.0, text.box.right() - g.cell.right());
      text.x += shift;
      text.box.x += shift;
      add_text(std::move(text));
    }
  }
}

}  // namespace detail
}  // namespace vigil::chart
