// The cairo side: a text measurer with the real font and the painter that turns layout
// commands into PNG bytes. Font and font options are fixed so every run gives the same bytes.
#include <cairo-ft.h>
#include <cairo.h>

#include <memory>
#include <string>

#include "chart/chart.h"

namespace vigil::chart {
namespace {

constexpr const char* kFontFamily = "DejaVu Sans";

struct CairoDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
  void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
  void operator()(cairo_font_options_t* options) const { cairo_font_options_destroy(options); }
};
using CairoPtr = std::unique_ptr<cairo_t, CairoDeleter>;
using SurfacePtr = std::unique_ptr<cairo_surface_t, CairoDeleter>;

// Grey antialiasing, no hinting, unhinted metrics: the same glyphs whatever fontconfig says.
void set_font(cairo_t* cr, double size, bool bold) {
  std::unique_ptr<cairo_font_options_t, CairoDeleter> options(cairo_font_options_create());
  cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_subpixel_order(options.get(), CAIRO_SUBPIXEL_ORDER_DEFAULT);
  cairo_set_font_options(cr, options.get());
  cairo_select_font_face(cr, kFontFamily, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

// The family fontconfig actually resolved "DejaVu Sans" to.
std::string resolved_family(cairo_t* cr) {
  cairo_scaled_font_t* font = cairo_get_scaled_font(cr);
  if (cairo_scaled_font_get_type(font) != CAIRO_FONT_TYPE_FT) return "a non-FreeType font";
  FT_Face face = cairo_ft_scaled_font_lock_face(font);
  std::string family = face && face->family_name ? face->family_name : "no font";
  cairo_ft_scaled_font_unlock_face(font);
  return family;
}

class CairoTextMeasurer : public TextMeasurer {
 public:
  CairoTextMeasurer(SurfacePtr surface, CairoPtr cr)
      : surface_(std::move(surface)), cr_(std::move(cr)) {}

  // Advance width; ink height, but at least the height of a capital (so labels of a row
  // share a baseline whatever letters they have).
  TextMetrics measure(std::string_view text, double size, bool bold) const override {
    set_font(cr_.get(), size, bold);
    std::string s(text);
    cairo_text_extents_t ink, cap;
    cairo_text_extents(cr_.get(), s.c_str(), &ink);
    cairo_text_extents(cr_.get(), "H", &cap);
    double ascent = std::max(-cap.y_bearing, -ink.y_bearing);
    double descent = std::max(0.0, ink.height + ink.y_bearing);
    return {ink.x_advance, ascent, descent};
  }

 private:
  SurfacePtr surface_;
  CairoPtr cr_;
};

void set_color(cairo_t* cr, const Color& c) {
  cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, c.alpha);
}

// Paints one command; std::visit picks the overload.
struct Painter {
  cairo_t* cr;

  void operator()(const FillRect& r) const {
    set_color(cr, r.fill);
    cairo_rectangle(cr, r.rect.x, r.rect.y, r.rect.w, r.rect.h);
    cairo_fill(cr);
  }
  void operator()(const Polyline& line) const {
    if (line.points.size() < 2) return;
    cairo_new_path(cr);
    for (const Point& p : line.points) cairo_line_to(cr, p.x, p.y);
    set_color(cr, line.color);
    cairo_set_line_width(cr, line.width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, line.dashed ? CAIRO_LINE_CAP_BUTT : CAIRO_LINE_CAP_ROUND);
    double dash[] = {line.width * 3.5, line.width * 2.5};
    cairo_set_dash(cr, dash, line.dashed ? 2 : 0, 0);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
  }
  void operator()(const Polygon& polygon) const {
    if (polygon.points.size() < 3) return;
    cairo_new_path(cr);
    for (const Point& p : polygon.points) cairo_line_to(cr, p.x, p.y);
    cairo_close_path(cr);
    set_color(cr, polygon.fill);
    cairo_fill(cr);
  }
  void operator()(const Circle& circle) const {
    cairo_new_path(cr);
    cairo_arc(cr, circle.center.x, circle.center.y, circle.radius, 0, 2 * 3.14159265358979323846);
    if (circle.fill) {
      set_color(cr, *circle.fill);
      cairo_fill_preserve(cr);
    }
    if (circle.stroke && circle.stroke_width > 0) {
      set_color(cr, *circle.stroke);
      cairo_set_line_width(cr, circle.stroke_width);
      cairo_stroke_preserve(cr);
    }
    cairo_new_path(cr);
  }
  void operator()(const Text& text) const {
    if (text.halo) {
      double pad = text.size * 0.08;
      set_color(cr, *text.halo);
      cairo_rectangle(cr, text.box.x - pad, text.box.y - pad, text.box.w + 2 * pad,
                      text.box.h + 2 * pad);
      cairo_fill(cr);
    }
    set_font(cr, text.size, text.bold);
    set_color(cr, text.color);
    cairo_move_to(cr, text.x, text.baseline);
    cairo_show_text(cr, text.text.c_str());
    cairo_new_path(cr);
  }
};

cairo_status_t append_png(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

Error cairo_error(const char* what, cairo_status_t status) {
  return Error::failure(std::string(what) + ": " + cairo_status_to_string(status));
}

}  // namespace

Result<std::unique_ptr<TextMeasurer>> make_cairo_measurer() {
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1));
  CairoPtr cr(cairo_create(surface.get()));
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
    return cairo_error("chart: cairo", cairo_status(cr.get()));
  set_font(cr.get(), 20, false);
  std::string family = resolved_family(cr.get());
  if (family != kFontFamily)
    return Error::failure("chart: font '" + std::string(kFontFamily) + "' resolved to '" + family +
                          "'; install fonts-dejavu-core");
  return std::unique_ptr<TextMeasurer>(new CairoTextMeasurer(std::move(surface), std::move(cr)));
}

Result<std::string> render_png(const ChartLayout& layout) {
  if (layout.width <= 0 || layout.height <= 0 || layout.width > 32767 || layout.height > 32767)
    return Error::failure("chart: cannot render a " + std::to_string(layout.width) + "x" +
                          std::to_string(layout.height) + " image");
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, layout.width, layout.height));
  CairoPtr cr(cairo_create(surface.get()));
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
    return cairo_error("chart: cairo", cairo_status(cr.get()));
  Painter painter{cr.get()};
  for (const Command& command : layout.commands) std::visit(painter, command);
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
    return cairo_error("chart: drawing failed", cairo_status(cr.get()));
  cairo_surface_flush(surface.get());
  std::string png;
  cairo_status_t status = cairo_surface_write_to_png_stream(surface.get(), append_png, &png);
  if (status != CAIRO_STATUS_SUCCESS)
    return cairo_error("chart: PNG encoding failed", status);
  return png;
}

Result<std::string> render_png(const ChartSpec& spec) {
  auto measurer = make_cairo_measurer();
  if (!measurer.ok()) return measurer.error();
  auto layout = layout_chart(spec, **measurer);
  if (!layout.ok()) return layout.error();
  return render_png(*layout);
}

Renderer default_renderer() {
  return [](const ChartSpec& spec) { return render_png(spec); };
}

}  // namespace vigil::chart
