// Pictures in memory and the few raster operations curlrl draws with: filled and framed rectangles, anti-aliased
// lines and discs, and text in a built-in 5x7 pixel font. No OpenCV: pictures are drawn and written (media/png.h)
// the same way in every build.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace curlrl::media {

// An 8-bit RGB image, rows top to bottom, pixels interleaved (HWC).
struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
  Image() = default;
  Image(int w, int h, uint8_t fill = 255) : width(w), height(h), rgb(static_cast<size_t>(w) * h * 3, fill) {}
  uint8_t* at(int x, int y) { return rgb.data() + (static_cast<size_t>(y) * width + x) * 3; }
  const uint8_t* at(int x, int y) const { return rgb.data() + (static_cast<size_t>(y) * width + x) * 3; }
};

// One RGB frame stored channels first (3 x h x w, as the renderer writes it), and back.
Image from_chw(std::span<const uint8_t> chw, int width, int height);
std::vector<uint8_t> to_chw(const Image& image);
// Nearest-neighbour enlargement by an integer factor (pixels stay visible as pixels).
Image upscale(const Image& image, int factor);
// The image turned 90 degrees anticlockwise (its top row becomes its left column, read bottom to top).
Image rotate_left(const Image& image);
// `piece` copied into `image` with its top-left corner at (x, y), cut off at the image's edges.
void paste(Image& image, const Image& piece, int x, int y);

// A pixel box, corners included. Drawing is clipped to it (and always to the image).
struct Box {
  int x0, y0, x1, y1;
};
Box whole(const Image& image);

// Every pixel of `box` set to `colour`.
void fill_box(Image& image, Box box, const uint8_t colour[3]);
// A border `thickness` pixels wide along the inside of `box`.
void frame_box(Image& image, Box box, const uint8_t colour[3], int thickness = 1);
// A line `width` pixels wide between two points (pixel centres at integer coordinates), anti-aliased: each pixel
// is blended with the colour by its coverage, clamp(width / 2 + 0.5 - distance to the segment, 0, 1).
void draw_line(Image& image, double x0, double y0, double x1, double y1, const uint8_t colour[3], double width,
               Box clip);
// A filled disc, anti-aliased the same way (coverage clamp(radius + 0.5 - distance to the centre, 0, 1)).
void fill_disc(Image& image, double cx, double cy, double radius, const uint8_t colour[3], Box clip);

// Text in the built-in font: printable ASCII, 5x7 pixel glyphs (2 more rows for descenders) on a 6-pixel advance,
// each pixel `scale` x `scale`; `bold` draws every glyph twice, one pixel apart. Other characters draw as '?'.
// `baseline` is the row just below the capitals; `x` the left edge.
void draw_text(Image& image, const std::string& text, int x, int baseline, const uint8_t colour[3], int scale = 1,
               bool bold = false);
int text_width(const std::string& text, int scale = 1, bool bold = false);
// Height of a capital letter in pixels (7 x scale); descenders reach 2 x scale below the baseline.
int text_cap_height(int scale = 1);

}  // namespace curlrl::media
