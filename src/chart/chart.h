// Charts for Telegram: a pure data model (ChartSpec), a pure layout step that turns it into
// drawing commands in pixels (testable with a fake text measurer), and a cairo renderer that
// paints those commands into PNG bytes.
//
// Why this split: every layout rule (nice ticks, value labels that never overlap, thinned x
// labels, NaN gaps) is checked in unit tests without pixels; the renderer is a thin loop.
// Output is deterministic: fixed font (DejaVu Sans), fixed colours and sizes, fixed font
// options (grey antialiasing, no hinting), no timestamps in the PNG.
//
// Typical use. Report: one ChartSpec per image, x_labels from day_label(), one Panel per metric
// with one Line{name, values, primary_line(), /*value_labels=*/true}; columns = 1 keeps every
// day label and full numbers ("20 310") at 1280 px, columns = 2 still works (compact "20.3K",
// smaller day labels). Alert: one Panel with today (primary_line), yesterday (secondary_line),
// a week ago (dashed_line), the expected Band, marker_index on the anomalous bucket, and
// x_labels from time_of_day_labels(96, 15).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"
#include "chart/format.h"

namespace vigil::chart {

// ---------------------------------------------------------------- data model (input)

struct Color {
  std::uint8_t r = 0, g = 0, b = 0;
  double alpha = 1.0;
  bool operator==(const Color&) const = default;
};

// How a series is stroked. Use the presets below so every chart looks alike.
struct LineStyle {
  Color color;
  double width = 4;     // px at 1280 px chart width (scaled with the width)
  bool dashed = false;
  bool points = false;  // a dot on every value, drawn only for series of <= kMaxDots points
};

inline constexpr int kMaxDots = 31;  // beyond this, dots are noise (96 quarter-hours)

LineStyle primary_line();    // the series the chart is about: thick blue, dots
LineStyle secondary_line();  // a comparison (yesterday): thinner grey
LineStyle dashed_line();     // another comparison (a week ago): thin dashed grey-brown

struct Line {
  std::string name;            // legend text; lines without a name stay out of the legend
  std::vector<double> values;  // one per x label, or empty (no data); NaN/inf = missing,
                               // which splits the line
  LineStyle style = primary_line();
  bool value_labels = false;   // write the value above/below each point where it fits
};

// The expected range, shaded. Same length as x_labels; NaN in lo or hi = no band there.
struct Band {
  std::string name = "expected";
  std::vector<double> lo, hi;
};

struct Panel {
  std::string title;
  std::vector<Line> lines;        // lines[0] is the main series (marker, first label priority)
  std::optional<Band> band;
  ValueFormat format = ValueFormat::kInteger;
  std::optional<int> marker_index;  // a highlighted x position (the anomaly) on lines[0]
};

struct ChartSpec {
  std::string title;
  std::vector<std::string> x_labels;  // one per point; "" = no label; thinned if crowded
  std::vector<Panel> panels;
  int columns = 1;           // panels fill rows left to right
  int width = 1280;          // px; fonts and strokes scale with it
  int panel_height = 420;    // px per row of panels (title, plot and x labels)
};

// Rejects what cannot be drawn: no panels, non-positive sizes, lengths that differ from
// x_labels, a marker outside the series. One-line Error::failure messages.
Status validate(const ChartSpec& spec);

// ---------------------------------------------------------------- text measuring

struct TextMetrics {
  double width = 0;    // advance width in px
  double ascent = 0;   // above the baseline, px
  double descent = 0;  // below the baseline, px
};

// Measures text for the layout; production uses cairo with the same font the renderer draws
// with, tests use a fake so expectations can be computed by hand. Not thread-safe: one per
// thread (render_png(spec) makes its own).
class TextMeasurer {
 public:
  virtual ~TextMeasurer() = default;
  virtual TextMetrics measure(std::string_view text, double size, bool bold) const = 0;
};

// width = 0.6 * size per UTF-8 character, ascent 0.75 * size, descent 0.25 * size.
class FakeTextMeasurer : public TextMeasurer {
 public:
  TextMetrics measure(std::string_view text, double size, bool bold) const override;
};

// DejaVu Sans through cairo's toy font API, fixed font options. Fails if the font resolves to
// another family (fonts-dejavu-core missing), since the charts would then differ by machine.
Result<std::unique_ptr<TextMeasurer>> make_cairo_measurer();

// ---------------------------------------------------------------- layout (output)

struct Point {
  double x = 0, y = 0;
};
struct Rect {
  double x = 0, y = 0, w = 0, h = 0;
  double right() const { return x + w; }
  double bottom() const { return y + h; }
};
bool overlaps(const Rect& a, const Rect& b);  // interiors intersect (touching is fine)
bool contains(const Rect& outer, const Rect& inner);

// What a command is for: lets tests find e.g. all value labels, and keeps draw order readable.
enum class Role {
  kBackground, kTitle, kPanelTitle, kLegend, kGrid, kAxis, kTickLabel, kXLabel,
  kBand, kLine, kPoint, kMarker, kValueLabel, kNoData,
};

struct FillRect {
  Rect rect;
  Color fill;
  Role role = Role::kBackground;
};
struct Polyline {
  std::vector<Point> points;
  Color color;
  double width = 1;
  bool dashed = false;
  Role role = Role::kBackground;
};
struct Polygon {  // filled, closed
  std::vector<Point> points;
  Color fill;
  Role role = Role::kBackground;
};
struct Circle {
  Point center;
  double radius = 1;
  std::optional<Color> fill;
  std::optional<Color> stroke;
  double stroke_width = 0;
  Role role = Role::kBackground;
};
struct Text {
  std::string text;
  double x = 0;         // left edge of the advance box (anchor already applied)
  double baseline = 0;  // y of the baseline
  double size = 10;     // font size in px
  bool bold = false;
  Color color;
  std::optional<Color> halo;  // a filled box behind the text so lines do not cross it
  Rect box;                   // x .. x+width, baseline-ascent .. baseline+descent
  Role role = Role::kBackground;
};
using Command = std::variant<FillRect, Polyline, Polygon, Circle, Text>;

// Where each panel ended up and its y axis: for tests and for callers that want to annotate.
struct PanelGeometry {
  Rect cell;                     // the panel's share of the image
  Rect plot;                     // the data area; every point lies inside
  bool has_data = false;         // false: "no data" drawn, no axis
  double y_min = 0, y_max = 0;   // the axis range (first and last tick)
  std::vector<double> y_ticks;   // 1-2-5 steps, y_min .. y_max
  std::vector<int> x_label_indices;  // which x labels are drawn after thinning
  double x_of(int index) const;      // pixel x of data index `index`
  double y_of(double value) const;   // pixel y of a value
  int count = 0;                     // number of x positions
};

struct ChartLayout {
  int width = 0, height = 0;
  std::vector<Command> commands;  // in paint order
  std::vector<PanelGeometry> panels;
};

// The whole picture as commands in pixels. Pure: same spec and measurer, same layout.
Result<ChartLayout> layout_chart(const ChartSpec& spec, const TextMeasurer& measurer);

// Ticks at 1, 2 or 5 times a power of ten covering [lo, hi] with about `target` intervals;
// `min_step` keeps e.g. integer axes from ticking at 0.2.
std::vector<double> nice_ticks(double lo, double hi, int target, double min_step = 0);

// ---------------------------------------------------------------- rendering

// Paints a layout into an RGB image and returns the PNG file bytes.
Result<std::string> render_png(const ChartLayout& layout);

// layout_chart with the cairo measurer, then render_png.
Result<std::string> render_png(const ChartSpec& spec);

// Turns a spec into PNG bytes; injected where charts are made (report, alerts)
// so tests can make rendering fail and check that the text still goes out.
using Renderer = std::function<Result<std::string>(const ChartSpec&)>;
Renderer default_renderer();

}  // namespace vigil::chart
