// Internals of layout_chart shared by layout.cpp (frame, axes, labels) and layout_series.cpp
// (band, lines, points, value labels, marker). Not part of the module's API.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chart/chart.h"

namespace vigil::chart::detail {

// Every size in px for a chart `width` px wide; designed at 1280 px (scale 1), where the text
// is large enough to read on a phone once Telegram shrinks the image to the screen width.
struct Sizes {
  double scale;
  double pad, gap;
  double title, panel_title, tick, x_label, value, legend;
  double point_radius, marker_radius;
};
Sizes sizes_for(int width);

// The fixed palette: greys for chrome, a blue for the main series, red for the anomaly.
inline constexpr Color kBackground{255, 255, 255};
inline constexpr Color kTitleColor{17, 24, 39};
inline constexpr Color kTextColor{55, 65, 81};
inline constexpr Color kMutedColor{107, 114, 128};
inline constexpr Color kGridColor{229, 231, 235};
inline constexpr Color kAxisColor{156, 163, 175};
inline constexpr Color kPrimaryColor{37, 99, 235};
inline constexpr Color kBandColor{37, 99, 235, 0.14};
inline constexpr Color kMarkerColor{220, 38, 38};
inline constexpr Color kHaloColor{255, 255, 255, 0.85};

// A panel's y axis planned before layout: ticks, their labels and the widest label.
struct YAxis {
  std::vector<double> ticks;
  std::vector<std::string> labels;
  double label_width = 0;
};

// The x labels a panel draws: which indices, each as one or two rows of text, at which size.
struct XLabels {
  std::vector<int> indices;
  std::vector<std::vector<std::string>> rows;
  double size;
};

enum class Anchor { kLeft, kCenter, kRight };        // where x is on the text
enum class VAnchor { kBaseline, kTop, kMiddle, kBottom };  // where y is on the text

// Walks the spec once, appending commands; remembers every text box placed so far so that
// optional text (value labels) can avoid all of it.
class Layouter {
 public:
  Layouter(const ChartSpec& spec, const TextMeasurer& measurer);
  Result<ChartLayout> run();

 private:
  // layout.cpp: frame, header, axes, x labels.
  Text make_text(std::string text, Point at, double size, bool bold, Color color, Anchor anchor,
                 VAnchor vanchor, Role role) const;
  std::pair<std::string, double> fit(std::string text, double size, bool bold,
                                     double max_width) const;
  template <class T>
  void add(T command) {
    out_.commands.emplace_back(std::in_place_type<T>, std::move(command));
  }
  void add_text(Text text);
  double layout_title();
  std::optional<YAxis> plan_y_axis(const Panel& panel) const;
  Status layout_panel(const Panel& panel, const Rect& cell, const std::optional<YAxis>& y,
                      double label_width, const XLabels& x_labels);
  // The plot's width in a cell `cell_width` wide whose tick labels are `label_width` wide.
  double plot_width(double cell_width, double label_width) const {
    return cell_width - label_width - sizes_.gap * 0.7 - sizes_.value * 0.3;
  }
  double layout_header(const Panel& panel, const Rect& cell);
  double layout_legend(const Panel& panel, const Rect& cell, double title_right, double top);
  void layout_y_axis(const YAxis& axis, PanelGeometry& geometry, double label_right);
  XLabels choose_x_labels(double plot_width) const;
  void layout_x_labels(PanelGeometry& geometry, const XLabels& labels);
  double x_label_gap() const { return sizes_.x_label * 0.6; }

  // layout_series.cpp: the data.
  void draw_band(const Band& band, const PanelGeometry& geometry);
  void draw_line(const Line& line, const PanelGeometry& geometry);
  void draw_points(const Line& line, const PanelGeometry& geometry);
  void draw_marker(const Panel& panel, const PanelGeometry& geometry);
  void place_value_labels(const Panel& panel, const PanelGeometry& geometry);
  bool place_label(const std::string& text, Point at, double clearance, bool prefer_above,
                   Color color, bool bold, const PanelGeometry& geometry);
  double stroke(const LineStyle& style) const { return style.width * sizes_.scale; }
  bool dots(const Line& line) const {
    return line.style.points && spec_.x_labels.size() <= static_cast<std::size_t>(kMaxDots);
  }

  const ChartSpec& spec_;
  const TextMeasurer& measurer_;
  Sizes sizes_;
  ChartLayout out_;
  std::vector<Rect> text_boxes_;      // all text placed so far
  std::vector<Rect> point_boxes_;     // dots and marker rings of the current panel
  std::vector<std::pair<Point, Point>> segments_;  // line segments of the current panel
};

// True if the segment a-b passes through the interior of `rect`.
bool segment_hits(const Rect& rect, Point a, Point b);

}  // namespace vigil::chart::detail
