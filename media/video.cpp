#include "media/video.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/error.h"

#if CURLRL_WITH_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#endif

namespace curlrl::media {

#if CURLRL_WITH_OPENCV

bool has_video() { return true; }
std::string video_support() { return "OpenCV " CV_VERSION; }
void require_video(const std::string&) {}

struct VideoWriter::Impl {
  std::string path, tmp;
  int width = 0, height = 0;
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

namespace {
Error wrong_size(int width, int height) {
  return Error("frame has the wrong size for " + std::to_string(width) + "x" + std::to_string(height));
}
}  // namespace

void VideoWriter::add(std::span<const uint8_t> chw) {
  if (chw.size() != static_cast<size_t>(impl_->width) * impl_->height * 3) {
    throw wrong_size(impl_->width, impl_->height);
  }
  add(from_chw(chw, impl_->width, impl_->height));
}

void VideoWriter::add(const Image& frame) {
  if (frame.width != impl_->width || frame.height != impl_->height) throw wrong_size(impl_->width, impl_->height);
  cv::Mat bgr;
  cv::cvtColor(cv::Mat(frame.height, frame.width, CV_8UC3, const_cast<uint8_t*>(frame.rgb.data())), bgr,
               cv::COLOR_RGB2BGR);
  impl_->writer.write(bgr);
}

void VideoWriter::close() {
  impl_->writer.release();
  std::filesystem::rename(impl_->tmp, impl_->path);
}

bool readable_video(const std::string& file) {
  cv::VideoCapture cap(file);
  cv::Mat frame;
  return cap.isOpened() && cap.read(frame) && !frame.empty();
}

std::vector<std::vector<uint8_t>> read_video(const std::string& file, int w, int h, double start_fraction,
                                             int count) {
  cv::VideoCapture cap(file);
  if (!cap.isOpened()) throw Error("cannot open video " + file);
  const double n = cap.get(cv::CAP_PROP_FRAME_COUNT);
  if (n > count) cap.set(cv::CAP_PROP_POS_FRAMES, std::floor(start_fraction * (n - count)));
  std::vector<std::vector<uint8_t>> frames;
  cv::Mat bgr, rgb, scaled;
  while (static_cast<int>(frames.size()) < count && cap.read(bgr) && !bgr.empty()) {
    const double s = std::max(static_cast<double>(w) / bgr.cols, static_cast<double>(h) / bgr.rows);
    const int sw = std::max(w, static_cast<int>(std::ceil(bgr.cols * s)));
    const int sh = std::max(h, static_cast<int>(std::ceil(bgr.rows * s)));
    cv::resize(bgr, scaled, cv::Size(sw, sh), 0, 0, cv::INTER_AREA);
    cv::cvtColor(scaled(cv::Rect((sw - w) / 2, (sh - h) / 2, w, h)), rgb, cv::COLOR_BGR2RGB);
    frames.emplace_back(rgb.data, rgb.data + static_cast<size_t>(w) * h * 3);
  }
  if (frames.empty()) throw Error("video " + file + " has no frame OpenCV can decode");
  return frames;
}

#else  // built without OpenCV: no videos

namespace {
constexpr const char* kOff = "off (built with -DCURLRL_WITH_OPENCV=OFF)";
}

bool has_video() { return false; }
std::string video_support() { return kOff; }
void require_video(const std::string& what) {
  throw Error(what + ": videos need OpenCV, and this curlrl was built with -DCURLRL_WITH_OPENCV=OFF (rebuild with "
                     "libopencv-dev installed and the option ON)");
}

struct VideoWriter::Impl {};
VideoWriter::VideoWriter(const std::string& path, int, int, double) { require_video("cannot write " + path); }
VideoWriter::~VideoWriter() = default;
void VideoWriter::add(std::span<const uint8_t>) {}
void VideoWriter::add(const Image&) {}
void VideoWriter::close() {}

bool readable_video(const std::string&) { return false; }
std::vector<std::vector<uint8_t>> read_video(const std::string& file, int, int, double, int) {
  require_video("cannot read " + file);
  return {};
}

#endif

}  // namespace curlrl::media
