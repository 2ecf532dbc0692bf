// Writing rendered frames (uint8 RGB, channels first) to mp4 (OpenCV, mp4v) or png.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace curlrl::train {

class VideoWriter {
 public:
  VideoWriter(const std::string& path, int width, int height, double fps);
  ~VideoWriter();
  void add(std::span<const uint8_t> chw_rgb);
  // Finishes the file (moved into place from a temporary name).
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

void write_png(const std::string& path, std::span<const uint8_t> chw_rgb, int width, int height);

}  // namespace curlrl::train
