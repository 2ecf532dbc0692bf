// Pictures for `curlrl interpret`: heat maps over frames, labelled grids, and simple line and bar charts, drawn with
// media/image.h's primitives so that the command needs neither Python nor OpenCV.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "media/image.h"
#include "media/png.h"

namespace curlrl::interpret {

// Images, their conversions and PNG files come from media/ (drawn and written the same way with or without OpenCV).
using media::from_chw;
using media::Image;
using media::to_chw;
using media::upscale;
using media::write_png;

// `map` (height x width, row-major, >= 0) divided by `scale`, clipped to [0, 1], coloured with the inferno colour map
// and blended over a grey copy of `frame` (0.45 frame, 0.55 heat) so the scene stays readable under it.
Image heat_overlay(const Image& frame, std::span<const float> map, float scale);
// `image` with a coloured border of `thickness` pixels drawn inside its edge.
Image with_border(const Image& image, const uint8_t rgb[3], int thickness);

// Images in rows with `pad` white pixels between them; an optional label left of each row and a title above.
// Rows may differ in length and images in size (each cell is as large as the largest image).
Image grid(const std::vector<std::vector<Image>>& rows, const std::vector<std::string>& row_labels = {},
           const std::string& title = "", int pad = 4);
// Images side by side (top-aligned) or one above the other (left-aligned), white where they differ in size.
Image hstack(const std::vector<Image>& images, int pad = 0);
Image vstack(const std::vector<Image>& images, int pad = 0);

// `image` with a line of text on a white strip above it.
Image caption_above(const Image& image, const std::string& caption);

// Line charts. A series with `dashed` draws a dashed line; `band_from` >= 0 shades the x range from there to the
// right edge (what the chart's note says about it).
struct Series {
  std::string label;
  std::vector<double> x, y;
  uint8_t color[3] = {31, 119, 180};
  bool dashed = false;
  bool markers = false;
};
struct Chart {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  double band_from = -1;  // shade x >= band_from (and say why in `band_label`)
  std::string band_label;
  int width = 900, height = 360;
  // Fixed y range when lo < hi; otherwise from the data.
  double y_lo = 0, y_hi = 0;
};
Image line_chart(const Chart& chart);

// Grouped bar chart: one group per category, one bar per series (series[i].y[j] is the bar of category j; NaN draws
// nothing and writes "n/a"). Category labels are written below the axis, rotated when long.
struct Bars {
  std::string title, y_label;
  std::vector<std::string> categories;
  std::vector<Series> series;  // only label, y and color are used
  double y_lo = 0, y_hi = 1;
  int width = 900, height = 420;
};
Image bar_chart(const Bars& bars);

// The tick positions a chart uses for the range [lo, hi]: multiples of 1, 2 or 5 times a power of ten, about
// `target` of them, covering the range. (Exposed for tests.)
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

// The colours of the charts' series, in order (matplotlib's default cycle).
const uint8_t* palette(int i);

}  // namespace curlrl::interpret
