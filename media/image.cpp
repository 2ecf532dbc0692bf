#include "media/image.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace curlrl::media {

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
  Image out(image.width * factor, image.height * factor);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) std::copy_n(image.at(x / factor, y / factor), 3, out.at(x, y));
  }
  return out;
}

Image rotate_left(const Image& image) {
  Image out(image.height, image.width);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) std::copy_n(image.at(x, y), 3, out.at(y, image.width - 1 - x));
  }
  return out;
}

void paste(Image& image, const Image& piece, int x, int y) {
  const int x0 = std::max(0, x), y0 = std::max(0, y);
  const int x1 = std::min(image.width, x + piece.width), y1 = std::min(image.height, y + piece.height);
  for (int r = y0; r < y1; ++r) {
    if (x1 > x0) std::copy_n(piece.at(x0 - x, r - y), 3 * (x1 - x0), image.at(x0, r));
  }
}

Box whole(const Image& image) { return {0, 0, image.width - 1, image.height - 1}; }

namespace {

Box clipped(const Image& image, Box b) {
  return {std::max(b.x0, 0), std::max(b.y0, 0), std::min(b.x1, image.width - 1), std::min(b.y1, image.height - 1)};
}

void blend(uint8_t* px, const uint8_t colour[3], double alpha) {
  if (alpha <= 0) return;
  for (int c = 0; c < 3; ++c) {
    px[c] = static_cast<uint8_t>(std::lround(alpha * colour[c] + (1 - alpha) * px[c]));
  }
}

}  // namespace

void fill_box(Image& image, Box box, const uint8_t colour[3]) {
  const Box b = clipped(image, box);
  for (int y = b.y0; y <= b.y1; ++y) {
    for (int x = b.x0; x <= b.x1; ++x) std::copy_n(colour, 3, image.at(x, y));
  }
}

void frame_box(Image& image, Box b, const uint8_t colour[3], int thickness) {
  const int t = std::max(1, thickness);
  fill_box(image, {b.x0, b.y0, b.x1, b.y0 + t - 1}, colour);
  fill_box(image, {b.x0, b.y1 - t + 1, b.x1, b.y1}, colour);
  fill_box(image, {b.x0, b.y0, b.x0 + t - 1, b.y1}, colour);
  fill_box(image, {b.x1 - t + 1, b.y0, b.x1, b.y1}, colour);
}

void draw_line(Image& image, double x0, double y0, double x1, double y1, const uint8_t colour[3], double width,
               Box clip) {
  const double reach = width / 2 + 1;
  const Box b = clipped(image, clip);
  const int bx0 = std::max(b.x0, static_cast<int>(std::floor(std::min(x0, x1) - reach)));
  const int bx1 = std::min(b.x1, static_cast<int>(std::ceil(std::max(x0, x1) + reach)));
  const int by0 = std::max(b.y0, static_cast<int>(std::floor(std::min(y0, y1) - reach)));
  const int by1 = std::min(b.y1, static_cast<int>(std::ceil(std::max(y0, y1) + reach)));
  const double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
  for (int y = by0; y <= by1; ++y) {
    for (int x = bx0; x <= bx1; ++x) {
      // Distance from the pixel centre to the nearest point of the segment.
      const double t = len2 > 0 ? std::clamp(((x - x0) * dx + (y - y0) * dy) / len2, 0.0, 1.0) : 0.0;
      const double d = std::hypot(x - (x0 + t * dx), y - (y0 + t * dy));
      blend(image.at(x, y), colour, std::clamp(width / 2 + 0.5 - d, 0.0, 1.0));
    }
  }
}

void fill_disc(Image& image, double cx, double cy, double radius, const uint8_t colour[3], Box clip) {
  const Box b = clipped(image, clip);
  const int bx0 = std::max(b.x0, static_cast<int>(std::floor(cx - radius - 1)));
  const int bx1 = std::min(b.x1, static_cast<int>(std::ceil(cx + radius + 1)));
  const int by0 = std::max(b.y0, static_cast<int>(std::floor(cy - radius - 1)));
  const int by1 = std::min(b.y1, static_cast<int>(std::ceil(cy + radius + 1)));
  for (int y = by0; y <= by1; ++y) {
    for (int x = bx0; x <= bx1; ++x) {
      blend(image.at(x, y), colour, std::clamp(radius + 0.5 - std::hypot(x - cx, y - cy), 0.0, 1.0));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The font: one entry per printable ASCII character, rows top to bottom separated by '|', '#' for an inked pixel.
// Rows 0-6 stand on the baseline (capitals fill all seven, lower case rows 2-6); rows 7-8 are descenders. Rows left
// out are blank.
// ---------------------------------------------------------------------------------------------------------------
namespace {

constexpr int kGlyphW = 5, kGlyphRows = 9, kAdvance = 6, kCapRows = 7;

struct GlyphSource {
  char c;
  const char* rows;
};

constexpr GlyphSource kGlyphs[] = {
    {' ', ""},
    {'!', "..#..|..#..|..#..|..#..|..#..|.....|..#.."},
    {'"', ".#.#.|.#.#.|.#.#."},
    {'#', ".#.#.|.#.#.|#####|.#.#.|#####|.#.#.|.#.#."},
    {'$', "..#..|.####|#.#..|.###.|..#.#|####.|..#.."},
    {'%', "##...|##..#|...#.|..#..|.#...|#..##|...##"},
    {'&', ".##..|#..#.|#.#..|.#...|#.#.#|#..#.|.##.#"},
    {'\'', "..#..|..#..|.#..."},
    {'(', "...#.|..#..|.#...|.#...|.#...|..#..|...#."},
    {')', ".#...|..#..|...#.|...#.|...#.|..#..|.#..."},
    {'*', ".....|..#..|#.#.#|.###.|#.#.#|..#..|....."},
    {'+', ".....|..#..|..#..|#####|..#..|..#..|....."},
    {',', ".....|.....|.....|.....|.....|.##..|..#..|.#..."},
    {'-', ".....|.....|.....|#####|.....|.....|....."},
    {'.', ".....|.....|.....|.....|.....|.##..|.##.."},
    {'/', ".....|....#|...#.|..#..|.#...|#....|....."},
    {'0', ".###.|#...#|#..##|#.#.#|##..#|#...#|.###."},
    {'1', "..#..|.##..|..#..|..#..|..#..|..#..|.###."},
    {'2', ".###.|#...#|....#|...#.|..#..|.#...|#####"},
    {'3', "#####|...#.|..#..|...#.|....#|#...#|.###."},
    {'4', "...#.|..##.|.#.#.|#..#.|#####|...#.|...#."},
    {'5', "#####|#....|####.|....#|....#|#...#|.###."},
    {'6', "..##.|.#...|#....|####.|#...#|#...#|.###."},
    {'7', "#####|....#|...#.|..#..|.#...|.#...|.#..."},
    {'8', ".###.|#...#|#...#|.###.|#...#|#...#|.###."},
    {'9', ".###.|#...#|#...#|.####|....#|...#.|.##.."},
    {':', ".....|.##..|.##..|.....|.##..|.##..|....."},
    {';', ".....|.....|.##..|.##..|.....|.##..|..#..|.#..."},
    {'<', "...#.|..#..|.#...|#....|.#...|..#..|...#."},
    {'=', ".....|.....|#####|.....|#####|.....|....."},
    {'>', ".#...|..#..|...#.|....#|...#.|..#..|.#..."},
    {'?', ".###.|#...#|....#|...#.|..#..|.....|..#.."},
    {'@', ".###.|#...#|....#|.##.#|#.#.#|#.#.#|.###."},
    {'A', ".###.|#...#|#...#|#####|#...#|#...#|#...#"},
    {'B', "####.|#...#|#...#|####.|#...#|#...#|####."},
    {'C', ".###.|#...#|#....|#....|#....|#...#|.###."},
    {'D', "###..|#..#.|#...#|#...#|#...#|#..#.|###.."},
    {'E', "#####|#....|#....|####.|#....|#....|#####"},
    {'F', "#####|#....|#....|####.|#....|#....|#...."},
    {'G', ".###.|#...#|#....|#.###|#...#|#...#|.####"},
    {'H', "#...#|#...#|#...#|#####|#...#|#...#|#...#"},
    {'I', ".###.|..#..|..#..|..#..|..#..|..#..|.###."},
    {'J', "..###|...#.|...#.|...#.|...#.|#..#.|.##.."},
    {'K', "#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#"},
    {'L', "#....|#....|#....|#....|#....|#....|#####"},
    {'M', "#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#"},
    {'N', "#...#|#...#|##..#|#.#.#|#..##|#...#|#...#"},
    {'O', ".###.|#...#|#...#|#...#|#...#|#...#|.###."},
    {'P', "####.|#...#|#...#|####.|#....|#....|#...."},
    {'Q', ".###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#"},
    {'R', "####.|#...#|#...#|####.|#.#..|#..#.|#...#"},
    {'S', ".####|#....|#....|.###.|....#|....#|####."},
    {'T', "#####|..#..|..#..|..#..|..#..|..#..|..#.."},
    {'U', "#...#|#...#|#...#|#...#|#...#|#...#|.###."},
    {'V', "#...#|#...#|#...#|#...#|#...#|.#.#.|..#.."},
    {'W', "#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#."},
    {'X', "#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#"},
    {'Y', "#...#|#...#|.#.#.|..#..|..#..|..#..|..#.."},
    {'Z', "#####|....#|...#.|..#..|.#...|#....|#####"},
    {'[', ".###.|.#...|.#...|.#...|.#...|.#...|.###."},
    {'\\', ".....|#....|.#...|..#..|...#.|....#|....."},
    {']', ".###.|...#.|...#.|...#.|...#.|...#.|.###."},
    {'^', "..#..|.#.#.|#...#"},
    {'_', ".....|.....|.....|.....|.....|.....|.....|#####"},
    {'`', ".#...|..#.."},
    {'a', ".....|.....|.###.|....#|.####|#...#|.####"},
    {'b', "#....|#....|#.##.|##..#|#...#|#...#|####."},
    {'c', ".....|.....|.###.|#....|#....|#...#|.###."},
    {'d', "....#|....#|.##.#|#..##|#...#|#...#|.####"},
    {'e', ".....|.....|.###.|#...#|#####|#....|.###."},
    {'f', "..##.|.#..#|.#...|###..|.#...|.#...|.#..."},
    {'g', ".....|.....|.####|#...#|#...#|#...#|.####|....#|.###."},
    {'h', "#....|#....|#.##.|##..#|#...#|#...#|#...#"},
    {'i', "..#..|.....|.##..|..#..|..#..|..#..|.###."},
    {'j', "...#.|.....|..##.|...#.|...#.|...#.|...#.|#..#.|.##.."},
    {'k', "#....|#....|#..#.|#.#..|##...|#.#..|#..#."},
    {'l', ".##..|..#..|..#..|..#..|..#..|..#..|.###."},
    {'m', ".....|.....|##.#.|#.#.#|#.#.#|#.#.#|#.#.#"},
    {'n', ".....|.....|#.##.|##..#|#...#|#...#|#...#"},
    {'o', ".....|.....|.###.|#...#|#...#|#...#|.###."},
    {'p', ".....|.....|####.|#...#|#...#|#...#|####.|#....|#...."},
    {'q', ".....|.....|.####|#...#|#...#|#...#|.####|....#|....#"},
    {'r', ".....|.....|#.##.|##..#|#....|#....|#...."},
    {'s', ".....|.....|.####|#....|.###.|....#|####."},
    {'t', ".#...|.#...|###..|.#...|.#...|.#..#|..##."},
    {'u', ".....|.....|#...#|#...#|#...#|#..##|.##.#"},
    {'v', ".....|.....|#...#|#...#|#...#|.#.#.|..#.."},
    {'w', ".....|.....|#...#|#...#|#.#.#|#.#.#|.#.#."},
    {'x', ".....|.....|#...#|.#.#.|..#..|.#.#.|#...#"},
    {'y', ".....|.....|#...#|#...#|#...#|#...#|.####|....#|.###."},
    {'z', ".....|.....|#####|...#.|..#..|.#...|#####"},
    {'{', "...#.|..#..|..#..|.#...|..#..|..#..|...#."},
    {'|', "..#..|..#..|..#..|..#..|..#..|..#..|..#.."},
    {'}', ".#...|..#..|..#..|...#.|..#..|..#..|.#..."},
    {'~', ".....|.....|.#...|#.#.#|...#.|.....|....."},
};

// Row bitmasks per character (bit 4 = leftmost column), parsed once from the table above.
using Bitmap = std::array<uint8_t, kGlyphRows>;
const std::array<Bitmap, 128>& glyph_bitmaps() {
  static const std::array<Bitmap, 128> bitmaps = [] {
    std::array<Bitmap, 128> out{};
    for (const auto& g : kGlyphs) {
      Bitmap& b = out[static_cast<unsigned char>(g.c)];
      int row = 0, col = 0;
      for (const char* p = g.rows; *p != '\0'; ++p) {
        if (*p == '|') {
          ++row;
          col = 0;
          continue;
        }
        if (*p == '#') b[static_cast<size_t>(row)] |= static_cast<uint8_t>(1u << (kGlyphW - 1 - col));
        ++col;
      }
    }
    return out;
  }();
  return bitmaps;
}

const Bitmap& glyph(char c) {
  const auto u = static_cast<unsigned char>(c);
  return glyph_bitmaps()[u >= 32 && u < 127 ? u : static_cast<unsigned char>('?')];
}

}  // namespace

int text_width(const std::string& text, int scale, bool bold) {
  if (text.empty()) return 0;
  return static_cast<int>(text.size()) * kAdvance * scale - (kAdvance - kGlyphW) * scale + (bold ? 1 : 0);
}

int text_cap_height(int scale) { return kCapRows * scale; }

void draw_text(Image& image, const std::string& text, int x, int baseline, const uint8_t colour[3], int scale,
               bool bold) {
  const int top = baseline - kCapRows * scale;
  for (size_t i = 0; i < text.size(); ++i) {
    const Bitmap& b = glyph(text[i]);
    const int gx = x + static_cast<int>(i) * kAdvance * scale;
    for (int r = 0; r < kGlyphRows; ++r) {
      for (int c = 0; c < kGlyphW; ++c) {
        if (!(b[static_cast<size_t>(r)] & (1u << (kGlyphW - 1 - c)))) continue;
        const Box px{gx + c * scale, top + r * scale, gx + (c + 1) * scale - 1 + (bold ? 1 : 0),
                     top + (r + 1) * scale - 1};
        fill_box(image, px, colour);
      }
    }
  }
}

}  // namespace curlrl::media
