// The augmentation registry, the pipeline, and the augment.* configuration keys. To add an augmentation: write
// augment/<name>.cpp with a class implementing Augmentation and a `make_<name>` factory, declare the factory and
// add its line to the registry below, and give it a configs/augment/<name>.yaml.
#include <stdexcept>

#include "augment/augment.h"
#include "core/config.h"
#include "core/io.h"

namespace curlrl::augment {

// Factories (augment/geometric.cpp, augment/photometric.cpp).
std::unique_ptr<Augmentation> make_crop(const AugmentOptions& o);
std::unique_ptr<Augmentation> make_shift(const AugmentOptions& o);
std::unique_ptr<Augmentation> make_translate(const AugmentOptions& o);
std::unique_ptr<Augmentation> make_flip(const AugmentOptions& o);
std::unique_ptr<Augmentation> make_rotate(const AugmentOptions& o);
std::unique_ptr<Augmentation> make_cutout(const AugmentOptions& o);
std::unique_ptr<Augmentation> make_color_jitter(const AugmentOptions& o);
std::unique_ptr<Augmentation> make_grayscale(const AugmentOptions& o);
std::unique_ptr<Augmentation> make_rand_conv(const AugmentOptions& o);
std::unique_ptr<Augmentation> make_none(const AugmentOptions& o);

const std::map<std::string, AugmentationEntry>& augmentation_registry() {
  static const std::map<std::string, AugmentationEntry> kRegistry = {
      {"crop", {"random crop to augment.crop_size, one offset per sample (CURL, RAD); acting: centre crop", make_crop}},
      {"shift", {"pad augment.shift_pad by replicating edges, random crop back to size (DrQ)", make_shift}},
      {"translate", {"frame at a random place in a zero canvas of augment.translate_size (RAD); acting: centred",
                     make_translate}},
      {"flip", {"horizontal flip with probability augment.flip_p per sample", make_flip}},
      {"rotate", {"random multiple of 90 degrees, or a small angle up to augment.rotate_degrees (rotate_mode)",
                  make_rotate}},
      {"cutout", {"one rectangle per sample set to zero or a random colour (augment.cutout_*)", make_cutout}},
      {"color_jitter", {"brightness, contrast, saturation, hue per sample (augment.jitter_*)", make_color_jitter}},
      {"grayscale", {"luma in all colour channels with probability augment.grayscale_p per sample", make_grayscale}},
      {"rand_conv", {"a random 3x3 convolution over the colour channels, redrawn per batch", make_rand_conv}},
      {"none", {"no augmentation (observations are only centre-cropped to augment.crop_size)", make_none}},
  };
  return kRegistry;
}

std::vector<std::string> augmentation_names() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : augmentation_registry()) names.push_back(name);
  return names;
}

std::unique_ptr<Augmentation> make_augmentation(const std::string& name, const AugmentOptions& options) {
  const auto& registry = augmentation_registry();
  auto it = registry.find(name);
  if (it == registry.end()) {
    throw std::invalid_argument("unknown augmentation '" + name + "' (known: " + join(augmentation_names(), ", ") +
                                ")");
  }
  return it->second.make(options);
}

AugmentOptions AugmentOptions::from_config(const config::Config& c, int64_t frame_channels) {
  AugmentOptions o;
  o.frame_channels = frame_channels;
  o.crop_size = c.get_int("augment.crop_size");
  o.crop_reference_range = c.get_bool("augment.crop_reference_range");
  o.shift_pad = c.get_int("augment.shift_pad");
  o.translate_size = c.get_int("augment.translate_size");
  o.cutout_min = c.get_int("augment.cutout_min");
  o.cutout_max = c.get_int("augment.cutout_max");
  o.cutout_color = c.get_bool("augment.cutout_color");
  o.jitter_brightness = c.get_float("augment.jitter_brightness");
  o.jitter_contrast = c.get_float("augment.jitter_contrast");
  o.jitter_saturation = c.get_float("augment.jitter_saturation");
  o.jitter_hue = c.get_float("augment.jitter_hue");
  o.grayscale_p = c.get_float("augment.grayscale_p");
  o.flip_p = c.get_float("augment.flip_p");
  o.rotate_mode = c.get_string("augment.rotate_mode");
  o.rotate_degrees = c.get_float("augment.rotate_degrees");
  return o;
}

Pipeline::Pipeline(const std::vector<std::string>& names, const AugmentOptions& options)
    : names_(names), options_(options) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "crop") {
      if (i != 0) throw std::invalid_argument("augment: crop reads the stored frames and must come first");
      random_crop_ = true;
      continue;
    }
    if (names[i] == "none") {
      make_augmentation(names[i], options);  // known name; nothing to do
      continue;
    }
    steps_.push_back(make_augmentation(names[i], options));
  }
  output_size();  // checks that every step accepts its input size
}

torch::Tensor Pipeline::train(const FrameBatch& frames, std::mt19937_64& rng) const {
  torch::Tensor x = random_crop_ ? random_crop(frames, options_.crop_size, options_.crop_reference_range, rng)
                                 : center_crop(frames, options_.crop_size);
  for (const auto& step : steps_) x = step->apply(x, rng);
  return x;
}

torch::Tensor Pipeline::eval(const FrameBatch& frames) const {
  torch::Tensor x = center_crop(frames, options_.crop_size);
  for (const auto& step : steps_) x = step->apply_eval(x);
  return x;
}

int64_t Pipeline::output_size() const {
  int64_t size = options_.crop_size;
  for (const auto& step : steps_) size = step->output_size(size);
  return size;
}

}  // namespace curlrl::augment
