#include "media/png.h"

#include <lodepng.h>

#include <cstdlib>
#include <algorithm>
#include <memory>

#include "core/error.h"
#include "core/io.h"

namespace curlrl::media {
namespace {

// lodepng hands out malloc'ed buffers.
struct Free {
  void operator()(unsigned char* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<unsigned char, Free>;

}  // namespace

void write_png(const std::string& path, const Image& image) {
  if (image.width <= 0 || image.height <= 0) throw Error("cannot write " + path + ": the image is empty");
  unsigned char* out = nullptr;
  size_t size = 0;
  const unsigned err = lodepng_encode_memory(&out, &size, image.rgb.data(), static_cast<unsigned>(image.width),
                                             static_cast<unsigned>(image.height), LCT_RGB, 8);
  const Buffer owned(out);
  if (err != 0) throw Error("cannot write " + path + ": " + lodepng_error_text(err));
  write_file_atomic(path, std::string(reinterpret_cast<const char*>(out), size));
}

void write_png(const std::string& path, std::span<const uint8_t> chw_rgb, int width, int height) {
  if (chw_rgb.size() != static_cast<size_t>(width) * height * 3) {
    throw Error("cannot write " + path + ": the frame has the wrong size for " + std::to_string(width) + "x" +
                std::to_string(height));
  }
  write_png(path, from_chw(chw_rgb, width, height));
}

Image read_png(const std::string& path) {
  const std::string bytes = read_file(path);
  unsigned char* out = nullptr;
  unsigned w = 0, h = 0;
  const unsigned err = lodepng_decode_memory(&out, &w, &h, reinterpret_cast<const unsigned char*>(bytes.data()),
                                             bytes.size(), LCT_RGB, 8);
  const Buffer owned(out);
  if (err != 0) throw Error("cannot read " + path + ": not a valid PNG (" + lodepng_error_text(err) + ")");
  Image image(static_cast<int>(w), static_cast<int>(h));
  std::copy_n(out, image.rgb.size(), image.rgb.data());
  return image;
}

}  // namespace curlrl::media
