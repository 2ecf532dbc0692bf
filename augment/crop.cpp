#include "augment/crop.h"

#include <stdexcept>
#include <string>

namespace curlrl::augment {

torch::Tensor crop_at(const FrameBatch& f, int64_t size,
                      const std::vector<std::pair<int64_t, int64_t>>& offsets) {
  if (static_cast<int64_t>(f.frames.size()) != f.batch * f.stack) throw std::invalid_argument("crop: bad FrameBatch");
  if (size > f.height || size > f.width) {
    throw std::invalid_argument("crop size " + std::to_string(size) + " exceeds the frame size " +
                                std::to_string(f.height) + "x" + std::to_string(f.width));
  }
  // Channels-last memory (the encoders' convolutions run in that layout): for each pixel, its stack * channels
  // values are adjacent.
  const int64_t depth = f.stack * f.channels;
  torch::Tensor out = torch::empty({f.batch, depth, size, size},
                                   torch::TensorOptions(torch::kFloat32).memory_format(torch::MemoryFormat::ChannelsLast));
  float* dst = out.data_ptr<float>();
  const int64_t plane = f.height * f.width;
  std::vector<const uint8_t*> planes(static_cast<size_t>(depth));
  for (int64_t b = 0; b < f.batch; ++b) {
    const auto [top, left] = offsets[static_cast<size_t>(b)];
    if (top < 0 || left < 0 || top + size > f.height || left + size > f.width) {
      throw std::invalid_argument("crop offset out of range");
    }
    for (int64_t j = 0; j < f.stack; ++j) {
      const uint8_t* frame = f.frames[static_cast<size_t>(b * f.stack + j)];
      for (int64_t c = 0; c < f.channels; ++c) {
        planes[static_cast<size_t>(j * f.channels + c)] = frame + c * plane + top * f.width + left;
      }
    }
    for (int64_t y = 0; y < size; ++y) {
      const int64_t row = y * f.width;
      for (int64_t x = 0; x < size; ++x) {
        for (int64_t d = 0; d < depth; ++d) *dst++ = static_cast<float>(planes[static_cast<size_t>(d)][row + x]);
      }
    }
  }
  return out;
}

torch::Tensor random_crop(const FrameBatch& f, int64_t size, bool reference_range, std::mt19937_64& rng,
                          std::vector<std::pair<int64_t, int64_t>>* offsets) {
  const int64_t max_top = f.height - size - (reference_range ? 1 : 0);
  const int64_t max_left = f.width - size - (reference_range ? 1 : 0);
  if (max_top < 0 || max_left < 0) {
    throw std::invalid_argument("crop size " + std::to_string(size) + " does not fit the frame");
  }
  std::uniform_int_distribution<int64_t> top(0, max_top), left(0, max_left);
  std::vector<std::pair<int64_t, int64_t>> drawn(static_cast<size_t>(f.batch));
  for (auto& o : drawn) {
    o.first = top(rng);
    o.second = left(rng);
  }
  if (offsets) *offsets = drawn;
  return crop_at(f, size, drawn);
}

torch::Tensor center_crop(const FrameBatch& f, int64_t size) {
  const std::pair<int64_t, int64_t> centre{(f.height - size) / 2, (f.width - size) / 2};
  return crop_at(f, size, std::vector<std::pair<int64_t, int64_t>>(static_cast<size_t>(f.batch), centre));
}

}  // namespace curlrl::augment
