// Image augmentations on whole batches, chosen by name from configuration (augment=[crop,cutout]), applied in order.
//
// A batch is float [B, S * C, H, W] with values in [0, 255]: S stacked frames of C colour channels each (C = 3,
// RGB), any memory format. Every augmentation draws its randomness from the generator it is given (never from
// LibTorch's global one), so the same generator state gives the same batch, and transforms each sample's stacked
// frames alike (one offset, rectangle, colour change or angle per sample).
//
// Adding an augmentation: a class implementing Augmentation and its RegisterAugmentation entry (with its settings) in
// its own file under augment/, a configs/augment/<name>.yaml (a comment saying what it does; settings only where a
// choice should differ from their defaults), and a test (see tests/augment/test_augmentations.cpp).
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
#include "core/settings.h"

namespace curlrl::augment {

// Colour channels per stacked frame (RGB).
constexpr int64_t kFrameChannels = 3;

// The side of the crop every pixel pipeline starts from (augment.crop_size; declared in augment/registry.cpp).
extern const config::Setting<int64_t> kCropSize;

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

// The augmentation registry. Each augmentation registers itself, with the settings it owns, in one global beside
// its class:
//   const RegisterAugmentation kCutout{"cutout", "one-line summary", {&kCutoutMin, ...}, make<Cutout>};
// which also makes it a choice of the `augment` group (core/settings.h). A factory builds the augmentation from a
// configuration that chose it (so its settings are there).
using AugmentationFactory = std::function<std::unique_ptr<Augmentation>(const config::Config&)>;
struct RegisterAugmentation {
  RegisterAugmentation(const std::string& name, const std::string& summary,
                       const std::vector<const config::SettingBase*>& own_settings, AugmentationFactory make);
};
template <class T>
std::unique_ptr<Augmentation> make(const config::Config& config) {
  return std::make_unique<T>(config);
}
std::vector<std::string> augmentation_names();
// Throws std::invalid_argument naming the known augmentations when `name` is not one.
std::unique_ptr<Augmentation> make_augmentation(const std::string& name, const config::Config& config);

// The chosen augmentations in order, starting from the replay's uint8 frames. Every pipeline starts with a crop to
// options.crop_size: a random one when the list starts with `crop` (read straight from the uint8 storage), the
// centre crop otherwise (set augment.crop_size to the image size for whole frames). `crop` may only come first;
// `none` is no augmentation.
class Pipeline {
 public:
  // A random crop to kCropSize's default and nothing else (CURL's pipeline).
  Pipeline();
  // The augmentations `config` chose (augment.name), with their settings.
  explicit Pipeline(const config::Config& config);
  // Training batch: the crop, then every augmentation's apply().
  torch::Tensor train(const FrameBatch& frames, std::mt19937_64& rng) const;
  // Acting and evaluation: the centre crop, then every augmentation's apply_eval().
  torch::Tensor eval(const FrameBatch& frames) const;
  // The side of the images the encoder sees (crop_size through every step's output_size).
  int64_t output_size() const;
  // True when the pipeline does anything random (false for [] and [none]).
  bool random() const { return random_crop_ || !steps_.empty(); }
  const std::vector<std::string>& names() const { return names_; }
  int64_t crop_size() const { return crop_size_; }

 private:
  std::vector<std::string> names_;
  int64_t crop_size_;
  bool random_crop_ = false;
  bool crop_reference_range_ = false;
  std::vector<std::shared_ptr<const Augmentation>> steps_;  // after the crop
};

}  // namespace curlrl::augment
