// Chart formatting, layout (with the fake text measurer) and PNG rendering.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <set>

#include <gmock/gmock.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "chart/chart.h"

namespace vigil::chart {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using namespace std::chrono_literals;

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------- helpers

std::vector<std::string> week_labels() {
  std::vector<std::string> labels;
  for (int i = 0; i < 7; ++i)
    labels.push_back(day_label(std::chrono::year_month_day{
        std::chrono::sys_days{2024y / 11 / 18} + std::chrono::days{i}}));
  return labels;
}

Panel labelled_panel(std::string title, std::vector<double> values, ValueFormat format) {
  Panel panel;
  panel.title = std::move(title);
  panel.format = format;
  panel.lines.push_back(Line{"", std::move(values), primary_line(), true});
  return panel;
}

ChartSpec feed_spec(int columns) {
  ChartSpec spec;
  spec.title = "Feed: last 7 days";
  spec.x_labels = week_labels();
  spec.columns = columns;
  spec.panels = {
      labelled_panel("Active users", {19850, 20310, 20120, 21040, 20560, 18900, 19430},
                     ValueFormat::kInteger),
      labelled_panel("Views", {1982345, 2051220, 2010870, 2120400, 2070330, 1890120, 1950780},
                     ValueFormat::kInteger),
      labelled_panel("Likes", {89120, 92400, 90110, 95870, 93020, 84330, 87990},
                     ValueFormat::kInteger),
      labelled_panel("CTR", {0.04496, 0.04505, 0.04481, 0.04521, 0.04493, 0.04462, 0.04510},
                     ValueFormat::kPercent)};
  return spec;
}

ChartSpec alert_spec() {
  std::vector<double> today(96, kNaN), yesterday(96), week(96), lo(96), hi(96);
  for (int i = 0; i < 96; ++i) {
    double base = 30000 + 20000 * std::sin(i * 3.14159 / 96);
    yesterday[i] = base * 1.02;
    week[i] = base * 0.95;
    lo[i] = base * 0.85;
    hi[i] = base * 1.15;
    if (i <= 58) today[i] = base;
  }
  today[20] = kNaN;
  today[58] = 12000;
  ChartSpec spec;
  spec.title = "Views: drop at 14:30";
  spec.x_labels = time_of_day_labels(96, 15);
  spec.panel_height = 600;
  Panel panel;
  panel.title = "Views per 15 minutes";
  panel.lines = {Line{"today", today, primary_line(), false},
                 Line{"yesterday", yesterday, secondary_line(), false},
                 Line{"week ago", week, dashed_line(), false}};
  panel.band = Band{"expected", lo, hi};  // today keeps primary_line(): no dots at 96 points
  panel.marker_index = 58;
  spec.panels = {panel};
  return spec;
}

ChartLayout layout_or_die(const ChartSpec& spec) {
  FakeTextMeasurer fake;
  auto layout = layout_chart(spec, fake);
  EXPECT_TRUE(layout.ok()) << (layout.ok() ? "" : layout.error().message);
  return layout.ok() ? *layout : ChartLayout{};
}

template <class T>
std::vector<T> commands_of(const ChartLayout& layout, Role role) {
  std::vector<T> out;
  for (const Command& command : layout.commands)
    if (const T* c = std::get_if<T>(&command); c && c->role == role) out.push_back(*c);
  return out;
}

std::vector<Text> all_texts(const ChartLayout& layout) {
  std::vector<Text> out;
  for (const Command& command : layout.commands)
    if (const Text* t = std::get_if<Text>(&command)) out.push_back(*t);
  return out;
}

std::vector<std::string> texts(const std::vector<Text>& list) {
  std::vector<std::string> out;
  for (const Text& t : list) out.push_back(t.text);
  return out;
}

// Every pair of text boxes is disjoint and every box lies inside the image.
void expect_text_is_clean(const ChartLayout& layout) {
  std::vector<Text> list = all_texts(layout);
  Rect image{0, 0, double(layout.width), double(layout.height)};
  for (std::size_t i = 0; i < list.size(); ++i) {
    EXPECT_TRUE(contains(image, list[i].box)) << "outside the image: " << list[i].text;
    for (std::size_t j = i + 1; j < list.size(); ++j)
      EXPECT_FALSE(overlaps(list[i].box, list[j].box))
          << "'" << list[i].text << "' overlaps '" << list[j].text << "'";
  }
}

bool inside(const Rect& r, Point p) {
  return p.x >= r.x - 1e-6 && p.x <= r.right() + 1e-6 && p.y >= r.y - 1e-6 &&
         p.y <= r.bottom() + 1e-6;
}

std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

// ---------------------------------------------------------------- formatting

TEST(ChartFormat, NumbersAreGroupedByThousands) {
  EXPECT_EQ(format_number(1234567), "1 234 567");
  EXPECT_EQ(format_number(1000), "1 000");
  EXPECT_EQ(format_number(999), "999");
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_number(19849.6), "19 850");
  EXPECT_EQ(format_number(-1234.4), "-1 234");
  EXPECT_EQ(format_number(-0.4), "0");
  EXPECT_EQ(format_number(kNaN), "\xE2\x80\x94");
}

TEST(ChartFormat, CompactKeepsThreeSignificantDigits) {
  EXPECT_EQ(format_compact(1234567), "1.23M");
  EXPECT_EQ(format_compact(20134), "20.1K");
  EXPECT_EQ(format_compact(123456), "123K");
  EXPECT_EQ(format_compact(21000), "21.0K");
  EXPECT_EQ(format_compact(999999), "1.00M");
  EXPECT_EQ(format_compact(2.5e9), "2.50B");
  EXPECT_EQ(format_compact(-20134), "-20.1K");
  EXPECT_EQ(format_compact(9999), "9 999");
  EXPECT_EQ(format_compact(987), "987");
}

TEST(ChartFormat, PercentAndRatio) {
  EXPECT_EQ(format_percent(0.045), "4.5%");
  EXPECT_EQ(format_percent(0.04567, 2), "4.57%");
  EXPECT_EQ(format_percent(1), "100.0%");
  EXPECT_EQ(format_ratio(1.0234), "1.02");
  EXPECT_EQ(format_ratio(0.998, 3), "0.998");
  EXPECT_EQ(format_value(0.045, ValueFormat::kPercent), "4.5%");
  EXPECT_EQ(format_value(1.0234, ValueFormat::kRatio), "1.02");
  EXPECT_EQ(format_value(20134, ValueFormat::kInteger), "20 134");
  EXPECT_EQ(format_value_short(20134, ValueFormat::kInteger, 0), "20.1K");
  EXPECT_EQ(format_value_short(0.045, ValueFormat::kPercent, 2), "4.50%");
}

TEST(ChartFormat, TickLabelsShareAUnitAndJustEnoughDecimals) {
  auto integer = [](std::vector<double> t) { return format_ticks(t, ValueFormat::kInteger); };
  EXPECT_THAT(integer({1.8e6, 1.9e6, 2e6, 2.1e6}), ElementsAre("1.8M", "1.9M", "2.0M", "2.1M"));
  EXPECT_THAT(integer({1.9e6, 1.95e6, 2e6}), ElementsAre("1.90M", "1.95M", "2.00M"));
  EXPECT_THAT(integer({0, 5e5, 1e6}), ElementsAre("0", "0.5M", "1.0M"));
  EXPECT_THAT(integer({0, 2e9, 4e9}), ElementsAre("0", "2B", "4B"));
  EXPECT_THAT(integer({1000000, 1000500, 1001000}),  // M would need 4 decimals
              ElementsAre("1 000 000", "1 000 500", "1 001 000"));
  EXPECT_THAT(integer({18000, 19000, 20000}), ElementsAre("18 000", "19 000", "20 000"));
  EXPECT_THAT(integer({-10, 0, 10}), ElementsAre("-10", "0", "10"));
  EXPECT_THAT(format_ticks({0.044, 0.045, 0.046}, ValueFormat::kPercent),
              ElementsAre("4.4%", "4.5%", "4.6%"));
  EXPECT_THAT(format_ticks({0.0445, 0.045}, ValueFormat::kPercent), ElementsAre("4.45%", "4.50%"));
  EXPECT_THAT(format_ticks({1.0, 1.05, 1.1}, ValueFormat::kRatio),
              ElementsAre("1.00", "1.05", "1.10"));
  // floating noise in the ticks does not add digits
  EXPECT_THAT(format_ticks({0.1 + 0.2, 0.4 + 1e-16, 0.5}, ValueFormat::kRatio),
              ElementsAre("0.3", "0.4", "0.5"));
}

TEST(ChartFormat, LabelDecimalsFollowTheSpread) {
  EXPECT_EQ(decimals_for_spread(0.0006, ValueFormat::kPercent), 2);  // 0.06 points
  EXPECT_EQ(decimals_for_spread(0.05, ValueFormat::kPercent), 1);
  EXPECT_EQ(decimals_for_spread(0.023, ValueFormat::kRatio), 3);
  EXPECT_EQ(decimals_for_spread(1.0, ValueFormat::kRatio), 2);
  EXPECT_EQ(decimals_for_spread(0, ValueFormat::kPercent), 1);
  EXPECT_EQ(decimals_for_spread(1e-12, ValueFormat::kRatio), 4);
  EXPECT_EQ(decimals_for_spread(5000, ValueFormat::kInteger), 0);
}

TEST(ChartFormat, DayAndTimeLabels) {
  EXPECT_EQ(day_label(2024y / 11 / 18), "Mon 18.11");
  EXPECT_EQ(day_label(2026y / 3 / 1), "Sun 01.03");
  auto labels = time_of_day_labels(96, 15);
  ASSERT_EQ(labels.size(), 96u);
  EXPECT_EQ(labels[0], "00:00");
  EXPECT_EQ(labels[1], "");
  EXPECT_EQ(labels[4], "01:00");
  EXPECT_EQ(labels[92], "23:00");
  EXPECT_EQ(labels[95], "");
  EXPECT_THAT(time_of_day_labels(3, 60), ElementsAre("00:00", "01:00", "02:00"));
}

// ---------------------------------------------------------------- ticks

TEST(ChartTicks, HandPickedRanges) {
  EXPECT_THAT(nice_ticks(0, 10, 5), ElementsAre(0, 2, 4, 6, 8, 10));
  // 2315 / 4 = 579 per interval: steps of 1000 give exactly 4 intervals.
  EXPECT_THAT(nice_ticks(18856, 21171, 4), ElementsAre(18000, 19000, 20000, 21000, 22000));
  EXPECT_THAT(nice_ticks(0, 2, 5, 1), ElementsAre(0, 1, 2));  // integers: no 0.4 steps
  EXPECT_THAT(nice_ticks(-3, 7, 2), ElementsAre(-10, 0, 10));  // 10 / 2 = 5 a step: 10 fits
  EXPECT_THAT(nice_ticks(-3, 7, 3), ElementsAre(-5, 0, 5, 10));
  auto flat = nice_ticks(5, 5, 4);  // a flat range still gives an axis around it
  ASSERT_GE(flat.size(), 2u);
  EXPECT_LE(flat.front(), 5);
  EXPECT_GT(flat.back(), 5);
  EXPECT_TRUE(nice_ticks(kNaN, 1, 4).empty());
}

TEST(ChartTicks, AreEvenOneTwoFiveStepsCoveringTheRange) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> exponent(-4, 8), unit(0, 1);
  for (int trial = 0; trial < 500; ++trial) {
    double span = std::pow(10, exponent(rng)) * (0.01 + unit(rng));
    double lo = span * (13 * unit(rng) - 3);
    double hi = lo + span;
    int target = 3 + trial % 4;
    auto ticks = nice_ticks(lo, hi, target);
    ASSERT_GE(ticks.size(), 2u);
    EXPECT_LE(ticks.front(), lo);
    EXPECT_GE(ticks.back(), hi);
    double step = ticks[1] - ticks[0];
    double mantissa = step / std::pow(10, std::floor(std::log10(step) + 1e-9));
    EXPECT_TRUE(std::fabs(mantissa - 1) < 1e-6 || std::fabs(mantissa - 2) < 1e-6 ||
                std::fabs(mantissa - 5) < 1e-6 || std::fabs(mantissa - 10) < 1e-6)
        << "step " << step;
    for (std::size_t i = 1; i < ticks.size(); ++i)
      EXPECT_NEAR(ticks[i] - ticks[i - 1], step, step * 1e-6);
    EXPECT_LE(ticks.size() - 1, static_cast<std::size_t>(2 * target + 1));
  }
}

// ---------------------------------------------------------------- validation

TEST(ChartSpecCheck, RejectsWhatCannotBeDrawn) {
  FakeTextMeasurer fake;
  ChartSpec spec = feed_spec(1);

  ChartSpec empty = spec;
  empty.panels.clear();
  ASSERT_FALSE(layout_chart(empty, fake).ok());
  EXPECT_THAT(layout_chart(empty, fake).error().message, HasSubstr("no panels"));

  ChartSpec zero = spec;
  zero.width = 0;
  EXPECT_THAT(layout_chart(zero, fake).error().message, HasSubstr("width 0"));
  zero = spec;
  zero.panel_height = 0;
  EXPECT_FALSE(layout_chart(zero, fake).ok());

  ChartSpec short_line = spec;
  short_line.panels[1].lines[0].values.pop_back();
  EXPECT_THAT(layout_chart(short_line, fake).error().message,
              HasSubstr("panel 'Views' line '' has 6 values but the chart has 7 x labels"));

  ChartSpec band = alert_spec();
  band.panels[0].band->lo.pop_back();
  EXPECT_THAT(layout_chart(band, fake).error().message, HasSubstr("band lo has 95 values"));

  ChartSpec marker = alert_spec();
  marker.panels[0].marker_index = 96;
  EXPECT_THAT(layout_chart(marker, fake).error().message, HasSubstr("marker index 96"));

  auto png = render_png(band);
  ASSERT_FALSE(png.ok());
  EXPECT_EQ(png.error().exit_code(), 1);
  EXPECT_EQ(png.error().message.find('\n'), std::string::npos);
}

// ---------------------------------------------------------------- layout

TEST(ChartLayoutTest, ImageSizeFollowsTheSpec) {
  ChartSpec spec = feed_spec(1);
  spec.title = "";
  spec.panels.resize(1);
  ChartLayout layout = layout_or_die(spec);
  EXPECT_EQ(layout.width, 1280);
  EXPECT_EQ(layout.height, 2 * 28 + 420);  // padding + one panel
  spec.title = "T";
  EXPECT_EQ(layout_or_die(spec).height, 2 * 28 + 68 + 420);  // + title row
  EXPECT_EQ(layout_or_die(feed_spec(2)).height, 2 * 28 + 68 + 2 * 420 + 34);  // two rows
}

TEST(ChartLayoutTest, AxisCoversTheDataWithNiceTicks) {
  ChartSpec spec = feed_spec(1);
  spec.panels = {labelled_panel("P", {10, 20, 30, 40, 30, 20, 10}, ValueFormat::kInteger)};
  ChartLayout layout = layout_or_die(spec);
  ASSERT_EQ(layout.panels.size(), 1u);
  // Data 10..40 padded for labels to 5.5..46.6; four intervals of 20 are the nicest fit.
  EXPECT_THAT(layout.panels[0].y_ticks, ElementsAre(0, 20, 40, 60));
  EXPECT_THAT(texts(commands_of<Text>(layout, Role::kTickLabel)),
              ElementsAre("0", "20", "40", "60"));

  for (const PanelGeometry& g : layout_or_die(feed_spec(1)).panels) {
    EXPECT_TRUE(contains(g.cell, g.plot));
    EXPECT_GE(g.y_ticks.size(), 3u);
    EXPECT_LE(g.y_ticks.size(), 8u);
  }
  const PanelGeometry& dau = layout_or_die(feed_spec(1)).panels[0];
  EXPECT_LE(dau.y_min, 18900);
  EXPECT_GE(dau.y_max, 21040);
  EXPECT_GT(dau.y_min, 10000);  // fitted to the data, not forced to zero
}

TEST(ChartLayoutTest, PlotsOfOneColumnLineUp) {
  ChartLayout layout = layout_or_die(feed_spec(1));
  for (const PanelGeometry& g : layout.panels) {
    EXPECT_DOUBLE_EQ(g.plot.x, layout.panels[0].plot.x);
    EXPECT_DOUBLE_EQ(g.plot.w, layout.panels[0].plot.w);
  }
}

TEST(ChartLayoutTest, EveryPointGetsItsValueLabel) {
  ChartLayout layout = layout_or_die(feed_spec(1));
  std::vector<std::string> labels = texts(commands_of<Text>(layout, Role::kValueLabel));
  std::multiset<std::string> got(labels.begin(), labels.end());
  for (const char* expected :
       {"19 850", "20 310", "20 120", "21 040", "20 560", "18 900", "19 430",  //
        "1 982 345", "2 120 400", "1 890 120", "95 870", "84 330",             //
        "4.50%", "4.48%", "4.52%", "4.49%", "4.46%", "4.51%"})
    EXPECT_EQ(got.count(expected) >= 1, true) << expected;
  EXPECT_EQ(labels.size(), 28u);
  expect_text_is_clean(layout);
}

TEST(ChartLayoutTest, LabelsStayApartWhenCrowded) {
  ChartSpec spec = feed_spec(2);
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> noise(0.9, 1.1);
  spec.x_labels.clear();
  for (int i = 0; i < 40; ++i) spec.x_labels.push_back("Day " + std::to_string(i));
  for (Panel& panel : spec.panels) {
    std::vector<double> values;
    for (int i = 0; i < 40; ++i) values.push_back(panel.lines[0].values[i % 7] * noise(rng));
    panel.lines[0].values = values;
    panel.lines.push_back(Line{"other", values, secondary_line(), true});
    for (double& v : panel.lines[1].values) v *= 1.01;
  }
  ChartLayout layout = layout_or_die(spec);
  auto labels = commands_of<Text>(layout, Role::kValueLabel);
  EXPECT_GT(labels.size(), 8u);   // some fit
  EXPECT_LT(labels.size(), 320u);  // many were skipped
  expect_text_is_clean(layout);
  EXPECT_LT(commands_of<Text>(layout, Role::kXLabel).size(), 40u * 4);  // thinned
}

TEST(ChartLayoutTest, TextIsCleanInEveryShape) {
  for (int columns : {1, 2, 3}) expect_text_is_clean(layout_or_die(feed_spec(columns)));
  expect_text_is_clean(layout_or_die(alert_spec()));
  ChartSpec narrow = feed_spec(1);
  narrow.width = 640;
  expect_text_is_clean(layout_or_die(narrow));
  ChartSpec long_title = feed_spec(2);
  long_title.title = std::string(200, 'W');
  long_title.panels[0].title = std::string(80, 'W');
  expect_text_is_clean(layout_or_die(long_title));
}

TEST(ChartLayoutTest, TextIsCleanWithTheRealFont) {
  auto measurer = make_cairo_measurer();
  ASSERT_TRUE(measurer.ok()) << measurer.error().message;
  for (const ChartSpec& spec : {feed_spec(1), feed_spec(2), alert_spec()}) {
    auto layout = layout_chart(spec, **measurer);
    ASSERT_TRUE(layout.ok());
    expect_text_is_clean(*layout);
  }
}

TEST(ChartLayoutTest, PointsLieInsideThePlot) {
  for (const ChartSpec& spec : {feed_spec(1), feed_spec(2), alert_spec()}) {
    ChartLayout layout = layout_or_die(spec);
    auto in_some_plot = [&](Point p) {
      for (const PanelGeometry& g : layout.panels)
        if (inside(g.plot, p)) return true;
      return false;
    };
    for (const Polyline& line : commands_of<Polyline>(layout, Role::kLine))
      for (Point p : line.points) EXPECT_TRUE(in_some_plot(p)) << p.x << "," << p.y;
    for (const Circle& dot : commands_of<Circle>(layout, Role::kPoint))
      EXPECT_TRUE(in_some_plot(dot.center));
    for (const Polygon& band : commands_of<Polygon>(layout, Role::kBand))
      for (Point p : band.points) EXPECT_TRUE(in_some_plot(p));
  }
}

TEST(ChartLayoutTest, MissingValuesSplitTheLine) {
  ChartSpec spec = feed_spec(1);
  spec.panels = {labelled_panel("P", {1, 2, kNaN, 4, 5, kNaN, 7}, ValueFormat::kInteger)};
  spec.panels[0].lines[0].style.points = false;
  ChartLayout layout = layout_or_die(spec);
  const PanelGeometry& g = layout.panels[0];
  auto lines = commands_of<Polyline>(layout, Role::kLine);
  ASSERT_EQ(lines.size(), 2u);
  ASSERT_EQ(lines[0].points.size(), 2u);
  ASSERT_EQ(lines[1].points.size(), 2u);
  EXPECT_DOUBLE_EQ(lines[0].points[0].x, g.x_of(0));
  EXPECT_DOUBLE_EQ(lines[0].points[1].x, g.x_of(1));
  EXPECT_DOUBLE_EQ(lines[1].points[0].x, g.x_of(3));
  EXPECT_DOUBLE_EQ(lines[1].points[1].y, g.y_of(5));
  auto dots = commands_of<Circle>(layout, Role::kLine);  // the lone 7 between a gap and the end
  ASSERT_EQ(dots.size(), 1u);
  EXPECT_DOUBLE_EQ(dots[0].center.x, g.x_of(6));
  EXPECT_DOUBLE_EQ(dots[0].center.y, g.y_of(7));
  EXPECT_THAT(texts(commands_of<Text>(layout, Role::kValueLabel)),
              UnorderedElementsAre("1", "2", "4", "5", "7"));
  // x runs left to right at equal steps
  EXPECT_NEAR(g.x_of(1) - g.x_of(0), g.plot.w / 7, 1e-9);
}

TEST(ChartLayoutTest, BandPolygonSpansLoToHi) {
  ChartSpec spec = feed_spec(1);
  Panel panel;
  panel.lines = {Line{"today", {2, 3, 4, 5, 6, 7, 8}, primary_line(), false}};
  panel.band = Band{"expected", {1, 2, 3, kNaN, 5, 6, 7}, {3, 4, 5, kNaN, 7, 8, 9}};
  spec.panels = {panel};
  ChartLayout layout = layout_or_die(spec);
  const PanelGeometry& g = layout.panels[0];
  EXPECT_LE(g.y_min, 1);
  EXPECT_GE(g.y_max, 9);
  auto polygons = commands_of<Polygon>(layout, Role::kBand);
  ASSERT_EQ(polygons.size(), 2u);  // split at the missing bucket
  const auto& first = polygons[0].points;
  ASSERT_EQ(first.size(), 6u);  // hi edge forward, lo edge back
  for (int i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(first[i].x, g.x_of(i));
    EXPECT_DOUBLE_EQ(first[i].y, g.y_of(3 + i));  // hi
    EXPECT_DOUBLE_EQ(first[5 - i].x, g.x_of(i));
    EXPECT_DOUBLE_EQ(first[5 - i].y, g.y_of(1 + i));  // lo
  }
  EXPECT_DOUBLE_EQ(polygons[1].points.front().x, g.x_of(4));
  EXPECT_DOUBLE_EQ(polygons[1].points.front().y, g.y_of(7));
}

TEST(ChartLayoutTest, FlatSeriesGetsARealAxis) {
  ChartSpec spec = feed_spec(1);
  spec.panels = {labelled_panel("flat", std::vector<double>(7, 500), ValueFormat::kInteger),
                 labelled_panel("zero", std::vector<double>(7, 0), ValueFormat::kInteger),
                 labelled_panel("ratio", std::vector<double>(7, 1), ValueFormat::kRatio)};
  ChartLayout layout = layout_or_die(spec);
  const double values[] = {500, 0, 1};
  for (int p = 0; p < 3; ++p) {
    const PanelGeometry& g = layout.panels[p];
    EXPECT_TRUE(g.has_data);
    EXPECT_LT(g.y_min, g.y_max);
    EXPECT_LE(g.y_min, values[p]);
    EXPECT_GE(g.y_max, values[p]);
    EXPECT_TRUE(std::isfinite(g.y_of(values[p])));
  }
  EXPECT_EQ(layout.panels[1].y_min, 0);  // non-negative data never gets a negative axis
  for (const Polyline& line : commands_of<Polyline>(layout, Role::kLine))
    for (Point p : line.points) EXPECT_TRUE(std::isfinite(p.y));
}

TEST(ChartLayoutTest, EmptyAndMissingSeriesSayNoData) {
  ChartSpec spec = feed_spec(2);
  spec.panels[0].lines[0].values.clear();
  spec.panels[1].lines[0].values.assign(7, kNaN);
  spec.panels[2].lines.clear();
  ChartLayout layout = layout_or_die(spec);
  EXPECT_FALSE(layout.panels[0].has_data);
  EXPECT_FALSE(layout.panels[1].has_data);
  EXPECT_FALSE(layout.panels[2].has_data);
  EXPECT_TRUE(layout.panels[3].has_data);
  EXPECT_THAT(texts(commands_of<Text>(layout, Role::kNoData)),
              ElementsAre("no data", "no data", "no data"));
  expect_text_is_clean(layout);

  ChartSpec nothing;
  nothing.panels = {Panel{}};
  ChartLayout empty = layout_or_die(nothing);  // no x labels at all
  EXPECT_EQ(commands_of<Text>(empty, Role::kNoData).size(), 1u);
  EXPECT_TRUE(render_png(nothing).ok());
}

TEST(ChartLayoutTest, DenseXLabelsAreThinnedToWholeHours) {
  ChartLayout layout = layout_or_die(alert_spec());
  // "00:00" is 75 px with the fake font; a 15-minute slot is about 12 px, so hourly labels
  // collide and every third hour is the first step that fits.
  EXPECT_THAT(layout.panels[0].x_label_indices, ElementsAre(0, 12, 24, 36, 48, 60, 72, 84));
  EXPECT_THAT(texts(commands_of<Text>(layout, Role::kXLabel)),
              ElementsAre("00:00", "03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00"));
}

TEST(ChartLayoutTest, WeekLabelsAllShowOnOneOrTwoLines) {
  ChartLayout one = layout_or_die(feed_spec(1));
  EXPECT_THAT(one.panels[0].x_label_indices, ElementsAre(0, 1, 2, 3, 4, 5, 6));
  auto first = commands_of<Text>(one, Role::kXLabel);
  ASSERT_EQ(first.size(), 28u);  // 7 labels x 4 panels, one line each
  EXPECT_EQ(first[0].text, "Mon 18.11");
  ChartSpec narrow = feed_spec(3);
  ChartLayout three = layout_or_die(narrow);
  auto rows = commands_of<Text>(three, Role::kXLabel);
  EXPECT_THAT(texts(rows), ::testing::Contains("18.11"));  // split under the weekday
}

TEST(ChartLayoutTest, ThinnedDayLabelsKeepTheNewestDay) {
  ChartSpec month;
  for (int d = 0; d < 30; ++d) month.x_labels.push_back(fmt::format("Mon {:02}.11", d + 1));
  month.panels = {Panel{"Views", {Line{"views", std::vector<double>(30, 5.0)}}}};
  month.width = 640;
  ChartLayout layout = layout_or_die(month);
  const auto& shown = layout.panels[0].x_label_indices;
  ASSERT_GE(shown.size(), 2u);
  ASSERT_LT(shown.size(), 30u) << "30 day labels cannot all fit in 640 px";
  EXPECT_EQ(shown.back(), 29);  // the newest day keeps its label
  for (size_t k = 1; k < shown.size(); ++k) EXPECT_EQ(shown[k] - shown[k - 1], shown[1] - shown[0]);
}

TEST(ChartLayoutTest, MarkerRingAndValueOnTheAnomaly) {
  ChartLayout layout = layout_or_die(alert_spec());
  const PanelGeometry& g = layout.panels[0];
  auto rings = commands_of<Circle>(layout, Role::kMarker);
  ASSERT_EQ(rings.size(), 1u);
  EXPECT_DOUBLE_EQ(rings[0].center.x, g.x_of(58));
  EXPECT_DOUBLE_EQ(rings[0].center.y, g.y_of(12000));
  auto labels = commands_of<Text>(layout, Role::kValueLabel);
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0].text, "12 000");
  EXPECT_TRUE(labels[0].bold);
  EXPECT_THAT(texts(commands_of<Text>(layout, Role::kLegend)),
              ElementsAre("today", "yesterday", "week ago", "expected"));
  EXPECT_TRUE(commands_of<Circle>(layout, Role::kPoint).empty());  // no dots on 96 points
  EXPECT_EQ(commands_of<Circle>(layout_or_die(feed_spec(1)), Role::kPoint).size(), 28u);
}

TEST(ChartLayoutTest, SameSpecSameLayout) {
  ChartLayout a = layout_or_die(feed_spec(2));
  ChartLayout b = layout_or_die(feed_spec(2));
  ASSERT_EQ(a.commands.size(), b.commands.size());
  std::vector<Text> ta = all_texts(a), tb = all_texts(b);
  ASSERT_EQ(ta.size(), tb.size());
  for (std::size_t i = 0; i < ta.size(); ++i) {
    EXPECT_EQ(ta[i].text, tb[i].text);
    EXPECT_EQ(ta[i].x, tb[i].x);
    EXPECT_EQ(ta[i].baseline, tb[i].baseline);
  }
}

// ---------------------------------------------------------------- rendering

TEST(ChartRender, WritesAPngOfTheLayoutSize) {
  ChartSpec spec = feed_spec(2);
  auto png = render_png(spec);
  ASSERT_TRUE(png.ok()) << png.error().message;
  ASSERT_GT(png->size(), 33u);
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png->substr(12, 4), "IHDR");
  EXPECT_EQ(big_endian(*png, 16), 1280u);
  EXPECT_EQ(big_endian(*png, 20), static_cast<std::uint32_t>(2 * 28 + 68 + 2 * 420 + 34));
  EXPECT_EQ(png->find("tIME"), std::string::npos);  // no timestamp chunk
}

TEST(ChartRender, SameSpecSameBytes) {
  for (const ChartSpec& spec : {feed_spec(1), alert_spec()}) {
    auto a = render_png(spec);
    auto b = render_png(spec);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_TRUE(*a == *b);
  }
  auto a = render_png(feed_spec(1));
  ChartSpec changed = feed_spec(1);
  changed.panels[0].lines[0].values[3] += 100;
  auto b = render_png(changed);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(*a == *b);
}

TEST(ChartRender, RejectsAnImpossibleLayout) {
  ChartLayout layout;
  EXPECT_FALSE(render_png(layout).ok());
  layout.width = 10;
  layout.height = 40000;
  EXPECT_THAT(render_png(layout).error().message, HasSubstr("10x40000"));
}

}  // namespace
}  // namespace vigil::chart
