// Crops of stacked uint8 frames into float batches, written straight from the replay buffer's uint8 storage into
// the output tensor (no full-size float copy in between).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <random>
#include <vector>

namespace curlrl::augment {

// A batch of stacked observations given as frame pointers: frames[b * stack + j] is frame j (oldest first) of
// sample b, each `channels` x `height` x `width` uint8, channels first.
struct FrameBatch {
  int64_t batch = 0;
  int64_t stack = 1;
  int64_t channels = 3;
  int64_t height = 0;
  int64_t width = 0;
  std::vector<const uint8_t*> frames;
};

// Random crop to `size` x `size`: one offset pair per sample, shared by its stacked frames. Offsets are uniform
// over the full range [0, height - size] (and width), or over [0, height - size - 1] with reference_range, as the
// reference implementation draws them. Returns float [B, stack * channels, size, size] with values 0..255, in
// channels-last memory format.
// When `offsets` is given it receives (top, left) per sample.
torch::Tensor random_crop(const FrameBatch& frames, int64_t size, bool reference_range, std::mt19937_64& rng,
                          std::vector<std::pair<int64_t, int64_t>>* offsets = nullptr);

// The same crop at given offsets (top, left) per sample.
torch::Tensor crop_at(const FrameBatch& frames, int64_t size, const std::vector<std::pair<int64_t, int64_t>>& offsets);

// Centre crop (used for acting and evaluation): offset (H - size) / 2.
torch::Tensor center_crop(const FrameBatch& frames, int64_t size);

}  // namespace curlrl::augment
