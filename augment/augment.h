// Image augmentations on whole batches, chosen by name from configuration (augment=[crop,cutout]), applied in order.
//
// A batch is float [B, S * C, H, W] with values in [0, 255]: S stacked frames of C colour channels each (C = 3,
// RGB), any memory format. Every augmentation draws its randomness from the generator it is given (never from
// LibTorch's global one), so the same generator state gives the same batch, and transforms each sample's stacked
// frames alike (one offset, rectangle, colour change or angle per sample).
//
// Adding an augmentation: a class implementing Augmentation in its own file under augment/, one line in
// augment/registry.cpp, a configs/augment/<name>.yaml, and a test (see tests/augment/test_augmentations.cpp).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "augment/crop.h"

namespace curlrl::config {
class Config;
}

namespace curlrl::augment {

// Every augmentation's settings (the augment.* configuration keys).
struct AugmentOptions {
  int64_t frame_channels = 3;          // C: colour channels per stacked frame
  int64_t crop_size = 84;              // crop: output size; also the centre crop every pipeline starts from
  bool crop_reference_range = false;   // crop: offsets in [0, H - size - 1] as the reference code draws them
  int64_t shift_pad = 4;               // shift: edge-replicating padding, then a random crop back to H x W
  int64_t translate_size = 108;        // translate: side of the zero canvas the frame is placed in
  int64_t cutout_min = 10;             // cutout: rectangle sides drawn uniformly in [min, max] pixels
  int64_t cutout_max = 30;
  bool cutout_color = false;           // cutout: fill with a random colour instead of zeros
  double jitter_brightness = 0.4;      // color_jitter: factors drawn in [1 - x, 1 + x] ...
  double jitter_contrast = 0.4;
  double jitter_saturation = 0.4;
  double jitter_hue = 0.5;             // ... and a hue shift in [-x, x] of a full turn (x <= 0.5)
  double grayscale_p = 0.3;            // grayscale: probability per sample
  double flip_p = 0.5;                 // flip: probability of a horizontal flip per sample
  std::string rotate_mode = "quarter";  // rotate: "quarter" (0/90/180/270 degrees) or "small" (uniform angle)
  double rotate_degrees = 5.0;         // rotate small: angles in [-x, x] degrees

  static AugmentOptions from_config(const config::Config& c, int64_t frame_channels = 3);
};

class Augmentation {
 public:
  virtual ~Augmentation() = default;
  // The training transform of a whole batch [B, S * C, H, W] -> [B, S * C, H', W'].
  virtual torch::Tensor apply(const torch::Tensor& batch, std::mt19937_64& rng) const = 0;
  // The deterministic counterpart used for acting and evaluation: crop takes the centre, translate places the
  // frame in the middle of its canvas; the others leave observations unchanged.
  virtual torch::Tensor apply_eval(const torch::Tensor& batch) const { return batch; }
  // Output height (= width) for an input of side `size`.
  virtual int64_t output_size(int64_t size) const { return size; }
};

using AugmentationFactory = std::function<std::unique_ptr<Augmentation>(const AugmentOptions&)>;
struct AugmentationEntry {
  std::string summary;  // one line for `curlrl list augmentations`
  AugmentationFactory make;
};
// Registry: name -> summary and factory (augment/registry.cpp).
const std::map<std::string, AugmentationEntry>& augmentation_registry();
std::vector<std::string> augmentation_names();
// Throws std::invalid_argument naming the known augmentations when `name` is not one.
std::unique_ptr<Augmentation> make_augmentation(const std::string& name, const AugmentOptions& options);

// The chosen augmentations in order, starting from the replay's uint8 frames. Every pipeline starts with a crop to
// options.crop_size: a random one when the list starts with `crop` (read straight from the uint8 storage), the
// centre crop otherwise (set augment.crop_size to the image size for whole frames). `crop` may only come first;
// `none` is no augmentation.
class Pipeline {
 public:
  Pipeline(const std::vector<std::string>& names, const AugmentOptions& options);
  // Training batch: the crop, then every augmentation's apply().
  torch::Tensor train(const FrameBatch& frames, std::mt19937_64& rng) const;
  // Acting and evaluation: the centre crop, then every augmentation's apply_eval().
  torch::Tensor eval(const FrameBatch& frames) const;
  // The side of the images the encoder sees (crop_size through every step's output_size).
  int64_t output_size() const;
  // True when the pipeline does anything random (false for [] and [none]).
  bool random() const { return random_crop_ || !steps_.empty(); }
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
  AugmentOptions options_;
  bool random_crop_ = false;
  std::vector<std::unique_ptr<Augmentation>> steps_;  // after the crop
};

}  // namespace curlrl::augment
