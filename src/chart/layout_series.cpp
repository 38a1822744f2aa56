// The data part of a panel: the expected band, the lines (split at missing values), dots, the
// anomaly marker and value labels that never overlap other text.
#include <algorithm>
#include <cmath>
#include <optional>

#include "chart/layout_internal.h"

namespace vigil::chart::detail {
namespace {

// [begin, end) index ranges where `present(i)` holds.
template <class Present>
std::vector<std::pair<int, int>> runs(int count, Present present) {
  std::vector<std::pair<int, int>> out;
  for (int i = 0; i < count; ++i) {
    if (!present(i)) continue;
    int begin = i;
    while (i < count && present(i)) ++i;
    out.emplace_back(begin, i);
  }
  return out;
}

Color darker(Color c) {
  auto d = [](std::uint8_t v) { return static_cast<std::uint8_t>(v * 0.75); };
  return Color{d(c.r), d(c.g), d(c.b), 1.0};
}

Rect inflate(const Rect& r, double by) { return {r.x - by, r.y - by, r.w + 2 * by, r.h + 2 * by}; }

Rect around(Point p, double radius) { return {p.x - radius, p.y - radius, 2 * radius, 2 * radius}; }

// Label a point above it when it is at least as high as its neighbours' mean, else below.
bool prefers_above(const std::vector<double>& values, int i) {
  double sum = 0;
  int n = 0;
  for (int j : {i - 1, i + 1}) {
    if (j < 0 || j >= static_cast<int>(values.size()) || !std::isfinite(values[j])) continue;
    sum += values[j];
    ++n;
  }
  return n == 0 || values[i] >= sum / n;
}

// Label decimals for a series: enough to tell its values apart (see decimals_for_spread).
int label_decimals(const std::vector<double>& values, ValueFormat format) {
  double lo = INFINITY, hi = -INFINITY;
  for (double v : values)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  return decimals_for_spread(hi > lo ? hi - lo : 0, format);
}

}  // namespace

bool segment_hits(const Rect& rect, Point a, Point b) {
  double t0 = 0, t1 = 1, dx = b.x - a.x, dy = b.y - a.y;
  // Liang-Barsky: keep the part of a + t (b - a) with p * t <= q for each edge.
  auto clip = [&](double p, double q) {
    if (p == 0) return q > 0;
    double t = q / p;
    if (p < 0) {
      if (t > t1) return false;
      t0 = std::max(t0, t);
    } else {
      if (t < t0) return false;
      t1 = std::min(t1, t);
    }
    return true;
  };
  return clip(-dx, a.x - rect.x) && clip(dx, rect.right() - a.x) && clip(-dy, a.y - rect.y) &&
         clip(dy, rect.bottom() - a.y) && t1 - t0 > 1e-9;
}

// One filled polygon per run where both lo and hi are known (hi edge forward, lo edge back);
// a lone point gets a slim rectangle so it stays visible.
void Layouter::draw_band(const Band& band, const PanelGeometry& g) {
  auto known = [&](int i) { return std::isfinite(band.lo[i]) && std::isfinite(band.hi[i]); };
  double half = g.plot.w / std::max(g.count, 1) * 0.3;
  Color edge{kBandColor.r, kBandColor.g, kBandColor.b, 0.35};
  for (auto [begin, end] : runs(g.count, known)) {
    std::vector<Point> top, bottom;
    for (int i = begin; i < end; ++i) {
      double x = g.x_of(i);
      top.push_back({x, g.y_of(std::max(band.lo[i], band.hi[i]))});
      bottom.push_back({x, g.y_of(std::min(band.lo[i], band.hi[i]))});
    }
    if (end - begin == 1) {
      Point t = top.front(), b = bottom.front();
      add(Polygon{{{t.x - half, t.y}, {t.x + half, t.y}, {b.x + half, b.y}, {b.x - half, b.y}},
                  kBandColor, Role::kBand});
      continue;
    }
    std::vector<Point> outline = top;
    outline.insert(outline.end(), bottom.rbegin(), bottom.rend());
    add(Polygon{std::move(outline), kBandColor, Role::kBand});
    add(Polyline{top, edge, 1.5 * sizes_.scale, false, Role::kBand});
    add(Polyline{bottom, edge, 1.5 * sizes_.scale, false, Role::kBand});
  }
}

// A polyline per run of known values; a lone known value between gaps becomes a dot.
void Layouter::draw_line(const Line& line, const PanelGeometry& g) {
  if (line.values.empty()) return;
  auto known = [&](int i) { return std::isfinite(line.values[i]); };
  for (auto [begin, end] : runs(g.count, known)) {
    std::vector<Point> points;
    for (int i = begin; i < end; ++i) points.push_back({g.x_of(i), g.y_of(line.values[i])});
    if (points.size() == 1) {
      if (dots(line)) continue;  // draw_points paints it
      double radius = std::max(stroke(line.style), sizes_.point_radius * 0.7);
      add(Circle{points.front(), radius, line.style.color, std::nullopt, 0, Role::kLine});
      point_boxes_.push_back(around(points.front(), radius));
      continue;
    }
    for (std::size_t k = 1; k < points.size(); ++k)
      segments_.emplace_back(points[k - 1], points[k]);
    add(Polyline{std::move(points), line.style.color, stroke(line.style), line.style.dashed,
                 Role::kLine});
  }
}

void Layouter::draw_points(const Line& line, const PanelGeometry& g) {
  if (!dots(line)) return;
  for (int i = 0; i < static_cast<int>(line.values.size()); ++i) {
    if (!std::isfinite(line.values[i])) continue;
    Point p{g.x_of(i), g.y_of(line.values[i])};
    add(Circle{p, sizes_.point_radius, line.style.color, kBackground, 2 * sizes_.scale,
               Role::kPoint});
    point_boxes_.push_back(around(p, sizes_.point_radius));
  }
}

// The anomaly: a dashed red vertical line through the plot and a ring on the main series.
void Layouter::draw_marker(const Panel& panel, const PanelGeometry& g) {
  if (!panel.marker_index) return;
  int m = *panel.marker_index;
  double x = g.x_of(m);
  add(Polyline{{{x, g.plot.y}, {x, g.plot.bottom()}}, Color{220, 38, 38, 0.55},
               2 * sizes_.scale, true, Role::kMarker});
  if (panel.lines.empty() || panel.lines[0].values.empty() ||
      !std::isfinite(panel.lines[0].values[m]))
    return;
  Point p{x, g.y_of(panel.lines[0].values[m])};
  add(Circle{p, sizes_.marker_radius, Color{220, 38, 38, 0.18}, kMarkerColor,
             3.5 * sizes_.scale, Role::kMarker});
  point_boxes_.push_back(around(p, sizes_.marker_radius + 1.75 * sizes_.scale));
}

// The marker's value first, then each labelled line's last point (yesterday, the one people
// read), then the others left to right; each label goes where it overlaps nothing, else it
// is skipped. Integers switch to the compact form when the full one is wider than a slot.
void Layouter::place_value_labels(const Panel& panel, const PanelGeometry& g) {
  std::optional<int> marker = panel.marker_index;
  if (marker && !panel.lines.empty() && !panel.lines[0].values.empty() &&
      std::isfinite(panel.lines[0].values[*marker])) {
    const auto& values = panel.lines[0].values;
    Point at{g.x_of(*marker), g.y_of(values[*marker])};
    place_label(format_value(values[*marker], panel.format, label_decimals(values, panel.format)),
                at, sizes_.marker_radius + sizes_.value * 0.25, prefers_above(values, *marker),
                kMarkerColor, true, g);
  }
  double slot = g.plot.w / std::max(g.count, 1);
  for (std::size_t l = 0; l < panel.lines.size(); ++l) {
    const Line& line = panel.lines[l];
    if (!line.value_labels || line.values.empty()) continue;
    std::vector<int> order;
    for (int i = g.count - 1; i >= 0; --i)
      if (std::isfinite(line.values[i])) order.push_back(i);
    if (order.size() > 1) std::reverse(order.begin() + 1, order.end());
    int decimals = label_decimals(line.values, panel.format);
    double clearance = (dots(line) ? sizes_.point_radius : stroke(line.style) / 2) +
                       sizes_.value * 0.25;
    for (int i : order) {
      if (l == 0 && marker == i) continue;
      std::string text = format_value(line.values[i], panel.format, decimals);
      if (measurer_.measure(text, sizes_.value, false).width > slot - sizes_.value * 0.3)
        text = format_value_short(line.values[i], panel.format, decimals);
      place_label(text, {g.x_of(i), g.y_of(line.values[i])}, clearance,
                  prefers_above(line.values, i), darker(line.style.color), false, g);
    }
  }
}

// Tries the preferred side of the point, then the other; a spot must stay inside the plot's
// height and the panel's width and keep a small margin to every text and dot placed so far.
// A spot that no line crosses wins; otherwise the label gets a white halo over the line.
bool Layouter::place_label(const std::string& text, Point at, double clearance, bool prefer_above,
                           Color color, bool bold, const PanelGeometry& g) {
  Rect bounds{g.cell.x, g.plot.y, g.cell.w, g.plot.h};
  double margin = sizes_.value * 0.12;
  std::optional<Text> fallback;
  for (bool above : {prefer_above, !prefer_above}) {
    Point anchor{at.x, above ? at.y - clearance : at.y + clearance};
    Text t = make_text(text, anchor, sizes_.value, bold, color, Anchor::kCenter,
                       above ? VAnchor::kBottom : VAnchor::kTop, Role::kValueLabel);
    double shift =
        std::max(0.0, bounds.x - t.box.x) - std::max(0.0, t.box.right() - bounds.right());
    t.x += shift;
    t.box.x += shift;
    Rect padded = inflate(t.box, margin);
    auto hits = [&](const Rect& r) { return overlaps(padded, r); };
    if (!contains(bounds, t.box) || std::any_of(text_boxes_.begin(), text_boxes_.end(), hits) ||
        std::any_of(point_boxes_.begin(), point_boxes_.end(), hits))
      continue;
    t.halo = kHaloColor;
    bool crossed = std::any_of(segments_.begin(), segments_.end(), [&](const auto& s) {
      return segment_hits(t.box, s.first, s.second);
    });
    if (!crossed) {
      add_text(std::move(t));
      return true;
    }
    if (!fallback) fallback = std::move(t);
  }
  if (!fallback) return false;
  add_text(std::move(*fallback));
  return true;
}

}  // namespace vigil::chart::detail
