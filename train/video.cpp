#include "train/video.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include <filesystem>

#include "core/error.h"

namespace curlrl::train {
namespace {

cv::Mat to_bgr(std::span<const uint8_t> chw, int width, int height) {
  cv::Mat bgr(height, width, CV_8UC3);
  const size_t plane = static_cast<size_t>(width) * height;
  if (chw.size() != 3 * plane) throw Error("frame has the wrong size for " + std::to_string(width) + "x" + std::to_string(height));
  for (int y = 0; y < height; ++y) {
    auto* row = bgr.ptr<uint8_t>(y);
    for (int x = 0; x < width; ++x) {
      const size_t i = static_cast<size_t>(y) * width + x;
      row[3 * x + 0] = chw[2 * plane + i];
      row[3 * x + 1] = chw[plane + i];
      row[3 * x + 2] = chw[i];
    }
  }
  return bgr;
}

}  // namespace

struct VideoWriter::Impl {
  std::string path, tmp;
  int width, height;
  cv::VideoWriter writer;
};

VideoWriter::VideoWriter(const std::string& path, int width, int height, double fps) : impl_(new Impl) {
  impl_->path = path;
  impl_->tmp = path + ".tmp.mp4";
  impl_->width = width;
  impl_->height = height;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  impl_->writer.open(impl_->tmp, cv::VideoWriter::fourcc('m', 'p', '4', 'v'), fps, cv::Size(width, height));
  if (!impl_->writer.isOpened()) throw Error("cannot open video file " + path + " for writing (OpenCV mp4v)");
}

VideoWriter::~VideoWriter() {
  if (impl_ && impl_->writer.isOpened()) {
    impl_->writer.release();
    std::error_code ec;
    std::filesystem::remove(impl_->tmp, ec);
  }
}

void VideoWriter::add(std::span<const uint8_t> chw) { impl_->writer.write(to_bgr(chw, impl_->width, impl_->height)); }

void VideoWriter::close() {
  impl_->writer.release();
  std::filesystem::rename(impl_->tmp, impl_->path);
}

void write_png(const std::string& path, std::span<const uint8_t> chw, int width, int height) {
  const std::string tmp = path + ".tmp.png";
  if (!cv::imwrite(tmp, to_bgr(chw, width, height))) throw Error("cannot write " + path);
  std::filesystem::rename(tmp, path);
}

}  // namespace curlrl::train
