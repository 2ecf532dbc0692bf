#include "interpret/draw.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "core/error.h"

namespace curlrl::interpret {
namespace {

// A view of an Image as an OpenCV matrix (RGB order throughout; BGR only when writing files).
cv::Mat mat(Image& image) { return cv::Mat(image.height, image.width, CV_8UC3, image.rgb.data()); }
cv::Mat mat(const Image& image) {
  return cv::Mat(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.rgb.data()));
}
Image from_mat(const cv::Mat& m) {
  Image out(m.cols, m.rows);
  m.copyTo(mat(out));
  return out;
}
cv::Scalar colour(const uint8_t c[3]) { return cv::Scalar(c[0], c[1], c[2]); }
const cv::Scalar kBlack(0, 0, 0), kGrey(120, 120, 120), kLightGrey(225, 225, 225);
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

void text(Image& img, const std::string& s, int x, int y, double scale = 0.42, const cv::Scalar& c = kBlack,
          int thickness = 1) {
  cv::Mat m = mat(img);
  cv::putText(m, s, {x, y}, kFont, scale, c, thickness, cv::LINE_AA);
}
cv::Size text_size(const std::string& s, double scale = 0.42, int thickness = 1) {
  int baseline = 0;
  return cv::getTextSize(s, kFont, scale, thickness, &baseline);
}
// Text centred on x.
void text_centred(Image& img, const std::string& s, int cx, int y, double scale = 0.42, int thickness = 1) {
  text(img, s, cx - text_size(s, scale, thickness).width / 2, y, scale, kBlack, thickness);
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
// `s` on a white strip rotated 90 degrees anticlockwise (reads bottom to top).
cv::Mat rotated_text(const std::string& s, double scale) {
  const cv::Size size = text_size(s, scale);
  Image strip(size.width + 4, size.height + 8);
  text(strip, s, 2, size.height + 2, scale);
  cv::Mat rotated;
  cv::rotate(mat(strip), rotated, cv::ROTATE_90_COUNTERCLOCKWISE);
  return rotated;
}
// `piece` copied into `img` with its top-left corner at (x0, y0), x0 and y0 >= 0, cut off at the image's edges.
void paste(Image& img, const cv::Mat& piece, int x0, int y0) {
  const int w = std::min(piece.cols, img.width - x0), h = std::min(piece.rows, img.height - y0);
  if (w <= 0 || h <= 0) return;
  cv::Mat target = mat(img);
  piece(cv::Rect(0, 0, w, h)).copyTo(target(cv::Rect(x0, y0, w, h)));
}
// Text drawn rotated 90 degrees anticlockwise, its centre at (cx, cy) (axis labels).
void text_vertical(Image& img, const std::string& s, int cx, int cy, double scale = 0.42) {
  const cv::Mat rotated = rotated_text(s, scale);
  paste(img, rotated, std::clamp(cx - rotated.cols / 2, 0, std::max(0, img.width - rotated.cols)),
        std::clamp(cy - rotated.rows / 2, 0, std::max(0, img.height - rotated.rows)));
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
  cv::Mat m = mat(img);
  for (double t : ticks) {
    const int y = f.py(t);
    if (y < f.top - 1 || y > f.bottom + 1) continue;
    cv::line(m, {f.left, y}, {f.right, y}, kLightGrey, 1);
    const std::string s = tick_label(t);
    text(img, s, f.left - 6 - text_size(s).width, y + 4);
  }
  if (!y_label.empty()) text_vertical(img, y_label, 12, (f.top + f.bottom) / 2);
}

// `s` broken at spaces into lines no wider than `width` pixels (a word longer than that gets a line of its own).
std::vector<std::string> wrap(const std::string& s, int width, double scale) {
  std::vector<std::string> lines;
  std::string line;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t next = s.find(' ', pos);
    if (next == std::string::npos) next = s.size();
    const std::string word = s.substr(pos, next - pos);
    const std::string joined = line.empty() ? word : line + " " + word;
    if (!line.empty() && text_size(joined, scale).width > width) {
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

constexpr double kTitleScale = 0.5;
constexpr int kTitleLine = 20, kLegendLine = 18;

// Title lines, centred, from the top of `img`; returns the height they took.
int draw_title(Image& img, const std::string& title) {
  if (title.empty()) return 0;
  const auto lines = wrap(title, img.width - 20, kTitleScale);
  for (size_t i = 0; i < lines.size(); ++i) {
    text_centred(img, lines[i], img.width / 2, 18 + kTitleLine * static_cast<int>(i), kTitleScale, 1);
  }
  return 8 + kTitleLine * static_cast<int>(lines.size());
}
int title_height(int width, const std::string& title) {
  return title.empty() ? 0 : 8 + kTitleLine * static_cast<int>(wrap(title, width - 20, kTitleScale).size());
}

// The legend's entries laid out left to right in rows across [x0, x1]; draws them from y0 when `draw`, and returns
// the height taken.
int legend(Image& img, const std::vector<Series>& series, int x0, int x1, int y0, bool draw) {
  int x = x0, rows = 0;
  bool any = false;
  for (const auto& s : series) {
    if (s.label.empty()) continue;
    const int w = 34 + text_size(s.label, 0.4).width + 18;
    if (!any || x + w > x1) {
      x = x0;
      ++rows;
    }
    any = true;
    const int y = y0 + kLegendLine * rows - 5;
    if (draw) {
      cv::Mat m = mat(img);
      if (s.dashed) {
        for (int d = 0; d < 26; d += 10) cv::line(m, {x + d, y - 4}, {x + d + 6, y - 4}, colour(s.color), 2, cv::LINE_AA);
      } else {
        cv::line(m, {x, y - 4}, {x + 26, y - 4}, colour(s.color), 2, cv::LINE_AA);
      }
      text(img, s.label, x + 32, y, 0.4);
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

Image from_chw(std::span<const uint8_t> chw, int width, int height) {
  const size_t plane = static_cast<size_t>(width) * height;
  if (chw.size() < 3 * plane) throw std::invalid_argument("from_chw: fewer bytes than 3 x width x height");
  Image out(width, height);
  for (size_t i = 0; i < plane; ++i) {
    for (size_t c = 0; c < 3; ++c) out.rgb[3 * i + c] = chw[c * plane + i];
  }
  return out;
}

std::vector<uint8_t> to_chw(const Image& image) {
  const size_t plane = static_cast<size_t>(image.width) * image.height;
  std::vector<uint8_t> out(3 * plane);
  for (size_t i = 0; i < plane; ++i) {
    for (size_t c = 0; c < 3; ++c) out[c * plane + i] = image.rgb[3 * i + c];
  }
  return out;
}

Image upscale(const Image& image, int factor) {
  cv::Mat big;
  cv::resize(mat(image), big, cv::Size(image.width * factor, image.height * factor), 0, 0, cv::INTER_NEAREST);
  return from_mat(big);
}

Image heat_overlay(const Image& frame, std::span<const float> map, float scale) {
  const int w = frame.width, h = frame.height;
  if (map.size() != static_cast<size_t>(w) * h) throw std::invalid_argument("heat_overlay: map and frame differ in size");
  cv::Mat level(h, w, CV_8UC1);
  const float s = scale > 0 ? scale : 1.0f;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const float v = std::clamp(map[static_cast<size_t>(y) * w + x] / s, 0.0f, 1.0f);
      level.at<uint8_t>(y, x) = static_cast<uint8_t>(std::lround(v * 255.0f));
    }
  }
  cv::Mat heat_bgr, heat;
  cv::applyColorMap(level, heat_bgr, cv::COLORMAP_INFERNO);
  cv::cvtColor(heat_bgr, heat, cv::COLOR_BGR2RGB);
  cv::Mat grey, grey3;
  cv::cvtColor(mat(frame), grey, cv::COLOR_RGB2GRAY);
  cv::cvtColor(grey, grey3, cv::COLOR_GRAY2RGB);
  cv::Mat out;
  cv::addWeighted(grey3, 0.45, heat, 0.55, 0.0, out);
  return from_mat(out);
}

Image with_border(const Image& image, const uint8_t rgb[3], int thickness) {
  Image out = image;
  cv::Mat m = mat(out);
  const int t = std::max(1, thickness);
  cv::rectangle(m, {t / 2, t / 2}, {out.width - 1 - t / 2, out.height - 1 - t / 2}, colour(rgb), t);
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
    if (im.width > 0 && im.height > 0) {
      mat(im).copyTo(mat(out)(cv::Rect(horizontal ? at : 0, horizontal ? 0 : at, im.width, im.height)));
    }
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
  for (const auto& l : row_labels) label_w = std::max(label_w, text_size(l).width + 10);
  const int w = label_w + static_cast<int>(cols) * (cell_w + pad) + pad;
  const int title_h = title_height(w, title);
  const int h = title_h + static_cast<int>(rows.size()) * (cell_h + pad) + pad;
  Image out(w, h);
  draw_title(out, title);
  for (size_t r = 0; r < rows.size(); ++r) {
    const int y = title_h + pad + static_cast<int>(r) * (cell_h + pad);
    if (r < row_labels.size()) text(out, row_labels[r], 4, y + cell_h / 2 + 5);
    for (size_t c = 0; c < rows[r].size(); ++c) {
      const Image& im = rows[r][c];
      const int x = label_w + pad + static_cast<int>(c) * (cell_w + pad);
      if (im.width > 0) mat(im).copyTo(mat(out)(cv::Rect(x, y, im.width, im.height)));
    }
  }
  return out;
}

Image caption_above(const Image& image, const std::string& caption) {
  Image strip(image.width, 24);
  text(strip, caption, 6, 17, 0.45);
  return vstack({strip, image});
}

void write_png(const std::string& path, const Image& image) {
  cv::Mat bgr;
  cv::cvtColor(mat(image), bgr, cv::COLOR_RGB2BGR);
  const std::string tmp = path + ".tmp.png";
  if (!cv::imwrite(tmp, bgr)) throw Error("cannot write " + path);
  std::filesystem::rename(tmp, path);
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
  cv::Mat m = mat(img);
  if (chart.band_from >= 0 && chart.band_from < x_hi) {
    const int x0 = std::max(f.left, f.px(chart.band_from));
    cv::rectangle(m, {x0, f.top}, {f.right, f.bottom}, cv::Scalar(238, 238, 238), cv::FILLED);
    if (!chart.band_label.empty()) text(img, chart.band_label, x0 + 4, f.bottom - 6, 0.36, kGrey);
  }
  draw_y_axis(img, f, nice_ticks(y_lo, y_hi), chart.y_label);
  for (double t : nice_ticks(x_lo, x_hi, 8)) {
    const int x = f.px(t);
    cv::line(m, {x, f.bottom}, {x, f.bottom + 4}, kBlack, 1);
    text_centred(img, tick_label(t), x, f.bottom + 18);
  }
  cv::rectangle(m, {f.left, f.top}, {f.right, f.bottom}, kBlack, 1);
  const cv::Rect clip(f.left, f.top, f.right - f.left + 1, f.bottom - f.top + 1);
  cv::Mat inside = m(clip);
  for (const auto& s : chart.series) {
    std::vector<cv::Point> pts;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
        pts.push_back({f.px(s.x[i]) - f.left, f.py(s.y[i]) - f.top});
      }
    }
    for (size_t i = 1; i < pts.size(); ++i) {
      if (s.dashed && (i / 3) % 2 == 1) continue;
      cv::line(inside, pts[i - 1], pts[i], colour(s.color), 2, cv::LINE_AA);
    }
    if (s.markers || pts.size() == 1) {
      for (const auto& p : pts) cv::circle(inside, p, 3, colour(s.color), cv::FILLED, cv::LINE_AA);
    }
  }
  text_centred(img, chart.x_label, (f.left + f.right) / 2, chart.height - 10);
  return img;
}

Image bar_chart(const Bars& bars) {
  Image img(bars.width, bars.height);
  int longest = 0;
  for (const auto& c : bars.categories) longest = std::max(longest, text_size(c, 0.38).width);
  const size_t n_cat = bars.categories.size();
  const int plot_w = bars.width - 90;
  const int slot = n_cat > 0 ? plot_w / static_cast<int>(n_cat) : plot_w;
  const bool rotate = longest + 6 > slot;
  const int label_h = rotate ? longest + 12 : 24;
  const int top = header(img, bars.title, bars.series, 70, bars.width - 20);
  Frame f{70, top, bars.width - 20, bars.height - label_h - 10, 0, static_cast<double>(n_cat), bars.y_lo, bars.y_hi};
  cv::Mat m = mat(img);
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
        text(img, "n/a", bx, f.bottom - 4, 0.3, kGrey);
        continue;
      }
      const double clipped = std::clamp(v, bars.y_lo, bars.y_hi);
      const int y_base = f.py(std::clamp(0.0, bars.y_lo, bars.y_hi));
      const int y_top = f.py(clipped);
      cv::rectangle(m, {bx, std::min(y_base, y_top)}, {bx + bar_w - 2, std::max(y_base, y_top)}, colour(ser.color),
                    cv::FILLED);
    }
    const std::string& label = bars.categories[j];
    if (rotate) {
      const cv::Mat rotated = rotated_text(label, 0.38);
      paste(img, rotated, std::clamp((x0 + x1) / 2 - rotated.cols / 2, 0, img.width - rotated.cols), f.bottom + 6);
    } else {
      text_centred(img, label, (x0 + x1) / 2, f.bottom + 18, 0.38);
    }
  }
  if (bars.y_lo < 0 && bars.y_hi > 0) cv::line(m, {f.left, f.py(0)}, {f.right, f.py(0)}, kBlack, 1);
  cv::rectangle(m, {f.left, f.top}, {f.right, f.bottom}, kBlack, 1);
  return img;
}

}  // namespace curlrl::interpret
