#include "interpret/draw.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace curlrl::interpret {
namespace {

using media::Box;
constexpr uint8_t kBlack[3] = {0, 0, 0}, kGrey[3] = {120, 120, 120}, kLightGrey[3] = {225, 225, 225},
                  kShade[3] = {238, 238, 238};

// All text is the built-in pixel font at scale 1; titles are bold.
void text(Image& img, const std::string& s, int x, int baseline, const uint8_t* c = kBlack, bool bold = false) {
  media::draw_text(img, s, x, baseline, c, 1, bold);
}
int text_width(const std::string& s, bool bold = false) { return media::text_width(s, 1, bold); }
// Text centred on x.
void text_centred(Image& img, const std::string& s, int cx, int baseline, bool bold = false) {
  text(img, s, cx - text_width(s, bold) / 2, baseline, kBlack, bold);
}
// A tick label: few significant digits, no trailing zeros.
std::string tick_label(double v) {
  if (std::abs(v) < 1e-12) return "0";
  char buf[32];
  const double a = std::abs(v);
  if (a >= 1e5 || a < 1e-3) {
    std::snprintf(buf, sizeof buf, "%.2g", v);
  } else if (a >= 1000) {
    std::snprintf(buf, sizeof buf, "%.4gk", v / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  }
  return buf;
}
// `s` on a white strip turned 90 degrees anticlockwise (reads bottom to top).
Image rotated_text(const std::string& s) {
  Image strip(text_width(s) + 4, media::text_cap_height() + 6);
  text(strip, s, 2, media::text_cap_height() + 2);
  return media::rotate_left(strip);
}
// Text turned 90 degrees anticlockwise, its centre at (cx, cy) (axis labels).
void text_vertical(Image& img, const std::string& s, int cx, int cy) {
  const Image rotated = rotated_text(s);
  media::paste(img, rotated, std::clamp(cx - rotated.width / 2, 0, std::max(0, img.width - rotated.width)),
               std::clamp(cy - rotated.height / 2, 0, std::max(0, img.height - rotated.height)));
}

// The plot area of a chart and the mapping from data to pixels.
struct Frame {
  int left, top, right, bottom;  // pixel box of the axes
  double x_lo, x_hi, y_lo, y_hi;
  int px(double x) const { return left + static_cast<int>(std::lround((x - x_lo) / (x_hi - x_lo) * (right - left))); }
  int py(double y) const {
    return bottom - static_cast<int>(std::lround((y - y_lo) / (y_hi - y_lo) * (bottom - top)));
  }
};

// Range of the finite values, widened when empty or flat.
std::pair<double, double> data_range(const std::vector<const std::vector<double>*>& values) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto* v : values) {
    for (double x : *v) {
      if (!std::isfinite(x)) continue;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  }
  if (!std::isfinite(lo)) return {0, 1};
  if (hi - lo < 1e-12) return {lo - 0.5, hi + 0.5};
  return {lo, hi};
}

void draw_y_axis(Image& img, const Frame& f, const std::vector<double>& ticks, const std::string& y_label) {
  for (double t : ticks) {
    const int y = f.py(t);
    if (y < f.top - 1 || y > f.bottom + 1) continue;
    media::fill_box(img, {f.left, y, f.right, y}, kLightGrey);
    const std::string s = tick_label(t);
    text(img, s, f.left - 6 - text_width(s), y + 4);
  }
  if (!y_label.empty()) text_vertical(img, y_label, 12, (f.top + f.bottom) / 2);
}

// `s` broken at spaces into lines no wider than `width` pixels (a word longer than that gets a line of its own).
std::vector<std::string> wrap(const std::string& s, int width, bool bold) {
  std::vector<std::string> lines;
  std::string line;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t next = s.find(' ', pos);
    if (next == std::string::npos) next = s.size();
    const std::string word = s.substr(pos, next - pos);
    const std::string joined = line.empty() ? word : line + " " + word;
    if (!line.empty() && text_width(joined, bold) > width) {
      lines.push_back(line);
      line = word;
    } else {
      line = joined;
    }
    pos = next + 1;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

constexpr int kTitleLine = 14, kLegendLine = 16;

// A title wrapped to fit `width`, and the height its lines take.
std::vector<std::string> title_lines(int width, const std::string& title) {
  return title.empty() ? std::vector<std::string>{} : wrap(title, width - 20, true);
}
int lines_height(const std::vector<std::string>& lines) {
  return lines.empty() ? 0 : 10 + kTitleLine * static_cast<int>(lines.size());
}
int title_height(int width, const std::string& title) { return lines_height(title_lines(width, title)); }
// Title lines, bold and centred, from the top of `img`; returns the height they took.
int draw_title(Image& img, const std::string& title) {
  const auto lines = title_lines(img.width, title);
  for (size_t i = 0; i < lines.size(); ++i) {
    text_centred(img, lines[i], img.width / 2, 16 + kTitleLine * static_cast<int>(i), true);
  }
  return lines_height(lines);
}

// The legend's entries laid out left to right in rows across [x0, x1]; draws them from y0 when `draw`, and returns
// the height taken.
int legend(Image& img, const std::vector<Series>& series, int x0, int x1, int y0, bool draw) {
  int x = x0, rows = 0;
  bool any = false;
  for (const auto& s : series) {
    if (s.label.empty()) continue;
    const int w = 34 + text_width(s.label) + 18;
    if (!any || x + w > x1) {
      x = x0;
      ++rows;
    }
    any = true;
    const int y = y0 + kLegendLine * rows - 5;
    if (draw) {
      const int step = s.dashed ? 10 : 26, dash = s.dashed ? 6 : 26;
      for (int d = 0; d < 26; d += step) {
        media::draw_line(img, x + d, y - 4, x + d + dash, y - 4, s.color, 2, media::whole(img));
      }
      text(img, s.label, x + 32, y);
    }
    x += w;
  }
  return any ? kLegendLine * rows + 6 : 0;
}

// Title and legend above the axes; returns the top of the axes.
int header(Image& img, const std::string& title, const std::vector<Series>& series, int left, int right) {
  const int y = draw_title(img, title) + 4;
  return y + legend(img, series, left, right, y, true) + 4;
}

}  // namespace

const uint8_t* palette(int i) {
  static const uint8_t colours[][3] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                                       {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
                                       {188, 189, 34},  {23, 190, 207}};
  return colours[static_cast<size_t>(i) % 10];
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  std::vector<double> out;
  const double first = std::floor(lo / step + 1e-9);
  for (int i = 0;; ++i) {
    const double t = (first + i) * step;  // multiples of the step, not a running sum (no drift)
    if (t > hi + step * 1e-9) break;
    if (t >= lo - step * 1e-9) out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  return out;
}

namespace {
// The inferno colour map (matplotlib's) at 17 evenly spaced levels, linearly interpolated between them.
constexpr uint8_t kInferno[17][3] = {{0, 0, 4},       {11, 7, 36},    {33, 12, 74},   {61, 9, 101},   {87, 16, 110},
                                     {113, 25, 110},  {138, 34, 106}, {163, 44, 97},  {188, 55, 84},  {210, 70, 68},
                                     {228, 90, 49},   {241, 115, 29}, {249, 142, 9},  {252, 172, 17}, {249, 203, 53},
                                     {242, 234, 105}, {252, 255, 164}};
std::array<double, 3> inferno(double v) {
  const double at = std::clamp(v, 0.0, 1.0) * 16;
  const int i = std::min(15, static_cast<int>(at));
  const double t = at - i;
  std::array<double, 3> out{};
  for (int c = 0; c < 3; ++c) out[c] = (1 - t) * kInferno[i][c] + t * kInferno[i + 1][c];
  return out;
}
}  // namespace

Image heat_overlay(const Image& frame, std::span<const float> map, float scale) {
  const int w = frame.width, h = frame.height;
  if (map.size() != static_cast<size_t>(w) * h) throw std::invalid_argument("heat_overlay: map and frame differ in size");
  const float s = scale > 0 ? scale : 1.0f;
  Image out(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const uint8_t* p = frame.at(x, y);
      const double grey = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
      const auto heat = inferno(map[static_cast<size_t>(y) * w + x] / s);
      for (int c = 0; c < 3; ++c) {
        out.at(x, y)[c] = static_cast<uint8_t>(std::clamp(std::lround(0.45 * grey + 0.55 * heat[c]), 0L, 255L));
      }
    }
  }
  return out;
}

Image with_border(const Image& image, const uint8_t rgb[3], int thickness) {
  Image out = image;
  media::frame_box(out, media::whole(out), rgb, thickness);
  return out;
}

namespace {
// Images in a row (horizontal) or a column, `pad` white pixels apart, aligned at the top or the left.
Image stack(const std::vector<Image>& images, int pad, bool horizontal) {
  int along = pad * std::max<int>(0, static_cast<int>(images.size()) - 1), across = 0;
  for (const auto& im : images) {
    along += horizontal ? im.width : im.height;
    across = std::max(across, horizontal ? im.height : im.width);
  }
  Image out(std::max(horizontal ? along : across, 1), std::max(horizontal ? across : along, 1));
  int at = 0;
  for (const auto& im : images) {
    media::paste(out, im, horizontal ? at : 0, horizontal ? 0 : at);
    at += (horizontal ? im.width : im.height) + pad;
  }
  return out;
}
}  // namespace

Image hstack(const std::vector<Image>& images, int pad) { return stack(images, pad, true); }
Image vstack(const std::vector<Image>& images, int pad) { return stack(images, pad, false); }

Image grid(const std::vector<std::vector<Image>>& rows, const std::vector<std::string>& row_labels,
           const std::string& title, int pad) {
  int cell_w = 0, cell_h = 0;
  size_t cols = 0;
  for (const auto& row : rows) {
    cols = std::max(cols, row.size());
    for (const auto& im : row) {
      cell_w = std::max(cell_w, im.width);
      cell_h = std::max(cell_h, im.height);
    }
  }
  int label_w = 0;
  for (const auto& l : row_labels) label_w = std::max(label_w, text_width(l) + 10);
  const int w = label_w + static_cast<int>(cols) * (cell_w + pad) + pad;
  const int title_h = title_height(w, title);
  const int h = title_h + static_cast<int>(rows.size()) * (cell_h + pad) + pad;
  Image out(w, h);
  draw_title(out, title);
  for (size_t r = 0; r < rows.size(); ++r) {
    const int y = title_h + pad + static_cast<int>(r) * (cell_h + pad);
    if (r < row_labels.size()) text(out, row_labels[r], 4, y + cell_h / 2 + 4);
    for (size_t c = 0; c < rows[r].size(); ++c) {
      const Image& im = rows[r][c];
      const int x = label_w + pad + static_cast<int>(c) * (cell_w + pad);
      media::paste(out, im, x, y);
    }
  }
  return out;
}

Image caption_above(const Image& image, const std::string& caption) {
  Image strip(image.width, 20);
  text(strip, caption, 6, 14);
  return vstack({strip, image});
}

Image line_chart(const Chart& chart) {
  Image img(chart.width, chart.height);
  std::vector<const std::vector<double>*> xs, ys;
  for (const auto& s : chart.series) {
    xs.push_back(&s.x);
    ys.push_back(&s.y);
  }
  auto [x_lo, x_hi] = data_range(xs);
  auto [y_lo, y_hi] = chart.y_lo < chart.y_hi ? std::pair{chart.y_lo, chart.y_hi} : data_range(ys);
  if (!(chart.y_lo < chart.y_hi)) {
    const double margin = 0.05 * (y_hi - y_lo);
    y_lo -= margin;
    y_hi += margin;
  }
  const int top = header(img, chart.title, chart.series, 70, chart.width - 20);
  Frame f{70, top, chart.width - 20, chart.height - 48, x_lo, x_hi, y_lo, y_hi};
  if (chart.band_from >= 0 && chart.band_from < x_hi) {
    const int x0 = std::max(f.left, f.px(chart.band_from));
    media::fill_box(img, {x0, f.top, f.right, f.bottom}, kShade);
    if (!chart.band_label.empty()) text(img, chart.band_label, x0 + 4, f.bottom - 6, kGrey);
  }
  draw_y_axis(img, f, nice_ticks(y_lo, y_hi), chart.y_label);
  for (double t : nice_ticks(x_lo, x_hi, 8)) {
    const int x = f.px(t);
    media::fill_box(img, {x, f.bottom, x, f.bottom + 4}, kBlack);
    text_centred(img, tick_label(t), x, f.bottom + 17);
  }
  media::frame_box(img, {f.left, f.top, f.right, f.bottom}, kBlack);
  const Box inside{f.left, f.top, f.right, f.bottom};
  for (const auto& s : chart.series) {
    std::vector<std::array<int, 2>> pts;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) pts.push_back({f.px(s.x[i]), f.py(s.y[i])});
    }
    for (size_t i = 1; i < pts.size(); ++i) {
      if (s.dashed && (i / 3) % 2 == 1) continue;
      media::draw_line(img, pts[i - 1][0], pts[i - 1][1], pts[i][0], pts[i][1], s.color, 2, inside);
    }
    if (s.markers || pts.size() == 1) {
      for (const auto& p : pts) media::fill_disc(img, p[0], p[1], 3, s.color, inside);
    }
  }
  text_centred(img, chart.x_label, (f.left + f.right) / 2, chart.height - 12);
  return img;
}

Image bar_chart(const Bars& bars) {
  Image img(bars.width, bars.height);
  int longest = 0;
  for (const auto& c : bars.categories) longest = std::max(longest, text_width(c));
  const size_t n_cat = bars.categories.size();
  const int plot_w = bars.width - 90;
  const int slot = n_cat > 0 ? plot_w / static_cast<int>(n_cat) : plot_w;
  const bool rotate = longest + 6 > slot;
  const int label_h = rotate ? longest + 12 : 24;
  const int top = header(img, bars.title, bars.series, 70, bars.width - 20);
  Frame f{70, top, bars.width - 20, bars.height - label_h - 10, 0, static_cast<double>(n_cat), bars.y_lo, bars.y_hi};
  draw_y_axis(img, f, nice_ticks(bars.y_lo, bars.y_hi), bars.y_label);
  const size_t n_series = std::max<size_t>(1, bars.series.size());
  for (size_t j = 0; j < n_cat; ++j) {
    const int x0 = f.px(static_cast<double>(j)), x1 = f.px(static_cast<double>(j + 1));
    const int gap = std::max(2, (x1 - x0) / 8);
    const int bar_w = std::max(1, (x1 - x0 - 2 * gap) / static_cast<int>(n_series));
    for (size_t s = 0; s < bars.series.size(); ++s) {
      const Series& ser = bars.series[s];
      const double v = j < ser.y.size() ? ser.y[j] : std::nan("");
      const int bx = x0 + gap + static_cast<int>(s) * bar_w;
      if (!std::isfinite(v)) {
        text(img, "n/a", bx, f.bottom - 4, kGrey);
        continue;
      }
      const double clipped = std::clamp(v, bars.y_lo, bars.y_hi);
      const int y_base = f.py(std::clamp(0.0, bars.y_lo, bars.y_hi));
      const int y_top = f.py(clipped);
      media::fill_box(img, {bx, std::min(y_base, y_top), bx + bar_w - 2, std::max(y_base, y_top)}, ser.color);
    }
    const std::string& label = bars.categories[j];
    if (rotate) {
      const Image rotated = rotated_text(label);
      media::paste(img, rotated, std::clamp((x0 + x1) / 2 - rotated.width / 2, 0, img.width - rotated.width),
                   f.bottom + 6);
    } else {
      text_centred(img, label, (x0 + x1) / 2, f.bottom + 17);
    }
  }
  if (bars.y_lo < 0 && bars.y_hi > 0) media::fill_box(img, {f.left, f.py(0), f.right, f.py(0)}, kBlack);
  media::frame_box(img, {f.left, f.top, f.right, f.bottom}, kBlack);
  return img;
}

}  // namespace curlrl::interpret
