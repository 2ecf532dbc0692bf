// Video files: writing rendered episodes (mp4) and reading clips for the distraction backgrounds. Both go through
// OpenCV's videoio, the only part of curlrl that needs OpenCV: a build configured with -DCURLRL_WITH_OPENCV=OFF
// has no videos, and asking for one is a one-line error naming that option.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "media/image.h"

namespace curlrl::media {

// Whether this build reads and writes videos.
bool has_video();
// "OpenCV <version>" or "off (built with -DCURLRL_WITH_OPENCV=OFF)", for `curlrl --version` and info.txt.
std::string video_support();
// Throws an Error "<what>: videos need OpenCV, and this curlrl was built with -DCURLRL_WITH_OPENCV=OFF ..." unless
// has_video().
void require_video(const std::string& what);

// Writes uint8 RGB frames of width x height, channels first (the renderer's layout) or as an Image, to an mp4 (mp4v)
// file: into a temporary file beside `path`, moved into place by close(); a writer destroyed without close() leaves
// nothing behind. A frame of another size is an error.
class VideoWriter {
 public:
  VideoWriter(const std::string& path, int width, int height, double fps);
  ~VideoWriter();
  void add(std::span<const uint8_t> chw_rgb);
  void add(const Image& frame);
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether `file` opens as a video with at least one decodable frame.
bool readable_video(const std::string& file);
// Up to `count` frames of `file` from `start_fraction` of the way into it (0: the first frame; the start is chosen
// so that `count` frames remain when the file has them), each scaled to cover width x height (area averaging) and
// centre-cropped: RGB, rows top to bottom, pixels interleaved. An unreadable file is an error naming it.
std::vector<std::vector<uint8_t>> read_video(const std::string& file, int width, int height, double start_fraction,
                                             int count);

}  // namespace curlrl::media
