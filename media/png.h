// PNG files through lodepng (its C interface only, so that a LibTorch built with the old C++ ABI links as well).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "media/image.h"

namespace curlrl::media {

// Writes `image` as an 8-bit RGB PNG, atomically (a temporary file beside `path`, renamed over it); an error names
// the file and lodepng's reason.
void write_png(const std::string& path, const Image& image);
// The same for a frame stored channels first (3 x height x width, as the renderer writes it).
void write_png(const std::string& path, std::span<const uint8_t> chw_rgb, int width, int height);
// Reads any PNG as 8-bit RGB (alpha dropped); a missing or damaged file is an error naming it.
Image read_png(const std::string& path);

}  // namespace curlrl::media
